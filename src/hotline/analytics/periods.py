"""Report periods (API.md: "2026-12-06|2026-W49|2026-11|2026Q4|2026") and their Chinese names."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils.translation import gettext as _

from hotline.analytics.error_codes import AnalyticsErrorCode
from hotline.core.errors import InvalidInput

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
KIND_OF = {
    "daily": _DAY,
    "weekly": _WEEK,
    "monthly": _MONTH,
    "quarterly": _QUARTER,
    "annual": _YEAR,
}


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_range(period: str, kind: str | None = None) -> tuple[date, date]:
    """The first and last day of ``period`` (both included); 422 when malformed or of
    another kind than ``kind``."""
    period = (period or "").strip()
    try:
        for k, pattern in KIND_OF.items():
            m = pattern.match(period)
            if not m or (kind not in (None, "special") and kind != k):
                continue
            g = [int(x) for x in m.groups()]
            if k == "daily":
                d = date(g[0], g[1], g[2])
                return d, d
            if k == "weekly":
                first = date.fromisocalendar(g[0], g[1], 1)
                return first, first + timedelta(days=6)
            if k == "monthly":
                return date(g[0], g[1], 1), _month_end(g[0], g[1])
            if k == "quarterly":
                first_month = 3 * (g[1] - 1) + 1
                return date(g[0], first_month, 1), _month_end(g[0], first_month + 2)
            return date(g[0], 1, 1), date(g[0], 12, 31)
        if kind == "special" and "/" in period:
            lo, hi = period.split("/", 1)
            a, b = date.fromisoformat(lo), date.fromisoformat(hi)
            if a <= b:
                return a, b
    except ValueError:
        pass
    raise InvalidInput(
        _("期间格式不正确：%(period)s") % {"period": period}, code=AnalyticsErrorCode.INVALID_PERIOD
    )


def period_of(kind: str, day: date) -> str:
    """The period of ``kind`` that contains ``day``."""
    if kind == "daily":
        return day.isoformat()
    if kind == "weekly":
        y, w, _d = day.isocalendar()
        return f"{y}-W{w:02d}"
    if kind == "monthly":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarterly":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def chinese_date(day: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def period_title(kind: str, period: str, lo: date, hi: date) -> str:
    names = {
        "daily": _("日报"),
        "weekly": _("周报"),
        "monthly": _("月报"),
        "quarterly": _("季报"),
        "annual": _("年报"),
        "special": _("专报"),
    }
    return (
        _("%(start)s至%(end)s%(kind)s")
        % {
            "start": chinese_date(lo),
            "end": chinese_date(hi),
            "kind": names.get(kind, kind),
        }
        if lo != hi
        else _("%(day)s%(kind)s") % {"day": chinese_date(lo), "kind": names[kind]}
    )
