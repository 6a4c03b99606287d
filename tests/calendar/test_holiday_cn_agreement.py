"""The platform's calendar (seeded from ``chinese-calendar``) against a second, independent
source of the official schedule: the holiday-cn files (2007–2026) in the shared datasets."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from hotline.calendar.core import weekday_rule
from hotline.calendar.services import get_calendar

pytestmark = pytest.mark.django_db


def holiday_cn_overrides(directory: Path, years: range) -> dict[date, bool]:
    """Every override of the files, wherever it is listed: a file for year Y may also move
    days at the end of Y-1 (the New Year bridge, e.g. 2018-12-29 is in 2019.json)."""
    overrides: dict[date, bool] = {}
    for year in years:
        data = json.loads((directory / f"{year}.json").read_text(encoding="utf-8"))
        for item in data["days"]:
            overrides[date.fromisoformat(item["date"])] = not item["isOffDay"]
    return overrides


def test_every_day_2007_2026_agrees_with_the_holiday_cn_files(holiday_cn_dir):
    # given the platform calendar loaded from the database and the holiday-cn files
    cal = get_calendar()
    overrides = holiday_cn_overrides(holiday_cn_dir, range(2007, 2028))
    # when every day of 2007–2026 is compared with the weekday rule plus the files' overrides
    disagreements = []
    day = date(2007, 1, 1)
    while day <= date(2026, 12, 31):
        expected = overrides.get(day, weekday_rule(day))
        if cal.is_working_day(day) != expected:
            disagreements.append((day.isoformat(), expected))
        day += timedelta(days=1)
    # then there is no day on which they disagree, and every one of those years is confirmed
    assert disagreements == []
    assert all(cal.is_confirmed(year) for year in range(2007, 2027))


def test_the_holiday_cn_files_cover_the_schedules_that_differ_from_the_weekday_rule(
    holiday_cn_dir,
):
    # given the holiday-cn overrides (a guard that the comparison above compares something)
    overrides = holiday_cn_overrides(holiday_cn_dir, range(2007, 2028))
    # then each year has holidays on weekdays and 调休 weekends, as the State Council sets them
    for year in range(2007, 2027):
        days_of_year = {d: w for d, w in overrides.items() if d.year == year}
        assert any(not w and d.weekday() < 5 for d, w in days_of_year.items()), year
    assert overrides[date(2026, 10, 10)] is True
    assert overrides[date(2018, 12, 29)] is True  # listed in 2019.json
