"""Intake (Art 10–14, 19): required elements, not accepted, answered at once, dispatch."""

import pytest

from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, OutboxMessage, Ticket, TicketEvent
from tests.tickets.conftest import INTAKE
from tests.tickets.flow import dispatched, error_code

pytestmark = pytest.mark.django_db

ART11_REASONS = [
    "litigation_or_procedure",
    "petition",
    "secret_or_privacy",
    "military",
    "no_substance",
    "outside_jurisdiction",
    "other_legal",
]


def counts():
    return (Ticket.objects.count(), TicketEvent.objects.count(), OutboxMessage.objects.count())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"content": ""}, Code.INVALID_INPUT),
        ({"content": "   "}, Code.MISSING_FIELD),
        ({"appeal_type": "gossip"}, Code.INVALID_INPUT),
        ({"channel": "visit"}, Code.INVALID_INPUT),  # Art 12: no walk-ins
        ({"location": {"county": "999999", "address": "x"}}, Code.UNKNOWN_COUNTY),
        ({"location": {"county": "housing", "address": "x"}}, Code.UNKNOWN_COUNTY),
        ({"location": {"county": "411702", "address": ""}}, Code.INVALID_INPUT),
        ({"citizen": {"name": "李", "phone": "call me"}}, Code.INVALID_PHONE),
        ({"category": "no-such-category"}, Code.UNKNOWN_CATEGORY),
        ({"occurred_at": "2099-01-01T00:00:00+08:00"}, Code.INVALID_OCCURRED_AT),
    ],
)
def test_art13_intake_requires_contact_content_time_place(api, sim, change, code):
    sim.set("2026-09-30 09:00")
    before = counts()
    body = {**INTAKE, **change}
    response = api("agent").post("/tickets", body)
    assert response.status_code == 422, response.content
    assert error_code(response) == code
    assert counts() == before


