"""`hotline seed` loads the official calendar from the `chinese-calendar` package without
undoing what an administrator did since (the calendar is editable, RULES.md / API.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.calendar.services import calendar_day_set, get_calendar

pytestmark = pytest.mark.django_db


def test_seed_again_keeps_a_day_an_administrator_corrected(django_capture_on_commit_callbacks):
    # given an administrator who made Thu 2026-12-24 a day off in the confirmed year 2026
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=date(2026, 12, 24), working=False, note="临时调整")
    # when the base data is seeded again
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed", verbosity=0)
    # then the correction is still there
    assert CalendarDay.objects.get(date=date(2026, 12, 24)).note == "临时调整"
    assert get_calendar().is_working_day(date(2026, 12, 24)) is False


def test_seed_loads_an_official_year_that_is_missing(django_capture_on_commit_callbacks):
    # given 2026 lost from the database (no status, no days)
    CalendarYear.objects.filter(year=2026).delete()
    CalendarDay.objects.filter(date__year=2026).delete()
    # when the base data is seeded
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed", verbosity=0)
    # then 2026 is back from the package, confirmed, with its holidays and 调休 days
    year = CalendarYear.objects.get(year=2026)
    assert (year.confirmed, year.source) == (True, "chinese-calendar")
    cal = get_calendar()
    assert not cal.is_working_day(date(2026, 10, 1))
    assert cal.is_working_day(date(2026, 10, 10))
