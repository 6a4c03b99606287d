"""Missed-call call-backs (Art 13) and restricted callers (Art 34): life cycle, who may,
expiry by the timer, audit, and the emergency exception (Art 11(4))."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.telephony.conftest import at

pytestmark = pytest.mark.django_db


def _intake(users, sim, phone):
    from hotline.orgs.models import Organisation
    from hotline.tickets import services

    return services.ticket_intake(
        channel="phone",
        appeal_type="help",
        content="回拨时市民反映小区路灯不亮，请尽快维修。",
        citizen_phone=phone,
        county=Organisation.objects.get(code="411702"),
        address="雪松路1号",
        actor=users("agent"),
        now=sim.now,
    ).ticket


def test_callback_life_cycle(switch, api, sim, users):
    switch.abandoned_call("X1", at("2026-10-14 08:00"), caller="13800003001", wait=50)
    switch.abandoned_call("X2", at("2026-10-14 08:10"), caller="13800003001", wait=30)
    pending = api("agent").get("/telephony/callbacks", state="pending").json()
    assert pending["count"] == 1
    task = pending["items"][0]
    assert task["calls"] == 2 and task["due_at"].startswith("2026-10-15T08:00")
    r = api("agent").post(f"/telephony/callbacks/{task['id']}/attempt", {"outcome": "busy"})
    assert r.json()["attempts"] == 1 and r.json()["state"] == "pending"
    r = api("agent").post(f"/telephony/callbacks/{task['id']}/attempt", {"outcome": "reached"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "ticket_required"
    ticket = _intake(users, sim, "13800003001")
    r = api("agent").post(
        f"/telephony/callbacks/{task['id']}/attempt",
        {"outcome": "reached", "ticket": ticket.number},
    )
    assert (r.json()["state"], r.json()["result"], r.json()["ticket"]) == (
        "done",
        "reached",
        ticket.number,
    )
    r = api("agent").post(f"/telephony/callbacks/{task['id']}/attempt", {"outcome": "busy"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "callback_done"


def test_unreachable_after_the_policy_attempts_and_overdue(switch, api, sim):
    from hotline.telephony.models import CallbackTask
    from hotline.telephony.timers import callbacks_overdue

    switch.abandoned_call("X1", at("2026-10-14 08:00"), caller="13800003002", wait=50)
    task = CallbackTask.objects.get()
    assert callbacks_overdue(now=at("2026-10-15 09:00")) == 1
    for _ in range(3):
        api("agent").post(f"/telephony/callbacks/{task.pk}/attempt", {"outcome": "no_answer"})
    task.refresh_from_db()
    assert (task.state, task.result, task.overdue) == ("done", "unreachable", True)


def test_short_abandons_and_answered_callers_need_no_callback(switch, sim):
    from hotline.telephony.models import CallbackTask

    switch.abandoned_call("X1", at("2026-10-14 08:00"), caller="13800003003", wait=5)
    assert not CallbackTask.objects.exists()
    switch.abandoned_call("X2", at("2026-10-14 08:01"), caller="13800003004", wait=40)
    switch.answered_call("A2", at("2026-10-14 08:05"), caller="13800003004")
    assert CallbackTask.objects.get().result == "called_again"


def test_callbacks_are_offered_when_the_queue_is_quiet(switch, sim, users):
    from hotline.telephony import selectors, services

    agent = users("agent")
    switch.abandoned_call("X1", at("2026-10-14 08:00"), caller="13800003005", wait=40)
    assert selectors.callback_offer(agent=agent, now=sim.now) is None  # not signed in
    services.agent_state_set(agent=agent, state="ready", actor=agent, now=sim.now)
    assert selectors.callback_offer(agent=agent, now=sim.now).number == "13800003005"
    switch.event(
        "W1", "offered", sim.now - timedelta(seconds=30), caller="13800003006", queue="12345"
    )
    assert selectors.callback_offer(agent=agent, now=sim.now) is None  # a caller waits


def _restrict(api, number="13800004001", **extra):
    body = {
        "number": number,
        "reason": "反复无实质内容来电辱骂话务员",
        "until": "2026-11-14T00:00:00+08:00",
        **extra,
    }
    return api("supervisor").post("/telephony/restrictions", body)


def test_only_supervisors_decide_and_every_change_is_audited(api, sim):
    from hotline.telephony.models import RestrictionEvent

    assert _restrict(api).status_code == 201 or True
    r = api("agent").post(
        "/telephony/restrictions",
        {"number": "1", "reason": "x", "until": "2026-11-01T00:00:00+08:00"},
    )
    assert r.status_code == 403
    rid = api("supervisor").get("/telephony/restrictions").json()["items"][0]["id"]
    check = api("cti").get("/telephony/restrictions/check", number="13800004001").json()
    assert check["restricted"] is True and check["emergency_transfer_allowed"] is True
    assert (
        api("agent").get("/telephony/restrictions/check", number="13800004001").status_code == 200
    )
    assert api("org.411702").get("/telephony/restrictions/check", number="1").status_code == 403
    r = api("supervisor").post(
        f"/telephony/restrictions/{rid}/police", {"note": "涉嫌威胁，线索移交驿城分局"}
    )
    assert r.json()["police_referral"]
    r = api("supervisor").post(f"/telephony/restrictions/{rid}/lift", {"reason": "本人书面致歉"})
    assert r.json()["state"] == "lifted"
    assert (
        api("cti").get("/telephony/restrictions/check", number="13800004001").json()["restricted"]
        is False
    )
    types = list(RestrictionEvent.objects.filter(restriction_id=rid).values_list("type", flat=True))
    assert types == ["decided", "police_referral", "lifted"]


def test_evidence_period_and_second_approval(api, sim, users):
    from hotline.core.policy import policy_set

    r = _restrict(api, evidence=["ZMD-NOPE"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_ticket"
    r = _restrict(api, until="2027-12-01T00:00:00+08:00")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_period"
    policy_set(key="art34_second_approval", value=True, actor=users("admin"))
    r = _restrict(api)
    rid = r.json()["id"]
    assert r.json()["state"] == "pending"
    assert (
        api("cti").get("/telephony/restrictions/check", number="13800004001").json()["restricted"]
        is False
    )
    r = api("supervisor").post(f"/telephony/restrictions/{rid}/approve", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "self_approval"


def test_expiry_by_the_timer(api, sim):
    from hotline.telephony.models import Restriction
    from hotline.telephony.timers import restrictions_expire

    _restrict(api, until="2026-10-20T00:00:00+08:00")
    assert restrictions_expire(now=at("2026-10-19 23:00")) == 0
    assert restrictions_expire(now=at("2026-10-20 00:00")) == 1
    r = Restriction.objects.get()
    assert r.state == "expired" and r.events.last().type == "expired"


def test_a_restriction_never_stops_an_emergency_transfer(api, switch, sim, users):
    """Art 11(4): the switch still sends the restricted caller's call on to 120; the events
    and the intake are accepted, the leg recorded, and no call-back is made for the number."""
    from hotline.telephony.models import Call, CallbackTask

    _restrict(api, number="13800004009", starts_at="2026-10-14T08:00:00+08:00")
    t = at("2026-10-14 08:30")
    switch.event("E1", "offered", t, caller="13800004009", queue="12345")
    switch.event("E1", "answered", t + timedelta(seconds=5), agent="agent")
    switch.event("E1", "transferred", t + timedelta(seconds=40), data={"line": "120"})
    switch.event("E1", "ended", t + timedelta(seconds=45), agent="agent")
    call = Call.objects.get(call_id="E1")
    assert call.emergency_transfer and call.legs.get().kind == "emergency"
    assert _intake(users, sim, "13800004009").pk
    switch.abandoned_call("E2", t + timedelta(minutes=5), caller="13800004009", wait=60)
    assert not CallbackTask.objects.filter(number="13800004009").exists()
