"""Proposals of Art 30 escalations, made from the facts the lifecycle records."""

from __future__ import annotations

from datetime import datetime

from hotline.core.policy import policy
from hotline.core.timers import register
from hotline.supervision.models import SupervisionCase
from hotline.supervision.services import case_propose
from hotline.tickets.models import Ticket

ESCALATION = SupervisionCase.Instrument.ESCALATION


def _lead_org(ticket: Ticket):
    lead = ticket.assignments.filter(parent__isnull=True, role="lead").order_by("-id").first()
    return lead.org if lead else None


@register("supervision.art30_redo", order=80)
def art30_redo(*, now: datetime) -> int:
    """Art 30(2): a ticket sent back for redo more than 3 times → the supervision office."""
    limit = policy("art30_redo_threshold")
    done = 0
    proposed = SupervisionCase.objects.filter(article="30(2)").values("tickets")
    for ticket in (
        Ticket.objects.filter(redo_total__gt=limit).exclude(pk__in=proposed).order_by()[:500]
    ):
        done += bool(
            case_propose(
                instrument=ESCALATION,
                article="30(2)",
                org=_lead_org(ticket),
                tickets=[ticket],
                reason=f"工单 {ticket.number} 已退回重办 {ticket.redo_total} 次（超过 {limit} 次）",
                dedupe_key=f"art30-2:{ticket.pk}",
                now=now,
            )
        )
    return done


@register("supervision.art30_repeat", order=81)
def art30_repeat(*, now: datetime) -> int:
    """Art 30(1): an appeal repeated more than 3 times (the chain's original counts them)."""
    limit = policy("art30_repeat_threshold")
    done = 0
    proposed = SupervisionCase.objects.filter(article="30(1)").values("tickets")
    # .order_by(): the default newest-first ordering would make the database walk every ticket
    # instead of the small repeat_count index range
    for root in (
        Ticket.objects.filter(repeat_of__isnull=True, repeat_count__gt=limit)
        .exclude(pk__in=proposed)
        .order_by()[:500]
    ):
        chain = [root, *root.repeats.all()]
        done += bool(
            case_propose(
                instrument=ESCALATION,
                article="30(1)",
                org=_lead_org(root),
                tickets=chain,
                reason=f"诉求人就同一事项重复反映 {root.repeat_count} 次（超过 {limit} 次），"
                f"原工单 {root.number}",
                dedupe_key=f"art30-1:{root.pk}",
                now=now,
            )
        )
    return done
