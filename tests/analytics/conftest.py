"""Tickets made directly (not through the services): the rollups are checked against a
direct count of exactly these rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.tickets.conftest import api  # noqa: F401  (an API caller per demo user)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def cats(db):
    from hotline.tickets.models import Category

    top = Category.objects.create(code="t-urban", name="城市管理")
    leaf = Category.objects.create(code="t-urban.lights", name="路灯", parent=top)
    other = Category.objects.create(code="t-health", name="医疗卫生")
    return {"top": top, "leaf": leaf, "other": other}


class Maker:
    def __init__(self, orgs):
        self.orgs = orgs
        self.n = 0

    def __call__(
        self,
        *,
        county="411702",
        unit="411702-01",
        received=None,
        category=None,
        closed=None,
        overdue=False,
        outcome="",
        status=None,
        content=None,
        phone=None,
        channel="phone",
        appeal_type="complaint",
        dispatched=True,
        repeat_count=0,
    ):
        from hotline.tickets.models import Assignment, Ticket

        self.n += 1
        received = received or NOW - timedelta(days=1)
        status = status or ("closed" if closed else "in_handling")
        t = Ticket.objects.create(
            number=f"ZMD{self.n:010d}",
            status=status,
            channel=channel,
            appeal_type=appeal_type,
            content=content or f"诉求内容{self.n}号",
            category=category,
            citizen_name="张三",
            citizen_phone=phone or f"138{self.n:08d}",
            county=self.orgs[county],
            address="某地",
            received_at=received,
            dispatched_at=received + timedelta(hours=1) if dispatched else None,
            closed_at=closed,
            evaluation_outcome=outcome,
            repeat_count=repeat_count,
        )
        if dispatched and unit:
            Assignment.objects.create(
                ticket=t,
                org=self.orgs[unit],
                role="lead",
                dispatched_at=received + timedelta(hours=1),
                overdue=overdue,
            )
        return t


@pytest.fixture
def make(demo_orgs):
    return Maker(demo_orgs)


@pytest.fixture
def user():
    from hotline.orgs.models import User

    return lambda name: User.objects.get(username=name)
