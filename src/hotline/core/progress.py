"""Progress of a long command: a bar on a terminal, a line every tenth of the way otherwise.

The one way every command shows progress (the demo seed, knowledge import and re-indexing):
a tqdm bar on stderr when stderr is a terminal, else a line on ``out`` each time another
tenth is done (logs and CI keep a readable trace); nothing at all with ``show=False``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO


class Progress:
    def __init__(
        self,
        total: int,
        *,
        label: str,
        unit: str,
        line_label: str = "",
        out: TextIO | Any | None = None,
        show: bool | None = None,
        describe: Callable[..., str] | None = None,
    ) -> None:
        """``show``: None decides by the terminal, True forces the bar, False shows nothing.
        ``describe(done, **detail)`` adds a parenthesis to each line (not to the bar)."""
        self.total = max(total, 1)
        self.done = 0
        self.line_label = line_label or label
        self.out = out if out is not None else sys.stdout
        self.describe = describe
        self.bar: Any = None
        self.lines = False
        self._tenth = 0
        if show is False:
            return
        from tqdm import tqdm

        bar = tqdm(
            total=total,
            unit=unit,
            desc=label,
            file=sys.stderr,
            disable=None if show is None else False,
        )
        if bar.disable:
            self.lines = True
        else:
            self.bar = bar

    def update(self, done: int, **detail: Any) -> None:
        """``done`` so far (an absolute count, so callers need not keep a delta)."""
        if self.bar is not None:
            self.bar.update(done - self.done)
        elif self.lines and (tenth := min(10, 10 * done // self.total)) > self._tenth:
            self._tenth = tenth
            extra = f" ({self.describe(done, **detail)})" if self.describe else ""
            self.out.write(f"  {self.line_label}: {tenth * 10}%{extra}\n")
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class ProgressCallback:
    """A ``progress(done, total)`` callback for a service that learns its total as it goes
    (e.g. the rows of an import): the bar is made at the first call. Takes the options of
    :class:`Progress`."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.progress: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            self.progress = Progress(total, **self.options)
        self.progress.update(done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
