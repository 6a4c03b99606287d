from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import NotFound
from hotline.core.pagination import Paged, PageQuery, page_of
from hotline.supervision import services
from hotline.supervision.models import SupervisionCase
from hotline.supervision.selectors import case_list

router = Router(tags=["supervision"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CaseOut(Schema):
    id: int
    instrument: str
    article: str
    org: str | None
    tickets: list[str]
    state: str
    reason: str
    created_at: datetime
    decided_at: datetime | None


class CaseFilter(PageQuery):
    state: SupervisionCase.State | None = None
    instrument: SupervisionCase.Instrument | None = None


class DecideIn(Schema):
    reason: str = Field("", max_length=2000)


def _out(case: SupervisionCase) -> dict:
    return {
        "id": case.pk,
        "instrument": case.instrument,
        "article": case.article,
        "org": case.org.code if case.org_id else None,
        "tickets": [t.number for t in case.tickets.all()],
        "state": case.state,
        "reason": case.reason,
        "created_at": case.created_at,
        "decided_at": case.decided_at,
    }


@router.get("/cases", response={200: Paged[CaseOut], **ERRORS})
def cases(request: HttpRequest, filters: Query[CaseFilter]):
    """Notices, coordinations, circulars and escalations; timer proposals are `proposed`."""
    qs = case_list(user=request.user, state=filters.state, instrument=filters.instrument)
    return page_of(qs, filters, _out)


def _case(request: HttpRequest, case_id: int) -> SupervisionCase:
    case = case_list(user=request.user).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("督办事项不存在"))
    return case


@router.post("/cases/{case_id}/confirm", response={200: CaseOut, **ERRORS})
def confirm(request: HttpRequest, case_id: int, payload: DecideIn):
    case = services.case_decide(
        case=_case(request, case_id),
        confirm=True,
        reason=payload.reason,
        actor=request.user,
        now=clock.now(),
    )
    return _out(case)


@router.post("/cases/{case_id}/dismiss", response={200: CaseOut, **ERRORS})
def dismiss(request: HttpRequest, case_id: int, payload: DecideIn):
    case = services.case_decide(
        case=_case(request, case_id),
        confirm=False,
        reason=payload.reason,
        actor=request.user,
        now=clock.now(),
    )
    return _out(case)
