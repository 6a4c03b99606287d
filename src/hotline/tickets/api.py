"""Tickets, assignments and reviews over HTTP (API.md). Thin: parse, find in scope, call the
service, render. Rules live in ``services`` and ``rules``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import InvalidInput
from hotline.core.pagination import Paged, PageQuery, page_of
from hotline.tickets import selectors, services
from hotline.tickets.choices import (
    AppealType,
    CallbackOutcome,
    Channel,
    ReviewKind,
    ReviewState,
    TicketStatus,
)
from hotline.tickets.models import Assignment, Review, Ticket, TicketEvent

router = Router(tags=["tickets"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# -- schemas ---------------------------------------------------------------------------------


class CitizenIn(Schema):
    name: str = Field("", max_length=60)
    phone: str = Field(..., min_length=1, max_length=30)
    confidential: bool = False


class LocationIn(Schema):
    county: str = Field(..., min_length=1, max_length=40)
    address: str = Field(..., min_length=1, max_length=300)


class TicketIn(Schema):
    channel: Channel
    appeal_type: AppealType
    content: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    citizen: CitizenIn
    location: LocationIn
    occurred_at: datetime | None = None
    category: str | None = Field(None, max_length=80)
    major_incident: bool = False
    special_seat: Literal["business", "enterprise"] | None = None
    external_id: str | None = Field(None, max_length=100)
    # 并单 (Art 18): join an open incident, or group with open tickets (by number) of other
    # callers that are in no incident yet into a new one (center staff)
    incident: int | None = None
    merge_with: list[str] = Field(default_factory=list, max_length=services.MERGE_MAX)


class CitizenOut(Schema):
    name: str | None
    phone: str | None
    confidential: bool
    masked: bool


class LocationOut(Schema):
    county: str
    county_name: str
    address: str


class AssignmentOut(Schema):
    id: int
    org: str
    org_name: str
    role: str
    parent: int | None
    status: str
    dispatched_at: datetime
    sign_due_at: datetime | None
    signed_at: datetime | None
    signed_late: bool
    auto_signed: bool
    due_at: datetime | None
    overdue: bool
    return_window_ends_at: datetime | None
    extension_count: int
    redo_count: int
    first_response_due_at: datetime | None
    replied_at: datetime | None
    reply: str | None


class EvaluationOut(Schema):
    outcome: str | None
    resolved: bool | None


class EventOut(Schema):
    at: datetime
    type: str
    actor: str | None
    org: str | None
    data: dict


class TicketOut(Schema):
    number: str
    status: str
    channel: str
    appeal_type: str
    content: str
    category: str | None
    citizen: CitizenOut
    location: LocationOut
    occurred_at: datetime | None
    received_at: datetime
    dispatch_due_at: datetime | None
    dispatched_at: datetime | None
    dispatch_overdue: bool
    major_incident: bool
    incident: int | None
    special_seat: str | None
    coordinated: bool
    assignments: list[AssignmentOut]
    callback_due_at: datetime | None
    evaluation: EvaluationOut
    closed_at: datetime | None
    close_reason: str | None
    answer: str | None
    not_accepted_reason: str | None
    repeat_of: str | None
    repeat_count: int
    redo_count: int
    external_id: str | None
    events: list[EventOut]


class TicketListItem(Schema):
    number: str
    status: str
    channel: str
    appeal_type: str
    content: str
    county: str
    received_at: datetime
    dispatch_due_at: datetime | None
    callback_due_at: datetime | None
    major_incident: bool
    citizen: CitizenOut


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    knowledge_entries: list[int] = Field(default_factory=list, max_length=20)


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=40)
    explanation: str = Field(..., min_length=1, max_length=2000)
    transferred_to: str | None = Field(None, max_length=20)
    closed_ticket: str | None = Field(None, max_length=24)


class ContactIn(Schema):
    kind: Literal["three_way_call", "transfer", "expert_seat"]
    party: str = Field(..., min_length=1, max_length=120)
    consent: bool


class SuddenReportIn(Schema):
    kind: Literal["disaster", "accident", "public_health", "public_security"]
    recipients: list[str] = Field(..., min_length=1, max_length=20)
    note: str = Field("", max_length=2000)


class DispatchIn(Schema):
    lead: str = Field(..., min_length=1, max_length=40)
    assists: list[str] = Field(default_factory=list, max_length=services.MAX_ASSISTS)
    coordinated: bool = False
    note: str = Field("", max_length=2000)


class RedispatchIn(Schema):
    lead: str = Field(..., min_length=1, max_length=40)
    assists: list[str] = Field(default_factory=list, max_length=services.MAX_ASSISTS)


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
    basis: str = Field(..., min_length=1, max_length=2000)
    suggested_org: str | None = Field(None, max_length=40)


class ExtensionIn(Schema):
    working_days: int = Field(..., ge=1, le=365)
    reason: str = Field(..., min_length=1, max_length=2000)


class ProgressIn(Schema):
    content: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    expected_completion: date | None = None
    citizen_informed: bool | None = None


class ReplyIn(Schema):
    content: str = Field(..., min_length=1, max_length=services.MAX_CONTENT)
    citizen_contacted: bool | None = None


class CallbackIn(Schema):
    outcome: CallbackOutcome
    resolved: bool | None = None
    reasonable: bool | None = None


class DisputeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ReviewOut(Schema):
    id: int
    kind: str
    ticket: str
    assignment: int | None
    state: str
    requested_by: str | None
    requested_org: str | None
    created_at: datetime
    data: dict
    decided_at: datetime | None


class ApproveIn(Schema):
    lead: str | None = Field(None, max_length=40)
    assists: list[str] = Field(default_factory=list, max_length=services.MAX_ASSISTS)
    override: bool = False


class RejectReviewIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class TicketFilter(PageQuery):
    status: TicketStatus | None = None
    org: str | None = Field(None, max_length=40)
    overdue: bool | None = None
    q: str | None = Field(None, max_length=200)


class ReviewFilter(PageQuery):
    kind: ReviewKind | None = None
    state: ReviewState | None = None


# -- rendering -------------------------------------------------------------------------------


def _assignment_out(a: Assignment) -> dict:
    return {
        "id": a.pk,
        "org": a.org.code,
        "org_name": a.org.name,
        "role": a.role,
        "parent": a.parent_id,
        "status": a.status,
        "dispatched_at": a.dispatched_at,
        "sign_due_at": a.sign_due_at,
        "signed_at": a.signed_at,
        "signed_late": a.signed_late,
        "auto_signed": a.auto_signed,
        "due_at": a.due_at,
        "overdue": a.overdue,
        "return_window_ends_at": a.return_window_ends_at,
        "extension_count": a.extension_count,
        "redo_count": a.redo_count,
        "first_response_due_at": a.first_response_due_at,
        "replied_at": a.replied_at,
        "reply": a.reply_content or None,
    }


def _event_out(e: TicketEvent) -> dict:
    return {
        "at": e.at,
        "type": e.type,
        "actor": e.actor.username if e.actor_id else None,
        "org": e.org.code if e.org_id else None,
        "data": e.data,
    }


def ticket_out(ticket: Ticket, *, user, now: datetime) -> dict:
    citizen = selectors.citizen_view(user=user, ticket=ticket, now=now)
    events = list(ticket.events.all())
    return {
        "number": ticket.number,
        "status": ticket.status,
        "channel": ticket.channel,
        "appeal_type": ticket.appeal_type,
        "content": ticket.content,
        "category": ticket.category.code if ticket.category_id else None,
        "citizen": citizen,
        "location": {
            "county": ticket.county.code,
            "county_name": ticket.county.name,
            "address": ticket.address,
        },
        "occurred_at": ticket.occurred_at,
        "received_at": ticket.received_at,
        "dispatch_due_at": ticket.dispatch_due_at,
        "dispatched_at": ticket.dispatched_at,
        "dispatch_overdue": ticket.dispatch_overdue,
        "major_incident": ticket.major_incident,
        "incident": ticket.incident_id,
        "special_seat": ticket.special_seat or None,
        "coordinated": ticket.coordinated,
        "assignments": [_assignment_out(a) for a in ticket.assignments.all()],
        "callback_due_at": ticket.callback_due_at,
        "evaluation": {
            "outcome": ticket.evaluation_outcome or None,
            "resolved": ticket.evaluation_resolved,
        },
        "closed_at": ticket.closed_at,
        "close_reason": ticket.close_reason or None,
        "answer": ticket.answer or None,
        "not_accepted_reason": ticket.not_accepted_reason or None,
        "repeat_of": ticket.repeat_of.number if ticket.repeat_of_id else None,
        "repeat_count": ticket.repeat_count,
        "redo_count": ticket.redo_total,
        "external_id": ticket.external_id,
        "events": [_event_out(e) for e in events],
    }


def _fresh(request: HttpRequest, number: str) -> dict:
    ticket = selectors.ticket_get(user=request.user, number=number)
    return ticket_out(ticket, user=request.user, now=clock.now())


def _org_or_422(code: str | None, field: str):
    return services.handling_org(code, field=field) if code else None


# -- tickets ---------------------------------------------------------------------------------


@router.post("/tickets", response={200: TicketOut, 201: TicketOut, **ERRORS})
def create_ticket(request: HttpRequest, payload: TicketIn):
    """Intake (agent). Replaying a partner's `external_id` returns the existing ticket (200)."""
    now = clock.now()
    result = services.ticket_intake(
        channel=payload.channel,
        appeal_type=payload.appeal_type,
        content=payload.content,
        citizen_name=payload.citizen.name,
        citizen_phone=payload.citizen.phone,
        confidential=payload.citizen.confidential,
        county=services.county_org(payload.location.county),
        address=payload.location.address,
        occurred_at=payload.occurred_at,
        category=services.category_by_code(payload.category),
        major_incident=payload.major_incident,
        special_seat=payload.special_seat,
        external_id=payload.external_id,
        **selectors.intake_grouping(
            user=request.user, incident=payload.incident, merge_with=payload.merge_with
        ),
        actor=request.user,
        now=now,
    )
    return Status(201 if result.created else 200, _fresh(request, result.ticket.number))


