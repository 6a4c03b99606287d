"""Art 18: a major incident's record (并单) is opened by its first call and closed by the center
when the incident is over; each linked ticket's archive records the closing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.core.errors import InvalidInput, PermissionDenied
from hotline.orgs.models import User
from hotline.tickets import services
from hotline.tickets.error_codes import TicketErrorCode as Code
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
    assert refused.value.code == Code.ALREADY_CLOSED


def test_art18_a_closed_incident_takes_no_new_calls(demo_orgs):
    users = {u.username: u for u in User.objects.select_related("organisation")}
    county, now = demo_orgs["411702"], at("2026-09-30 09:00")
    incident = _call(county, users["agent"], now).incident
    services.incident_close(incident=incident, actor=users["supervisor"], now=now)
    with pytest.raises(InvalidInput) as raised:
        _call(county, users["agent"], now, incident=incident, phone="13900003333")
    assert raised.value.code == Code.INCIDENT_CLOSED
    assert incident.tickets.count() == 1


def test_art18_incidents_are_listed_and_closed_over_the_api(api, demo_orgs):
    users = {u.username: u for u in User.objects.select_related("organisation")}
    county, now = demo_orgs["411702"], at("2026-09-30 09:00")
    incident = _call(county, users["agent"], now).incident
    _call(county, users["agent"], now, incident=incident, phone="13900002222")

    listed = api("dispatcher").get("/incidents", open=True).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["id"] == incident.pk and item["calls"] == 2 and item["closed_at"] is None
    assert item["county"] == "411702"
    # a unit has no incident list; closing is for dispatchers and supervisors
    assert api("org.housing").get("/incidents").json()["count"] == 0
    assert api("org.housing").post(f"/incidents/{incident.pk}/close", {}).status_code == 404
    assert api("agent").post(f"/incidents/{incident.pk}/close", {}).status_code == 403

    closed = api("dispatcher").ok(f"/incidents/{incident.pk}/close", {"note": "已恢复供电"})
    assert closed["closed_at"] is not None and closed["calls"] == 2
    again = api("dispatcher").post(f"/incidents/{incident.pk}/close", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == Code.ALREADY_CLOSED
    assert api("dispatcher").get("/incidents", open=True).json()["count"] == 0


def test_art18_the_admin_closes_incidents_only_through_the_service(client, demo_orgs):
    users = {u.username: u for u in User.objects.select_related("organisation")}
    now = at("2026-09-30 09:00")
    incident = _call(demo_orgs["411702"], users["agent"], now).incident
    client.force_login(users["admin"])
    url = "/admin/tickets/incident/"
    assert client.get(url).status_code == 200
    # no edit form that could set closed_at behind the service's back
    change = client.post(f"{url}{incident.pk}/change/", {"closed_at_0": "2026-09-30"})
    assert change.status_code in (302, 403) or b"closed_at_0" not in change.content
    incident.refresh_from_db()
    assert incident.closed_at is None
    response = client.post(
        url, {"action": "close_incidents", "_selected_action": [incident.pk]}, follow=True
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.closed_at is not None
    assert TicketEvent.objects.filter(type="incident_closed").count() == 1


def test_art18_intake_over_the_api_joins_an_incident_or_groups_tickets(api, intake, sim):
    sim.set("2026-09-30 10:00")
    first = intake(citizen={"name": "甲", "phone": "13900000001", "confidential": False})
    second = intake(citizen={"name": "乙", "phone": "13900000002", "confidential": False})
    grouped = intake(
        citizen={"name": "丙", "phone": "13900000003", "confidential": False},
        merge_with=[first["number"], second["number"]],
    )
    incidents = api("dispatcher").get("/incidents").json()["items"]
    assert len(incidents) == 1 and incidents[0]["calls"] == 3
    incident = incidents[0]["id"]
    events = {
        e["type"] for e in api("dispatcher").get(f"/tickets/{first['number']}").json()["events"]
    }
    assert "incident_grouped" in events
    assert not grouped["major_incident"]
    # a later call joins the incident by its id
    intake(citizen={"name": "丁", "phone": "13900000004", "confidential": False}, incident=incident)
    assert api("dispatcher").get("/incidents").json()["items"][0]["calls"] == 4


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"incident": 999999}, 422, Code.UNKNOWN_INCIDENT),
        ({"merge_with": ["ZMD2099010100001"]}, 422, Code.MERGE_UNKNOWN_TICKET),
        ({"merge_with": [f"ZMD20990101{n:05d}" for n in range(21)]}, 422, None),
    ],
)
def test_art18_bad_grouping_over_the_api_saves_nothing(api, sim, changes, status, code):
    from hotline.tickets.models import Incident, Ticket

    from .conftest import INTAKE

    sim.set("2026-09-30 10:00")
    before = (Ticket.objects.count(), Incident.objects.count())
    response = api("agent").post("/tickets", {**INTAKE, **changes})
    assert response.status_code == status, response.content.decode()
    if code:
        assert response.json()["error"]["code"] == code
    assert (Ticket.objects.count(), Incident.objects.count()) == before
