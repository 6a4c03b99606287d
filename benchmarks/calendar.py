"""Benchmark: our WorkCalendar.nth_working_day against the `holidays` package's China calendar.

    .venv/bin/python benchmarks/calendar.py [--count 100000] [--seed 20260930]

No Django: our calendar is built straight from the `chinese-calendar` package's data, as the
platform seeds it. Both libraries answer the same 100,000 questions (a start day in 2010–2025
and N in 1..30, from a fixed seed): "the Nth working day, counting the start as day 1 when it
is a working day" (RULES.md §4).

`holidays` counts differently: `get_nth_working_day(d, n)` moves n working days *after* d,
never counting d. So it is asked `get_nth_working_day(start - 1 day, n)`, which is the same
question (the first working day after the day before the start is the start itself when it
is a working day). Both libraries know the 调休 working weekends.

Exit status: 0 when every answer agrees or each disagreement is explained by a day on which
the two data sets differ; 1 when an answer differs without such a day (an arithmetic bug).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named calendar.py: take its folder off the import path, or `import calendar`
# in the standard library and in `holidays` would find this script instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date, timedelta  # noqa: E402

import chinese_calendar  # noqa: E402
import holidays  # noqa: E402

from hotline.calendar.core import WorkCalendar  # noqa: E402

ONE_DAY = timedelta(days=1)
FIRST_START = date(2010, 1, 1)
LAST_START = date(2025, 12, 31)
TARGET_RATIO = 20.0


def build_ours() -> WorkCalendar:
    overrides = dict.fromkeys(chinese_calendar.holidays, False)
    overrides.update(dict.fromkeys(chinese_calendar.workdays, True))
    return WorkCalendar(overrides, confirmed_years=range(2004, 2027))


def build_theirs() -> holidays.HolidayBase:
    # Every year the answers can reach, loaded up front so lazy loading is not timed.
    return holidays.country_holidays("CN", years=range(FIRST_START.year - 1, 2028))


def make_inputs(count: int, seed: int) -> list[tuple[date, int]]:
    rng = random.Random(seed)
    span = (LAST_START - FIRST_START).days
    return [
        (FIRST_START + timedelta(days=rng.randint(0, span)), rng.randint(1, 30))
        for _ in range(count)
    ]


def timed(run: Callable[[], list[date]], repeat: int) -> tuple[list[date], float]:
    """The answers and the best wall time of ``repeat`` runs."""
    best = float("inf")
    answers: list[date] = []
    for _ in range(repeat):
        started = time.perf_counter()
        answers = run()
        best = min(best, time.perf_counter() - started)
    return answers, best


def differing_days(
    ours: WorkCalendar, theirs: holidays.HolidayBase, start: date, end: date
) -> list[date]:
    days = []
    day = start
    while day <= end:
        if ours.is_working_day(day) != theirs.is_working_day(day):
            days.append(day)
        day += ONE_DAY
    return days


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260930)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast side (best kept)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    ours = build_ours()
    built = time.perf_counter() - started
    theirs = build_theirs()
    inputs = make_inputs(args.count, args.seed)
    # The same question for holidays: the Nth working day strictly after the day before.
    shifted = [(start - ONE_DAY, n) for start, n in inputs]

    nth = ours.nth_working_day
    get_nth = theirs.get_nth_working_day
    our_answers, our_seconds = timed(lambda: [nth(s, n) for s, n in inputs], args.repeat)
    their_answers, their_seconds = timed(lambda: [get_nth(d, n) for d, n in shifted], 1)

    disagreements = [
        (start, n, a, b)
        for (start, n), a, b in zip(inputs, our_answers, their_answers, strict=True)
        if a != b
    ]
    explained: dict[date, int] = {}
    unexplained = []
    for start, n, a, b in disagreements:
        days = differing_days(ours, theirs, start, max(a, b))
        if days:
            for day in days:
                explained[day] = explained.get(day, 0) + 1
        else:
            unexplained.append((start, n, a, b))

    ours_rate = args.count / our_seconds
    theirs_rate = args.count / their_seconds
    ratio = ours_rate / theirs_rate
    agreement = 1 - len(disagreements) / args.count
    print(f"inputs: {args.count:,} (start {FIRST_START}..{LAST_START}, N 1..30, seed {args.seed})")
    print(
        "question: the Nth working day counting the start as day 1 when it is a working day;"
        "\n  holidays.get_nth_working_day(d, n) never counts d, so it is given d = start - 1 day"
    )
    print(f"our index built once in {built * 1000:.1f} ms (2000-2100, chinese-calendar data)")
    print(
        f"hotline WorkCalendar.nth_working_day: {ours_rate:>12,.0f} /s  "
        f"({our_seconds * 1000:.1f} ms, best of {args.repeat})"
    )
    print(
        f"holidays CN.get_nth_working_day:      {theirs_rate:>12,.0f} /s  "
        f"({their_seconds * 1000:.1f} ms)"
    )
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio: {ratio:.1f}x faster (target >= {TARGET_RATIO:.0f}x: {verdict})")
    print(f"agreement: {agreement:.4%} ({args.count - len(disagreements):,}/{args.count:,})")
    if explained:
        listed = ", ".join(f"{d} ({c})" for d, c in sorted(explained.items())[:20])
        print(f"explained by days the two data sets disagree on: {listed}")
    if unexplained:
        print(f"UNEXPLAINED disagreements: {len(unexplained)}; first ones:")
        for start, n, a, b in unexplained[:10]:
            print(f"  start {start} N {n}: hotline {a}, holidays {b}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
