"""Tickets, assignments and reviews over HTTP (API.md). Thin: parse, find in scope, call the
service, render. Rules live in ``services`` and ``rules``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import InvalidInput, NotFound
from hotline.core.pagination import Paged, page_of
from hotline.orgs.http import AuthedRequest
from hotline.tickets import selectors, services
from hotline.tickets.error_codes import TicketErrorCode
from hotline.tickets.models import Assignment, Review, Ticket, TicketEvent
from hotline.tickets.schemas import (
    AnswerIn,
    ApproveIn,
    CallbackIn,
    ContactIn,
    DispatchIn,
    DisputeIn,
    ExtensionIn,
    IncidentCloseIn,
    IncidentFilter,
    IncidentOut,
    ProgressIn,
    RedispatchIn,
    RejectIn,
    RejectReviewIn,
    ReplyIn,
    ReturnIn,
    ReviewFilter,
    ReviewOut,
    SuddenReportIn,
    TicketFilter,
    TicketIn,
    TicketListItem,
    TicketOut,
)

router = Router(tags=["tickets"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


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


def _event_out(e: TicketEvent, *, hide_links: bool = False) -> dict:
    data = e.data
    if hide_links and data:  # issue 19 F1: selectors.links_hidden
        data = {k: v for k, v in data.items() if k not in selectors.LINK_KEYS}
    return {
        "at": e.at,
        "type": e.type,
        "actor": e.actor.username if e.actor is not None else None,
        "org": e.org.code if e.org is not None else None,
        "data": data,
    }


def ticket_out(ticket: Ticket, *, user, now: datetime) -> dict:
    citizen = selectors.citizen_view(user=user, ticket=ticket, now=now)
    hide_links = selectors.links_hidden(user=user, ticket=ticket)
    events = list(ticket.events.all())
    return {
        "number": ticket.number,
        "status": ticket.status,
        "channel": ticket.channel,
        "appeal_type": ticket.appeal_type,
        "content": ticket.content,
        "category": ticket.category.code if ticket.category is not None else None,
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
        "incident": None if hide_links else ticket.incident_id,
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
        "repeat_of": (
            ticket.repeat_of.number if ticket.repeat_of is not None and not hide_links else None
        ),
        "repeat_count": ticket.repeat_count,
        "redo_count": ticket.redo_total,
        "external_id": ticket.external_id,
        "events": [_event_out(e, hide_links=hide_links) for e in events],
    }


def _fresh(request: AuthedRequest, number: str) -> dict:
    ticket = selectors.ticket_get(user=request.user, number=number)
    return ticket_out(ticket, user=request.user, now=clock.now())


@contextmanager
def _acting(
    target: QuerySet, *, missing: str, reserve: int = 1, review_id: int | None = None
) -> Iterator[Ticket]:
    """The ticket ``target`` (a selector's query of one ticket id in the caller's scope)
    selects, locked for the one service the endpoint runs on it (``services.holding``: the
    scoped read is the row lock, and reads what the answer needs); 404 when out of scope."""
    with services.holding(target, reserve=reserve, review_id=review_id) as ticket:
        if ticket is None:
            raise NotFound(missing, code=TicketErrorCode.NOT_FOUND)
        yield ticket


def _answer(request: AuthedRequest, ticket: Ticket, *, new: bool = False) -> dict:
    """The ticket after an action, rendered from the objects in hand (issue 14): the row the
    service locked (``_acting``) or created and wrote, the assignments and the history read
    under that lock, and what the service changed, created and appended (its
    ``last_batch``). Without another read of the ticket."""
    batch = services.last_batch()
    loaded = getattr(ticket, "_prefetched_objects_cache", {})
    if batch is None or not (new or "events" in loaded):
        return _fresh(request, ticket.number)
    assignments: dict[int, Assignment] = {}
    events: list[TicketEvent] = []
    if not new:
        assignments = {a.pk: a for a in ticket.assignments.all()}
        events = list(ticket.events.all())
    for a in batch.assignments.values():
        if a.ticket_id == ticket.pk:
            assignments[a.pk] = a
    events += [e for e in batch.written if e.ticket_id == ticket.pk]
    services.prefetched(
        ticket, "assignments", sorted(assignments.values(), key=lambda a: (a.dispatched_at, a.pk))
    )
    services.prefetched(ticket, "events", sorted(events, key=lambda e: (e.at, e.pk)))
    return ticket_out(ticket, user=request.user, now=clock.now())


def _in_scope(request: AuthedRequest, number: str):
    return _acting(
        selectors.ticket_target(user=request.user, number=number), missing=_("工单不存在")
    )


def _org_or_422(code: str | None, field: str):
    return services.handling_org(code, field=field) if code else None


# -- tickets ---------------------------------------------------------------------------------


@router.post("/tickets", response={200: TicketOut, 201: TicketOut, **ERRORS})
def create_ticket(request: AuthedRequest, payload: TicketIn):
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
        call_id=payload.call_id,
        **selectors.intake_grouping(
            user=request.user, incident=payload.incident, merge_with=payload.merge_with
        ),
        actor=request.user,
        now=now,
    )
    if not result.created:  # a replayed partner id: the ticket as it is
        return Status(200, _fresh(request, result.ticket.number))
    return Status(201, _answer(request, result.ticket, new=True))


@router.get("/tickets", response={200: Paged[TicketListItem], **ERRORS})
def list_tickets(request: AuthedRequest, filters: Query[TicketFilter]):
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
def get_ticket(request: AuthedRequest, number: str):
    return _fresh(request, number)


@router.post("/tickets/{number}/answer", response={200: TicketOut, **ERRORS})
def answer(request: AuthedRequest, number: str, payload: AnswerIn):
    with _in_scope(request, number) as ticket:
        services.ticket_answer(
            ticket=ticket,
            answer=payload.answer,
            actor=request.user,
            now=clock.now(),
            knowledge_entries=payload.knowledge_entries,
        )
    return _answer(request, ticket)


@router.post("/tickets/{number}/reject", response={200: TicketOut, **ERRORS})
def reject(request: AuthedRequest, number: str, payload: RejectIn):
    with _in_scope(request, number) as ticket:
        closed = None
        if payload.closed_ticket:
            closed = (
                selectors.tickets_visible_to(request.user)
                .filter(number=payload.closed_ticket)
                .first()
            )
            if closed is None:
                raise InvalidInput(
                    _("未知的工单：%(number)s") % {"number": payload.closed_ticket},
                    code=TicketErrorCode.UNKNOWN_TICKET,
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
    return _answer(request, ticket)


@router.post("/tickets/{number}/contact", response={200: TicketOut, **ERRORS})
def contact(request: AuthedRequest, number: str, payload: ContactIn):
    """Art 14(1): record a three-way call, transfer or expert seat (citizen's consent)."""
    with _acting(
        selectors.ticket_target(user=request.user, number=number),
        missing=_("工单不存在"),
        reserve=0,
    ) as ticket:
        services.ticket_contact(
            ticket=ticket,
            kind=payload.kind,
            party=payload.party,
            consent=payload.consent,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/tickets/{number}/sudden-report", response={200: TicketOut, **ERRORS})
def sudden_report(request: AuthedRequest, number: str, payload: SuddenReportIn):
    """Art 18: report a sudden event to the local government and notify departments."""
    with _in_scope(request, number) as ticket:
        services.ticket_sudden_report(
            ticket=ticket,
            kind=payload.kind,
            recipients=payload.recipients,
            note=payload.note,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/tickets/{number}/dispatch", response={200: TicketOut, **ERRORS})
def dispatch(request: AuthedRequest, number: str, payload: DispatchIn):
    with _in_scope(request, number) as ticket:
        services.ticket_dispatch(
            ticket=ticket,
            lead=services.handling_org(payload.lead, field="lead"),
            assists=[services.handling_org(c, field="assists") for c in payload.assists],
            coordinated=payload.coordinated,
            note=payload.note,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/tickets/{number}/callback", response={200: TicketOut, **ERRORS})
def callback(request: AuthedRequest, number: str, payload: CallbackIn):
    with _in_scope(request, number) as ticket:
        services.ticket_callback(
            ticket=ticket,
            outcome=payload.outcome,
            resolved=payload.resolved,
            reasonable=payload.reasonable,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/tickets/{number}/dispute", response={200: TicketOut, **ERRORS})
def dispute(request: AuthedRequest, number: str, payload: DisputeIn):
    with _in_scope(request, number) as ticket:
        services.ticket_dispute(
            ticket=ticket, reason=payload.reason, actor=request.user, now=clock.now()
        )
    return _answer(request, ticket)


# -- assignments -----------------------------------------------------------------------------


def _held_assignment(ticket: Ticket, assignment_id: int) -> Assignment:
    assignment = services.locked_assignment(ticket, assignment_id)
    if assignment is None:  # the target found it: only a concurrent deletion
        raise NotFound(_("派单不存在"), code=TicketErrorCode.NOT_FOUND)
    return assignment


def _held_review(ticket: Ticket) -> Review:
    review = services.locked_review(ticket)
    if review is None:
        raise NotFound(_("审核申请不存在"), code=TicketErrorCode.NOT_FOUND)
    return review


def _on_assignment(request: AuthedRequest, assignment_id: int):
    """The ticket of the assignment in the caller's scope, locked (``_acting``)."""
    return _acting(
        selectors.assignment_target(user=request.user, assignment_id=assignment_id),
        missing=_("派单不存在"),
    )


@router.post("/assignments/{assignment_id}/sign", response={200: TicketOut, **ERRORS})
def sign(request: AuthedRequest, assignment_id: int):
    with _on_assignment(request, assignment_id) as ticket:
        a = _held_assignment(ticket, assignment_id)
        services.assignment_sign(assignment=a, actor=request.user, now=clock.now())
    return _answer(request, ticket)


@router.post("/assignments/{assignment_id}/dispatch", response={200: TicketOut, **ERRORS})
def redispatch(request: AuthedRequest, assignment_id: int, payload: RedispatchIn):
    """A county body re-dispatches to its own units (child assignments)."""
    with _on_assignment(request, assignment_id) as ticket:
        a = _held_assignment(ticket, assignment_id)
        services.assignment_redispatch(
            assignment=a,
            lead=services.handling_org(payload.lead, field="lead"),
            assists=[services.handling_org(c, field="assists") for c in payload.assists],
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/assignments/{assignment_id}/return", response={200: TicketOut, **ERRORS})
def return_(request: AuthedRequest, assignment_id: int, payload: ReturnIn):
    with _on_assignment(request, assignment_id) as ticket:
        a = _held_assignment(ticket, assignment_id)
        services.assignment_return(
            assignment=a,
            reason=payload.reason,
            basis=payload.basis,
            suggested_org=_org_or_422(payload.suggested_org, "suggested_org"),
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/assignments/{assignment_id}/extension", response={200: TicketOut, **ERRORS})
def extension(request: AuthedRequest, assignment_id: int, payload: ExtensionIn):
    with _on_assignment(request, assignment_id) as ticket:
        a = _held_assignment(ticket, assignment_id)
        services.assignment_request_extension(
            assignment=a,
            working_days=payload.working_days,
            reason=payload.reason,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/assignments/{assignment_id}/progress", response={200: TicketOut, **ERRORS})
def progress(request: AuthedRequest, assignment_id: int, payload: ProgressIn):
    with _on_assignment(request, assignment_id) as ticket:
        a = _held_assignment(ticket, assignment_id)
        services.assignment_progress(
            assignment=a,
            content=payload.content,
            expected_completion=payload.expected_completion,
            citizen_informed=payload.citizen_informed,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/assignments/{assignment_id}/reply", response={200: TicketOut, **ERRORS})
def reply(request: AuthedRequest, assignment_id: int, payload: ReplyIn):
    with _on_assignment(request, assignment_id) as ticket:
        a = _held_assignment(ticket, assignment_id)
        services.assignment_reply(
            assignment=a,
            content=payload.content,
            citizen_contacted=payload.citizen_contacted,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


# -- reviews -----------------------------------------------------------------------------------


def _review_out(r: Review) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "ticket": r.ticket.number,
        "assignment": r.assignment_id,
        "state": r.state,
        "requested_by": r.requested_by.username if r.requested_by is not None else None,
        "requested_org": r.requested_org.code if r.requested_org is not None else None,
        "created_at": r.created_at,
        "data": r.data,
        "decided_at": r.decided_at,
    }


@router.get("/reviews", response={200: Paged[ReviewOut], **ERRORS})
def list_reviews(request: AuthedRequest, filters: Query[ReviewFilter]):
    """Returns, extensions and disputes the caller decides (supervisors; county bodies for
    what they re-dispatched)."""
    qs = selectors.review_list(user=request.user, kind=filters.kind, state=filters.state)
    return page_of(qs, filters, _review_out)


@router.post("/reviews/{review_id}/approve", response={200: TicketOut, **ERRORS})
def approve(request: AuthedRequest, review_id: int, payload: ApproveIn):
    with _acting(
        selectors.review_target(user=request.user, review_id=review_id),
        missing=_("审核申请不存在"),
        review_id=review_id,
        # a return approved with a new lead archives two rows: "approved", "dispatched"
        reserve=2 if payload.lead else 1,
    ) as ticket:
        review = _held_review(ticket)
        services.review_approve(
            review=review,
            lead=_org_or_422(payload.lead, "lead"),
            assists=[services.handling_org(c, field="assists") for c in payload.assists],
            override=payload.override,
            actor=request.user,
            now=clock.now(),
        )
    return _answer(request, ticket)


@router.post("/reviews/{review_id}/reject", response={200: TicketOut, **ERRORS})
def reject_review(request: AuthedRequest, review_id: int, payload: RejectReviewIn):
    with _acting(
        selectors.review_target(user=request.user, review_id=review_id),
        missing=_("审核申请不存在"),
        review_id=review_id,
    ) as ticket:
        review = _held_review(ticket)
        services.review_reject(
            review=review, reason=payload.reason, actor=request.user, now=clock.now()
        )
    return _answer(request, ticket)


# -- major incidents (Art 18, 并单) ------------------------------------------------------------


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
def list_incidents(request: AuthedRequest, filters: Query[IncidentFilter]):
    """Major incidents with the number of calls linked to each, newest first (`open=true`:
    those still in progress)."""
    qs = selectors.incident_list(user=request.user, open_only=filters.open)
    return page_of(qs, filters, _incident_out)


@router.post("/incidents/{incident_id}/close", response={200: IncidentOut, **ERRORS})
def close_incident(request: AuthedRequest, incident_id: int, payload: IncidentCloseIn):
    """The incident is over (dispatchers and supervisors): new calls are no longer linked to
    it and every linked ticket's archive records the closing."""
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    services.incident_close(
        incident=incident, note=payload.note, actor=request.user, now=clock.now()
    )
    return _incident_out(selectors.incident_get(user=request.user, incident_id=incident_id))
