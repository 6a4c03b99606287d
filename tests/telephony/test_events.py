"""Call events in (API.md, Telephony): assembly from out-of-order and repeated events,
idempotency on (call_id, event, at), and clear 4xx for bad events."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from tests.telephony.conftest import at

pytestmark = pytest.mark.django_db

T0 = at("2026-10-14 08:30")


def _events(call_id="C1"):
    return [
        {
            "call_id": call_id,
            "event": "offered",
            "at": T0,
            "caller": "13812345678",
            "callee": "12345",
            "queue": "12345",
        },
        {"call_id": call_id, "event": "queued", "at": T0 + timedelta(seconds=3), "queue": "12345"},
        {
            "call_id": call_id,
            "event": "answered",
            "at": T0 + timedelta(seconds=25),
            "agent": "agent",
        },
        {"call_id": call_id, "event": "ended", "at": T0 + timedelta(seconds=205), "agent": "agent"},
    ]


def _post(api, body):
    body = {**body, "at": body["at"].isoformat()}
    return api("cti").post("/telephony/events", body)


def test_in_order_events_assemble_an_answered_call(api, queues, sim):
    responses = [_post(api, e) for e in _events()]
    assert [r.status_code for r in responses] == [201, 201, 201, 201]
    call = responses[-1].json()["call"]
    assert call["outcome"] == "answered"
    assert call["state"] == "ended"
    assert call["agent"] == "agent"
    assert call["wait_seconds"] == 25
    assert call["queue"] == "12345"
    assert call["caller"] == "13812345678"


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5])
def test_any_order_gives_the_same_call(api, queues, sim, order):
    events = _events(f"P{''.join(map(str, order))}")
    for i in order:
        assert _post(api, events[i]).status_code == 201
    from hotline.telephony.models import Call

    call = Call.objects.get(call_id=events[0]["call_id"])
    assert (call.outcome, call.state, call.wait_seconds, call.talk_seconds) == (
        "answered",
        "ended",
        25,
        180,
    )
    assert call.offered_at == T0
    assert call.agent.username == "agent"


def test_a_resend_changes_nothing(api, queues, sim):
    from hotline.telephony.models import Call, CallEvent

    for e in _events():
        _post(api, e)
    again = _post(api, _events()[2])
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert CallEvent.objects.filter(call_id_text="C1").count() == 4
    assert Call.objects.get(call_id="C1").outcome == "answered"


def test_late_answered_turns_an_assumed_abandon_into_an_answer(api, queues, sim):
    """An `ended` without `answered` reads as abandoned until the late `answered` arrives;
    the call-back task it opened is closed again."""
    from hotline.telephony.models import Call, CallbackTask

    events = _events("L1")
    for e in (events[0], events[1], events[3]):
        _post(api, e)
    assert Call.objects.get(call_id="L1").outcome == "abandoned"
    assert CallbackTask.objects.get(number="13812345678").state == "pending"
    _post(api, events[2])
    assert Call.objects.get(call_id="L1").outcome == "answered"
    task = CallbackTask.objects.get(number="13812345678")
    assert (task.state, task.result) == ("done", "called_again")


def test_answered_sets_the_agents_state(api, queues, sim):
    from hotline.telephony.models import AgentStatus

    events = _events()
    for e in events[:3]:
        _post(api, e)
    assert AgentStatus.objects.get(agent__username="agent").state == "on_call"
    _post(api, events[3])
    assert AgentStatus.objects.get(agent__username="agent").state == "after_call_work"


@pytest.mark.parametrize(
    "change, code",
    [
        ({"event": "ringing"}, "unknown_event"),
        ({"call_id": "bad id with spaces"}, "invalid_call_id"),
        ({"caller": "call me"}, "invalid_number"),
        ({"agent": "nobody-here"}, "unknown_agent"),
        ({"queue": "no-such-queue"}, "unknown_queue"),
        ({"at": "2026-10-14T09:30:00"}, "invalid_time"),
        ({"at": "2026-10-15T09:00:00+08:00"}, "invalid_time"),
        ({"at": "yesterday"}, "invalid_input"),
    ],
)
def test_bad_events_are_422_with_a_code(api, queues, sim, change, code):
    body = {"call_id": "B1", "event": "offered", "at": "2026-10-14T08:59:00+08:00", **change}
    response = api("cti").post("/telephony/events", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code


def test_only_the_switch_posts_events(api, queues, sim):
    body = {"call_id": "X1", "event": "offered", "at": "2026-10-14T08:59:00+08:00"}
    assert api("agent").post("/telephony/events", body).status_code == 403
    from django.test import Client

    assert (
        Client().post("/api/v1/telephony/events", body, content_type="application/json").status_code
        == 401
    )


def test_partner_signature_is_accepted(db, queues, sim):
    import json

    from django.test import Client

    from hotline.exchange import services, signing

    services.partner_save(code="sub-12315", name="12315分中心", kind="subcenter", secret="s3cret")
    body = json.dumps(
        {
            "call_id": "S1",
            "event": "offered",
            "at": "2026-10-14T08:59:00+08:00",
            "caller": "13800000009",
            "queue": "12315",
        }
    ).encode()
    headers = signing.sign_headers(secret="s3cret", partner="sub-12315", message_id="m1", body=body)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = Client().generic(
        "POST", "/api/v1/telephony/events", body, content_type="application/json", **meta
    )
    assert response.status_code == 201, response.content
    meta["HTTP_X_HOTLINE_SIGNATURE"] = "sha256=" + "0" * 64
    response = Client().generic(
        "POST", "/api/v1/telephony/events", body, content_type="application/json", **meta
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"


def test_transfer_legs_record_consent_and_emergency(api, queues, sim):
    from hotline.telephony.models import Call

    for e in _events("T1")[:3]:
        _post(api, e)
    _post(
        api,
        {
            "call_id": "T1",
            "event": "conferenced",
            "at": T0 + timedelta(seconds=60),
            "data": {
                "kind": "expert_seat",
                "party": "12333 专家",
                "consent": True,
                "expert": "org.sub-12333",
            },
        },
    )
    _post(
        api,
        {
            "call_id": "T1",
            "event": "transferred",
            "at": T0 + timedelta(seconds=90),
            "data": {"line": "120"},
        },
    )
    call = Call.objects.get(call_id="T1")
    legs = list(call.legs.values_list("kind", "consent"))
    assert legs == [("expert_seat", True), ("emergency", False)]
    assert call.emergency_transfer and call.conferenced and call.transferred
