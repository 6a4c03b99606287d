"""Routing suggestions for staff (API.md "Routing"), mounted at /api/v1/routing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import InvalidInput, PermissionDenied
from hotline.routing import selectors
from hotline.routing.error_codes import RoutingErrorCode
from hotline.routing.suggestions import MAX_TEXT

router = Router(tags=["routing"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class SuggestParams(Schema):
    text: str = Field(..., max_length=MAX_TEXT, description="诉求内容")
    address: str = Field("", max_length=300, description="地址")
    county: str = Field("", max_length=40, description="已选县区代码（可选）")
    phone: str = Field("", max_length=30, description="来电号码（可选，用于重复诉求判定）")
    category: str = Field("", max_length=80, description="已选诉求分类代码（可选）")


class CategoryOut(Schema):
    code: str
    name: str
    confidence: float


class PlaceOut(Schema):
    county: str | None
    county_name: str
    township: str | None
    township_name: str
    confidence: float
    evidence: list[str]


class UnitOut(Schema):
    code: str
    name: str
    score: float
    reasons: list[str]
    sources: list[str]


class SimilarOut(Schema):
    number: str
    similarity: float
    status: str
    county: str
    county_name: str
    received_at: str
    content: str
    incident: int | None
    incident_title: str


class RepeatOut(SimilarOut):
    repeat_of: bool


class SuggestOut(Schema):
    categories: list[CategoryOut]
    model_version: str
    message: str
    place: PlaceOut
    units: list[UnitOut]
    duplicates: list[SimilarOut]
    repeat: RepeatOut | None


def may_see_suggestions(user) -> bool:
    """Center staff (they see the whole city's tickets, so duplicates may be listed). Not all
    of them may see citizen data: ``selectors.suggest`` decides whether the phone is used."""
    return bool(user.is_authenticated and (user.is_superuser or user.acts_for_center))


@router.get("/suggest", response={200: SuggestOut, **ERRORS})
def suggest(request: HttpRequest, params: Query[SuggestParams]) -> dict:
    """Categories (top 3 with confidence), county/township recognised from the address and
    text, lead units with reasons (先例 / 派单目录 / 模型), similar open tickets (并单) and a
    possible repeat appeal of the same caller. No trained model: `categories` is empty and
    `message` says why. The phone is used (and a repeat returned, the lookup logged) only for
    roles that may see citizen data; for others it is ignored and `repeat` is null."""
    if not may_see_suggestions(request.user):
        raise PermissionDenied()
    if not params.text.strip():
        raise InvalidInput(
            _("%(field)s不能为空") % {"field": _("诉求内容")}, code=RoutingErrorCode.MISSING_FIELD
        )
    return selectors.suggest(
        text=params.text,
        address=params.address,
        county=params.county.strip(),
        phone=params.phone.strip(),
        category=params.category.strip(),
        now=clock.now(),
        user=request.user,
    )