def test_art13_intake_records_the_ticket_with_an_event_and_an_outbox_row(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    assert ticket["number"].startswith("ZMD20260930")
    assert ticket["received_at"] == "2026-09-30T09:00:00+08:00"
    assert [e["type"] for e in ticket["events"]] == ["intake"]
    assert OutboxMessage.objects.filter(ticket__number=ticket["number"], seq=1).exists()


def test_art13_only_agents_take_appeals(api, sim):
    sim.set("2026-09-30 09:00")
    response = api("org.411702").post("/tickets", INTAKE)
    assert response.status_code == 403
    assert error_code(response) == Code.FORBIDDEN


def test_art21_partner_external_id_is_idempotent(api, sim):
    sim.set("2026-09-30 09:00")
    body = {**INTAKE, "channel": "provincial", "external_id": "HN-2026-0001"}
    first = api("agent").post("/tickets", body)
    again = api("agent").post("/tickets", body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert Ticket.objects.filter(external_id="HN-2026-0001").count() == 1


@pytest.mark.parametrize("reason", ART11_REASONS)
def test_art11_not_accepted_with_each_reason_code(api, intake, sim, reason):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    result = api("agent").ok(
        f"/tickets/{ticket['number']}/reject",
        {"reason": reason, "explanation": "已向来电人解释并告知办理渠道"},
    )
    assert result["status"] == "not_accepted"
    assert result["not_accepted_reason"] == reason
    assert result["assignments"] == []


def test_art11_4_emergency_records_the_line_it_was_transferred_to(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    missing = api("agent").post(
        f"/tickets/{ticket['number']}/reject", {"reason": "emergency", "explanation": "火情"}
    )
    assert missing.status_code == 422 and error_code(missing) == Code.TRANSFER_REQUIRED
    result = api("agent").ok(
        f"/tickets/{ticket['number']}/reject",
        {"reason": "emergency", "explanation": "火情，已转119", "transferred_to": "119"},
    )
    assert result["status"] == "not_accepted"
    assert result["events"][-1]["data"]["transferred_to"] == "119"


def test_art11_7_repeat_after_closure_links_the_closed_ticket(api, intake, sim):
    sim.set("2026-09-30 09:00")
    first = intake()
    api("agent").ok(f"/tickets/{first['number']}/answer", {"answer": "已答复政策"})
    sim.set("2026-10-09 09:00")
    second = intake()
    assert second["repeat_of"] == first["number"]
    result = api("agent").ok(
        f"/tickets/{second['number']}/reject",
        {"reason": "repeat_after_closure", "explanation": "同一事实和理由已依法办结"},
    )
    assert result["repeat_of"] == first["number"]
    assert result["events"][-1]["data"]["closed_ticket"] == first["number"]


def test_art11_unknown_reason_is_422_and_changes_nothing(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    response = api("agent").post(
        f"/tickets/{ticket['number']}/reject", {"reason": "boring", "explanation": "x"}
    )
    assert response.status_code == 422 and error_code(response) == Code.UNKNOWN_REASON
    assert api("agent").get(f"/tickets/{ticket['number']}").json()["status"] == "new"


def test_art14_1_answered_at_once_closes_as_directly_resolved(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake(appeal_type="consultation")
    result = api("agent").ok(f"/tickets/{ticket['number']}/answer", {"answer": "社保卡补办需…"})
    assert result["status"] == "closed"
    assert result["close_reason"] == "answered_at_intake"
    again = api("agent").post(f"/tickets/{ticket['number']}/answer", {"answer": "x"})
    assert again.status_code == 409 and error_code(again) == Code.INVALID_TRANSITION


def test_art14_1_three_way_call_needs_the_citizens_consent(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    path = f"/tickets/{ticket['number']}/contact"
    refused = api("agent").post(
        path, {"kind": "three_way_call", "party": "12333", "consent": False}
    )
    assert refused.status_code == 409 and error_code(refused) == Code.CONSENT_REQUIRED
    result = api("agent").ok(path, {"kind": "three_way_call", "party": "12333", "consent": True})
    assert result["events"][-1]["type"] == "three_way_call"


def test_art14_2_dispatch_due_within_12_hours(api, intake, sim):
    sim.set("2026-09-30 09:00")
    assert intake()["dispatch_due_at"] == "2026-09-30T21:00:00+08:00"


def test_art18_major_incident_dispatch_due_within_2_hours(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake(major_incident=True, content="驿城区新华街大面积停电，已经三个小时")
    assert ticket["dispatch_due_at"] == "2026-09-30T11:00:00+08:00"
    assert ticket["incident"] is not None


def test_art14_2_policy_value_changes_the_dispatch_limit(api, intake, sim):
    from hotline.core.policy import policy_set

    policy_set(key="art14_dispatch_hours", value=6)
    sim.set("2026-09-30 09:00")
    assert intake()["dispatch_due_at"] == "2026-09-30T15:00:00+08:00"


def test_art14_2_undispatched_ticket_is_flagged_by_the_timer(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    sim.set("2026-09-30 20:59")
    assert sim.run_timers()["tickets.dispatch_overdue"] == 0
    sim.set("2026-09-30 21:01")
    assert sim.run_timers()["tickets.dispatch_overdue"] == 1
    assert sim.run_timers()["tickets.dispatch_overdue"] == 0  # idempotent
    assert Ticket.objects.get(number=ticket["number"]).dispatch_overdue


def test_art14_3_one_lead_and_assisting_units(api, intake, sim):
    ticket = dispatched(api, intake, sim, lead="411702", assists=["urban", "housing"])
    roles = {a["org"]: a["role"] for a in ticket["assignments"]}
    assert roles == {"411702": "lead", "urban": "assist", "housing": "assist"}
    assert all(a["status"] == "awaiting_sign" for a in ticket["assignments"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"lead": "nowhere"}, Code.UNKNOWN_ORG),
        ({"lead": "city"}, Code.UNKNOWN_ORG),
        ({"lead": "urban", "assists": ["urban"]}, Code.DUPLICATE_ORG),
    ],
)
def test_art14_3_bad_dispatch_is_422_and_changes_nothing(api, intake, sim, body, code):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    response = api("dispatcher").post(f"/tickets/{ticket['number']}/dispatch", body)
    assert response.status_code == 422 and error_code(response) == code
    assert Assignment.objects.filter(ticket__number=ticket["number"]).count() == 0


def test_art14_dispatch_twice_is_invalid_transition(api, intake, sim):
    ticket = dispatched(api, intake, sim)
    response = api("dispatcher").post(f"/tickets/{ticket['number']}/dispatch", {"lead": "urban"})
    assert response.status_code == 409 and error_code(response) == Code.INVALID_TRANSITION


def test_art14_only_dispatchers_dispatch(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    response = api("agent").post(f"/tickets/{ticket['number']}/dispatch", {"lead": "urban"})
    assert response.status_code == 403
