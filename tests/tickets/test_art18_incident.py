"""Art 18: a major incident's record (并单) is opened by its first call and closed by the center
when the incident is over; each linked ticket's archive records the closing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.core.errors import InvalidInput, PermissionDenied
from hotline.orgs.models import User
from hotline.tickets import services
from hotline.tickets.models import TicketEvent

from .conftest import at

pytestmark = pytest.mark.django_db


def _call(county, agent, now, *, incident=None, phone="13900001111"):
    return services.ticket_intake(
        channel="phone",
        appeal_type="help",
        content="市民来电反映：驿城区雪松路一带大面积停电，已经两个小时了。",
        citizen_phone=phone,
        county=county,
        address="驿城区雪松路",
        major_incident=True,
        incident=incident,
        actor=agent,
        now=now,
    ).ticket


def test_art18_the_center_closes_a_major_incident_and_every_linked_ticket_records_it(demo_orgs):
    users = {u.username: u for u in User.objects.select_related("organisation")}
    county, now = demo_orgs["411702"], at("2026-09-30 09:00")
    first = _call(county, users["agent"], now)
    incident = first.incident
    assert incident is not None and incident.closed_at is None
    second = _call(
        county, users["agent"], now + timedelta(minutes=20), incident=incident, phone="13900002222"
    )

    with pytest.raises(PermissionDenied):
        services.incident_close(incident=incident, actor=users["agent"], now=now)
    with pytest.raises(InvalidInput):
        services.incident_close(
            incident=incident, actor=users["dispatcher"], now=now - timedelta(hours=1)
        )

    closed_at = now + timedelta(hours=6)
    closed = services.incident_close(
        incident=incident, note="线路抢修完毕，已恢复供电", actor=users["dispatcher"], now=closed_at
    )
    assert closed.closed_at == closed_at
    events = TicketEvent.objects.filter(type="incident_closed").order_by("ticket_id")
    assert [e.ticket_id for e in events] == [first.pk, second.pk]
    assert all(e.at == closed_at and e.data["note"] == "线路抢修完毕，已恢复供电" for e in events)
    assert all(e.actor == users["dispatcher"] for e in events)

    with pytest.raises(services.Conflict) as refused:
        services.incident_close(incident=incident, actor=users["supervisor"], now=closed_at)
    assert refused.value.code == "already_closed"