@router.get("/tickets", response={200: Paged[TicketListItem], **ERRORS})
def list_tickets(request: HttpRequest, filters: Query[TicketFilter]):
    """What the caller may see; filter by status, organisation, overdue; `q` matches the
    number, the citizen's phone and the content."""
    qs = selectors.ticket_list(
        user=request.user,
        status=filters.status,
        org=filters.org,
        overdue=filters.overdue,
        q=filters.q,
    )
    return page_of(
        qs,
        filters,
        lambda t: {
            "number": t.number,
            "status": t.status,
            "channel": t.channel,
            "appeal_type": t.appeal_type,
            "content": t.content[:200],
            "county": t.county.code,
            "received_at": t.received_at,
            "dispatch_due_at": t.dispatch_due_at,
            "callback_due_at": t.callback_due_at,
            "major_incident": t.major_incident,
            "citizen": selectors.citizen_masked(user=request.user, ticket=t),
        },
    )


@router.get("/tickets/{number}", response={200: TicketOut, **ERRORS})
def get_ticket(request: HttpRequest, number: str):
    return _fresh(request, number)


@router.post("/tickets/{number}/answer", response={200: TicketOut, **ERRORS})
def answer(request: HttpRequest, number: str, payload: AnswerIn):
    ticket = selectors.ticket_get(user=request.user, number=number)
    services.ticket_answer(
        ticket=ticket,
        answer=payload.answer,
        actor=request.user,
        now=clock.now(),
        knowledge_entries=payload.knowledge_entries,
    )
    return _fresh(request, number)


