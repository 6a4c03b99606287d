"""Edges of the pure calendar: refused input and the ends of the date range."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.calendar.core import CalendarError, WorkCalendar

PLAIN = WorkCalendar()  # no overrides: Monday to Friday


@pytest.mark.parametrize("n", [0, -1, -100])
def test_nth_working_day_refuses_a_count_below_one(n):
    # given a non-positive number of working days
    # when the Nth working day is asked for
    # then the calendar refuses with its own error (the API turns it into 422)
    with pytest.raises(CalendarError):
        PLAIN.nth_working_day(date(2026, 6, 1), n)


def test_working_time_refuses_naive_datetimes_and_negative_durations():
    # given a datetime without a time zone, or a negative duration
    # then working time is not computed: a naive time is ambiguous across servers
    with pytest.raises(CalendarError):
        PLAIN.add_working_time(datetime(2026, 6, 12, 16), timedelta(hours=24))
    aware = datetime(2026, 6, 12, 16, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(CalendarError):
        PLAIN.add_working_time(aware, timedelta(hours=-1))


def test_days_lists_the_last_representable_day_without_overflowing():
    # given a range that ends on 9999-12-31
    # when the days are listed
    listed = list(PLAIN.days(date(9999, 12, 30), date(9999, 12, 31)))
    # then both days are there and nothing breaks after the last one
    assert [info.day for info in listed] == [date(9999, 12, 30), date(9999, 12, 31)]
    assert PLAIN.working_days_between(date(9999, 12, 1), date.max) == 23


def test_nth_working_day_past_the_last_representable_day_is_a_calendar_error():
    # given a count that would end after 9999-12-31
    # then the answer is a CalendarError, not an OverflowError from deep inside
    with pytest.raises(CalendarError):
        PLAIN.nth_working_day(date(9999, 12, 30), 5)
    with pytest.raises(CalendarError):
        PLAIN.next_working_day(date.max)


def test_nth_working_day_from_the_first_representable_day():
    # given the very first date (0001-01-01, a Monday), far before the index
    # when the 5th working day is asked for
    # then the answer is that Friday (the start counts as day 1)
    assert PLAIN.nth_working_day(date.min, 5) == date(1, 1, 5)


def test_overrides_outside_the_default_span_widen_the_index():
    # given an override in 2150 (outside 2000–2100): Wednesday 2150-01-07 declared off
    cal = WorkCalendar({date(2150, 1, 7): False})
    # when counting across it
    # then the day is skipped like any holiday
    assert cal.nth_working_day(date(2150, 1, 6), 2) == date(2150, 1, 8)
    assert cal.working_days_between(date(2150, 1, 5), date(2150, 1, 9)) == 4


def test_a_tiaoxiu_override_makes_a_saturday_count():
    # given Saturday 2026-10-10 declared a working day
    cal = WorkCalendar({date(2026, 10, 10): True}, notes={date(2026, 10, 10): "国庆节调休"})
    # when counting from Friday 10/9
    # then Saturday is day 2 and keeps its note
    assert cal.nth_working_day(date(2026, 10, 9), 2) == date(2026, 10, 10)
    assert cal.note(date(2026, 10, 10)) == "国庆节调休"
    assert cal.next_working_day(date(2026, 10, 9)) == date(2026, 10, 10)
