"""The official calendar straight from the ``chinese-calendar`` package, without Django, and
where the shared holiday-cn copy lives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hotline.calendar.core import WorkCalendar

REPO_ROOT = Path(__file__).resolve().parents[2]
HOLIDAY_CN_DIR = REPO_ROOT.parent / "shared" / "datasets" / "holiday-cn"


def package_overrides() -> dict[date, bool]:
    """Every exception to the weekday rule that ``chinese-calendar`` knows (2004–2026)."""
    import chinese_calendar

    overrides = dict.fromkeys(chinese_calendar.holidays, False)
    overrides.update(dict.fromkeys(chinese_calendar.workdays, True))
    return overrides


def package_calendar() -> WorkCalendar:
    return WorkCalendar(package_overrides(), confirmed_years=range(2004, 2027))