@router.post("/tickets/{number}/reject", response={200: TicketOut, **ERRORS})
def reject(request: HttpRequest, number: str, payload: RejectIn):
    ticket = selectors.ticket_get(user=request.user, number=number)
    closed = None
    if payload.closed_ticket:
        closed = (
            selectors.tickets_visible_to(request.user).filter(number=payload.closed_ticket).first()
        )
        if closed is None:
            raise InvalidInput(
                _("未知的工单：%(number)s") % {"number": payload.closed_ticket},
                code="unknown_ticket",
            )
    services.ticket_reject(
        ticket=ticket,
        reason=payload.reason,
        explanation=payload.explanation,
        transferred_to=payload.transferred_to,
        closed_ticket=closed,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, number)


@router.post("/tickets/{number}/contact", response={200: TicketOut, **ERRORS})
def contact(request: HttpRequest, number: str, payload: ContactIn):
    """Art 14(1): record a three-way call, transfer or expert seat (citizen's consent)."""
    ticket = selectors.ticket_get(user=request.user, number=number)
    services.ticket_contact(
        ticket=ticket,
        kind=payload.kind,
        party=payload.party,
        consent=payload.consent,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, number)


@router.post("/tickets/{number}/sudden-report", response={200: TicketOut, **ERRORS})
def sudden_report(request: HttpRequest, number: str, payload: SuddenReportIn):
    """Art 18: report a sudden event to the local government and notify departments."""
    ticket = selectors.ticket_get(user=request.user, number=number)
    services.ticket_sudden_report(
        ticket=ticket,
        kind=payload.kind,
        recipients=payload.recipients,
        note=payload.note,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, number)


