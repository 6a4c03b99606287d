"""Handling by the units (Art 15): sign, return, extension request, progress and reply."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput
from hotline.core.policy import policy
from hotline.orgs.models import Organisation, User
from hotline.orgs.selectors import center_org
from hotline.tickets import deadlines
from hotline.tickets.choices import AssignmentStatus, EventType, ReviewKind
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Review, Ticket
from hotline.tickets.services import reference
from hotline.tickets.services.archive import (
    Conflict,
    _check,
    _event,
    _lock_assignment,
    _save_ticket,
    _set_assignment_state,
    _set_ticket_state,
    _ticket_write,
)
from hotline.tickets.services.locking import save_row
from hotline.tickets.services.validation import MAX_CONTENT, _clean_text


def _start_clock(ticket: Ticket, assignment: Assignment, *, clock_start: datetime) -> datetime:
    """Set the assignment's handling deadline and the clocks that follow from it; return the
    deadline."""
    cal = get_calendar()
    days = deadlines.base_working_days(
        appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
    )
    due = deadlines.handling_due(cal, clock_start=clock_start, working_days=days)
    parent = assignment.parent
    if parent is not None and parent.due_at and due > parent.due_at:
        due = parent.due_at
    assignment.due_at = due
    assignment.return_window_ends_at = deadlines.return_window_end(cal, signed_at=clock_start)
    if ticket.major_incident:
        first = clock_start + timedelta(hours=policy("art18_first_response_hours"))
        assignment.first_response_due_at = first
        assignment.progress_due_at = first
    return due


def _sign(
    assignment: Assignment, ticket: Ticket, *, actor: User | None, now: datetime, auto: bool
) -> None:
    # The handling clock starts when the sign was due at the latest: signing late gains nothing.
    clock_start = min(now, assignment.sign_due_at or now)
    _set_assignment_state(assignment, "sign")
    assignment.signed_at = clock_start if auto else now
    assignment.auto_signed = auto
    assignment.signed_late = auto or (
        assignment.sign_due_at is not None and now > assignment.sign_due_at
    )
    assignment.first_signed_at = assignment.first_signed_at or clock_start
    due_at = _start_clock(ticket, assignment, clock_start=clock_start)
    save_row(
        assignment,
        [
            "status",
            "signed_at",
            "auto_signed",
            "signed_late",
            "first_signed_at",
            "due_at",
            "return_window_ends_at",
            "first_response_due_at",
            "progress_due_at",
        ],
    )
    _event(
        ticket,
        EventType.AUTO_SIGNED if auto else "signed",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={
            "signed_at": assignment.signed_at.isoformat(),
            "late": assignment.signed_late,
            "due_at": due_at.isoformat(),
        },
    )


@_ticket_write
def assignment_sign(*, assignment: Assignment, actor: User, now: datetime) -> Ticket:
    """Art 15(1): sign at once on receipt; the handling clock starts on the sign day."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "sign", ticket=ticket, assignment=assignment, now=now)
    _sign(assignment, ticket, actor=actor, now=now, auto=False)
    return ticket


@_ticket_write
def assignment_auto_sign(*, assignment: Assignment, now: datetime) -> bool:
    """Art 15(1) (choice): unsigned 2 working-day hours after dispatch → signed by the system,
    with the sign time set to the moment those hours ended; recorded as a late sign."""
    ticket, assignment = _lock_assignment(assignment)
    due = assignment.sign_due_at  # set at dispatch for every assignment awaiting its sign
    if assignment.status != AssignmentStatus.AWAITING_SIGN or due is None or due > now:
        return False
    _sign(assignment, ticket, actor=None, now=due, auto=True)
    return True


def _reviewer_for(assignment: Assignment) -> Organisation:
    """(choice) a county body reviews returns of what it re-dispatched; the center the rest."""
    if assignment.parent is not None:
        return assignment.parent.org
    return reference.center() or center_org()


def _request_review(
    ticket: Ticket, assignment: Assignment, kind: str, *, data: dict, actor: User, now: datetime
) -> Review:
    """A unit's request for the reviewer's decision, archived as ``<kind>_requested``."""
    review = Review.objects.create(
        kind=kind,
        ticket=ticket,
        assignment=assignment,
        reviewer_org=_reviewer_for(assignment),
        requested_by=actor,
        requested_org=assignment.org,
        created_at=now,
        data=data,
    )
    _event(
        ticket,
        EventType(f"{kind}_requested"),
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data=data,
    )
    return review


