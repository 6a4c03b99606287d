"""Issue 19, findings 3 and 6 on knowledge: a huge page number on the public search is an
empty page, not a 500; usage is recorded only for a ticket that exists within the caller's
scope (404 otherwise, nothing recorded)."""

from __future__ import annotations

import pytest

from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import KnowledgeUsage

from .conftest import NOW

pytestmark = pytest.mark.django_db


def make_ticket(users, demo_orgs, *, content: str = "医保报销咨询：住院费用如何结算"):
    from hotline.tickets import services

    return services.ticket_intake(
        channel="phone",
        appeal_type="consultation",
        content=content,
        citizen_name="王五",
        citizen_phone="13800138001",
        county=demo_orgs["411702"],
        address="驿城区解放路",
        actor=users["agent"],
        now=NOW,
    ).ticket


@pytest.mark.parametrize("page", ["99999999999999999999", "10001", "-5", "1e9", "９"])
def test_finding3_a_huge_page_number_is_an_empty_page(client, make_entry, page):
    make_entry(title="医保报销指南", public=True)
    response = client.get("/public/knowledge/", {"q": "医保", "page": page})
    assert response.status_code in (200, 400), response.status_code


def test_finding6_usage_of_an_unknown_ticket_is_404_and_nothing_recorded(api, make_entry):
    entry = make_entry(title="居住证怎么办")
    response = api.post("/usage", {"ticket_number": "ZMD20990101-9999", "entry_ids": [entry.pk]})
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == KnowledgeErrorCode.NOT_FOUND
    assert not KnowledgeUsage.objects.exists()


def test_finding6_usage_of_a_ticket_outside_the_callers_scope_is_404(
    api, make_entry, users, demo_orgs
):
    from hotline.orgs.choices import RoleCode
    from hotline.orgs.models import Role

    entry = make_entry(title="居住证怎么办")
    ticket = make_ticket(users, demo_orgs)
    # a unit user who may record usage (a role the service allows) but holds no assignment
    unit = users["org.medins"]
    unit.roles.add(Role.objects.get(code=RoleCode.DISPATCHER))
    unit._role_codes = None
    response = api.post(
        "/usage", {"ticket_number": ticket.number, "entry_ids": [entry.pk]}, as_user="org.medins"
    )
    assert response.status_code == 404, response.content
    assert not KnowledgeUsage.objects.exists()
    ok = api.post("/usage", {"ticket_number": ticket.number, "entry_ids": [entry.pk]})
    assert ok.status_code == 200 and ok.json() == {"recorded": 1}
