"""Callback and closing (Art 16), disputes (Art 16(2)) and redo. The Art 30 escalations a redo
or a repeated appeal leads to are in tests/supervision/test_art30_escalations.py."""

import pytest

from hotline.tickets.error_codes import TicketErrorCode as Code
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
    assert response.status_code == 422 and error_code(response) == Code.REASONABLE_REQUIRED
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
    assert again.status_code == 409 and error_code(again) == Code.INVALID_TRANSITION


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
    assert twice.status_code == 409 and error_code(twice) == Code.DISPUTE_PENDING
    review = Review.objects.get(kind="dispute")
    api("supervisor").ok(f"/reviews/{review.pk}/approve", {})
    evaluation = Evaluation.objects.get(ticket__number=ticket["number"])
    assert list(evaluation.excluded_org.values_list("code", flat=True)) == ["411702"]


def test_art16_2_a_unit_that_did_not_handle_it_cannot_dispute(api, intake, sim):
    ticket = awaiting(api, intake, sim)
    api("callback").ok(f"/tickets/{ticket['number']}/callback", {"outcome": "satisfied"})
    response = api("org.urban").post(f"/tickets/{ticket['number']}/dispute", {"reason": "x"})
    assert response.status_code == 404
