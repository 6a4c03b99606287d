"""Reviews (Art 15(1), 15(3), 16(2)): the reviewer approves or rejects a return, an
extension or a dispute. Who may decide which review is the guard's (``rules``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput
from hotline.core.policy import policy
from hotline.orgs.models import Organisation, User
from hotline.tickets import deadlines
from hotline.tickets.choices import (
    AssignmentStatus,
    EventType,
    ReviewKind,
    ReviewState,
    TicketStatus,
)
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Review, Ticket
from hotline.tickets.services.archive import (
    Conflict,
    _check,
    _event,
    _save_ticket,
    _set_assignment_state,
    _set_ticket_state,
    _ticket_write,
)
from hotline.tickets.services.archive import (
    _lock_review as _lock_ticket_of_review,
)
from hotline.tickets.services.dispatch import _new_assignments, _validate_units
from hotline.tickets.services.handling import _top_level_live
from hotline.tickets.services.locking import locked_assignment, save_row
from hotline.tickets.services.validation import _clean_text


def _lock_review(review: Review) -> tuple[Ticket, Review]:
    ticket, fresh = _lock_ticket_of_review(review)
    if fresh.state != ReviewState.PENDING:
        raise Conflict(_("该申请已审核"), code=Code.ALREADY_DECIDED)
    return ticket, fresh


@_ticket_write
def review_approve(
    *,
    review: Review,
    lead: Organisation | None = None,
    assists: Sequence[Organisation] = (),
    override: bool = False,
    actor: User,
    now: datetime,
) -> Ticket:
    """Approve a return (re-dispatching to ``lead``), an extension (``override`` allows one
    beyond the limit, recorded) or a dispute (the evaluation leaves that unit's rate)."""
    ticket, review = _lock_review(review)
    _check(actor, "review", review=review, now=now)
    decision: dict[str, Any] = {"approved": True}
    if review.kind == ReviewKind.RETURN:
        _approve_return(
            ticket, review, lead=lead, assists=assists, actor=actor, now=now, decision=decision
        )
    elif review.kind == ReviewKind.EXTENSION:
        _approve_extension(
            ticket, review, override=override, actor=actor, now=now, decision=decision
        )
    else:
        evaluation = ticket.evaluations.order_by("-at", "-id").first()
        if evaluation is not None and review.requested_org is not None:
            evaluation.excluded_org.add(review.requested_org)
        _event(
            ticket,
            EventType.DISPUTE_UPHELD,
            now=now,
            actor=actor,
            data={"org": review.requested_org.code if review.requested_org else None},
        )
    review.state = ReviewState.APPROVED
    review.decided_by = actor
    review.decided_at = now
    review.decision = decision
    save_row(review, ["state", "decided_by", "decided_at", "decision"])
    return ticket


def _reviewed_assignment(ticket: Ticket, review: Review) -> Assignment:
    """The assignment the review is about, as the ticket's lock read it (with its parent)."""
    assignment = locked_assignment(ticket, review.assignment_id)
    if assignment is None:
        raise Assignment.DoesNotExist()
    return assignment


def _approve_return(ticket, review, *, lead, assists, actor, now, decision) -> None:
    assignment = _reviewed_assignment(ticket, review)
    _set_assignment_state(assignment, "return_approved")
    save_row(assignment, ["status"])
    _event(
        ticket,
        EventType.RETURN_APPROVED,
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={"lead": lead.code if lead else None},
    )
    if lead is not None:
        _validate_units(lead, assists)
        parent = assignment.parent
        if parent is not None:
            for org in (lead, *assists):
                if not org.path.startswith(parent.org.path) or org.pk == parent.org_id:
                    raise InvalidInput(
                        _("%(code)s 不是本县区的下属单位") % {"code": org.code},
                        code=Code.NOT_SUBORDINATE,
                    )
        created = _new_assignments(
            ticket=ticket,
            lead=lead,
            assists=assists,
            parent=parent,
            actor=actor,
            now=now,
            lead_role=assignment.role,
        )
        decision["redispatched_to"] = [lead.code, *[a.code for a in assists]]
        _event(
            ticket,
            EventType.DISPATCHED,
            now=now,
            actor=actor,
            data={
                "lead": lead.code,
                "assists": [a.code for a in assists],
                "after_return": True,
                "assignments": [a.pk for a in created],
            },
        )
    elif assignment.parent_id is None and not _top_level_live(ticket):
        # back to the dispatch queue with a fresh dispatch deadline
        _set_ticket_state(ticket, "all_returned")
        ticket.dispatch_due_at = deadlines.dispatch_due(
            received_at=now, major=ticket.major_incident
        )
        _event(ticket, EventType.BACK_TO_DISPATCH, now=now, actor=actor)
        _save_ticket(ticket, ["status", "dispatch_due_at"])
    elif (
        assignment.parent_id is None
        and ticket.status == TicketStatus.IN_HANDLING
        and all(a.status == AssignmentStatus.REPLIED for a in _top_level_live(ticket))
    ):
        _set_ticket_state(ticket, "all_replied")
        ticket.result_received_at = now
        ticket.callback_due_at = deadlines.callback_due(get_calendar(), received_at=now)
        _event(ticket, EventType.AWAITING_CALLBACK, now=now, actor=None)
        _save_ticket(ticket, ["status", "result_received_at", "callback_due_at"])


def _approve_extension(ticket, review, *, override, actor, now, decision) -> None:
    assignment = _reviewed_assignment(ticket, review)
    if assignment.extension_count >= policy("art15_extension_max_count") and not override:
        raise Conflict(_("已延期过一次；再次延期须由审核员明确批准"), code=Code.EXTENSION_LIMIT)
    days = int(review.data["working_days"])
    cal = get_calendar()
    old_due = assignment.due_at
    assert old_due is not None  # an extension is asked for on a signed assignment's deadline
    due = deadlines.extended_due(cal, due_at=old_due, working_days=days)
    parent = assignment.parent
    if parent is not None and parent.due_at and due > parent.due_at:
        due = parent.due_at
    assignment.due_at = due
    assignment.extension_count += 1
    assignment.extension_days += days
    save_row(assignment, ["due_at", "extension_count", "extension_days"])
    decision.update({"override": override, "due_at": due.isoformat()})
    _event(
        ticket,
        EventType.EXTENSION_GRANTED,
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={
            "working_days": days,
            "old_due_at": old_due.isoformat(),
            "due_at": due.isoformat(),
            "override": override,
            # Art 15(3): the unit tells the citizen, except for confidential tickets
            "citizen_to_be_told": not ticket.confidential,
        },
    )


@_ticket_write
def review_reject(*, review: Review, reason: str, actor: User, now: datetime) -> Ticket:
    ticket, review = _lock_review(review)
    _check(actor, "review", review=review, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    if review.kind == ReviewKind.RETURN:
        assert review.assignment_id is not None  # a return is asked for one assignment
        assignment = _reviewed_assignment(ticket, review)
        _set_assignment_state(assignment, "return_rejected")
        save_row(assignment, ["status"])
        _event(
            ticket,
            EventType.RETURN_REJECTED,
            now=now,
            actor=actor,
            org=assignment.org,
            assignment=assignment,
            data={"reason": reason},
        )
    else:
        _event(
            ticket,
            EventType(f"{review.kind}_rejected"),
            now=now,
            actor=actor,
            assignment=review.assignment,
            data={"reason": reason},
        )
    review.state = ReviewState.REJECTED
    review.decided_by = actor
    review.decided_at = now
    review.decision = {"approved": False, "reason": reason}
    save_row(review, ["state", "decided_by", "decided_at", "decision"])
    return ticket
