"""Fixtures of the telephony tests: a simulated clock, the switch's ``cti`` user with a
token, queues of the center, a special seat and a sub-center, and helpers that post events
through the API exactly as a switch would."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

TZ = ZoneInfo("Asia/Shanghai")
START = "2026-10-14 09:00"  # a Wednesday


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class SimClock:
    def __init__(self):
        from hotline.core.clock import set_simulated_now

        self._set = set_simulated_now
        self.now = at(START)

    def set(self, text: str | datetime) -> datetime:
        self.now = self._set(at(text) if isinstance(text, str) else text)
        return self.now


@pytest.fixture(autouse=True)
def _forget_lookups():
    from hotline.telephony.services import common

    common._agent_ids.clear()
    common._queue_ids.clear()
    yield
    common._agent_ids.clear()
    common._queue_ids.clear()


@pytest.fixture
def sim(db):
    with override_settings(SIMULATION=True):
        clock = SimClock()
        clock.set(START)
        yield clock


@pytest.fixture
def users(db):
    from hotline.orgs.models import User

    def get(username: str) -> User:
        return User.objects.select_related("organisation").get(username=username)

    return get


@pytest.fixture
def cti(db, demo_orgs):
    from hotline.orgs.services import user_upsert

    return user_upsert(
        username="cti",
        organisation=demo_orgs["city"],
        roles=["cti"],
        display_name="话务系统",
        password="Demo#12345",
    )


@pytest.fixture
def queues(db, demo_orgs):
    from hotline.telephony import services

    return {
        "12345": services.queue_upsert(code="12345", name="12345 综合", org=demo_orgs["city"]),
        "biz": services.queue_upsert(
            code="biz", name="营商环境专席", org=demo_orgs["city"], special_seat="business"
        ),
        "12315": services.queue_upsert(
            code="12315", name="12315 分中心", org=demo_orgs["sub-12315"]
        ),
    }


class Api:
    def __init__(self, client: Client, token: str | None = None):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def post(self, path: str, payload: dict):
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(payload, default=str),
            content_type="application/json",
            **self.headers,
        )

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)


def token_for(username: str) -> str:
    from hotline.core.auth import token_issue

    key, _token = token_issue(username=username, password="Demo#12345")
    return key


@pytest.fixture
def api(db, cti):
    """``api(username)``: an API client with a token of that demo user."""
    clients: dict[str, Api] = {}

    def get(username: str = "cti") -> Api:
        if username not in clients:
            clients[username] = Api(Client(), token_for(username))
        return clients[username]

    return get


@pytest.fixture
def switch(api, queues, sim):
    """``switch.call(call_id, [(event, seconds after offered, extra)…])`` posts events."""

    class Switch:
        def event(self, call_id, event, moment, **extra):
            body = {"call_id": call_id, "event": event, "at": moment.isoformat(), **extra}
            response = api("cti").post("/telephony/events", body)
            assert response.status_code in (200, 201), response.content
            return response.json()

        def answered_call(
            self,
            call_id,
            start,
            *,
            caller="13800000001",
            agent="agent",
            wait=20,
            talk=180,
            queue="12345",
        ):
            self.event(call_id, "offered", start, caller=caller, callee="12345", queue=queue)
            self.event(call_id, "queued", start + timedelta(seconds=2), queue=queue)
            self.event(call_id, "answered", start + timedelta(seconds=wait), agent=agent)
            return self.event(call_id, "ended", start + timedelta(seconds=wait + talk), agent=agent)

        def abandoned_call(self, call_id, start, *, caller="13800000002", wait=40, queue="12345"):
            self.event(call_id, "offered", start, caller=caller, callee="12345", queue=queue)
            self.event(call_id, "queued", start + timedelta(seconds=2), queue=queue)
            return self.event(call_id, "abandoned", start + timedelta(seconds=wait))

    return Switch()