@_ticket_write
def assignment_return(
    *,
    assignment: Assignment,
    reason: str,
    basis: str,
    suggested_org: Organisation | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 15(1): return within 24 working-day hours of signing, with reason and basis.
    Coordinated dispatches cannot be returned; a late request is accepted but counts as an
    overdue handling (超期退回视为超期办理)."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "return", ticket=ticket, assignment=assignment, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    basis = _clean_text(basis, "basis", required=True, limit=2000)
    late = assignment.return_window_ends_at is not None and now > assignment.return_window_ends_at
    _set_assignment_state(assignment, "return")
    update = ["status"]
    if late:
        assignment.returned_late = True
        if not assignment.overdue:
            assignment.overdue = True
            assignment.overdue_at = now
        update += ["returned_late", "overdue", "overdue_at"]
    save_row(assignment, update)
    data = {
        "reason": reason,
        "basis": basis,
        "late": late,
        "suggested_org": suggested_org.code if suggested_org else None,
    }
    _request_review(ticket, assignment, ReviewKind.RETURN, data=data, actor=actor, now=now)
    return ticket


@_ticket_write
def assignment_request_extension(
    *, assignment: Assignment, working_days: int, reason: str, actor: User, now: datetime
) -> Ticket:
    """Art 15(3): at least 48 hours before the deadline, once, at most the base time."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "extension", ticket=ticket, assignment=assignment, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    if not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput(_("延期工作日数必须是正整数"))
    base = deadlines.base_working_days(
        appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
    )
    if working_days > base:
        raise Conflict(
            _("延期不得超过该类诉求的办理时限（%(days)s 个工作日）") % {"days": base},
            code=Code.EXTENSION_TOO_LONG,
        )
    due_at = assignment.due_at
    assert due_at is not None  # set at sign; only a signed assignment may ask for more time
    data = {"working_days": working_days, "reason": reason, "due_at": due_at.isoformat()}
    _request_review(ticket, assignment, ReviewKind.EXTENSION, data=data, actor=actor, now=now)
    return ticket


@_ticket_write
def assignment_progress(
    *,
    assignment: Assignment,
    content: str,
    expected_completion: date | None = None,
    citizen_informed: bool | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Interim reply (未办结回复) with progress and an expected completion date; for a major
    incident the first one is the first response (1 h after signing, Art 18) and then one
    every day until closed."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "progress", ticket=ticket, assignment=assignment, now=now)
    content = _clean_text(content, "content", required=True, limit=MAX_CONTENT)
    today = get_calendar().local(now).date()
    if expected_completion is not None and expected_completion < today:
        raise InvalidInput(_("预计办结时间不能早于今天"), code=Code.INVALID_DATE)
    data: dict[str, Any] = {"content": content}
    if expected_completion is not None:
        data["expected_completion"] = expected_completion.isoformat()
    if citizen_informed is not None:
        data["citizen_informed"] = citizen_informed
    update: list[str] = []
    if ticket.major_incident:
        if assignment.first_response_at is None:
            assignment.first_response_at = now
            data["first_response"] = True
            data["late"] = bool(
                assignment.first_response_due_at and now > assignment.first_response_due_at
            )
            update.append("first_response_at")
        assignment.progress_due_at = now + timedelta(hours=policy("art18_progress_interval_hours"))
        update.append("progress_due_at")
    if update:
        save_row(assignment, update)
    _event(
        ticket,
        EventType.FIRST_RESPONSE if data.get("first_response") else "progress",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data=data,
    )
    return ticket


def _top_level_live(ticket: Ticket) -> list[Assignment]:
    """The live (not returned) top-level assignments, from those read under the lock."""
    locked = getattr(ticket, "_locked_assignments", None)
    if locked is not None:
        return [a for a in locked if a.parent_id is None and a.status != AssignmentStatus.RETURNED]
    return list(
        ticket.assignments.filter(parent__isnull=True)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("org")
    )


def _top_level_unreplied(ticket: Ticket) -> bool:
    """Is any live top-level assignment still without its reply? Answered from the
    assignments read under the lock when there are (``_lock_assignment``), else one EXISTS."""
    locked = getattr(ticket, "_locked_assignments", None)
    if locked is not None:
        return any(
            a.parent_id is None
            and a.status not in (AssignmentStatus.RETURNED, AssignmentStatus.REPLIED)
            for a in locked
        )
    return (
        Assignment.objects.filter(ticket_id=ticket.pk, parent__isnull=True)
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.REPLIED])
        .exists()
    )


@_ticket_write
def assignment_reply(
    *,
    assignment: Assignment,
    content: str,
    citizen_contacted: bool | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 15(4): each unit replies to the citizen and uploads its result (谁承办、谁答复、
    谁负责); confidential tickets are answered to the citizen by the center. When every live
    assignment has replied, the ticket awaits callback (Art 16)."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "reply", ticket=ticket, assignment=assignment, now=now)
    content = _clean_text(content, "content", required=True, limit=MAX_CONTENT)
    due_at = assignment.due_at
    late = deadlines.overdue(due_at=due_at, now=now)
    _set_assignment_state(assignment, "reply")
    assignment.replied_at = now
    assignment.reply_content = content
    assignment.citizen_contacted = citizen_contacted
    if late and due_at is not None and not assignment.overdue:  # late: it has a deadline
        assignment.overdue = True
        assignment.overdue_at = deadlines.deadline_instant(due_at)
    save_row(
        assignment,
        [
            "status",
            "replied_at",
            "reply_content",
            "citizen_contacted",
            "overdue",
            "overdue_at",
        ],
    )
    _event(
        ticket,
        EventType.REPLIED,
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={
            "content": content,
            "citizen_contacted": citizen_contacted,
            "late": late,
            "reply_via_center": ticket.confidential,
        },
    )
    if assignment.parent_id is None and not _top_level_unreplied(ticket):
        _set_ticket_state(ticket, "all_replied")
        ticket.result_received_at = now
        ticket.callback_due_at = deadlines.callback_due(get_calendar(), received_at=now)
        _event(
            ticket,
            EventType.AWAITING_CALLBACK,
            now=now,
            actor=None,
            data={"callback_due_at": ticket.callback_due_at.isoformat()},
        )
        _save_ticket(ticket, ["status", "result_received_at", "callback_due_at"])
    return ticket
