"""Callback and closing (Art 16), disputes (Art 16(2)), redo and Art 30 escalations."""

import pytest

from hotline.tickets.models import Evaluation, Review
from tests.tickets.flow import error_code, replied

pytestmark = pytest.mark.django_db


def awaiting(api, intake, sim, **kw) -> dict:
    return replied(api, intake, sim, sign_at="2026-09-30 10:00", reply_at="2026-10-09 15:00", **kw)


def test_art16_1_callback_due_within_3_working_days_receipt_day_not_counted(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    assert ticket["status"] == "awaiting_callback"
    assert ticket["callback_due_at"] == "2026-10-13T23:59:59+08:00"  # 10/10 (调休), 10/12, 10/13


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        ("satisfied", "satisfied"),
        ("basically_satisfied", "basically_satisfied"),
        ("no_response", "no_response"),
    ],
)
def test_art16_1_satisfied_or_basically_satisfied_closes(api, intake, sim, outcome, reason):
    ticket = awaiting(api, intake, sim)
    result = api("callback").ok(
        f"/tickets/{ticket['number']}/callback", {"outcome": outcome, "resolved": True}
    )
    assert result["status"] == "closed"
    assert result["close_reason"] == reason
    assert result["evaluation"] == {"outcome": outcome, "resolved": True}


