"""The fast calendar (binary search over an index of working days) against a naive reference
that walks the days one by one (ARCHITECTURE.md: hypothesis for the calendar).

The reference asks ``chinese-calendar`` directly, day by day, for 2004–2026 and uses the
weekday rule elsewhere, so it shares no code and no table with ``WorkCalendar``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hotline.calendar.core import WorkCalendar, weekday_rule

from .official import package_calendar, package_overrides

ONE_DAY = timedelta(days=1)
OFFICIAL = package_calendar()
PROPERTY = settings(max_examples=300, deadline=None)
SECONDARY = settings(max_examples=100, deadline=None)


@functools.cache
def official_is_working(day: date) -> bool:
    """Ground truth: the package's own answer for the years it knows, else Monday–Friday."""
    if 2004 <= day.year <= 2026:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def naive_nth_working_day(is_working: Callable[[date], bool], start: date, n: int) -> date:
    """Walk forward from ``start``; ``start`` is day 1 when it is a working day."""
    day = start
    while True:
        if is_working(day):
            n -= 1
            if n == 0:
                return day
        day += ONE_DAY


def naive_working_days_between(is_working: Callable[[date], bool], start: date, end: date) -> int:
    count = 0
    day = start
    while day <= end:
        count += is_working(day)
        day += ONE_DAY
    return count


days_2004_2026 = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31))
counts = st.integers(min_value=1, max_value=60)


@PROPERTY
@given(start=days_2004_2026, n=counts)
def test_art15_nth_working_day_agrees_with_day_by_day_count(start, n):
    # given a start day and a number of working days in the official years
    # when the fast calendar answers
    fast = OFFICIAL.nth_working_day(start, n)
    # then it is the day a clerk counting day by day on the official calendar would reach
    assert fast == naive_nth_working_day(official_is_working, start, n)


@PROPERTY
@given(start=days_2004_2026, length=st.integers(min_value=-10, max_value=1500))
def test_art15_working_days_between_agrees_with_day_by_day_count(start, length):
    # given two days of the official years (the end may be before the start)
    end = min(start + timedelta(days=length), date(2026, 12, 31))
    # when the fast calendar counts the working days from start to end, both included
    fast = OFFICIAL.working_days_between(start, end)
    # then the count is the day-by-day count (0 for an empty range)
    assert fast == naive_working_days_between(official_is_working, start, end)


@SECONDARY
@given(start=days_2004_2026, n=counts)
def test_art15_nth_working_day_and_working_days_between_are_inverse(start, n):
    # given the Nth working day from a start
    due = OFFICIAL.nth_working_day(start, n)
    # then it is a working day and exactly N working days lie from the start to it
    assert OFFICIAL.is_working_day(due)
    assert OFFICIAL.working_days_between(start, due) == n


@SECONDARY
@given(day=days_2004_2026)
def test_every_official_day_has_the_package_status(day):
    # given any day of 2004–2026
    # then the calendar built from the package's overrides says what the package says
    assert OFFICIAL.is_working_day(day) == chinese_calendar.is_workday(day)


# -- outside the indexed span --------------------------------------------------------------------

# A calendar whose index covers 2010–2012 only; its overrides come from the official data of
# those years, so starts in 2004–2026 land before, inside or after the index and the counts
# cross its edges.
SPAN_OVERRIDES = {d: w for d, w in package_overrides().items() if 2010 <= d.year <= 2012}
SMALL_SPAN = WorkCalendar(SPAN_OVERRIDES, first_year=2010, last_year=2012)


def small_span_is_working(day: date) -> bool:
    return SPAN_OVERRIDES.get(day, weekday_rule(day))


@PROPERTY
@given(start=days_2004_2026, n=st.integers(min_value=1, max_value=400))
def test_nth_working_day_outside_the_indexed_span_agrees_with_day_by_day_count(start, n):
    # given a calendar indexed for 2010–2012 and a start anywhere in 2004–2026
    # when the fast calendar answers (walking outside the index, searching inside it)
    fast = SMALL_SPAN.nth_working_day(start, n)
    # then it agrees with the day-by-day count over the same overrides
    assert fast == naive_nth_working_day(small_span_is_working, start, n)


@PROPERTY
@given(
    start=st.dates(min_value=date(2007, 1, 1), max_value=date(2015, 12, 31)),
    length=st.integers(min_value=-5, max_value=800),
)
def test_working_days_between_outside_the_indexed_span_agrees_with_day_by_day_count(start, length):
    # given a calendar indexed for 2010–2012 and a range that may straddle the index's edges
    end = start + timedelta(days=length)
    # when the fast calendar counts
    fast = SMALL_SPAN.working_days_between(start, end)
    # then it agrees with the day-by-day count
    assert fast == naive_working_days_between(small_span_is_working, start, end)


@SECONDARY
@given(
    start=st.one_of(
        st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
        st.dates(min_value=date(2100, 1, 1), max_value=date(2400, 12, 31)),
    ),
    n=st.integers(min_value=1, max_value=300),
)
def test_nth_working_day_before_2000_and_after_2100_follows_the_weekday_rule(start, n):
    # given a start outside the default index (2000–2100), where no year is confirmed
    # when the fast calendar answers
    fast = OFFICIAL.nth_working_day(start, n)
    # then Monday to Friday are the working days
    assert fast == naive_nth_working_day(weekday_rule, start, n)
    assert not OFFICIAL.is_confirmed(start.year)


# -- working time ------------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


@PROPERTY
@given(
    start=st.datetimes(
        min_value=datetime(2004, 1, 1),
        max_value=datetime(2026, 11, 30),
        timezones=st.just(SHANGHAI),
    ),
    minutes=st.integers(min_value=0, max_value=5 * 24 * 60),
)
def test_art15_add_working_time_adds_exactly_that_much_working_time(start, minutes):
    # given a moment and a duration (the 2-hour sign limit, the 24-hour return window, …)
    duration = timedelta(minutes=minutes)
    # when the duration is added in working-day time
    end = OFFICIAL.add_working_time(start, duration)
    # then exactly that much working time lies between, and the end is never earlier
    assert OFFICIAL.working_time_between(start, end) == duration
    assert end >= start
    # and the end lies on a working day, or at the 24:00 that closes one
    assume(minutes > 0)
    last_instant = end - timedelta(microseconds=1)
    assert OFFICIAL.is_working_day(last_instant.date())
