"""Working-day arithmetic for the official Chinese calendar.

Pure Python on purpose (no Django import): deadlines are the heart of the regulation and are
tested here without a database, with hypothesis against a naive day-by-day reference.

A *working day* is a day the official calendar marks as a workday: Monday to Friday unless a
statutory holiday, plus weekend days made into workdays (调休). Overrides hold the exceptions;
every other day follows the weekday rule.

Speed: working days inside the indexed span are kept as a sorted array of ordinals, so "the
Nth working day from D" is two binary searches instead of a walk through the days.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PLATFORM_TZ = ZoneInfo("Asia/Shanghai")

_ONE_DAY = timedelta(days=1)


class CalendarError(ValueError):
    """Raised for input the calendar cannot answer (a non-positive count, a naive time)."""


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    working: bool
    note: str


def weekday_rule(day: date) -> bool:
    """The default when no override exists: Monday to Friday are working days."""
    return day.weekday() < 5


class WorkCalendar:
    """Answers working-day questions from a table of day overrides.

    ``overrides`` maps a date to ``True`` (a working day, e.g. a 调休 Saturday) or ``False``
    (a day off, e.g. a statutory holiday on a weekday). ``notes`` optionally names the reason.
    ``confirmed_years`` lists the years whose official schedule was loaded; other years follow
    the weekday rule and are reported as unconfirmed.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        *,
        notes: Mapping[date, str] | None = None,
        confirmed_years: Iterable[int] = (),
        first_year: int = 2000,
        last_year: int = 2100,
        tz: ZoneInfo = PLATFORM_TZ,
    ) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._notes: dict[date, str] = dict(notes or {})
        self.confirmed_years = frozenset(confirmed_years)
        self.tz = tz
        years = [d.year for d in self._overrides]
        self.first_year = min([first_year, *years])
        self.last_year = max([last_year, *years])
        self._first = date(self.first_year, 1, 1).toordinal()
        self._last = date(self.last_year, 12, 31).toordinal()
        working: list[int] = []
        for ordinal in range(self._first, self._last + 1):
            day = date.fromordinal(ordinal)
            if self._overrides.get(day, day.weekday() < 5):
                working.append(ordinal)
        self._working = working

    # -- single days -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return self._overrides.get(day, weekday_rule(day))

    def note(self, day: date) -> str:
        return self._notes.get(day, "")

    def is_confirmed(self, year: int) -> bool:
        return year in self.confirmed_years

    def days(self, start: date, end: date) -> Iterator[DayInfo]:
        """Every day from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            yield DayInfo(day, self.is_working_day(day), self.note(day))
            if day == end:
                return  # never step past ``end``: 9999-12-31 has no next day
            day += _ONE_DAY

    # -- counting working days ----------------------------------------------------------------

    def nth_working_day(self, start: date, n: int) -> date:
        """The Nth working day counting ``start`` as day 1 when it is a working day.

        When ``start`` is not a working day, counting begins on the next working day
        (RULES.md §4: 办理时限包含签收当日; signed on a holiday → starts the next working day).
        """
        if n <= 0:
            raise CalendarError("n must be a positive number of working days")
        ordinal = start.toordinal()
        if self._first <= ordinal <= self._last:
            index = bisect.bisect_left(self._working, ordinal) + n - 1
            if index < len(self._working):
                return date.fromordinal(self._working[index])
            # past the indexed span: continue after the last indexed day
            remaining = index - len(self._working) + 1
            return self._walk(date.fromordinal(self._last), remaining, count_start=False)
        return self._walk(start, n, count_start=True)

    def _walk(self, start: date, n: int, *, count_start: bool) -> date:
        """Day-by-day count of ``n`` working days from ``start`` (outside the index only);
        ``start`` itself counts only when ``count_start`` is set."""
        day = start
        try:
            if not count_start:
                day += _ONE_DAY
            while True:
                if self.is_working_day(day):
                    n -= 1
                    if n == 0:
                        return day
                day += _ONE_DAY
        except OverflowError:
            raise CalendarError("the answer would fall after 9999-12-31") from None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        if day == date.max:
            raise CalendarError("there is no day after 9999-12-31")
        return self.nth_working_day(day + _ONE_DAY, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days from ``start`` to ``end``, both included (0 if end < start)."""
        if end < start:
            return 0
        a, b = start.toordinal(), end.toordinal()
        if self._first <= a and b <= self._last:
            return bisect.bisect_right(self._working, b) - bisect.bisect_left(self._working, a)
        return sum(1 for info in self.days(start, end) if info.working)

    # -- times ----------------------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise CalendarError("naive datetimes are not accepted; give a time zone")
        return moment.astimezone(self.tz)

    def start_of_day(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), self.tz)

    def end_of_day(self, day: date) -> datetime:
        """The last second of ``day`` (a deadline "by the end of the day", 24:00)."""
        return datetime.combine(day, time(23, 59, 59), self.tz)

    def deadline(self, start: date, working_days: int) -> datetime:
        """End of the Nth working day counting ``start`` (RULES.md §4 handling deadline)."""
        return self.end_of_day(self.nth_working_day(start, working_days))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """``start`` plus ``duration`` counting only time that falls on working days.

        Used for the 24-hour return window and the 2-hour auto-sign (time on non-working days
        is not counted, 非工作日时间可顺延). A start on a non-working day begins at 00:00 of the
        next working day.
        """
        if duration < timedelta(0):
            raise CalendarError("duration must not be negative")
        moment = self.local(start)
        day = moment.date()
        if not self.is_working_day(day):
            day = self.next_working_day(day)
            moment = self.start_of_day(day)
        remaining = duration
        while True:
            day_end = self.start_of_day(day + _ONE_DAY)
            available = day_end - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
            day = self.next_working_day(day)
            moment = self.start_of_day(day)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Time from ``start`` to ``end`` that falls on working days (zero if end <= start)."""
        a, b = self.local(start), self.local(end)
        if b <= a:
            return timedelta(0)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                lo = max(a, self.start_of_day(day))
                hi = min(b, self.start_of_day(day + _ONE_DAY))
                if hi > lo:
                    total += hi - lo
            day += _ONE_DAY
        return total
