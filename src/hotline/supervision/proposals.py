"""The proposal rules of Art 27–30: each finds the facts of one trigger with a SQL aggregate,
compares them with a policy value named after its article, and proposes a case through
``services.case_propose``. One proposal per organisation, article and period (the dedupe
key), so a sweep that runs again proposes nothing new.

Periods: the rules that count events (27(3), 27(4), 29(5)) look at the current calendar month
and fire as soon as the count is reached; the rules on rates (29(3), 29(4)) judge complete
months. Art 29(1) and 29(2) take their facts from the context that has them (telephony's call
records, knowledge's confirmed errors): ``art29_1_propose`` and ``art29_2_propose``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from hotline.calendar.services import get_calendar
from hotline.core.policy import policy
from hotline.evaluation.selectors import satisfaction_by_org
from hotline.orgs.models import Organisation
from hotline.supervision.choices import CaseState, Instrument
from hotline.supervision.models import SupervisionCase
from hotline.supervision.services import case_propose
from hotline.tickets.choices import AssignmentRole, AssignmentStatus, ReviewKind, ReviewState
from hotline.tickets.models import Assignment, Review, Ticket, TicketEvent

TICKETS_PER_CASE = 20
RECENT_DAYS = 90


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    calendar = get_calendar()
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return calendar.start_of_day(date(year, month, 1)), calendar.start_of_day(nxt)


def month_of(now: datetime, back: int = 0) -> tuple[int, int]:
    local = get_calendar().local(now)
    index = local.year * 12 + local.month - 1 - back
    return index // 12, index % 12 + 1


def period_code(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _orgs(ids) -> dict[int, Organisation]:
    return {o.pk: o for o in Organisation.objects.filter(pk__in=list(ids))}


def _tickets_of(assignments, org_id: int) -> list[Ticket]:
    ids = assignments.filter(org_id=org_id).values_list("ticket_id", flat=True)[:TICKETS_PER_CASE]
    return list(Ticket.objects.filter(pk__in=list(ids)))


def _label(org: Organisation) -> str:
    return org.short_name or org.name


def _done(keys: list[str]) -> set[str]:
    return set(
        SupervisionCase.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )


def art27_3_late_signing(*, now: datetime) -> int:
    """Art 27(3): late signing (签收超时) or refusing a ticket without good reason (a return the
    reviewer rejected) — this month's count per unit reaches the policy value → 督办单."""
    year, month = month_of(now)
    start, end = month_bounds(year, month)
    limit = policy("art27_3_late_sign_count")
    late = Assignment.objects.filter(signed_late=True, sign_due_at__gte=start, sign_due_at__lt=end)
    counts: dict[int, int] = dict(late.values_list("org_id").annotate(n=Count("id")).order_by())
    refused = Review.objects.filter(
        kind=ReviewKind.RETURN,
        state=ReviewState.REJECTED,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    refusals = dict(refused.values_list("assignment__org_id").annotate(n=Count("id")).order_by())
    for org_id, n in refusals.items():
        counts[org_id] = counts.get(org_id, 0) + n
    due = {org_id: n for org_id, n in counts.items() if n >= limit}
    period = period_code(year, month)
    keys = {org_id: f"art27-3:{org_id}:{period}" for org_id in due}
    done = _done(list(keys.values()))
    proposed = 0
    for org_id, org in _orgs(k for k, v in keys.items() if v not in done).items():
        proposed += bool(
            case_propose(
                instrument=Instrument.NOTICE,
                article="27(3)",
                org=org,
                tickets=_tickets_of(late, org_id),
                reason=f"{_label(org)} {period} 签收超时 "
                f"{counts[org_id] - refusals.get(org_id, 0)} 件、"
                f"无正当理由退回被驳回 {refusals.get(org_id, 0)} 件，合计 {counts[org_id]} 件"
                f"（达到 {limit} 件）",
                dedupe_key=keys[org_id],
                period=period,
                now=now,
            )
        )
    return proposed


def art27_4_late_handling(*, now: datetime) -> int:
    """Art 27(4): handling late or inadequate — this month's overdue assignments plus tickets
    sent back for redo per unit reach the policy value → 督办单."""
    year, month = month_of(now)
    start, end = month_bounds(year, month)
    limit = policy("art27_4_overdue_count")
    overdue = Assignment.objects.filter(overdue=True, overdue_at__gte=start, overdue_at__lt=end)
    counts = dict(overdue.values_list("org_id").annotate(n=Count("id")).order_by())
    redos = dict(
        TicketEvent.objects.filter(type="redo", at__gte=start, at__lt=end, assignment__isnull=False)
        .values_list("assignment__org_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = {k: counts.get(k, 0) + redos.get(k, 0) for k in set(counts) | set(redos)}
    period = period_code(year, month)
    keys = {k: f"art27-4:{k}:{period}" for k, n in total.items() if n >= limit}
    done = _done(list(keys.values()))
    proposed = 0
    for org_id, org in _orgs(k for k, v in keys.items() if v not in done).items():
        proposed += bool(
            case_propose(
                instrument=Instrument.NOTICE,
                article="27(4)",
                org=org,
                tickets=_tickets_of(overdue, org_id),
                reason=f"{_label(org)} {period} 超期办理 {counts.get(org_id, 0)} 件、"
                f"退回重办 {redos.get(org_id, 0)} 次（合计达到 {limit}）",
                dedupe_key=keys[org_id],
                period=period,
                now=now,
            )
        )
    return proposed


def _approved_returns(now: datetime):
    return Review.objects.filter(
        kind=ReviewKind.RETURN,
        state=ReviewState.APPROVED,
        decided_at__gte=now - timedelta(days=RECENT_DAYS),
        decided_at__lte=now,
    )


def art28_1_returned_twice(*, now: datetime) -> int:
    """Art 28(1): unclear or overlapping responsibility — a ticket returned (approved) the
    policy number of times → 专题协调 with the last unit that returned it."""
    limit = policy("art28_1_return_count")
    rows = (
        _approved_returns(now)
        .values_list("ticket_id")
        .annotate(n=Count("id"))
        .filter(n__gte=limit)
        .order_by()
    )
    counts = dict(rows[:500])
    keys = {t: f"art28-1:{t}" for t in counts}
    done = _done(list(keys.values()))
    todo = [t for t, k in keys.items() if k not in done]
    proposed = 0
    for ticket in Ticket.objects.filter(pk__in=todo).order_by("pk"):
        returns = list(
            Review.objects.filter(ticket=ticket, kind=ReviewKind.RETURN, state=ReviewState.APPROVED)
            .select_related("assignment__org")
            .order_by("decided_at", "id")
        )
        units = "、".join(dict.fromkeys(_label(r.assignment.org) for r in returns))
        proposed += bool(
            case_propose(
                instrument=Instrument.COORDINATION,
                article="28(1)",
                org=returns[-1].assignment.org,
                tickets=[ticket],
                reason=f"工单 {ticket.number} 已被退回 {len(returns)} 次（{units}），"
                f"职责不清或交叉，难以派发",
                dedupe_key=keys[ticket.pk],
                now=now,
            )
        )
    return proposed


def art28_2_no_lead(*, now: datetime) -> int:
    """Art 28(2): several units, no lead agreed — the lead of a multi-unit ticket had its
    return approved → 专题协调 to settle the lead unit."""
    assists = Assignment.objects.filter(ticket=OuterRef("ticket"), role=AssignmentRole.ASSIST)
    rows = (
        _approved_returns(now)
        .filter(assignment__role=AssignmentRole.LEAD)
        .filter(Exists(assists))
        .select_related("ticket", "assignment__org")
        .order_by("ticket_id", "-decided_at")
    )
    latest: dict[int, Review] = {}
    for review in rows[:500]:
        latest.setdefault(review.ticket_id, review)
    keys = {t: f"art28-2:{t}" for t in latest}
    done = _done([*keys.values(), *(f"art28-1:{t}" for t in latest)])
    proposed = 0
    for ticket_id, review in latest.items():
        if keys[ticket_id] in done or f"art28-1:{ticket_id}" in done:
            continue
        proposed += bool(
            case_propose(
                instrument=Instrument.COORDINATION,
                article="28(2)",
                org=review.assignment.org,
                tickets=[review.ticket],
                reason=f"工单 {review.ticket.number} 需多部门办理，主办单位"
                f"{_label(review.assignment.org)}申请退回并获通过，难以确定主办单位",
                dedupe_key=keys[ticket_id],
                now=now,
            )
        )
    return proposed


def art29_1_propose(*, period: str, rates: Mapping[str, tuple[int, int]], now: datetime) -> int:
    """Art 29(1): a hotline (the center or a sub-center, by organisation code) whose connection
    rate (answered ÷ offered calls) in ``period`` is under the policy value → 通报. Telephony
    computes ``rates`` from its call records and calls this; a month with fewer calls than
    ``art29_connection_min_calls`` is not judged."""
    minimum = policy("art29_connection_rate_min")
    min_calls = policy("art29_connection_min_calls")
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=list(rates))}
    proposed = 0
    for code, (offered, answered) in sorted(rates.items()):
        if code not in orgs or offered < min_calls or answered / offered >= minimum:
            continue
        proposed += bool(
            case_propose(
                instrument=Instrument.CIRCULAR,
                article="29(1)",
                org=orgs[code],
                tickets=[],
                reason=f"{_label(orgs[code])} {period} 接通率 {answered / offered:.1%}"
                f"（呼入 {offered}、接通 {answered}），低于 {minimum:.0%}",
                dedupe_key=f"art29-1:{orgs[code].pk}:{period}",
                period=period,
                now=now,
            )
        )
    return proposed


def art29_2_propose(
    *, org: Organisation, period: str, errors: Sequence[str], now: datetime
) -> SupervisionCase | None:
    """Art 29(2): knowledge that was wrong and caused harm (confirmed errors, described in
    ``errors``) reaching the policy count in ``period`` → 通报 to the owning unit."""
    if len(errors) < policy("art29_2_error_count"):
        return None
    return case_propose(
        instrument=Instrument.CIRCULAR,
        article="29(2)",
        org=org,
        tickets=[],
        reason=f"{_label(org)} {period} 知识库内容不准确造成不良影响 {len(errors)} 项："
        + "；".join(errors),
        dedupe_key=f"art29-2:{org.pk}:{period}",
        period=period,
        now=now,
    )


def art29_3_serious_overdue(*, now: datetime) -> int:
    """Art 29(3): serious overdue handling — in the last complete month, the share of a unit's
    assignments due that month that went overdue is over the policy rate → 通报."""
    year, month = month_of(now, back=1)
    start, end = month_bounds(year, month)
    rate = policy("art29_3_overdue_rate")
    minimum = policy("art29_3_min_assignments")
    due = Assignment.objects.filter(due_at__gte=start, due_at__lt=end).exclude(
        status=AssignmentStatus.RETURNED
    )
    rows = (
        due.values_list("org_id")
        .annotate(n=Count("id"), late=Count("id", filter=Q(overdue=True)))
        .order_by()
    )
    period = period_code(year, month)
    hits = {o: (n, late) for o, n, late in rows if n >= minimum and late / n > rate}
    keys = {o: f"art29-3:{o}:{period}" for o in hits}
    done = _done(list(keys.values()))
    proposed = 0
    for org_id, org in _orgs(k for k, v in keys.items() if v not in done).items():
        n, late = hits[org_id]
        proposed += bool(
            case_propose(
                instrument=Instrument.CIRCULAR,
                article="29(3)",
                org=org,
                tickets=_tickets_of(due.filter(overdue=True), org_id),
                reason=f"{_label(org)} {period} 应办结 {n} 件，超期 {late} 件，"
                f"超期率 {late / n:.1%}（超过 {rate:.0%}）",
                dedupe_key=keys[org_id],
                period=period,
                now=now,
            )
        )
    return proposed


def art29_4_low_satisfaction(*, now: datetime) -> int:
    """Art 29(4): satisfaction persistently low — a unit's screened satisfaction rate (Art
    16(2) disputes upheld left out, mediation and law-enforcement categories not judged) under
    the policy value in each of the last N complete months → 通报."""
    months = policy("art29_4_months")
    floor = policy("art29_4_satisfaction_min")
    minimum = policy("art29_4_min_evaluations")
    low: set[int] | None = None
    texts: dict[int, list[str]] = {}
    for back in range(months, 0, -1):
        year, month = month_of(now, back=back)
        start, end = month_bounds(year, month)
        rates = satisfaction_by_org(start=start, end=end)
        this = set()
        for org_id, (satisfied, total) in rates.items():
            if total >= minimum and satisfied / total < floor:
                this.add(org_id)
                texts.setdefault(org_id, []).append(
                    f"{period_code(year, month)} {satisfied / total:.1%}（{satisfied}/{total}）"
                )
        low = this if low is None else low & this
    if not low:
        return 0
    period = period_code(*month_of(now, back=1))
    keys = {o: f"art29-4:{o}:{period}" for o in low}
    done = _done(list(keys.values()))
    proposed = 0
    for org_id, org in _orgs(k for k, v in keys.items() if v not in done).items():
        proposed += bool(
            case_propose(
                instrument=Instrument.CIRCULAR,
                article="29(4)",
                org=org,
                tickets=[],
                reason=f"{_label(org)} 连续 {months} 个月满意率低于 {floor:.0%}："
                + "；".join(texts[org_id]),
                dedupe_key=keys[org_id],
                period=period,
                now=now,
            )
        )
    return proposed


def art29_5_repeats(*, now: datetime) -> int:
    """Art 29(5): repeat appeals caused by poor handling — this month's repeats of tickets a
    unit led (and did not return) reach the policy count → 通报."""
    year, month = month_of(now)
    start, end = month_bounds(year, month)
    limit = policy("art29_5_repeat_count")
    leads = Assignment.objects.filter(
        role=AssignmentRole.LEAD,
        parent__isnull=True,
        ticket__repeats__received_at__gte=start,
        ticket__repeats__received_at__lt=end,
    ).exclude(status=AssignmentStatus.RETURNED)
    rows = (
        leads.values_list("org_id")
        .annotate(n=Count("ticket__repeats", distinct=True))
        .filter(n__gte=limit)
        .order_by()
    )
    counts = dict(rows)
    period = period_code(year, month)
    keys = {o: f"art29-5:{o}:{period}" for o in counts}
    done = _done(list(keys.values()))
    proposed = 0
    for org_id, org in _orgs(k for k, v in keys.items() if v not in done).items():
        repeat_ids = Ticket.objects.filter(
            repeat_of__assignments__in=leads.filter(org_id=org_id),
            received_at__gte=start,
            received_at__lt=end,
        ).values_list("pk", flat=True)[:TICKETS_PER_CASE]
        proposed += bool(
            case_propose(
                instrument=Instrument.CIRCULAR,
                article="29(5)",
                org=org,
                tickets=list(Ticket.objects.filter(pk__in=list(repeat_ids))),
                reason=f"{_label(org)} {period} 因办理不力引发群众重复求助 {counts[org_id]} 件"
                f"（达到 {limit} 件）",
                dedupe_key=keys[org_id],
                period=period,
                now=now,
            )
        )
    return proposed


def art30_3_no_effect(*, now: datetime) -> int:
    """Art 30(3): still no effect after the center's supervision — a case assessed not
    effective the policy number of times is proposed for hand-over to the supervision office,
    with ``parent`` set to it."""
    limit = policy("art30_3_ineffective_count")
    cases = (
        SupervisionCase.objects.exclude(instrument=Instrument.ESCALATION)
        .exclude(state__in=[CaseState.CLOSED, CaseState.DISMISSED])
        .annotate(n=Count("assessments", filter=Q(assessments__effective=False)))
        .filter(n__gte=limit)
        .exclude(Exists(SupervisionCase.objects.filter(parent=OuterRef("pk"), article="30(3)")))
        .select_related("org")
        .order_by("pk")
    )
    proposed = 0
    for case in cases[:200]:
        proposed += bool(
            case_propose(
                instrument=Instrument.ESCALATION,
                article="30(3)",
                org=case.org,
                tickets=list(case.tickets.all()),
                reason=f"督办事项 #{case.pk}（{case.get_instrument_display()}，第{case.article}项）"
                f"经督促 {case.n} 次评估仍未见实效：{case.reason}",
                dedupe_key=f"art30-3:{case.pk}",
                parent=case,
                now=now,
            )
        )
    return proposed


RULES = {
    "27(3)": art27_3_late_signing,
    "27(4)": art27_4_late_handling,
    "28(1)": art28_1_returned_twice,
    "28(2)": art28_2_no_lead,
    "29(3)": art29_3_serious_overdue,
    "29(4)": art29_4_low_satisfaction,
    "29(5)": art29_5_repeats,
    "30(3)": art30_3_no_effect,
}
