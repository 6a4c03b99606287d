"""Fixtures for the lifecycle: an API caller per demo user, a simulated clock, and
helpers that walk a ticket through its states."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-09-30 10:00' in the platform's zone."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class Caller:
    def __init__(self, client: Client, token: str):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self.auth)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            **self.auth,
        )

    def ok(self, path: str, body: dict | None = None, status: int = 200) -> dict:
        response = self.post(path, body)
        assert response.status_code == status, response.content.decode()
        return response.json()


class Clock:
    """The simulation clock, moved by tests (API.md: HOTLINE_SIMULATION=1)."""

    def __init__(self):
        from hotline.core.clock import set_simulated_now

        self._set = set_simulated_now

    def set(self, text: str) -> datetime:
        return self._set(at(text))

    def run_timers(self) -> dict:
        from hotline.core import clock
        from hotline.core.timers import run_due_timers

        return run_due_timers(now=clock.now(), trigger="test")


@pytest.fixture
def sim():
    with override_settings(SIMULATION=True):
        yield Clock()


@pytest.fixture
def api(db, demo_orgs):
    tokens: dict[str, Caller] = {}

    def as_(username: str) -> Caller:
        if username not in tokens:
            from hotline.core.auth import token_issue

            key, _token = token_issue(username=username, password="Demo#12345")
            tokens[username] = Caller(Client(), key)
        return tokens[username]

    return as_


INTAKE = {
    "channel": "phone",
    "appeal_type": "complaint",
    "content": "市民来电反映：驿城区雪松路与开源大道交叉口路灯连续一周不亮，夜间出行不安全。",
    "citizen": {"name": "张三", "phone": "13800138000", "confidential": False},
    "location": {"county": "411702", "address": "雪松路与开源大道交叉口"},
    "occurred_at": "2026-09-28T20:00:00+08:00",
    "major_incident": False,
}


@pytest.fixture
def intake(api):
    def make(**changes) -> dict:
        from hotline.core import clock

        body = json.loads(json.dumps(INTAKE))
        body["occurred_at"] = (clock.now() - timedelta(hours=2)).isoformat()
        for key, value in changes.items():
            body[key] = value
        return api("agent").ok("/tickets", body, status=201)

    return make
