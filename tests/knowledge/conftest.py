"""Fixtures for the knowledge base: users of the demo tree, a fixed business now, an entry
factory going through the services, and an API client with bearer tokens."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.knowledge import services
from hotline.knowledge.choices import EntryStatus

TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 2026-03-10, a working day.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def users(db):
    from hotline.orgs.models import User

    wanted = [
        "admin",
        "agent",
        "supervisor",
        "analyst",
        "inspector",
        "dispatcher",
        "org.medins",
        "org.hrss",
        "org.police",
        "org.housing",
        "org.util-gas",
        "org.411702",
        "org.city",
    ]
    found = User.objects.select_related("organisation").filter(username__in=wanted)
    return {u.username: u for u in found}


@pytest.fixture
def make_entry(db, users, demo_orgs, now):
    """Create an entry through the services, taken to ``status`` the way a unit and the center
    would (draft → in_review → published)."""

    def make(
        *,
        org: str = "medins",
        title: str = "职工医保住院费用怎么报销",
        body: str = "参加职工医疗保险的人员在定点医院住院，出院时直接结算。",
        category_code: str = "public-services.medical-insurance.reimbursement",
        category_name: str = "医保报销",
        status: str = EntryStatus.PUBLISHED,
        public: bool = True,
        keywords=(),
        synonyms=(),
        at: datetime | None = None,
        **extra,
    ):
        at = at or now
        owner = users.get(f"org.{org}") or users["admin"]
        entry = services.entry_create(
            actor=owner,
            org=demo_orgs[org],
            title=title,
            body=body,
            category_code=category_code,
            category_name=category_name,
            keywords=list(keywords),
            synonyms=list(synonyms),
            public=public,
            now=at,
            **extra,
        )
        if status == EntryStatus.DRAFT:
            return entry
        entry = services.entry_submit(entry=entry, actor=owner, now=at)
        if status == EntryStatus.IN_REVIEW:
            return entry
        entry = services.entry_publish(entry=entry, actor=users["supervisor"], now=at)
        if status == EntryStatus.RETIRED:
            entry = services.entry_retire(entry=entry, actor=users["supervisor"], now=at)
        return entry

    return make


class Api:
    """Calls /api/v1/knowledge with a bearer token for a demo user."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            from hotline.core.auth import token_issue

            key, _token = token_issue(username=username, password="Demo#12345")
            self.tokens[username] = key
        return self.tokens[username]

    def _headers(self, as_user: str | None) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token(as_user)}"} if as_user else {}

    def get(self, path: str, as_user: str | None = "agent", **params):
        return self.client.get("/api/v1/knowledge" + path, params, **self._headers(as_user))

    def post(self, path: str, body: dict | None = None, as_user: str | None = "agent"):
        return self.client.post(
            "/api/v1/knowledge" + path,
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(as_user),
        )

    def patch(self, path: str, body: dict, as_user: str | None = "agent"):
        return self.client.patch(
            "/api/v1/knowledge" + path,
            data=json.dumps(body),
            content_type="application/json",
            **self._headers(as_user),
        )


@pytest.fixture
def api(client, db):
    return Api(client)


@pytest.fixture
def business_now(monkeypatch):
    """Make the edges (API, pages, timers) see NOW as the business time."""
    from hotline.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


@pytest.fixture
def late_question(make_entry, users, now):
    """An agent's question on a medical-insurance entry, raised ten days ago: overdue now."""
    from datetime import timedelta

    return services.feedback_raise(
        actor=users["agent"],
        kind="question",
        content="异地住院怎么备案？",
        entry=make_entry(),
        now=now - timedelta(days=10),
    )
