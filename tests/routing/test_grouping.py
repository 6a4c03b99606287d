"""并单 without an incident yet (Art 18): at intake the agent groups the new ticket with similar
open tickets of other callers into a new incident record."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.core.errors import DomainError
from hotline.tickets import services
from hotline.tickets.models import Incident, Ticket, TicketEvent

from .test_integration import HTMX, NOW, intake, intake_form

RETOLD = "市民反映：驿城区雪松路与开源大道交叉口的路灯连续一周都不亮，夜间出行很不安全，请维修。"


@pytest.fixture
def clock_at_now(settings):
    from hotline.core.clock import set_simulated_now

    settings.SIMULATION = True
    set_simulated_now(NOW)
    return NOW


def _form(**extra):
    return intake_form(RETOLD, **extra)


def test_intake_groups_similar_open_tickets_into_a_new_incident(users, orgs, db):
    a = intake(users, orgs, phone="13800000001")
    b = intake(users, orgs, phone="13800000002", content=RETOLD)
    new = intake(users, orgs, phone="13800000003", content=RETOLD, merge_with=[a, b])
    incident = new.incident
    assert incident is not None and incident.county_id == orgs["411702"].pk
    assert incident.closed_at is None and incident.title == RETOLD[:60]
    assert set(incident.tickets.values_list("pk", flat=True)) == {a.pk, b.pk, new.pk}
    assert not new.major_incident  # a grouping, not by itself a major incident
    assert incident.kind == "group"  # street lights: none of the Art 18 kinds
    intake_event = TicketEvent.objects.get(ticket=new, type="intake")
    assert intake_event.data["incident"] == incident.pk
    assert intake_event.data["grouped_with"] == [a.number, b.number]
    for t in (a, b):
        event = TicketEvent.objects.get(ticket=t, type="incident_grouped")
        assert event.data == {"incident": incident.pk, "title": incident.title, "with": new.number}
        assert event.actor == users("agent")


def test_grouping_of_an_outage_takes_the_art18_kind(users, orgs, db):
    outage = "市民反映：驿城区雪松路小区从中午开始停电，整栋楼都没电，请尽快抢修。"
    a = intake(users, orgs, phone="13800000001", content=outage)
    new = intake(users, orgs, phone="13800000003", content=outage, merge_with=[a])
    assert new.incident.kind == "power"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("closed", "merge_ticket_closed"),
        ("grouped", "merge_ticket_grouped"),
        ("county", "merge_other_county"),
        ("incident_too", "merge_conflict"),
    ],
)
def test_grouping_refuses_and_saves_nothing(users, orgs, db, change, code):
    a = intake(users, orgs, phone="13800000001")
    b = intake(users, orgs, phone="13800000002", content=RETOLD)
    kwargs = {}
    if change == "closed":
        services.ticket_answer(ticket=b, answer="已答复", actor=users("agent"), now=NOW)
    elif change == "grouped":
        other = Incident.objects.create(
            kind="power", title="别的事件", county=orgs["411702"], opened_at=NOW
        )
        Ticket.objects.filter(pk=b.pk).update(incident=other)
    elif change == "county":
        b = intake(users, orgs, phone="13800000004", content=RETOLD, county="411722")
    else:
        kwargs["incident"] = Incident.objects.create(
            kind="power", title="事件", county=orgs["411702"], opened_at=NOW
        )
    tickets, incidents = Ticket.objects.count(), Incident.objects.count()
    with pytest.raises(DomainError) as caught:
        intake(users, orgs, phone="13800000003", content=RETOLD, merge_with=[a, b], **kwargs)
    assert caught.value.code == code
    if change == "closed":
        assert b.number in caught.value.message and "未保存" in caught.value.message
    assert Ticket.objects.count() == tickets and Incident.objects.count() == incidents
    assert not TicketEvent.objects.filter(type="incident_grouped").exists()
    a.refresh_from_db()
    assert a.incident_id is None


def test_the_intake_panel_offers_grouping_and_saves_it(users, orgs, db, clock_at_now):
    a = intake(users, orgs, phone="13800000001", now=clock_at_now)
    client = Client()
    client.force_login(users("agent"))
    html = client.get(
        "/console/routing/intake/", {"content": RETOLD, "county": "411702"}, **HTMX
    ).content.decode()
    assert "并单：与相似工单新建并单事件" in html
    assert f'name="merge_with" value="{a.number}"' in html
    assert 'name="incident"' not in html  # no open incident among the similar tickets
    # the panel refreshes while the agent types: what they ticked stays ticked
    again = client.get(
        "/console/routing/intake/",
        {"content": RETOLD + "。", "county": "411702", "merge_with": a.number},
        **HTMX,
    ).content.decode()
    assert f'name="merge_with" value="{a.number}" checked' in again
    response = client.post("/intake/", _form(merge_with=[a.number]))
    assert response.status_code == 303, response.content.decode()[:2000]
    new = Ticket.objects.exclude(pk=a.pk).get(content=RETOLD)
    a.refresh_from_db()
    assert new.incident_id is not None and a.incident_id == new.incident_id
    # now the similar ticket is in an open incident: the panel offers joining it instead
    html = client.get(
        "/console/routing/intake/", {"content": RETOLD, "county": "411702"}, **HTMX
    ).content.decode()
    assert f'name="incident" value="{new.incident_id}"' in html
    ticked = client.get(
        "/console/routing/intake/",
        {"content": RETOLD, "county": "411702", "incident": str(new.incident_id)},
        **HTMX,
    ).content.decode()
    assert f'name="incident" value="{new.incident_id}" checked' in ticked
    assert 'name="incident" value="" checked' not in ticked
    assert "并单：与相似工单新建并单事件" not in html


def test_a_ticket_closed_while_the_agent_typed_is_a_message(users, orgs, db, clock_at_now):
    a = intake(users, orgs, phone="13800000001", now=clock_at_now)
    services.ticket_answer(ticket=a, answer="已答复", actor=users("agent"), now=clock_at_now)
    client = Client()
    client.force_login(users("agent"))
    before = (Ticket.objects.count(), Incident.objects.count())
    response = client.post("/intake/", _form(merge_with=[a.number]))
    assert response.status_code == 422
    assert f"并单失败：工单 {a.number}" in response.content.decode()
    assert (Ticket.objects.count(), Incident.objects.count()) == before


def test_only_center_staff_may_group(users, orgs, db):
    from hotline.core.errors import PermissionDenied as Denied
    from hotline.orgs.models import User

    a = intake(users, orgs, phone="13800000001")
    unit_user = User.objects.filter(organisation__kind="unit").first()
    with pytest.raises(Denied):
        services.ticket_intake(
            channel="phone",
            appeal_type="complaint",
            content=RETOLD,
            citizen_phone="13800000009",
            county=orgs["411702"],
            address="雪松路",
            merge_with=[a],
            actor=unit_user,
            now=NOW,
        )


def test_an_unknown_ticket_to_group_with_is_a_message(users, orgs, db, clock_at_now):
    client = Client()
    client.force_login(users("agent"))
    before = (Ticket.objects.count(), Incident.objects.count())
    response = client.post("/intake/", _form(merge_with=["ZMD2099010100001"]))
    assert response.status_code == 422
    assert "并单：工单 ZMD2099010100001 不存在" in response.content.decode()
    assert (Ticket.objects.count(), Incident.objects.count()) == before
