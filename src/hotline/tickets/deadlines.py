"""Deadline arithmetic for tickets: the calendar plus the policy values.

Every function takes the calendar and the moments it needs and never reads the clock
(ARCHITECTURE.md principle 3). They are not free of storage: the policy values and the
source time limits (``source_deadlines``, admin → 来源时限) are read from the database
through the shared cache, so tests of these functions run with a database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from hotline.calendar.core import WorkCalendar
from hotline.core.policy import policy

ONE_SECOND = timedelta(seconds=1)

# The source time limits (admin → 来源时限) are a handful of rows read on every sign: kept in
# the shared cache, dropped when one is saved or deleted (and again once that commits), and
# re-read at least every few minutes whatever happens.
SOURCE_DEADLINES_KEY = "tickets:source-deadlines:v1"
SOURCE_DEADLINES_SECONDS = 300


def source_deadlines() -> dict[tuple[str, str], int]:
    """{(channel, appeal_type or ""): working days} of every source time limit."""
    rows = cache.get(SOURCE_DEADLINES_KEY)
    if rows is None:
        from hotline.tickets.models import SourceDeadline

        rows = {
            (channel, appeal_type): int(days)
            for channel, appeal_type, days in SourceDeadline.objects.values_list(
                "channel", "appeal_type", "working_days"
            )
        }
        cache.set(SOURCE_DEADLINES_KEY, rows, SOURCE_DEADLINES_SECONDS)
    return rows


def forget_source_deadlines(**_kwargs) -> None:
    cache.delete(SOURCE_DEADLINES_KEY)
    transaction.on_commit(lambda: cache.delete(SOURCE_DEADLINES_KEY))


post_save.connect(
    forget_source_deadlines, sender="tickets.SourceDeadline", dispatch_uid="source-deadlines"
)
post_delete.connect(
    forget_source_deadlines, sender="tickets.SourceDeadline", dispatch_uid="source-deadlines-d"
)


def base_working_days(*, appeal_type: str, channel: str = "", category=None) -> int:
    """Art 15(2)–(3): a category's legal limit wins, then the source's, then the type's."""
    if category is not None and category.handling_days:
        return int(category.handling_days)
    if channel:
        rows = source_deadlines()
        for key in ((channel, appeal_type), (channel, "")):
            if key in rows:
                return rows[key]
    return int(policy(f"art15_days_{appeal_type}"))


def dispatch_due(*, received_at: datetime, major: bool) -> datetime:
    """Art 14(2): 12 hours (calendar time, the center works 7×24); Art 18: 2 hours if major."""
    hours = policy("art18_major_dispatch_hours" if major else "art14_dispatch_hours")
    return received_at + timedelta(hours=hours)


def sign_due(cal: WorkCalendar, *, dispatched_at: datetime) -> datetime:
    """Art 15(1) (choice): auto-sign after 2 hours of working-day time."""
    return cal.add_working_time(dispatched_at, timedelta(hours=policy("art15_sign_working_hours")))


def handling_due(cal: WorkCalendar, *, clock_start: datetime, working_days: int) -> datetime:
    """Art 15(2): N working days counting the sign day as day 1, due at the end of the last."""
    return cal.deadline(cal.local(clock_start).date(), working_days)


def return_window_end(cal: WorkCalendar, *, signed_at: datetime) -> datetime:
    """Art 15(1): 24 hours after signing, time on non-working days not counted."""
    hours = policy("art15_return_window_working_hours")
    return cal.add_working_time(signed_at, timedelta(hours=hours))


def deadline_instant(due_at: datetime) -> datetime:
    """A due time stored as 23:59:59 means "by 24:00": the instant the deadline passes."""
    return due_at + ONE_SECOND


def extension_latest(*, due_at: datetime) -> datetime:
    """Art 15(3): an extension must be requested at least 48 hours before the deadline."""
    return deadline_instant(due_at) - timedelta(
        hours=policy("art15_extension_min_hours_before_due")
    )


def extended_due(cal: WorkCalendar, *, due_at: datetime, working_days: int) -> datetime:
    """The new deadline: N more working days after the current deadline's day."""
    last_day = cal.local(due_at).date()
    return cal.deadline(last_day + timedelta(days=1), working_days)


def callback_due(cal: WorkCalendar, *, received_at: datetime) -> datetime:
    """Art 16(1): within 3 working days of receiving the result (choice: that day not counted)."""
    days = policy("art16_callback_working_days")
    start: date = cal.local(received_at).date()
    if not policy("art16_callback_counts_receipt_day"):
        start += timedelta(days=1)
    return cal.deadline(start, days)


def redo_due(
    cal: WorkCalendar,
    *,
    first_clock_start: datetime,
    base_days: int,
    extension_days: int,
    redo_start: datetime,
) -> datetime:
    """Art 16(1): a redo counts from the unit's first receipt with the base time + 1 working day
    (choice: plus any extension granted; never before the end of the first working day after
    the redo starts, so a slow callback does not make the unit overdue at once)."""
    days = base_days + policy("art16_redo_extra_working_days")
    if policy("art16_redo_includes_extension"):
        days += extension_days
    due = handling_due(cal, clock_start=first_clock_start, working_days=days)
    floor = cal.end_of_day(cal.next_working_day(cal.local(redo_start).date()))
    return max(due, floor)


def overdue(*, due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and now >= deadline_instant(due_at)
