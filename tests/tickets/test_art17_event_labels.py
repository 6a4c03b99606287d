"""Art 17: every event in a ticket's archive is printed by its label — on the ticket page and
in the Word dossier — from the one table, ``EventType`` (issue 13: the page and the dossier
printed the raw codes ``incident_grouped`` / ``incident_closed``)."""

from __future__ import annotations

import io

from django.utils import translation
from docx import Document

from hotline.orgs.models import User
from hotline.tickets.choices import ContactKind, EventType
from hotline.tickets.models import TicketEvent


def _dossier_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    return "\n".join(
        " | ".join(cell.text for cell in row.cells) for t in document.tables for row in t.rows
    )


def _grouped_and_closed(api, intake, sim) -> str:
    """A ticket grouped into an incident at intake (并单), whose incident is then closed."""
    sim.set("2026-09-30 10:00")
    first = intake(citizen={"name": "甲", "phone": "13900000001", "confidential": False})
    intake(
        citizen={"name": "乙", "phone": "13900000002", "confidential": False},
        merge_with=[first["number"]],
    )
    incident = api("dispatcher").get("/incidents").json()["items"][0]["id"]
    sim.set("2026-09-30 12:00")
    api("dispatcher").ok(f"/incidents/{incident}/close", {"note": "已恢复"})
    types = set(TicketEvent.objects.filter(ticket__number=first["number"]).values_list("type"))
    assert {(EventType.INCIDENT_GROUPED,), (EventType.INCIDENT_CLOSED,)} <= types
    return first["number"]


def test_the_ticket_page_prints_incident_events_by_their_label(api, intake, sim, client):
    number = _grouped_and_closed(api, intake, sim)
    client.force_login(User.objects.get(username="dispatcher"))
    with translation.override("zh-hans"):
        page = client.get(f"/tickets/{number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<b>并单</b>" in html and "<b>并单事件结束</b>" in html
    assert "<b>incident_grouped</b>" not in html and "<b>incident_closed</b>" not in html


def test_the_dossier_prints_incident_events_by_their_label(api, intake, sim):
    number = _grouped_and_closed(api, intake, sim)
    text = _dossier_text(api("dispatcher").get(f"/tickets/{number}/dossier.docx").content)
    assert " | 并单 | " in text and " | 并单事件结束 | " in text
    assert "incident_grouped" not in text and "incident_closed" not in text


def test_the_dossier_stays_chinese_for_an_english_reader():
    from hotline.tickets.dossier import event_label

    with translation.override("en"):
        assert event_label(EventType.INCIDENT_GROUPED) == "并单"


def test_every_event_type_has_a_label_in_both_languages():
    # a contact's kind is stored as its event type (Art 14(1))
    assert set(ContactKind.values) <= set(EventType.values)
    for event in EventType:
        with translation.override("zh-hans"):
            chinese = str(event.label)
        with translation.override("en"):
            english = str(event.label)
        assert chinese != event.value and english != chinese, event
    assert EventType.label_of("written_by_a_later_version") == "written_by_a_later_version"
