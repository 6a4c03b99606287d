from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hotline.calendar.core import CalendarError
from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput

router = Router(tags=["calendar"])

MAX_WORKING_DAYS = 3650
MAX_RANGE_DAYS = 3660


class DeadlineQuery(Schema):
    start: date
    working_days: int = Field(..., description="N ≥ 1; the start counts as day 1 when working")


class DeadlineOut(Schema):
    due_date: date
    start: date
    working_days: int
    confirmed: bool = Field(..., description="False when a year in the span has no official data")
    warning: str | None = None


class DaysQuery(Schema):
    from_: date = Field(..., alias="from")
    to: date


class DayOut(Schema):
    date: date
    working: bool
    note: str
    confirmed: bool


def _unconfirmed_warning(years: set[int]) -> str | None:
    cal = get_calendar()
    missing = sorted(y for y in years if not cal.is_confirmed(y))
    if not missing:
        return None
    listed = "、".join(str(y) for y in missing)
    return _("%(years)s 年的官方节假日安排尚未录入，按周一至周五为工作日计算，结果可能不准确") % {
        "years": listed
    }


@router.get("/deadline", response=DeadlineOut, auth=None)
def deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> dict:
    """The Nth working day counting `start` as day 1 when it is a working day (RULES.md §4)."""
    if not 1 <= query.working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(_("工作日数须在 1 到 %(max)s 之间") % {"max": MAX_WORKING_DAYS})
    cal = get_calendar()
    try:
        due = cal.nth_working_day(query.start, query.working_days)
    except (CalendarError, OverflowError) as exc:
        # the count is checked above: what is left is a due date past the last date there is
        raise InvalidInput(_("到期日超出可计算的范围（最晚为 9999-12-31）")) from exc
    warning = _unconfirmed_warning(set(range(query.start.year, due.year + 1)))
    return {
        "due_date": due,
        "start": query.start,
        "working_days": query.working_days,
        "confirmed": warning is None,
        "warning": warning,
    }


@router.get("/days", response=list[DayOut], auth=None)
def days(request: HttpRequest, query: Query[DaysQuery]) -> list[dict]:
    """Every day from `from` to `to`, both included, with working status and note."""
    if query.to < query.from_:
        raise InvalidInput(_("结束日期不能早于开始日期"))
    if query.to - query.from_ > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput(_("一次最多查询 %(days)s 天") % {"days": MAX_RANGE_DAYS})
    cal = get_calendar()
    return [
        {
            "date": info.day,
            "working": info.working,
            "note": info.note,
            "confirmed": cal.is_confirmed(info.day.year),
        }
        for info in cal.days(query.from_, query.to)
    ]
