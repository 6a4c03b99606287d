"""The SQL measures behind the indicators (Art 31): each is one GROUP BY per organisation
over the period's rows, answering ``{org_id: (numerator, denominator)}``, and the same
filter lists the tickets behind a figure (drill-down).

Choices (docs/evaluation.md):
* assignments count in the period in which they were dispatched;
* satisfaction counts 满意, 基本满意 and 未评价 (Art 16(1): no response is taken as basically
  satisfied) over every callback of the period on tickets the unit led; a callback whose
  dispute was upheld for the unit (Art 16(2) screening, ``Evaluation.excluded_org``) is left
  out, and so are the mediation and law-enforcement categories (行政调解类、执法办案类: "不片面
  追求满意率") — those tickets still count in every other indicator;
* the counts of supervision cases come from the supervision context's selector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from hotline.evaluation.choices import Measure
from hotline.supervision.selectors import cases_by_org
from hotline.telephony.selectors import rate_by_org
from hotline.tickets.choices import (
    AssignmentRole,
    AssignmentStatus,
    CallbackOutcome,
    CloseReason,
    TicketStatus,
)
from hotline.tickets.models import Assignment, Evaluation, Ticket

Counts = dict[int, tuple[int, int]]
SATISFIED = [
    CallbackOutcome.SATISFIED,
    CallbackOutcome.BASICALLY_SATISFIED,
    CallbackOutcome.NO_RESPONSE,
]
LIVE = [s for s in AssignmentStatus.values if s != AssignmentStatus.RETURNED]
JUDGED_ON_SATISFACTION = Q(ticket__category__isnull=True) | Q(
    ticket__category__mediation=False, ticket__category__law_enforcement=False
)


@dataclass(frozen=True)
class AssignmentMeasure:
    """A rate over the period's assignments of each organisation."""

    den: Q
    num: Q

    def base(self, start: datetime, end: datetime) -> QuerySet[Assignment]:
        return Assignment.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)

    def den_q(self, end: datetime) -> Q:
        return self.den

    def counts(self, org_ids: list[int], start: datetime, end: datetime) -> Counts:
        rows = (
            self.base(start, end)
            .filter(org_id__in=org_ids)
            .filter(self.den_q(end))
            .values_list("org_id")
            .annotate(d=Count("id"), n=Count("id", filter=self.num))
            .order_by()
        )
        return {org: (n, d) for org, d, n in rows}

    def drill(self, org_id: int, start: datetime, end: datetime) -> list[tuple[str, bool]]:
        qs = self.base(start, end).filter(org_id=org_id).filter(self.den_q(end))
        num_ids = set(qs.filter(self.num).values_list("pk", flat=True))
        return [
            (number, pk in num_ids)
            for pk, number in qs.order_by("dispatched_at").values_list("pk", "ticket__number")
        ]


class CompletedOnTime(AssignmentMeasure):
    def den_q(self, end: datetime) -> Q:
        return Q(status__in=LIVE) & (Q(replied_at__isnull=False) | Q(due_at__lt=end))


def _satisfaction_rows(start, end, org_ids, *, screened_only: bool):
    """Per organisation, (satisfied, total) callbacks on tickets it led; ``screened_only``: only
    the callbacks screened out for that same organisation (Art 16(2))."""
    if screened_only:
        qs = Evaluation.excluded_org.through.objects.filter(
            Q(evaluation__ticket__category__isnull=True)
            | Q(
                evaluation__ticket__category__mediation=False,
                evaluation__ticket__category__law_enforcement=False,
            ),
            evaluation__at__gte=start,
            evaluation__at__lt=end,
            evaluation__ticket__assignments__org=F("organisation"),
            evaluation__ticket__assignments__role=AssignmentRole.LEAD,
            evaluation__ticket__assignments__status__in=LIVE,
            organisation_id__in=org_ids,
        )
        rows = (
            qs.values_list("organisation_id")
            .annotate(
                t=Count("evaluation", distinct=True),
                s=Count("evaluation", distinct=True, filter=Q(evaluation__outcome__in=SATISFIED)),
            )
            .order_by()
        )
        return {org: (s, t) for org, t, s in rows}
    qs = Evaluation.objects.filter(
        JUDGED_ON_SATISFACTION,
        at__gte=start,
        at__lt=end,
        ticket__assignments__role=AssignmentRole.LEAD,
        ticket__assignments__status__in=LIVE,
        ticket__assignments__org_id__in=org_ids,
    )
    rows = (
        qs.values_list("ticket__assignments__org_id")
        .annotate(
            t=Count("id", distinct=True),
            s=Count("id", distinct=True, filter=Q(outcome__in=SATISFIED)),
        )
        .order_by()
    )
    return {org: (s, t) for org, t, s in rows}


def satisfaction_counts(org_ids: list[int], start: datetime, end: datetime) -> Counts:
    """Screened satisfaction (Art 16(2)): all callbacks minus those screened out per unit."""
    all_rows = _satisfaction_rows(start, end, org_ids, screened_only=False)
    out = _satisfaction_rows(start, end, org_ids, screened_only=True)
    counts = {}
    for org, (s, t) in all_rows.items():
        xs, xt = out.get(org, (0, 0))
        if t - xt > 0:
            counts[org] = (s - xs, t - xt)
    return counts


def satisfaction_drill(org_id: int, start: datetime, end: datetime) -> list[tuple[str, bool]]:
    qs = (
        Evaluation.objects.filter(
            JUDGED_ON_SATISFACTION,
            at__gte=start,
            at__lt=end,
            ticket__assignments__role=AssignmentRole.LEAD,
            ticket__assignments__status__in=LIVE,
            ticket__assignments__org_id=org_id,
        )
        .exclude(excluded_org=org_id)
        .distinct()
        .order_by("at")
    )
    return [
        (number, outcome in SATISFIED)
        for number, outcome in qs.values_list("ticket__number", "outcome")
    ]


