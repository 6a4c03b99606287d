"""Input checks every stage shares: the text fields (control characters, length, the
field's name in the message) and the look-ups of organisations and categories by code."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import InvalidInput
from hotline.core.text import has_control
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Category
from hotline.tickets.services import reference

HANDLING_KINDS = frozenset({OrgKind.COUNTY, OrgKind.UNIT, OrgKind.SUBCENTER})
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,22}$")
MAX_CONTENT = 5000
MAX_ASSISTS = 10


# What a message calls a text field: the form shows it under the field, the API caller reads
# it in the error's message (the field's own name is in API.md, not in the user's language).
FIELD_LABELS = {
    "content": gettext_lazy("内容"),
    "address": gettext_lazy("地址"),
    "citizen.name": gettext_lazy("诉求人姓名"),
    "answer": gettext_lazy("答复内容"),
    "explanation": gettext_lazy("说明"),
    "party": gettext_lazy("联动对象"),
    "note": gettext_lazy("备注"),
    "reason": gettext_lazy("理由"),
    "basis": gettext_lazy("依据"),
    "lead": gettext_lazy("主办单位"),
    "assists": gettext_lazy("协办单位"),
    "suggested_org": gettext_lazy("建议承办单位"),
    "external_id": gettext_lazy("外部编号"),
    "recipients": gettext_lazy("报告或通报对象"),
}


def _label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _reject_control(text: str, field: str) -> None:
    """A control character (other than tab and line breaks) is refused: no export could
    write it (xlsx, Word and XML cannot hold it), and it means nothing in an appeal."""
    if has_control(text):
        raise InvalidInput(
            _("%(field)s含有不允许的控制字符") % {"field": _label(field)}, code=Code.INVALID_INPUT
        )


def _clean_text(value: str | None, field: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip()
    _reject_control(text, field)
    if required and not text:
        raise InvalidInput(
            _("%(field)s不能为空") % {"field": _label(field)}, code=Code.MISSING_FIELD
        )
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s过长（最多 %(limit)s 字）") % {"field": _label(field), "limit": limit}
        )
    return text


def handling_org(code: str, *, field: str = "lead") -> Organisation:
    org = reference.org_by_code(code)
    if org is None or not org.active or org.kind not in HANDLING_KINDS:
        raise InvalidInput(
            _("%(field)s：未知的承办单位 %(code)s") % {"field": _label(field), "code": code},
            code=Code.UNKNOWN_ORG,
        )
    return org


def county_org(code: str) -> Organisation:
    org = reference.org_by_code(code)
    if org is None or org.kind != OrgKind.COUNTY:
        raise InvalidInput(_("未知的县区代码：%(code)s") % {"code": code}, code=Code.UNKNOWN_COUNTY)
    return org


def category_by_code(code: str | None) -> Category | None:
    if not code:
        return None
    category = reference.category_by_code(code)
    if category is None or not category.active:
        raise InvalidInput(
            _("未知的诉求分类：%(code)s") % {"code": code}, code=Code.UNKNOWN_CATEGORY
        )
    return category


# The earliest time of an event a citizen reports (issue 19 F6): anything before is a typing
# or client error (year 0001 would be shown back in the zone's local mean time, "+08:05:43").
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
OCCURRED_AT_SKEW = timedelta(hours=1)  # a caller's clock a little ahead (Art 13 intake)


def clean_occurred_at(value: datetime | None, *, now: datetime) -> datetime | None:
    """When the event happened, as intake stores it. API.md: times carry an offset; one
    without (``2026-01-01T00:00:00``) is read as the platform's local time (Asia/Shanghai),
    the time a citizen tells. Refused (422) before 2000 or more than an hour after ``now``."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    if value.year < EARLIEST_OCCURRED_AT.year or value < EARLIEST_OCCURRED_AT:
        raise InvalidInput(
            _("事发时间不能早于 %(year)s 年") % {"year": EARLIEST_OCCURRED_AT.year},
            code=Code.INVALID_OCCURRED_AT,
        )
    if value > now + OCCURRED_AT_SKEW:
        raise InvalidInput(_("事发时间不能晚于受理时间"), code=Code.INVALID_OCCURRED_AT)
    return value
