"""API.md "Supervision (Art 26–30, 33)": the case list, one case, its actions and its Word
document. Every case action answers with the updated case."""

from __future__ import annotations

from datetime import date, datetime

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import InvalidInput, NotFound
from hotline.core.pagination import Paged, PageQuery, page_of
from hotline.core.policy import policy
from hotline.orgs.models import Organisation
from hotline.supervision import documents, selectors, services
from hotline.supervision.choices import CaseState, Instrument
from hotline.supervision.error_codes import SupervisionErrorCode
from hotline.supervision.models import SupervisionCase
from hotline.tickets.selectors import tickets_visible_to

router = Router(tags=["supervision"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ResponseOut(Schema):
    at: datetime
    by: str
    content: str
    measures: str


class AssessmentOut(Schema):
    at: datetime
    by: str
    effective: bool
    comment: str


class AccountabilityOut(Schema):
    id: int
    finding: str
    responsible_org: str | None
    responsible_person: str
    measure: str
    outcome: str
    decided_by: str
    at: datetime


class CaseOut(Schema):
    id: int
    instrument: str
    article: str
    org: str | None
    subject_org: str | None
    tickets: list[str]
    state: str
    reason: str
    requirements: str
    respond_by: date | None
    created_at: datetime
    created_by: str
    decided_at: datetime | None
    responses: list[ResponseOut]
    assessments: list[AssessmentOut]
    accountability: list[AccountabilityOut]
    attachments: list[dict]
    parent: int | None


class CaseFilter(PageQuery):
    state: CaseState | None = None
    instrument: Instrument | None = None
    org: str | None = Field(None, max_length=40)
    article: str | None = Field(None, max_length=20)


class DecideIn(Schema):
    reason: str = Field("", max_length=2000)
    requirements: str = Field("", max_length=4000)
    respond_by: date | None = None


class CreateIn(Schema):
    instrument: Instrument
    article: str = Field(..., max_length=20)
    org: str = Field(..., max_length=40)
    tickets: list[str] = Field(default_factory=list, max_length=200)
    reason: str = Field(..., max_length=4000)
    requirements: str = Field("", max_length=4000)
    respond_by: date | None = None


class RespondIn(Schema):
    content: str = Field(..., max_length=8000)
    measures: str = Field("", max_length=8000)


class AssessIn(Schema):
    effective: bool
    comment: str = Field("", max_length=4000)
    respond_by: date | None = None


class AccountabilityIn(Schema):
    finding: str = Field(..., max_length=8000)
    responsible_org: str | None = Field(None, max_length=40)
    responsible_person: str = Field("", max_length=100)
    measure: str = Field(..., max_length=4000)
    outcome: str = Field("", max_length=4000)
    decided_by: str = Field(..., max_length=100)
    ground: str = Field("", max_length=10)


def _user(user) -> str:
    return user.username if user is not None else "system"


def case_out(case: SupervisionCase) -> dict:
    return {
        "id": case.pk,
        "instrument": case.instrument,
        "article": case.article,
        "org": case.org.code if case.org_id else None,
        "subject_org": case.subject_org.code if case.subject_org_id else None,
        "tickets": [t.number for t in case.tickets.all()],
        "state": case.state,
        "reason": case.reason,
        "requirements": case.requirements,
        "respond_by": case.respond_by,
        "created_at": case.created_at,
        "created_by": _user(case.created_by),
        "decided_at": case.decided_at,
        "responses": [
            {"at": r.at, "by": r.by.username, "content": r.content, "measures": r.measures}
            for r in case.responses.all()
        ],
        "assessments": [
            {"at": a.at, "by": a.by.username, "effective": a.effective, "comment": a.comment}
            for a in case.assessments.all()
        ],
        "accountability": [
            {
                "id": r.pk,
                "finding": r.finding,
                "responsible_org": r.responsible_org.code if r.responsible_org_id else None,
                "responsible_person": r.responsible_person,
                "measure": r.measure,
                "outcome": r.outcome,
                "decided_by": r.decided_by,
                "at": r.at,
            }
            for r in case.accountability.all()
        ],
        "attachments": [
            {"id": a.pk, "name": a.name, "size": a.size, "at": a.at.isoformat()}
            for a in case.attachments.all()
        ],
        "parent": case.parent_id,
    }


def _case(request: HttpRequest, case_id: int) -> SupervisionCase:
    return selectors.case_get(user=request.user, case_id=case_id)


def _fresh(request: HttpRequest, case: SupervisionCase) -> dict:
    return case_out(_case(request, case.pk))


def _org(code: str | None) -> Organisation | None:
    if not code:
        return None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise InvalidInput(
            _("未知的单位代码：%(code)s") % {"code": code}, code=SupervisionErrorCode.UNKNOWN_ORG
        )
    return org


@router.get("/cases", response={200: Paged[CaseOut], **ERRORS})
def cases(request: HttpRequest, filters: Query[CaseFilter]):
    """Notices, coordinations, circulars, interviews, escalations and accountability; a
    timer's proposals are `proposed`. An organisation sees the cases aimed at it."""
    qs = selectors.case_list(
        user=request.user,
        state=filters.state,
        instrument=filters.instrument,
        org=filters.org,
        article=filters.article,
    ).prefetch_related("responses__by", "assessments__by", "accountability", "attachments")
    return page_of(qs, filters, case_out)


@router.post("/cases", response={201: CaseOut, **ERRORS})
def create(request: HttpRequest, payload: CreateIn):
    """A case a supervisor decides on (Art 27(5), 28(3), 29(6)): `open` at once."""
    numbers = list(dict.fromkeys(payload.tickets))
    tickets = list(tickets_visible_to(request.user).filter(number__in=numbers))
    if len(tickets) != len(numbers):
        raise InvalidInput(_("工单不存在"), code=SupervisionErrorCode.UNKNOWN_TICKET)
    case = services.case_create(
        instrument=payload.instrument,
        article=payload.article,
        org=_org(payload.org),
        tickets=tickets,
        reason=payload.reason,
        requirements=payload.requirements,
        respond_by=payload.respond_by,
        actor=request.user,
        now=clock.now(),
    )
    return Status(201, _fresh(request, case))


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def case_detail(request: HttpRequest, case_id: int):
    return case_out(_case(request, case_id))


@router.post("/cases/{case_id}/confirm", response={200: CaseOut, **ERRORS})
def confirm(request: HttpRequest, case_id: int, payload: DecideIn):
    case = services.case_confirm(
        case=_case(request, case_id),
        requirements=payload.requirements or payload.reason,
        respond_by=payload.respond_by,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, case)


@router.post("/cases/{case_id}/dismiss", response={200: CaseOut, **ERRORS})
def dismiss(request: HttpRequest, case_id: int, payload: DecideIn):
    case = services.case_dismiss(
        case=_case(request, case_id), reason=payload.reason, actor=request.user, now=clock.now()
    )
    return _fresh(request, case)


@router.post("/cases/{case_id}/respond", response={200: CaseOut, **ERRORS})
def respond(request: HttpRequest, case_id: int, payload: RespondIn):
    case = services.case_respond(
        case=_case(request, case_id),
        content=payload.content,
        measures=payload.measures,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, case)


@router.post("/cases/{case_id}/assess", response={200: CaseOut, **ERRORS})
def assess(request: HttpRequest, case_id: int, payload: AssessIn):
    case = services.case_assess(
        case=_case(request, case_id),
        effective=payload.effective,
        comment=payload.comment,
        respond_by=payload.respond_by,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, case)


@router.post("/cases/{case_id}/accountability", response={201: CaseOut, **ERRORS})
def accountability(request: HttpRequest, case_id: int, payload: AccountabilityIn):
    """Art 33: record the finding, who is held responsible, the measure and the outcome."""
    case = _case(request, case_id)
    services.accountability_record(
        case=case,
        finding=payload.finding,
        responsible_org=_org(payload.responsible_org),
        responsible_person=payload.responsible_person,
        measure=payload.measure,
        outcome=payload.outcome,
        decided_by=payload.decided_by,
        ground=payload.ground,
        actor=request.user,
        now=clock.now(),
    )
    return Status(201, _fresh(request, case))


@router.post("/cases/{case_id}/attachments", response={201: CaseOut, **ERRORS})
def attach(request: HttpRequest, case_id: int, file: File[UploadedFile]):
    case = _case(request, case_id)
    limit = policy("art26_attachment_max_mb") * 1024 * 1024
    data = file.read(limit + 1)
    services.case_attach(
        case=case, name=file.name or "", data=data, actor=request.user, now=clock.now()
    )
    return Status(201, _fresh(request, case))


@router.get("/cases/{case_id}/attachments/{attachment_id}", response={200: None, **ERRORS})
def attachment(request: HttpRequest, case_id: int, attachment_id: int):
    """The file, only to those who may see the case (404 otherwise)."""
    item = selectors.attachment_get(user=request.user, case_id=case_id, attachment_id=attachment_id)
    path = services.attachment_path(item)
    if not path.exists():
        raise NotFound(_("附件不存在"))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )


@router.get("/cases/{case_id}/document", response={200: None, **ERRORS})
def document(request: HttpRequest, case_id: int):
    """The case as its Word document: 督办单, 协调会议纪要, 通报, 约谈记录 (API.md: docx)."""
    case = _case(request, case_id)
    body, name = documents.case_document(case=case, user=request.user, now=clock.now())
    response = HttpResponse(body, content_type=documents.DOCX)
    response["Content-Disposition"] = documents.disposition(name)
    return response