def resolution_counts(org_ids: list[int], start: datetime, end: datetime) -> Counts:
    rows = (
        Evaluation.objects.filter(
            at__gte=start,
            at__lt=end,
            resolved__isnull=False,
            ticket__assignments__role=AssignmentRole.LEAD,
            ticket__assignments__status__in=LIVE,
            ticket__assignments__org_id__in=org_ids,
        )
        .values_list("ticket__assignments__org_id")
        .annotate(
            t=Count("id", distinct=True), s=Count("id", distinct=True, filter=Q(resolved=True))
        )
        .order_by()
    )
    return {org: (s, t) for org, t, s in rows}


def resolution_drill(org_id: int, start: datetime, end: datetime) -> list[tuple[str, bool]]:
    qs = Evaluation.objects.filter(
        at__gte=start,
        at__lt=end,
        resolved__isnull=False,
        ticket__assignments__role=AssignmentRole.LEAD,
        ticket__assignments__status__in=LIVE,
        ticket__assignments__org_id=org_id,
    ).distinct()
    return [(n, bool(r)) for n, r in qs.order_by("at").values_list("ticket__number", "resolved")]


def _case_counts(articles=None, exclude=None):
    def counts(org_ids: list[int], start: datetime, end: datetime) -> Counts:
        found = cases_by_org(start=start, end=end, articles=articles, exclude=exclude)
        # a count, not a rate: every organisation in the run has a value (0 when none)
        return {org: (found.get(org, 0), 1) for org in org_ids}

    return counts


def _ticket_counts(base: Callable[[datetime, datetime], QuerySet[Ticket]], num: Q):
    """A rate over the period's tickets, credited to the center (or the county) evaluated."""

    def counts(org_ids: list[int], start: datetime, end: datetime) -> Counts:
        agg = base(start, end).aggregate(d=Count("id"), n=Count("id", filter=num))
        return dict.fromkeys(org_ids, (agg["n"], agg["d"])) if agg["d"] else {}

    def drill(org_id: int, start: datetime, end: datetime) -> list[tuple[str, bool]]:
        qs = base(start, end)
        hits = set(qs.filter(num).values_list("pk", flat=True)[:5000])
        return [
            (n, pk in hits)
            for pk, n in qs.order_by("received_at").values_list("pk", "number")[:5000]
        ]

    return counts, drill


def _received(start, end):
    return Ticket.objects.filter(received_at__gte=start, received_at__lt=end).exclude(
        status=TicketStatus.NOT_ACCEPTED
    )


def _dispatched(start, end):
    return Ticket.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)


def connection_counts(org_ids: list[int], start: datetime, end: datetime) -> Counts:
    """Art 29(1), 31 "话务接通": answered ÷ offered calls, from telephony's records."""
    from hotline.orgs.models import Organisation

    codes = dict(Organisation.objects.filter(pk__in=org_ids).values_list("code", "pk"))
    return {
        codes[r["org"]]: (r["answered"], r["offered"])
        for r in rate_by_org(start=start, end=end)
        if r["org"] in codes and r["offered"]
    }


ASSIGNMENT_MEASURES: dict[str, AssignmentMeasure] = {
    Measure.SIGN_ON_TIME: AssignmentMeasure(
        den=Q(signed_at__isnull=False), num=Q(signed_late=False)
    ),
    Measure.COMPLETED_ON_TIME: CompletedOnTime(
        den=Q(), num=Q(replied_at__isnull=False, overdue=False)
    ),
    Measure.REDO_RATE: AssignmentMeasure(den=Q(status__in=LIVE), num=Q(redo_count__gt=0)),
    Measure.RETURN_RATE: AssignmentMeasure(den=Q(), num=Q(status=AssignmentStatus.RETURNED)),
    Measure.REPEAT_RATE: AssignmentMeasure(
        den=Q(status__in=LIVE, role=AssignmentRole.LEAD),
        num=Q(ticket__repeat_count__gt=0, ticket__repeat_of__isnull=True),
    ),
}
_dispatch = _ticket_counts(_dispatched, Q(dispatch_overdue=False))
_intake = _ticket_counts(_received, Q(close_reason=CloseReason.ANSWERED_AT_INTAKE))

COUNTS: dict[str, Callable[[list[int], datetime, datetime], Counts]] = {
    **{code: m.counts for code, m in ASSIGNMENT_MEASURES.items()},
    Measure.SATISFACTION: satisfaction_counts,
    Measure.RESOLUTION: resolution_counts,
    Measure.KNOWLEDGE_UPKEEP: _case_counts(articles=["27(1)"]),
    Measure.SUPERVISION: _case_counts(exclude=["27(1)"]),
    Measure.DISPATCH_ON_TIME: _dispatch[0],
    Measure.ANSWERED_AT_INTAKE: _intake[0],
    Measure.CONNECTION_RATE: connection_counts,
}
DRILLS: dict[str, Callable[[int, datetime, datetime], list[tuple[str, bool]]]] = {
    **{code: m.drill for code, m in ASSIGNMENT_MEASURES.items()},
    Measure.SATISFACTION: satisfaction_drill,
    Measure.RESOLUTION: resolution_drill,
    Measure.DISPATCH_ON_TIME: _dispatch[1],
    Measure.ANSWERED_AT_INTAKE: _intake[1],
}
# measures that are counts (a value per organisation), not rates
COUNT_MEASURES = frozenset({Measure.KNOWLEDGE_UPKEEP, Measure.SUPERVISION})
