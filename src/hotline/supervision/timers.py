"""Proposals of Art 30 escalations, made from the facts the lifecycle records."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.calendar.services import get_calendar
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


def _month_index(moment: datetime) -> int:
    local = get_calendar().local(moment)
    return local.year * 12 + local.month - 1


def _longest_run(months: set[int]) -> int:
    best = 0
    for month in months:
        if month - 1 not in months:
            length = 1
            while month + length in months:
                length += 1
            best = max(best, length)
    return best


@register("supervision.art30_repeat_months", order=82)
def art30_repeat_months(*, now: datetime) -> int:
    """Art 30(1), first limb: the same matter appealed again in consecutive periods (RULES.md's
    choice: an appeal in each of N consecutive calendar months, N a policy value) while it is
    still being appealed → the supervision office. Only chains with an appeal in the last N
    months are looked at, through the received_at index."""
    months = policy("art30_consecutive_months")
    since = now - timedelta(days=31 * months)
    proposed = SupervisionCase.objects.filter(article="30(1)").values("tickets")
    root_ids = (
        Ticket.objects.filter(repeat_of__isnull=False, received_at__gte=since, received_at__lte=now)
        .exclude(repeat_of__in=proposed)
        .values_list("repeat_of", flat=True)
        .distinct()
        .order_by()
    )
    ids = list(root_ids[:2000])
    if not ids:  # the usual sweep: no chain appealed again lately, one query
        return 0
    # the months of every candidate chain from two narrow queries; rows only for a proposal
    roots = list(
        Ticket.objects.filter(pk__in=ids, repeat_count__gte=months - 1)
        .order_by()
        .values_list("pk", "received_at")
    )
    if not roots:
        return 0
    moments = {pk: [received_at] for pk, received_at in roots}
    chains = Ticket.objects.filter(repeat_of__in=list(moments), received_at__lte=now).order_by()
    for root_id, received_at in chains.values_list("repeat_of", "received_at"):
        moments[root_id].append(received_at)
    done = 0
    for root_id, _received_at in roots:
        run = _longest_run({_month_index(moment) for moment in moments[root_id]})
        if run < months:
            continue
        root = Ticket.objects.get(pk=root_id)
        chain = [root, *root.repeats.filter(received_at__lte=now)]
        done += bool(
            case_propose(
                instrument=ESCALATION,
                article="30(1)",
                org=_lead_org(root),
                tickets=chain,
                reason=f"诉求人连续 {run} 个月就同一事项重复反映（原工单 {root.number}，"
                f"共 {len(chain)} 次）",
                dedupe_key=f"art30-1:{root.pk}",
                now=now,
            )
        )
    return done
