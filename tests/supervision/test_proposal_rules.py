"""Every proposal rule of Art 27–30, named after its article: the threshold crossed (a proposal
to the right organisation), not crossed (none), and a second sweep (no duplicate)."""

from __future__ import annotations

from datetime import timedelta

from hotline.core.policy import policy_set
from hotline.supervision import proposals, timers
from hotline.supervision.models import SupervisionCase
from hotline.tickets.models import Assignment, Evaluation, Review, Ticket
from tests.tickets.conftest import at
from tests.tickets.flow import dispatched


def _tickets(api, intake, sim, n, lead="411702", **kw) -> list[Ticket]:
    numbers = [dispatched(api, intake, sim, lead=lead, **kw)["number"] for _ in range(n)]
    return list(Ticket.objects.filter(number__in=numbers))


def _leads(tickets, org="411702"):
    return Assignment.objects.filter(ticket__in=tickets, org__code=org)


def _cases(article):
    return list(SupervisionCase.objects.filter(article=article))


def test_art27_3_late_signing(api, intake, sim):
    tickets = _tickets(api, intake, sim, 3)
    now = at("2026-10-20 09:00")
    _leads(tickets[:2]).update(signed_late=True, sign_due_at=at("2026-10-09 11:00"))
    assert proposals.art27_3_late_signing(now=now) == 0  # 2 < 3
    _leads(tickets).update(signed_late=True, sign_due_at=at("2026-10-09 11:00"))
    assert proposals.art27_3_late_signing(now=now) == 1
    assert proposals.art27_3_late_signing(now=now) == 0
    [case] = _cases("27(3)")
    assert (case.org.code, case.instrument, case.state, case.period) == (
        "411702",
        "notice",
        "proposed",
        "2026-10",
    )
    assert case.tickets.count() == 3
    # the next month is another period
    assert proposals.art27_3_late_signing(now=at("2026-11-02 09:00")) == 0


def test_art27_4_late_handling(api, intake, sim):
    tickets = _tickets(api, intake, sim, 3)
    now = at("2026-10-20 09:00")
    _leads(tickets[:2]).update(overdue=True, overdue_at=at("2026-10-15 00:00"))
    assert proposals.art27_4_late_handling(now=now) == 0
    policy_set(key="art27_4_overdue_count", value=2)
    assert proposals.art27_4_late_handling(now=now) == 1
    assert proposals.art27_4_late_handling(now=now) == 0
    assert _cases("27(4)")[0].org.code == "411702"


def _approve_return(ticket, org="411702", when="2026-10-05 10:00"):
    assignment = Assignment.objects.filter(ticket=ticket, org__code=org).first()
    Review.objects.create(
        kind="return",
        state="approved",
        ticket=ticket,
        assignment=assignment,
        reviewer_org=assignment.org,
        created_at=at(when),
        decided_at=at(when),
    )


def test_art28_1_returned_twice(api, intake, sim):
    [ticket] = _tickets(api, intake, sim, 1)
    now = at("2026-10-20 09:00")
    _approve_return(ticket)
    assert proposals.art28_1_returned_twice(now=now) == 0
    _approve_return(ticket, when="2026-10-06 10:00")
    assert proposals.art28_1_returned_twice(now=now) == 1
    assert proposals.art28_1_returned_twice(now=now) == 0
    [case] = _cases("28(1)")
    assert case.instrument == "coordination" and list(case.tickets.all()) == [ticket]


def test_art28_2_no_lead_agreed(api, intake, sim):
    [single] = _tickets(api, intake, sim, 1)
    [multi] = _tickets(api, intake, sim, 1, assists=["411721"])
    now = at("2026-10-20 09:00")
    _approve_return(single)
    assert proposals.art28_2_no_lead(now=now) == 0  # one unit only: not 28(2)
    _approve_return(multi)
    assert proposals.art28_2_no_lead(now=now) == 1
    assert proposals.art28_2_no_lead(now=now) == 0
    assert list(_cases("28(2)")[0].tickets.all()) == [multi]


def test_art29_1_connection_rate_from_call_data(demo_orgs):
    now = at("2026-11-02 09:00")
    # call data as telephony loads it: (offered, answered) per hotline
    rates = {"city": (1000, 950), "sub-12345x": (500, 100), "sub-12315": (50, 20)}
    assert proposals.art29_1_propose(period="2026-10", rates=rates, now=now) == 0
    rates["city"] = (1000, 880)
    assert proposals.art29_1_propose(period="2026-10", rates=rates, now=now) == 1
    assert proposals.art29_1_propose(period="2026-10", rates=rates, now=now) == 0
    [case] = _cases("29(1)")
    assert case.org.code == "city" and "88.0%" in case.reason