@router.post("/tickets/{number}/dispatch", response={200: TicketOut, **ERRORS})
def dispatch(request: HttpRequest, number: str, payload: DispatchIn):
    ticket = selectors.ticket_get(user=request.user, number=number)
    services.ticket_dispatch(
        ticket=ticket,
        lead=services.handling_org(payload.lead, field="lead"),
        assists=[services.handling_org(c, field="assists") for c in payload.assists],
        coordinated=payload.coordinated,
        note=payload.note,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, number)


@router.post("/tickets/{number}/callback", response={200: TicketOut, **ERRORS})
def callback(request: HttpRequest, number: str, payload: CallbackIn):
    ticket = selectors.ticket_get(user=request.user, number=number)
    services.ticket_callback(
        ticket=ticket,
        outcome=payload.outcome,
        resolved=payload.resolved,
        reasonable=payload.reasonable,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, number)


@router.post("/tickets/{number}/dispute", response={200: TicketOut, **ERRORS})
def dispute(request: HttpRequest, number: str, payload: DisputeIn):
    ticket = selectors.ticket_get(user=request.user, number=number)
    services.ticket_dispute(
        ticket=ticket, reason=payload.reason, actor=request.user, now=clock.now()
    )
    return _fresh(request, number)


# -- assignments -----------------------------------------------------------------------------


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    return selectors.assignment_get(user=request.user, assignment_id=assignment_id)


@router.post("/assignments/{assignment_id}/sign", response={200: TicketOut, **ERRORS})
def sign(request: HttpRequest, assignment_id: int):
    a = _assignment(request, assignment_id)
    services.assignment_sign(assignment=a, actor=request.user, now=clock.now())
    return _fresh(request, a.ticket.number)


@router.post("/assignments/{assignment_id}/dispatch", response={200: TicketOut, **ERRORS})
def redispatch(request: HttpRequest, assignment_id: int, payload: RedispatchIn):
    """A county body re-dispatches to its own units (child assignments)."""
    a = _assignment(request, assignment_id)
    services.assignment_redispatch(
        assignment=a,
        lead=services.handling_org(payload.lead, field="lead"),
        assists=[services.handling_org(c, field="assists") for c in payload.assists],
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, a.ticket.number)


@router.post("/assignments/{assignment_id}/return", response={200: TicketOut, **ERRORS})
def return_(request: HttpRequest, assignment_id: int, payload: ReturnIn):
    a = _assignment(request, assignment_id)
    services.assignment_return(
        assignment=a,
        reason=payload.reason,
        basis=payload.basis,
        suggested_org=_org_or_422(payload.suggested_org, "suggested_org"),
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, a.ticket.number)


@router.post("/assignments/{assignment_id}/extension", response={200: TicketOut, **ERRORS})
def extension(request: HttpRequest, assignment_id: int, payload: ExtensionIn):
    a = _assignment(request, assignment_id)
    services.assignment_request_extension(
        assignment=a,
        working_days=payload.working_days,
        reason=payload.reason,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, a.ticket.number)


