"""Fixtures for the console pages: a simulated business clock, logged-in clients per demo
user, and a small builder that walks tickets through the services (never rows written by
hand, so every state has its events)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

TZ = ZoneInfo("Asia/Shanghai")
START = "2026-09-30 09:00"  # a Wednesday; the complaint is due Wed 2026-10-14 (RULES.md)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class SimClock:
    def __init__(self):
        from hotline.core.clock import set_simulated_now

        self._set = set_simulated_now
        self.now = at(START)

    def set(self, text: str) -> datetime:
        self.now = self._set(at(text))
        return self.now

    def advance(self, **delta) -> datetime:
        self.now = self._set(self.now + timedelta(**delta))
        return self.now


@pytest.fixture
def sim(db):
    with override_settings(SIMULATION=True):
        clock = SimClock()
        clock.set(START)
        yield clock


@pytest.fixture
def users(db):
    from hotline.orgs.models import User

    cache: dict[str, User] = {}

    def get(username: str) -> User:
        if username not in cache:
            cache[username] = User.objects.select_related("organisation").get(username=username)
        return cache[username]

    return get


@pytest.fixture
def login(users):
    clients: dict[str, Client] = {}

    def as_(username: str) -> Client:
        if username not in clients:
            client = Client()
            client.force_login(users(username))
            clients[username] = client
        return clients[username]

    return as_


class Builder:
    """Tickets in every state, through the services."""

    def __init__(self, users, sim):
        self.users = users
        self.sim = sim
        self.seq = 0

    def new(self, *, county="411702", appeal_type="complaint", phone=None, **changes):
        from hotline.orgs.models import Organisation
        from hotline.tickets import services

        self.seq += 1
        kwargs = {
            "channel": "phone",
            "appeal_type": appeal_type,
            "content": f"市民来电反映：雪松路第{self.seq}号路灯不亮，夜间出行不安全，请尽快维修。",
            "citizen_name": "张三",
            "citizen_phone": phone or f"1380013{self.seq:04d}",
            "county": Organisation.objects.get(code=county),
            "address": f"雪松路{self.seq}号",
            "occurred_at": self.sim.now - timedelta(hours=2),
        }
        kwargs.update(changes)
        return services.ticket_intake(**kwargs, actor=self.users("agent"), now=self.sim.now).ticket

    def dispatched(self, *, lead="411702", assists=(), **kw):
        from hotline.tickets import services

        ticket = self.new(**kw)
        services.ticket_dispatch(
            ticket=ticket,
            lead=services.handling_org(lead),
            assists=[services.handling_org(c) for c in assists],
            actor=self.users("dispatcher"),
            now=self.sim.now,
        )
        return ticket

    def assignment(self, ticket, org):
        return ticket.assignments.select_related("org", "ticket").get(
            org__code=org,
            status__in=["awaiting_sign", "in_progress", "return_requested", "replied"],
        )

    def signed(self, *, lead="411702", **kw):
        from hotline.tickets import services

        ticket = self.dispatched(lead=lead, **kw)
        services.assignment_sign(
            assignment=self.assignment(ticket, lead),
            actor=self.users(f"org.{lead}"),
            now=self.sim.now,
        )
        return ticket

    def replied(self, *, lead="411702", **kw):
        from hotline.tickets import services

        ticket = self.signed(lead=lead, **kw)
        services.assignment_reply(
            assignment=self.assignment(ticket, lead),
            content="已修复",
            citizen_contacted=True,
            actor=self.users(f"org.{lead}"),
            now=self.sim.now,
        )
        return ticket

    def returned(self, *, lead="411702", **kw):
        from hotline.tickets import services

        ticket = self.signed(lead=lead, **kw)
        services.assignment_return(
            assignment=self.assignment(ticket, lead),
            reason="不属于本单位职责",
            basis="三定方案",
            actor=self.users(f"org.{lead}"),
            now=self.sim.now,
        )
        return ticket

    def extension(self, *, lead="411702", **kw):
        from hotline.tickets import services

        ticket = self.signed(lead=lead, **kw)
        services.assignment_request_extension(
            assignment=self.assignment(ticket, lead),
            working_days=3,
            reason="需要协调供电部门",
            actor=self.users(f"org.{lead}"),
            now=self.sim.now,
        )
        return ticket

    def redispatched(self, *, county="411702", child="411702-01", **kw):
        from hotline.tickets import services

        ticket = self.signed(lead=county, **kw)
        services.assignment_redispatch(
            assignment=self.assignment(ticket, county),
            lead=services.handling_org(child),
            actor=self.users(f"org.{county}"),
            now=self.sim.now,
        )
        return ticket

    def one_of_each(self):
        """One ticket in every queue any home page shows."""
        return [
            self.new(),
            self.new(special_seat="business"),
            self.dispatched(),
            self.signed(),
            self.replied(),
            self.returned(),
            self.extension(),
            self.redispatched(),
        ]


@pytest.fixture
def build(users, sim):
    return Builder(users, sim)
