"""The connection rate with worked examples (Art 13: short abandons left out), scoping per
center and sub-center, staffing and the 7×24 check, the Art 29(1) proposal, and the simulate
command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from tests.telephony.conftest import at

pytestmark = pytest.mark.django_db


def test_worked_example_short_abandons_are_left_out(switch, api, sim):
    """10 calls on 2026-10-14: 7 answered, 3 abandoned of which 1 after 4 s (a short abandon,
    policy 10 s). Offered 9, answered 7, rate 7/9 = 0.7778."""
    t = at("2026-10-14 08:00")
    for i in range(7):
        switch.answered_call(f"A{i}", t + timedelta(minutes=i), caller=f"1380000100{i}")
    switch.abandoned_call("X1", t + timedelta(minutes=20), caller="13800002001", wait=40)
    switch.abandoned_call("X2", t + timedelta(minutes=21), caller="13800002002", wait=15)
    switch.abandoned_call("X3", t + timedelta(minutes=22), caller="13800002003", wait=4)
    rows = (
        api("supervisor")
        .get("/telephony/connection-rate", **{"from": "2026-10-14", "to": "2026-10-14"})
        .json()
    )
    assert rows == [
        {"period": "2026-10-14", "offered": 9, "answered": 7, "abandoned": 2, "rate": 0.7778}
    ]
    hourly = (
        api("supervisor")
        .get(
            "/telephony/connection-rate",
            **{"from": "2026-10-14", "to": "2026-10-14", "granularity": "hour"},
        )
        .json()
    )
    assert [r["period"] for r in hourly] == ["2026-10-14 08:00"]


def test_policy_change_applies_to_the_figures(switch, api, sim, users):
    from hotline.core.policy import policy_set

    switch.answered_call("A1", at("2026-10-14 08:00"))
    switch.abandoned_call("X1", at("2026-10-14 08:05"), wait=15)
    policy_set(key="art13_short_abandon_seconds", value=20, actor=users("admin"))
    rows = api("supervisor").get("/telephony/connection-rate", **{"from": "2026-10-14"}).json()
    assert rows[0]["offered"] == 1 and rows[0]["rate"] == 1.0


def test_month_and_quarter_labels_and_subcenters(switch, api, sim):
    switch.answered_call("A1", at("2026-10-01 10:00"))
    switch.abandoned_call("S1", at("2026-10-02 10:00"), queue="12315", wait=60)
    switch.answered_call("S2", at("2026-10-02 11:00"), queue="12315")
    month = (
        api("supervisor")
        .get(
            "/telephony/connection-rate",
            **{"from": "2026-10-01", "to": "2026-10-14", "granularity": "quarter"},
        )
        .json()
    )
    assert month == [
        {"period": "2026Q4", "offered": 3, "answered": 2, "abandoned": 1, "rate": 0.6667}
    ]
    sub = (
        api("supervisor")
        .get("/telephony/connection-rate", **{"from": "2026-10-01", "org": "sub-12315"})
        .json()
    )
    assert sum(r["offered"] for r in sub) == 2
    by_org = api("supervisor").get("/telephony/connection-rate/orgs", **{"from": "2026-10-01"})
    assert {r["org"]: r["rate"] for r in by_org.json()} == {"city": 1.0, "sub-12315": 0.5}
    # a sub-center's own user sees its own calls only; a unit none
    own = api("org.sub-12315").get("/telephony/connection-rate/orgs", **{"from": "2026-10-01"})
    assert [r["org"] for r in own.json()] == ["sub-12315"]
    assert api("org.411702").get("/telephony/connection-rate").status_code == 403


def test_bad_granularity_and_range_are_422(api, sim):
    r = api("supervisor").get("/telephony/connection-rate", granularity="week")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_granularity"
    r = api("supervisor").get(
        "/telephony/connection-rate", **{"from": "2026-10-14", "to": "2026-10-01"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_range"
    r = api("supervisor").get("/telephony/connection-rate", **{"from": "14/10/2026"})
    assert r.status_code == 422


def test_callers_are_masked_unless_the_role_needs_them(switch, api, sim):
    switch.answered_call("A1", at("2026-10-14 08:00"), caller="13812345678")
    assert api("agent").get("/telephony/calls").json()["items"][0]["caller"] == "13812345678"
    analyst = api("analyst").get("/telephony/calls").json()
    assert analyst["items"][0]["caller"] == "138****5678"
    assert api("analyst").get("/telephony/calls", caller="13812345678").status_code == 403
    assert api("org.411702").get("/telephony/calls").status_code == 403
    assert api("org.sub-12315").get("/telephony/calls").json()["count"] == 0


def test_staffing_and_the_7x24_check(api, sim, users, queues):
    from hotline.telephony import services

    agent = users("agent")
    services.agent_state_set(
        agent=agent, state="ready", at=at("2026-10-13 23:00"), actor=agent, now=sim.now
    )
    services.agent_state_set(
        agent=agent, state="logged_out", at=at("2026-10-14 03:30"), actor=agent, now=sim.now
    )
    services.agent_state_set(
        agent=agent, state="ready", at=at("2026-10-14 06:10"), actor=agent, now=sim.now
    )
    day = api("supervisor").get("/telephony/staffing", date="2026-10-14").json()
    uncovered = [h["hour"] for h in day["hours"] if h["uncovered"]]
    assert uncovered == [4, 5]
    cov = (
        api("supervisor")
        .get(
            "/telephony/coverage",
            **{"from": "2026-10-14T00:00:00+08:00", "to": "2026-10-14T08:00:00+08:00"},
        )
        .json()
    )
    assert [m[11:16] for m in cov["uncovered_hours"]] == ["04:00", "05:00"]


def test_art29_1_proposes_one_circular_per_org_and_month(switch, sim, users):
    from hotline.core.policy import policy_set
    from hotline.supervision.models import SupervisionCase
    from hotline.telephony.timers import art29_connection_rate

    policy_set(key="art29_connection_min_calls", value=5, actor=users("admin"))
    t = at("2026-09-10 10:00")
    for i in range(4):
        switch.answered_call(f"A{i}", t + timedelta(minutes=i), caller=f"1390000000{i}")
    for i in range(2):
        switch.abandoned_call(f"X{i}", t + timedelta(minutes=10 + i), caller=f"1391000000{i}")
    assert art29_connection_rate(now=sim.now) >= 1
    case = SupervisionCase.objects.get(dedupe_key="art29-1:city:2026-09")
    assert case.article == "29(1)" and case.instrument == "circular"
    from django.core.cache import cache

    cache.clear()
    art29_connection_rate(now=sim.now)
    assert SupervisionCase.objects.filter(dedupe_key="art29-1:city:2026-09").count() == 1


def test_simulate_command_posts_a_realistic_day(sim, cti):
    from hotline.telephony.models import Call, CallbackTask
    from hotline.telephony.selectors import connection_rate, local_day_bounds, uncovered_hours

    out = StringIO()
    call_command(
        "telephony",
        "simulate",
        "--date",
        "2026-10-12",
        "--calls",
        "300",
        "--agents",
        "2",
        "--seed",
        "1",
        stdout=out,
    )
    assert "offered 300" in out.getvalue()
    assert Call.objects.filter(call_id__startswith="SIM-20261012").count() == 300
    start, end = local_day_bounds(at("2026-10-12 00:00").date())
    hours = connection_rate(user=None, start=start, end=end, granularity="hour")
    # the peaks run short of agents: some busy hour under 90 %, the quiet night all answered
    assert any(r["rate"] < 0.9 for r in hours if r["offered"] >= 15), hours
    assert all(r["rate"] > 0.9 for r in hours[:4]), hours
    day = connection_rate(user=None, start=start, end=end, granularity="day")[0]
    assert 0.6 < day["rate"] < 0.98, day
    assert uncovered_hours(start=start, end=end) == []  # someone on shift every hour
    assert CallbackTask.objects.exists()
    # the same day again is a resend: nothing doubles
    call_command(
        "telephony",
        "simulate",
        "--date",
        "2026-10-12",
        "--calls",
        "300",
        "--agents",
        "2",
        "--seed",
        "1",
        stdout=StringIO(),
    )
    assert Call.objects.filter(call_id__startswith="SIM-20261012").count() == 300


def test_simulate_refuses_the_future(sim, cti):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("telephony", "simulate", "--date", "2026-12-01", stdout=StringIO())


def test_demo_seed_gives_the_tickets_their_calls(sim, users):
    from hotline.demo import telephony as demo_telephony
    from hotline.orgs.models import Organisation
    from hotline.telephony.models import Call
    from hotline.tickets import services

    for i in range(3):
        services.ticket_intake(
            channel="phone",
            appeal_type="help",
            content=f"演示来电{i}：路灯不亮，请尽快维修。",
            citizen_phone=f"1380000900{i}",
            county=Organisation.objects.get(code="411702"),
            address="雪松路1号",
            actor=users("agent"),
            now=sim.now - timedelta(hours=18 - i),
        )
    demo_telephony.seed(days=2)
    assert Call.objects.filter(call_id__startswith="DEMO-").count() > 0
    assert Call.objects.filter(ticket__isnull=False).count() == 3
