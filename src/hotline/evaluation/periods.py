"""Evaluation periods: ``2026-11`` (a month), ``2026Q4`` (a quarter), ``2026`` (a year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput
from hotline.evaluation.error_codes import EvaluationErrorCode

PERIOD_RE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})|Q(?P<q>[1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    first: date
    after: date  # the first day after the period

    @property
    def kind(self) -> str:
        return "month" if "-" in self.code else "quarter" if "Q" in self.code else "year"

    def bounds(self) -> tuple[datetime, datetime]:
        calendar = get_calendar()
        return calendar.start_of_day(self.first), calendar.start_of_day(self.after)

    def label(self) -> str:
        y = self.first.year
        if self.kind == "month":
            return f"{y}年{self.first.month}月"
        if self.kind == "quarter":
            return f"{y}年第{'一二三四'[(self.first.month - 1) // 3]}季度"
        return f"{y}年度"


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(code: str) -> Period:
    match = PERIOD_RE.match((code or "").strip())
    if not match:
        raise InvalidInput(
            _("考核期格式应为 2026-11、2026Q4 或 2026"), code=EvaluationErrorCode.INVALID_PERIOD
        )
    y = int(match["y"])
    if match["m"]:
        m = int(match["m"])
        if not 1 <= m <= 12:
            raise InvalidInput(
                _("考核期格式应为 2026-11、2026Q4 或 2026"), code=EvaluationErrorCode.INVALID_PERIOD
            )
        return Period(code, date(y, m, 1), _month_start(y, m + 1))
    if match["q"]:
        q = int(match["q"])
        return Period(code, date(y, 3 * q - 2, 1), _month_start(y, 3 * q + 1))
    return Period(code, date(y, 1, 1), date(y + 1, 1, 1))


def month_code(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_code(day: date) -> str:
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"
