"""Fixtures for the exchange: the reference receiver in a thread, partners, ticket changes
made through the ticket services, and a signed-request client for the partner API."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from hotline.exchange import signing
from hotline.exchange.mock import MockProvince
from tests.conftest import LIGHTS, OPEN311_BASE, OPEN311_KEY, open311_params  # noqa: F401 — re-exported

TZ = ZoneInfo("Asia/Shanghai")
SECRET = "demo-province-secret"
NATIONAL_SECRET = "national-secret-for-tests"
SUB_SECRET = "sub-12315-secret-for-tests"


@pytest.fixture
def fast_retries(db):
    """Retries at once (backoff 0), dead after 3 failures."""
    from hotline.core.policy import policy_set

    policy_set(key="art21_push_backoff_seconds", value=0.0)
    policy_set(key="art21_push_max_attempts", value=3)
    policy_set(key="art21_push_timeout_seconds", value=5.0)


@pytest.fixture
def mock():
    with MockProvince(secret=SECRET) as receiver:
        yield receiver


@pytest.fixture
def province(db, demo_orgs, mock, settings):
    from hotline.exchange import services

    settings.HOTLINE_PROVINCE_URL = ""
    settings.HOTLINE_PROVINCE_SECRET = ""
    return services.partner_save(
        code="province",
        name="省平台",
        kind="province",
        secret=SECRET,
        endpoint_url=mock.url,
    )


@pytest.fixture
def national(db, demo_orgs):
    from hotline.exchange import services

    return services.partner_save(
        code="gov-cn", name="国家政务服务平台", kind="national", secret=NATIONAL_SECRET
    )


@pytest.fixture
def subcenter(db, demo_orgs):
    from hotline.exchange import services

    return services.partner_save(
        code="sub-12315",
        name="12315分中心",
        kind="subcenter",
        secret=SUB_SECRET,
        org=demo_orgs["sub-12315"],
    )


class Changes:
    """Ticket changes through the ticket services, as users would make them."""

    def __init__(self, orgs):
        from hotline.orgs.models import User

        self.orgs = orgs
        self.users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["agent", "dispatcher", "callback", "org.411702"]
            )
        }
        self.now = datetime(2026, 9, 30, 9, 0, tzinfo=TZ)

    def tick(self, minutes: int = 5) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def intake(self, **changes):
        from hotline.tickets import services

        fields = {
            "channel": "phone",
            "appeal_type": "complaint",
            "content": f"路灯不亮 {uuid.uuid4().hex[:8]}，夜间出行不安全",
            "citizen_name": "张三",
            "citizen_phone": "13800138000",
            "county": self.orgs["411702"],
            "address": "雪松路与开源大道交叉口",
        }
        fields.update(changes)
        return services.ticket_intake(**fields, actor=self.users["agent"], now=self.tick()).ticket

    def dispatch(self, ticket, lead="411702"):
        from hotline.tickets import services

        return services.ticket_dispatch(
            ticket=ticket, lead=self.orgs[lead], actor=self.users["dispatcher"], now=self.tick()
        )

    def sign_and_reply(self, ticket, org="411702"):
        from hotline.orgs.models import User
        from hotline.tickets import services

        user = User.objects.get(username=f"org.{org}")
        assignment = ticket.assignments.get(org__code=org, parent__isnull=True)
        services.assignment_sign(assignment=assignment, actor=user, now=self.tick())
        assignment.refresh_from_db()
        return services.assignment_reply(
            assignment=assignment, content="已修复", actor=user, now=self.tick()
        )

    def close(self, ticket):
        from hotline.tickets import services

        return services.ticket_callback(
            ticket=ticket,
            outcome="satisfied",
            resolved=True,
            actor=self.users["callback"],
            now=self.tick(),
        )

    def full_cycle(self, **changes):
        ticket = self.intake(**changes)
        ticket = self.dispatch(ticket)
        ticket = self.sign_and_reply(ticket)
        return self.close(ticket)


@pytest.fixture
def changes(db, demo_orgs):
    return Changes(demo_orgs)


class PartnerClient:
    """Signed requests to /api/v1/exchange as one partner (docs/exchange.md)."""

    def __init__(self, code: str, secret: str):
        self.code = code
        self.secret = secret
        self.client = Client()

    def headers(self, body: bytes, *, message_id: str | None, now: float | None = None) -> dict:
        signed = signing.sign_headers(
            secret=self.secret,
            partner=self.code,
            message_id=message_id if message_id is not None else uuid.uuid4().hex,
            body=body,
            now=now,
        )
        return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()}

    def post(
        self,
        path: str,
        payload,
        *,
        message_id: str | None = None,
        raw: bytes | None = None,
        tamper=None,
        now: float | None = None,
    ):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        headers = self.headers(body, message_id=message_id, now=now)
        if tamper:
            tamper(headers)
        return self.client.generic(
            "POST", f"/api/v1/exchange{path}", body, content_type="application/json", **headers
        )

    def get(self, path: str):
        headers = self.headers(b"", message_id="")
        return self.client.get(f"/api/v1/exchange{path}", **headers)


def partner_ticket(external_id: str, **changes) -> dict:
    body = {
        "external_id": external_id,
        "appeal_type": "complaint",
        "content": "省平台转办：驿城区某小区电梯长期故障无人维修。",
        "citizen": {"name": "李四", "phone": "13900139000", "confidential": False},
        "location": {"county": "411702", "address": "驿城区练江大道某小区"},
        "occurred_at": "2026-09-29T10:00:00+08:00",
    }
    body.update(changes)
    return body


@pytest.fixture
def as_partner():
    return PartnerClient


@pytest.fixture
def api_token(db, demo_orgs):
    """A test client authenticated as a demo user with a bearer token."""

    def as_(username: str) -> Client:
        from hotline.core.auth import token_issue

        key, _token = token_issue(username=username, password="Demo#12345")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return as_
