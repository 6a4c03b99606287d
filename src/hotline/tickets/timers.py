"""Time-driven actions of the lifecycle, registered with the platform's timer registry.

Each timer finds due work through an indexed ``*_due_at`` column and acts through a service
that re-checks the condition under a row lock, so a sweep is idempotent and two sweeps at
once (a web process and a worker, or a restarted worker) never act twice.
"""

from __future__ import annotations

from datetime import datetime

from hotline.core.timers import register
from hotline.tickets import services
from hotline.tickets.choices import AssignmentStatus, TicketStatus
from hotline.tickets.deadlines import ONE_SECOND
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.rules import OPEN_ASSIGNMENT_STATES

BATCH = 2000


def _due(qs, *related: str) -> list:
    """Up to BATCH due rows (each is re-checked under its lock). The ids come first: a sweep
    usually finds nothing, and that narrow query is the cheap one to build."""
    ids = list(qs.values_list("pk", flat=True)[:BATCH])
    if not ids:
        return []
    return list(
        qs.model.objects.filter(pk__in=ids).order_by(*qs.query.order_by).select_related(*related)
    )


@register("tickets.auto_sign", order=10)
def auto_sign(*, now: datetime) -> int:
    """Art 15(1): sign what was not signed within 2 working-day hours."""
    due = _due(
        Assignment.objects.filter(
            status=AssignmentStatus.AWAITING_SIGN, sign_due_at__lte=now
        ).order_by("sign_due_at", "pk"),
        "ticket",
        "org",
    )
    return sum(services.assignment_auto_sign(assignment=a, now=now) for a in due)


@register("tickets.dispatch_overdue", order=20)
def dispatch_overdue(*, now: datetime) -> int:
    """Art 14(2), Art 18: tickets not dispatched within 12 h (2 h for a major incident)."""
    due = _due(
        Ticket.objects.filter(
            status=TicketStatus.NEW, dispatch_due_at__lt=now, dispatch_overdue=False
        ).order_by("dispatch_due_at", "pk")
    )
    return sum(services.ticket_mark_dispatch_overdue(ticket=t, now=now) for t in due)


@register("tickets.handling_overdue", order=30)
def handling_overdue(*, now: datetime) -> int:
    """Art 15: assignments past their deadline are flagged overdue (never cleared)."""
    # due_at is the last second of the day; overdue from the next instant on
    due = _due(
        Assignment.objects.filter(
            overdue=False, status__in=OPEN_ASSIGNMENT_STATES, due_at__lte=now - ONE_SECOND
        ).order_by("due_at", "pk"),
        "ticket",
        "org",
    )
    return sum(services.assignment_mark_overdue(assignment=a, now=now) for a in due)


@register("tickets.incident_progress", order=40)
def incident_progress(*, now: datetime) -> int:
    """Art 18: first response 1 h after signing, then a progress update every day."""
    due = _due(
        Assignment.objects.filter(
            status=AssignmentStatus.IN_PROGRESS, progress_due_at__lt=now
        ).order_by("progress_due_at", "pk"),
        "ticket",
        "org",
    )
    return sum(services.assignment_progress_missed(assignment=a, now=now) for a in due)


@register("tickets.callback_expiry", order=50)
def callback_expiry(*, now: datetime) -> int:
    """Art 16(1): no evaluation by the callback deadline → closed as basically satisfied."""
    due = _due(
        Ticket.objects.filter(
            status=TicketStatus.AWAITING_CALLBACK, callback_due_at__lte=now - ONE_SECOND
        ).order_by("callback_due_at", "pk")
    )
    return sum(services.ticket_close_no_response(ticket=t, now=now) for t in due)