@router.post("/assignments/{assignment_id}/progress", response={200: TicketOut, **ERRORS})
def progress(request: HttpRequest, assignment_id: int, payload: ProgressIn):
    a = _assignment(request, assignment_id)
    services.assignment_progress(
        assignment=a,
        content=payload.content,
        expected_completion=payload.expected_completion,
        citizen_informed=payload.citizen_informed,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, a.ticket.number)


@router.post("/assignments/{assignment_id}/reply", response={200: TicketOut, **ERRORS})
def reply(request: HttpRequest, assignment_id: int, payload: ReplyIn):
    a = _assignment(request, assignment_id)
    services.assignment_reply(
        assignment=a,
        content=payload.content,
        citizen_contacted=payload.citizen_contacted,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, a.ticket.number)


# -- reviews -----------------------------------------------------------------------------------


def _review_out(r: Review) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "ticket": r.ticket.number,
        "assignment": r.assignment_id,
        "state": r.state,
        "requested_by": r.requested_by.username if r.requested_by_id else None,
        "requested_org": r.requested_org.code if r.requested_org_id else None,
        "created_at": r.created_at,
        "data": r.data,
        "decided_at": r.decided_at,
    }


@router.get("/reviews", response={200: Paged[ReviewOut], **ERRORS})
def list_reviews(request: HttpRequest, filters: Query[ReviewFilter]):
    """Returns, extensions and disputes the caller decides (supervisors; county bodies for
    what they re-dispatched)."""
    qs = selectors.review_list(user=request.user, kind=filters.kind, state=filters.state)
    return page_of(qs, filters, _review_out)


@router.post("/reviews/{review_id}/approve", response={200: TicketOut, **ERRORS})
def approve(request: HttpRequest, review_id: int, payload: ApproveIn):
    review = selectors.review_get(user=request.user, review_id=review_id)
    services.review_approve(
        review=review,
        lead=_org_or_422(payload.lead, "lead"),
        assists=[services.handling_org(c, field="assists") for c in payload.assists],
        override=payload.override,
        actor=request.user,
        now=clock.now(),
    )
    return _fresh(request, review.ticket.number)


@router.post("/reviews/{review_id}/reject", response={200: TicketOut, **ERRORS})
def reject_review(request: HttpRequest, review_id: int, payload: RejectReviewIn):
    review = selectors.review_get(user=request.user, review_id=review_id)
    services.review_reject(
        review=review, reason=payload.reason, actor=request.user, now=clock.now()
    )
    return _fresh(request, review.ticket.number)


# -- major incidents (Art 18, 并单) ------------------------------------------------------------


class IncidentFilter(PageQuery):
    open: bool | None = None


class IncidentOut(Schema):
    id: int
    kind: str
    title: str
    county: str | None
    opened_at: datetime
    closed_at: datetime | None
    calls: int


class IncidentCloseIn(Schema):
    note: str = Field("", max_length=2000)


def _incident_out(incident) -> dict:
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "title": incident.title,
        "county": incident.county.code if incident.county_id else None,
        "opened_at": incident.opened_at,
        "closed_at": incident.closed_at,
        "calls": getattr(incident, "calls", None) or incident.tickets.count(),
    }


@router.get("/incidents", response={200: Paged[IncidentOut], **ERRORS})
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]):
    """Major incidents with the number of calls linked to each, newest first (`open=true`:
    those still in progress)."""
    qs = selectors.incident_list(user=request.user, open_only=filters.open)
    return page_of(qs, filters, _incident_out)


@router.post("/incidents/{incident_id}/close", response={200: IncidentOut, **ERRORS})
def close_incident(request: HttpRequest, incident_id: int, payload: IncidentCloseIn):
    """The incident is over (dispatchers and supervisors): new calls are no longer linked to
    it and every linked ticket's archive records the closing."""
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    services.incident_close(
        incident=incident, note=payload.note, actor=request.user, now=clock.now()
    )
    return _incident_out(selectors.incident_get(user=request.user, incident_id=incident_id))