def test_art16_1_unsatisfied_but_lawful_closes_marked_so(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    result = api("callback").ok(
        f"/tickets/{ticket['number']}/callback",
        {"outcome": "unsatisfied", "resolved": False, "reasonable": False},
    )
    assert result["status"] == "closed"
    assert result["close_reason"] == "unsatisfied_lawful"


def test_art16_1_unsatisfied_needs_a_reasonableness_decision(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    response = api("callback").post(
        f"/tickets/{ticket['number']}/callback", {"outcome": "unsatisfied"}
    )
    assert response.status_code == 422 and error_code(response) == "reasonable_required"
    assert Evaluation.objects.count() == 0


def test_art16_1_unsatisfied_and_reasonable_goes_back_for_redo(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    sim.set("2026-10-12 10:00")
    result = api("callback").ok(
        f"/tickets/{ticket['number']}/callback",
        {"outcome": "unsatisfied", "resolved": False, "reasonable": True},
    )
    assert result["status"] == "in_handling"
    assert result["redo_count"] == 1
    redo = result["assignments"][0]
    assert redo["status"] == "in_progress" and redo["redo_count"] == 1
    # first receipt 9/30 as day 1, complaint 7 + 1 working days → 10/15
    assert redo["due_at"] == "2026-10-15T23:59:59+08:00"


def test_art16_1_redo_is_never_due_before_the_first_working_day_after_it_starts(api, intake, sim):
    ticket = replied(api, intake, sim, sign_at="2026-09-30 10:00", reply_at="2026-10-14 15:00")
    sim.set("2026-10-16 10:00")  # past the 10/15 redo deadline already
    result = api("callback").ok(
        f"/tickets/{ticket['number']}/callback", {"outcome": "unsatisfied", "reasonable": True}
    )
    assert result["assignments"][0]["due_at"] == "2026-10-19T23:59:59+08:00"


def test_art16_1_no_response_by_the_deadline_closes_as_basically_satisfied(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    sim.set("2026-10-13 23:59")
    assert sim.run_timers()["tickets.callback_expiry"] == 0
    sim.set("2026-10-14 00:00")
    assert sim.run_timers()["tickets.callback_expiry"] == 1
    assert sim.run_timers()["tickets.callback_expiry"] == 0
    result = api("callback").get(f"/tickets/{ticket['number']}").json()
    assert result["status"] == "closed"
    assert result["close_reason"] == "no_response"
    assert result["closed_at"] == "2026-10-14T00:00:00+08:00"


def test_art16_callback_only_when_awaiting(api, intake, sim):
    ticket = replied(api, intake, sim, sign_at="2026-09-30 10:00", reply_at="2026-10-09 15:00")
    api("callback").ok(f"/tickets/{ticket['number']}/callback", {"outcome": "satisfied"})
    again = api("callback").post(f"/tickets/{ticket['number']}/callback", {"outcome": "satisfied"})
    assert again.status_code == 409 and error_code(again) == "invalid_transition"


def test_art16_2_dispute_is_screened_and_upheld_leaves_the_rate(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    api("callback").ok(
        f"/tickets/{ticket['number']}/callback", {"outcome": "unsatisfied", "reasonable": False}
    )
    result = api("org.411702").ok(
        f"/tickets/{ticket['number']}/dispute", {"reason": "诉求人要求超出政策范围"}
    )
    assert result["events"][-1]["type"] == "dispute_raised"
    twice = api("org.411702").post(f"/tickets/{ticket['number']}/dispute", {"reason": "再次"})
    assert twice.status_code == 409 and error_code(twice) == "dispute_pending"
    review = Review.objects.get(kind="dispute")
    api("supervisor").ok(f"/reviews/{review.pk}/approve", {})
    evaluation = Evaluation.objects.get(ticket__number=ticket["number"])
    assert list(evaluation.excluded_org.values_list("code", flat=True)) == ["411702"]


def test_art16_2_a_unit_that_did_not_handle_it_cannot_dispute(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    api("callback").ok(f"/tickets/{ticket['number']}/callback", {"outcome": "satisfied"})
    response = api("org.urban").post(f"/tickets/{ticket['number']}/dispute", {"reason": "x"})
    assert response.status_code == 404


def test_art30_2_redo_more_than_three_times_is_proposed_to_the_supervision_office(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    number = ticket["number"]
    aid = ticket["assignments"][0]["id"]
    for day in ("2026-10-10", "2026-10-12", "2026-10-13", "2026-10-14"):
        sim.set(f"{day} 09:00")
        api("callback").ok(
            f"/tickets/{number}/callback", {"outcome": "unsatisfied", "reasonable": True}
        )
        sim.set(f"{day} 15:00")
        api("org.411702").ok(f"/assignments/{aid}/reply", {"content": "再次处理"})
    sim.run_timers()
    cases = api("supervisor").get("/supervision/cases").json()
    proposed = [c for c in cases["items"] if number in c["tickets"]]
    assert len(proposed) == 1
    assert proposed[0]["state"] == "proposed"
    assert proposed[0]["article"] == "30(2)"
    assert proposed[0]["instrument"] == "escalation"
    sim.run_timers()
    assert api("supervisor").get("/supervision/cases").json()["count"] == cases["count"]


def test_art30_1_appeal_repeated_more_than_three_times_is_proposed(api, intake, sim):
    numbers = []
    for day in ("2026-10-08", "2026-10-09", "2026-10-12", "2026-10-13", "2026-10-14"):
        sim.set(f"{day} 09:00")
        numbers.append(intake()["number"])
    first = api("agent").get(f"/tickets/{numbers[0]}").json()
    assert first["repeat_count"] == 4
    last = api("agent").get(f"/tickets/{numbers[-1]}").json()
    assert last["repeat_of"] == numbers[0]
    sim.run_timers()
    cases = api("supervisor").get("/supervision/cases", state="proposed").json()["items"]
    case = next(c for c in cases if c["article"] == "30(1)")
    assert set(case["tickets"]) == set(numbers)


def test_art30_1_appeal_repeated_in_three_consecutive_months_is_proposed(api, intake, sim):
    numbers = []
    for day in ("2026-08-20", "2026-09-15", "2026-10-12"):
        sim.set(f"{day} 09:00")
        numbers.append(intake()["number"])
        sim.run_timers()
        if len(numbers) < 3:
            cases = api("supervisor").get("/supervision/cases", state="proposed").json()
            assert not [c for c in cases["items"] if c["article"] == "30(1)"], day
    cases = api("supervisor").get("/supervision/cases", state="proposed").json()["items"]
    case = next(c for c in cases if c["article"] == "30(1)")
    assert set(case["tickets"]) == set(numbers)
    sim.run_timers()
    again = api("supervisor").get("/supervision/cases", state="proposed").json()["items"]
    assert len([c for c in again if c["article"] == "30(1)"]) == 1


def test_art30_1_three_appeals_in_non_consecutive_months_are_not_proposed(api, intake, sim):
    for day in ("2026-06-10", "2026-08-12", "2026-10-12"):
        sim.set(f"{day} 09:00")
        intake()
    sim.run_timers()
    cases = api("supervisor").get("/supervision/cases", state="proposed").json()["items"]
    assert not [c for c in cases if c["article"] == "30(1)"]


def test_art30_supervisor_confirms_or_dismisses_with_a_reason(api, intake, sim):
    test_art30_1_appeal_repeated_more_than_three_times_is_proposed(api, intake, sim)
    case = api("supervisor").get("/supervision/cases").json()["items"][0]
    bad = api("supervisor").post(f"/supervision/cases/{case['id']}/dismiss", {"reason": ""})
    assert bad.status_code == 422
    done = api("supervisor").ok(
        f"/supervision/cases/{case['id']}/dismiss", {"reason": "特殊原因：已纳入专项整治"}
    )
    assert done["state"] == "dismissed"
