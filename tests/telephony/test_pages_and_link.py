"""The ticket ↔ call link (``call_id`` at intake, and the agent's screen-pop call), and the
pages: call bar, call-back queue, wallboard, report with xlsx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.telephony.conftest import at

pytestmark = pytest.mark.django_db

TICKET = {
    "channel": "phone",
    "appeal_type": "help",
    "content": "来电反映雪松路路灯不亮，夜间出行不安全，请尽快维修。",
    "citizen": {"name": "张三", "phone": "13800005001", "confidential": False},
    "location": {"county": "411702", "address": "雪松路1号"},
}


def test_call_id_at_intake_links_the_ticket(switch, api, sim):
    switch.answered_call("K1", at("2026-10-14 08:50"), caller="13800005001")
    r = api("agent").post("/tickets", {**TICKET, "call_id": "K1"})
    assert r.status_code == 201, r.content
    call = api("agent").get("/telephony/calls/K1").json()
    assert call["ticket"] == r.json()["number"]
    # a call id whose events have not arrived yet: linked, the events fill the call in later
    r = api("agent").post("/tickets", {**TICKET, "call_id": "LATE-1"})
    switch.event("LATE-1", "offered", at("2026-10-14 08:58"), caller="13800005001", queue="12345")
    assert api("agent").get("/telephony/calls/LATE-1").json()["ticket"] == r.json()["number"]
    r = api("agent").post("/tickets", {**TICKET, "call_id": "bad id"})
    assert r.status_code == 422


def test_the_agents_screen_pop_call_links_without_a_call_id(switch, api, sim):
    t = sim.now - timedelta(minutes=3)
    switch.event("K2", "offered", t, caller="13800005001", queue="12345")
    switch.event("K2", "answered", t + timedelta(seconds=10), agent="agent")
    r = api("agent").post("/tickets", TICKET)
    assert api("agent").get("/telephony/calls/K2").json()["ticket"] == r.json()["number"]


def _login(users, name):
    client = Client()
    client.force_login(users(name))
    return client


def test_call_bar_shows_the_call_and_a_restriction_warning(switch, api, sim, users):
    t = sim.now - timedelta(minutes=1)
    api("supervisor").post(
        "/telephony/restrictions",
        {
            "number": "13800005009",
            "reason": "骚扰",
            "until": "2026-11-01T00:00:00+08:00",
            "starts_at": "2026-10-14T08:00:00+08:00",
        },
    )
    switch.event("K3", "offered", t, caller="13800005009", queue="12345")
    switch.event("K3", "answered", t + timedelta(seconds=5), agent="agent")
    page = _login(users, "agent").get("/telephony/bar/").content.decode()
    assert 'data-phone="13800005009"' in page and "data-restricted" in page
    r = _login(users, "agent").post("/telephony/bar/state/", {"state": "break"})
    assert r.status_code == 200
    assert _login(users, "org.411702").get("/telephony/bar/").status_code == 403


def test_wallboard_report_and_xlsx(switch, sim, users):
    switch.answered_call("A1", at("2026-10-14 08:00"))
    switch.abandoned_call("X1", at("2026-10-14 08:10"), wait=60)
    client = _login(users, "supervisor")
    page = client.get("/telephony/wallboard/").content.decode()
    assert "data-wallboard" in page and "50%" in page
    partial = client.get("/telephony/wallboard/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    report = client.get("/telephony/report/", {"from": "2026-10-14", "to": "2026-10-14"})
    assert "0.500" in report.content.decode()
    xlsx = client.get("/telephony/report/", {"from": "2026-10-14", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _login(users, "agent").get("/telephony/wallboard/").status_code == 403


def test_callback_page_records_an_attempt(switch, sim, users):
    from hotline.telephony.models import CallbackTask

    switch.abandoned_call("X1", at("2026-10-14 08:10"), caller="13800005002", wait=60)
    client = _login(users, "agent")
    assert "13800005002" in client.get("/telephony/callbacks/").content.decode()
    task = CallbackTask.objects.get()
    r = client.post("/telephony/callbacks/", {"task": task.pk, "outcome": "no_answer"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.attempts == 1
