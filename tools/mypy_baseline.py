"""mypy with a baseline that may only shrink (ARCHITECTURE.md, Stack: lint; issue 13 item 4).

`./dev lint` runs this. It runs mypy over src/hotline (configuration: [tool.mypy] in
pyproject.toml), counts the errors per file and compares them with mypy-baseline.json:

- a package listed under "strict" in the baseline file (or given with --strict) must have no
  error at all: those are never baselined;
- any other file may have at most as many errors as the baseline records for it, and a file
  the baseline does not name must have none.

So new code is typed from the start and old code only gets better. Fixing errors is rewarded
with `--update`, which lowers the recorded counts (it never raises one). When files move or are
split, the errors move with them: `--reset` records the current counts as they are, outside the
strict packages; its diff shows in review what was accepted.

    .venv/bin/python tools/mypy_baseline.py              check (exit 1 on a regression)
    .venv/bin/python tools/mypy_baseline.py --update     check, and lower the baseline
    .venv/bin/python tools/mypy_baseline.py --reset      record the current counts
    .venv/bin/python tools/mypy_baseline.py --from-file mypy.txt   use saved mypy output

The settings module reads the environment, so mypy runs as the tests do: HOTLINE_ENV=test and a
throw-away HOTLINE_DATA_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.json"
SOURCE_PREFIX = "src/hotline/"
SHOW_AT_MOST = 60  # error lines printed on a failure; the file list after them is complete
# "path:line: error: message  [code]" and "path:line:col: error: ..."; notes are not errors
ERROR_LINE = re.compile(r"^(?P<path>[^:\s][^:]*\.pyi?):\d+(?::\d+)?: error: ")


def run_mypy() -> tuple[int, str]:
    """Run mypy in this interpreter on the configured packages; return (exit code, output)."""
    with tempfile.TemporaryDirectory(prefix="hotline-mypy-") as data_dir:
        env = {**os.environ, "HOTLINE_ENV": "test", "HOTLINE_DATA_DIR": data_dir}
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--no-pretty", "--no-color-output"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    return done.returncode, done.stdout + done.stderr


def parse(output: str) -> tuple[Counter[str], list[str]]:
    """Per-file error counts and the error lines themselves (paths relative to the repo)."""
    counts: Counter[str] = Counter()
    lines: list[str] = []
    for line in output.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            counts[match["path"].replace("\\", "/")] += 1
            lines.append(line)
    return counts, lines


def package_of(path: str) -> str:
    """`src/hotline/tickets/services/intake.py` -> `tickets`; `src/hotline/cli.py` -> `cli`."""
    rest = path.removeprefix(SOURCE_PREFIX)
    return rest.split("/", 1)[0].removesuffix(".py")


def load(path: Path) -> tuple[list[str], dict[str, int]]:
    if not path.exists():
        return [], {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("strict", [])), {k: int(v) for k, v in data.get("files", {}).items()}


def save(path: Path, strict: list[str], files: dict[str, int]) -> None:
    data = {
        "_comment": (
            "mypy errors per file that may only shrink; see tools/mypy_baseline.py. "
            "Packages under 'strict' must have none."
        ),
        "strict": sorted(strict),
        "total": sum(files.values()),
        "files": dict(sorted((k, v) for k, v in files.items() if v > 0)),
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def compare(
    counts: Counter[str], baseline: dict[str, int], strict: list[str]
) -> tuple[list[str], dict[str, int]]:
    """Problems (one line each) and the lowered baseline (never above the old one)."""
    problems: list[str] = []
    lowered: dict[str, int] = {}
    for path in sorted(set(counts) | set(baseline)):
        now, allowed = counts.get(path, 0), baseline.get(path, 0)
        if package_of(path) in strict:
            if now:
                problems.append(f"{path}: {now} error(s) in strict package {package_of(path)!r}")
            continue
        if now > allowed:
            what = "not in the baseline" if path not in baseline else f"baseline {allowed}"
            problems.append(f"{path}: {now} error(s), {what}")
        if path in baseline:
            lowered[path] = min(now, allowed)
    return problems, lowered


def per_package(counts: Counter[str]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for path, n in counts.items():
        totals[package_of(path)] += n
    return dict(sorted(totals.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--from-file", type=Path, help="read mypy output from a file")
    parser.add_argument(
        "--strict", help="comma-separated packages that must have no error (default: baseline's)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="lower the baseline counts")
    mode.add_argument("--reset", action="store_true", help="record the current counts")
    args = parser.parse_args(argv)

    strict, baseline = load(args.baseline)
    if args.strict is not None:
        strict = [name.strip() for name in args.strict.split(",") if name.strip()]

    if args.from_file:
        output = args.from_file.read_text(encoding="utf-8")
        counts, error_lines = parse(output)
        code = 1 if counts else 0
    else:
        code, output = run_mypy()
        counts, error_lines = parse(output)
    if code not in (0, 1) or (code == 1 and not counts):
        # 2 is a crash or a configuration error; 1 without error lines is the same in disguise
        print(output, file=sys.stderr)
        print(f"mypy did not run cleanly (exit {code})", file=sys.stderr)
        return 1

    totals = per_package(counts)
    summary = ", ".join(f"{name} {n}" for name, n in totals.items()) or "none"
    print(f"mypy: {sum(counts.values())} error(s) (baseline {sum(baseline.values())}); {summary}")

    if args.reset:
        baseline = {p: n for p, n in counts.items() if package_of(p) not in strict}
        save(args.baseline, strict, baseline)
        print(f"baseline reset to {sum(baseline.values())}: {args.baseline.name}")

    problems, lowered = compare(counts, baseline, strict)
    if args.update and lowered != baseline:
        save(args.baseline, strict, lowered)
        print(f"baseline lowered to {sum(lowered.values())}: {args.baseline.name}")
    elif not problems and lowered != baseline:
        print(f"errors were fixed: run {Path(__file__).name} --update to lower the baseline")

    if problems:
        bad = {line.split(": ", 1)[0] for line in problems}
        shown = [line for line in error_lines if line.split(":", 1)[0] in bad]
        print("\n".join(shown[:SHOW_AT_MOST]))
        if len(shown) > SHOW_AT_MOST:
            print(f"... and {len(shown) - SHOW_AT_MOST} more in those files")
        print("\nmypy found more errors than the baseline allows:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in problems), file=sys.stderr)
        print(
            "fix them (or, for a moved file only, run tools/mypy_baseline.py --reset)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
