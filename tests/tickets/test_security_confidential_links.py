"""Issue 19, finding 1 (Art 15(4), Art 25): a confidential citizen is not identified through
a link to another ticket. A unit that may not see a confidential citizen gets no repeat root,
no incident, no other ticket's number in the events' data — on the API answer, the ticket
page and the dossier — in both directions (confidential → normal and normal → confidential);
the center keeps the link."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from hotline.tickets.models import Ticket
from tests.tickets.flow import dispatched

pytestmark = pytest.mark.django_db

PHONE = "13900001111"
CONTENT = "驿城区雪松路与开源大道交叉口路灯连续一周不亮，夜间出行不安全，希望尽快修复。"


def _pair(api, intake, sim, *, first_confidential: bool) -> tuple[dict, dict]:
    first = dispatched(
        api,
        intake,
        sim,
        when="2026-09-30 09:00",
        content=CONTENT,
        citizen={"name": "王五", "phone": PHONE, "confidential": first_confidential},
    )
    second = dispatched(
        api,
        intake,
        sim,
        when="2026-09-30 11:00",
        content=CONTENT,
        citizen={"name": "王五", "phone": PHONE, "confidential": not first_confidential},
    )
    # the platform did link them (the precondition of the finding)
    assert Ticket.objects.get(number=second["number"]).repeat_of.number == first["number"]
    return first, second


def _page(username: str, path: str) -> str:
    client = Client()
    client.login(username=username, password="Demo#12345")
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if path.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
            return docx.read("word/document.xml").decode()
    return response.content.decode()


@pytest.mark.parametrize("first_confidential", [False, True])
def test_finding1_the_repeat_link_is_hidden_from_a_unit(api, intake, sim, first_confidential):
    first, second = _pair(api, intake, sim, first_confidential=first_confidential)
    seen = api("org.411702").get(f"/tickets/{second['number']}").json()
    assert seen["repeat_of"] is None
    assert first["number"] not in str(seen)  # neither the field nor the intake event's data
    for path in (f"/tickets/{second['number']}/", f"/tickets/{second['number']}/dossier.docx"):
        text = _page("org.411702", path)
        assert first["number"] not in text, path
    # the center, who may see the confidential citizen, keeps the link
    center = api("dispatcher").get(f"/tickets/{second['number']}").json()
    assert center["repeat_of"] == first["number"]
    assert first["number"] in _page("dispatcher", f"/tickets/{second['number']}/")


def test_finding1_a_normal_repeat_chain_stays_visible_to_the_unit(api, intake, sim):
    first = dispatched(
        api,
        intake,
        sim,
        when="2026-09-30 09:00",
        content=CONTENT,
        citizen={"name": "王五", "phone": PHONE, "confidential": False},
    )
    second = dispatched(
        api,
        intake,
        sim,
        when="2026-09-30 11:00",
        content=CONTENT,
        citizen={"name": "王五", "phone": PHONE, "confidential": False},
    )
    seen = api("org.411702").get(f"/tickets/{second['number']}").json()
    assert seen["repeat_of"] == first["number"]