def test_art29_2_harmful_knowledge_errors(demo_orgs):
    now = at("2026-11-02 09:00")
    org = demo_orgs["medins"]
    assert proposals.art29_2_propose(org=org, period="2026-10", errors=[], now=now) is None
    case = proposals.art29_2_propose(
        org=org, period="2026-10", errors=["医保报销比例错误致群众误解"], now=now
    )
    assert case.instrument == "circular" and case.org == org
    assert proposals.art29_2_propose(org=org, period="2026-10", errors=["x"], now=now) is None


def test_art29_3_serious_overdue(api, intake, sim):
    policy_set(key="art29_3_min_assignments", value=4)
    tickets = _tickets(api, intake, sim, 4)
    _leads(tickets).update(due_at=at("2026-10-15 23:59"))
    _leads(tickets[:1]).update(overdue=True)
    now = at("2026-11-03 09:00")
    assert proposals.art29_3_serious_overdue(now=now) == 1  # 25% > 10%
    assert proposals.art29_3_serious_overdue(now=now) == 0
    assert _cases("29(3)")[0].period == "2026-10"
    SupervisionCase.objects.all().delete()
    _leads(tickets).update(overdue=False)
    assert proposals.art29_3_serious_overdue(now=now) == 0


def _evaluate(tickets, outcome, when):
    for t in tickets:
        Evaluation.objects.create(ticket=t, outcome=outcome, at=at(when))


def test_art29_4_low_satisfaction_two_months_running(api, intake, sim):
    policy_set(key="art29_4_min_evaluations", value=2)
    tickets = _tickets(api, intake, sim, 2)
    _evaluate(tickets, "unsatisfied", "2026-09-20 10:00")
    now = at("2026-11-03 09:00")
    assert proposals.art29_4_low_satisfaction(now=now) == 0  # only September: not two running
    _evaluate(tickets, "unsatisfied", "2026-10-20 10:00")
    assert proposals.art29_4_low_satisfaction(now=now) == 1
    assert proposals.art29_4_low_satisfaction(now=now) == 0
    assert _cases("29(4)")[0].org.code == "411702"


def test_art29_4_screened_disputes_are_left_out(api, intake, sim, demo_orgs):
    policy_set(key="art29_4_min_evaluations", value=2)
    tickets = _tickets(api, intake, sim, 2)
    _evaluate(tickets, "unsatisfied", "2026-09-20 10:00")
    _evaluate(tickets, "unsatisfied", "2026-10-20 10:00")
    for evaluation in Evaluation.objects.filter(at__gte=at("2026-10-01 00:00")):
        evaluation.excluded_org.add(demo_orgs["411702"])  # Art 16(2): upheld
    assert proposals.art29_4_low_satisfaction(now=at("2026-11-03 09:00")) == 0


def test_art29_5_repeats_caused_by_handling(api, intake, sim):
    [root] = _tickets(api, intake, sim, 1)
    repeats = _tickets(api, intake, sim, 3, lead="411721")
    now = at("2026-10-20 09:00")
    Ticket.objects.filter(pk__in=[t.pk for t in repeats[:2]]).update(
        repeat_of=root, received_at=at("2026-10-10 09:00")
    )
    assert proposals.art29_5_repeats(now=now) == 0
    Ticket.objects.filter(pk=repeats[2].pk).update(
        repeat_of=root, received_at=at("2026-10-11 09:00")
    )
    assert proposals.art29_5_repeats(now=now) == 1
    assert proposals.art29_5_repeats(now=now) == 0
    assert _cases("29(5)")[0].org.code == "411702"


def test_the_proposal_timer_runs_each_rule_once_a_day(api, intake, sim):
    tickets = _tickets(api, intake, sim, 3)
    _leads(tickets).update(signed_late=True, sign_due_at=at("2026-10-09 11:00"))
    now = at("2026-10-20 09:05")
    assert timers.proposal_rules(now=now) == 1
    _leads(tickets).update(overdue=True, overdue_at=at("2026-10-15 00:00"))
    assert timers.proposal_rules(now=now + timedelta(hours=3)) == 0  # same day: skipped
    assert timers.proposal_rules(now=now + timedelta(days=1)) == 1  # 27(4) now
