"""Dispatch (Art 14(2)–(3)) and a county body's re-dispatch to its own units (Art 7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput
from hotline.orgs.models import Organisation, User
from hotline.tickets import deadlines, hooks
from hotline.tickets.choices import AssignmentRole, EventType
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.services.archive import (
    _check,
    _event,
    _lock,
    _lock_assignment,
    _save_ticket,
    _set_ticket_state,
    _ticket_write,
    _touch,
)
from hotline.tickets.services.validation import HANDLING_KINDS, MAX_ASSISTS


def _validate_units(lead: Organisation, assists: Sequence[Organisation]) -> None:
    if lead.kind not in HANDLING_KINDS:
        raise InvalidInput(
            _("主办单位 %(code)s 不是承办单位") % {"code": lead.code}, code=Code.UNKNOWN_ORG
        )
    codes = [a.code for a in assists]
    if len(codes) > MAX_ASSISTS:
        raise InvalidInput(_("协办单位最多 %(max)s 个") % {"max": MAX_ASSISTS})
    if len(set(codes)) != len(codes) or lead.code in codes:
        raise InvalidInput(_("主办与协办单位不能重复"), code=Code.DUPLICATE_ORG)
    for org in assists:
        if org.kind not in HANDLING_KINDS:
            raise InvalidInput(
                _("协办单位 %(code)s 不是承办单位") % {"code": org.code}, code=Code.UNKNOWN_ORG
            )


def _new_assignments(
    *,
    ticket: Ticket,
    lead: Organisation,
    assists: Sequence[Organisation],
    parent: Assignment | None,
    actor: User,
    now: datetime,
    lead_role: str = AssignmentRole.LEAD,
) -> list[Assignment]:
    """The lead's and the assisting units' assignments, written with one INSERT."""
    sign_due = deadlines.sign_due(get_calendar(), dispatched_at=now)
    roles = [(lead, lead_role)] + [(org, AssignmentRole.ASSIST) for org in assists]
    created = Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket,
                org=org,
                role=role,
                parent=parent,
                dispatched_at=now,
                dispatched_by=actor,
                sign_due_at=sign_due,
            )
            for org, role in roles
        ]
    )
    locked = getattr(ticket, "_locked_assignments", None)
    for assignment in created:
        assignment.ticket = ticket
        if locked is not None:
            locked.append(assignment)
        _touch(assignment)
    return created


@_ticket_write
def ticket_dispatch(
    *,
    ticket: Ticket,
    lead: Organisation,
    assists: Sequence[Organisation] = (),
    coordinated: bool = False,
    note: str = "",
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 14(2)–(3): one lead and any assisting units, each an assignment with its own clock.
    A dispatch after coordination is marked coordinated and cannot be returned (Art 15(1))."""
    ticket = _lock(ticket)
    _check(actor, "dispatch", ticket=ticket, now=now)
    _validate_units(lead, assists)
    # before the state changes: routing records what it suggests (before this dispatch
    # counts) against the lead chosen, and a coordinated dispatch as a precedent
    hooks.emit(
        "ticket_dispatching",
        ticket=ticket,
        lead=lead,
        assists=assists,
        coordinated=coordinated,
        actor=actor,
        now=now,
    )
    _set_ticket_state(ticket, "dispatch")
    late = ticket.dispatch_due_at is not None and now > ticket.dispatch_due_at
    ticket.dispatched_at = ticket.dispatched_at or now
    ticket.dispatch_overdue = ticket.dispatch_overdue or late
    ticket.coordinated = ticket.coordinated or coordinated
    created = _new_assignments(
        ticket=ticket, lead=lead, assists=assists, parent=None, actor=actor, now=now
    )
    _event(
        ticket,
        EventType.DISPATCHED,
        now=now,
        actor=actor,
        data={
            "lead": lead.code,
            "assists": [a.code for a in assists],
            "coordinated": coordinated,
            "note": note[:2000],
            "late": late,
            "assignments": [a.pk for a in created],
        },
    )
    _save_ticket(ticket, ["status", "dispatched_at", "dispatch_overdue", "coordinated"])
    return ticket


@_ticket_write
def assignment_redispatch(
    *,
    assignment: Assignment,
    lead: Organisation,
    assists: Sequence[Organisation] = (),
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 7, Art 14(2): a county body re-dispatches to its own units. It still answers to
    the city for the whole assignment; a child is never due later than its parent."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "redispatch", ticket=ticket, assignment=assignment, now=now)
    _validate_units(lead, assists)
    for org in (lead, *assists):
        if org.pk == assignment.org_id or not org.path.startswith(assignment.org.path):
            raise InvalidInput(
                _("%(code)s 不是本县区的下属单位") % {"code": org.code}, code=Code.NOT_SUBORDINATE
            )
    children = _new_assignments(
        ticket=ticket, lead=lead, assists=assists, parent=assignment, actor=actor, now=now
    )
    _event(
        ticket,
        EventType.REDISPATCHED,
        now=now,
        actor=actor,
        assignment=assignment,
        data={
            "lead": lead.code,
            "assists": [a.code for a in assists],
            "assignments": [c.pk for c in children],
        },
    )
    return ticket
