"""``hotline seed --demo`` hook: the demo dispatch catalogue and a first category model trained
from the closed demo tickets (see :func:`hotline.routing.services.seed_demo`)."""

from __future__ import annotations

from typing import Any


def seed(*, stdout=None, train: bool = True, **_ignored: Any) -> dict[str, Any]:
    from hotline.routing.services import seed_demo

    return seed_demo(stdout=stdout, train=train)
