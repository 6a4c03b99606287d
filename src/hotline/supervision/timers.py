"""The supervision timers: Art 30 escalations from the facts the lifecycle records, and the
proposal rules of Art 27–30 (``proposals``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache

from hotline.calendar.services import get_calendar
from hotline.core.policy import policy
from hotline.core.timers import register
from hotline.orgs.models import Organisation
from hotline.supervision import proposals
from hotline.supervision.choices import Instrument
from hotline.supervision.models import SupervisionCase
from hotline.supervision.services import case_propose
from hotline.tickets.choices import AssignmentRole
from hotline.tickets.models import Assignment, Ticket

ESCALATION = Instrument.ESCALATION


def _lead_orgs(tickets: list[Ticket]) -> dict[int, Organisation]:
    """ticket pk → the organisation of its latest top-level lead assignment, for every ticket
    of a sweep in one query (not one per ticket)."""
    leads = (
        Assignment.objects.filter(
            ticket__in=[t.pk for t in tickets], parent__isnull=True, role=AssignmentRole.LEAD
        )
        .select_related("org")
        .order_by("ticket_id", "-id")
    )
    orgs: dict[int, Organisation] = {}
    for lead in leads:
        orgs.setdefault(lead.ticket_id, lead.org)
    return orgs


@register("supervision.art30_redo", order=80)
def art30_redo(*, now: datetime) -> int:
    """Art 30(2): a ticket sent back for redo more than 3 times → the supervision office."""
    limit = policy("art30_redo_threshold")
    done = 0
    proposed = SupervisionCase.objects.filter(article="30(2)").values("tickets")
    tickets = list(
        Ticket.objects.filter(redo_total__gt=limit).exclude(pk__in=proposed).order_by()[:500]
    )
    lead_orgs = _lead_orgs(tickets)
    for ticket in tickets:
        done += bool(
            case_propose(
                instrument=ESCALATION,
                article="30(2)",
                org=lead_orgs.get(ticket.pk),
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
    roots = list(
        Ticket.objects.filter(repeat_of__isnull=True, repeat_count__gt=limit)
        .exclude(pk__in=proposed)
        .order_by()[:500]
    )
    lead_orgs = _lead_orgs(roots)
    for root in roots:
        chain = [root, *root.repeats.all()]
        done += bool(
            case_propose(
                instrument=ESCALATION,
                article="30(1)",
                org=lead_orgs.get(root.pk),
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
    runs = {
        root_id: run
        for root_id, _received_at in roots
        if (run := _longest_run({_month_index(moment) for moment in moments[root_id]})) >= months
    }
    if not runs:
        return 0
    due = list(Ticket.objects.filter(pk__in=list(runs)).order_by("pk"))
    lead_orgs = _lead_orgs(due)
    done = 0
    for root in due:
        run = runs[root.pk]
        chain = [root, *root.repeats.filter(received_at__lte=now)]
        done += bool(
            case_propose(
                instrument=ESCALATION,
                article="30(1)",
                org=lead_orgs.get(root.pk),
                tickets=chain,
                reason=f"诉求人连续 {run} 个月就同一事项重复反映（原工单 {root.number}，"
                f"共 {len(chain)} 次）",
                dedupe_key=f"art30-1:{root.pk}",
                now=now,
            )
        )
    return done


# -- the proposal rules of Art 27–30 (hotline.supervision.proposals) ---------------------------

# The rules that aggregate a month of assignments run at most once per business day: their
# facts change slowly (a month's count, a closed month's rate), and a sweep with nothing due
# must stay well under a second.
DAILY = ("27(3)", "27(4)", "28(1)", "28(2)", "29(3)", "29(4)", "29(5)")


def _day_key(article: str, now: datetime) -> str:
    local = get_calendar().local(now)
    return f"supervision:rule:{article}:{local:%Y%m%d}"


@register("supervision.proposal_rules", order=83)
def proposal_rules(*, now: datetime) -> int:
    """Art 27(3), 27(4), 28(1)(2), 29(3)–(5): each rule once per business day."""
    done = 0
    for article in DAILY:
        key = _day_key(article, now)
        if cache.add(key, 1, timeout=86400):
            done += proposals.RULES[article](now=now)
    return done


@register("supervision.art30_no_effect", order=84)
def art30_no_effect(*, now: datetime) -> int:
    """Art 30(3): a case assessed not effective → proposed hand-over to the supervision office."""
    return proposals.art30_3_no_effect(now=now)
