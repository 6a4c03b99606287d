"""Art 30: the escalations the supervision timers propose from the lifecycle — a ticket redone
more than three times (Art 30(2)), an appeal repeated more than three times or in three
consecutive months (Art 30(1)) — once each, and the supervisor's confirm or dismiss (a dismissal
needs a reason). Driven through the tickets API with the simulated clock."""

import pytest

from tests.tickets.flow import replied

pytestmark = pytest.mark.django_db


def awaiting(api, intake, sim, **kw) -> dict:
    return replied(api, intake, sim, sign_at="2026-09-30 10:00", reply_at="2026-10-09 15:00", **kw)


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
