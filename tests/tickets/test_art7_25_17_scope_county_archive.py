"""Two-level dispatch (Art 7, Art 14(2)), scope and privacy (Art 25), archive (Art 17)."""

import pytest

from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import CitizenDataAccess, OutboxMessage, Review, TicketEvent
from tests.tickets.flow import assignment_of, error_code, signed

pytestmark = pytest.mark.django_db


def county_child(api, intake, sim):
    ticket, parent = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    ticket = api("org.411702").ok(
        f"/assignments/{parent['id']}/dispatch", {"lead": "411702-01", "assists": []}
    )
    return ticket, parent, assignment_of(ticket, "411702-01")


def test_art7_county_redispatches_to_its_own_units(api, intake, sim):
    ticket, parent, child = county_child(api, intake, sim)
    assert child["parent"] == parent["id"] and child["status"] == "awaiting_sign"
    ticket = api("org.411702-01").ok(f"/assignments/{child['id']}/sign")
    child = assignment_of(ticket, "411702-01")
    assert child["due_at"] <= parent["due_at"]


def test_art7_child_due_never_exceeds_the_parent(api, intake, sim):
    ticket, parent = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    sim.set("2026-10-12 10:00")
    ticket = api("org.411702").ok(f"/assignments/{parent['id']}/dispatch", {"lead": "411702-02"})
    child = assignment_of(ticket, "411702-02")
    ticket = api("org.411702-02").ok(f"/assignments/{child['id']}/sign")
    assert assignment_of(ticket, "411702-02")["due_at"] == parent["due_at"]


def test_art7_county_may_only_redispatch_within_its_subtree(api, intake, sim):
    _ticket, parent = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    response = api("org.411702").post(
        f"/assignments/{parent['id']}/dispatch", {"lead": "411721-01"}
    )
    assert response.status_code == 422 and error_code(response) == Code.NOT_SUBORDINATE


def test_art7_a_plain_unit_cannot_redispatch(api, intake, sim):
    _ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00", lead="urban")
    response = api("org.urban").post(
        f"/assignments/{assignment['id']}/dispatch", {"lead": "411702-01"}
    )
    assert response.status_code == 403


def test_art7_county_replies_for_the_whole_assignment_after_its_units(api, intake, sim):
    ticket, parent, child = county_child(api, intake, sim)
    early = api("org.411702").post(f"/assignments/{parent['id']}/reply", {"content": "已办"})
    assert early.status_code == 409 and error_code(early) == Code.CHILDREN_PENDING
    api("org.411702-01").ok(f"/assignments/{child['id']}/sign")
    ticket = api("org.411702-01").ok(f"/assignments/{child['id']}/reply", {"content": "已修复"})
    assert ticket["status"] == "in_handling"
    ticket = api("org.411702").ok(f"/assignments/{parent['id']}/reply", {"content": "已办结"})
    assert ticket["status"] == "awaiting_callback"


def test_art15_1_county_reviews_returns_of_what_it_redispatched(api, intake, sim):
    ticket, parent, child = county_child(api, intake, sim)
    api("org.411702-01").ok(f"/assignments/{child['id']}/sign")
    api("org.411702-01").ok(
        f"/assignments/{child['id']}/return", {"reason": "不在本街道辖区", "basis": "行政区划"}
    )
    review = Review.objects.get(assignment_id=child["id"])
    assert review.reviewer_org.code == "411702"
    assert api("supervisor").get("/reviews", kind="return").json()["count"] == 0  # the county's
    ticket = api("org.411702").ok(f"/reviews/{review.pk}/approve", {"lead": "411702-02"})
    assert assignment_of(ticket, "411702-02")["parent"] == parent["id"]
    other_county = api("org.411721").post(f"/reviews/{review.pk}/approve", {})
    assert other_county.status_code == 404


def test_art25_another_units_ticket_is_404(api, intake, sim):
    ticket, _a = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    assert api("org.411721").get(f"/tickets/{ticket['number']}").status_code == 404
    assert api("org.urban").get(f"/tickets/{ticket['number']}").status_code == 404
    listed = api("org.411721").get("/tickets").json()
    assert ticket["number"] not in [t["number"] for t in listed["items"]]


def test_art25_a_unit_keeps_seeing_what_it_held_and_the_county_its_subtree(api, intake, sim):
    ticket, _parent, _child = county_child(api, intake, sim)
    assert api("org.411702-01").get(f"/tickets/{ticket['number']}").status_code == 200
    assert api("org.411702").get(f"/tickets/{ticket['number']}").status_code == 200
    assert api("org.411702-02").get(f"/tickets/{ticket['number']}").status_code == 404


def test_art25_unmasked_reads_are_logged_and_lists_are_masked(api, intake, sim):
    ticket, _a = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    before = CitizenDataAccess.objects.count()
    seen = api("dispatcher").get(f"/tickets/{ticket['number']}").json()
    assert seen["citizen"]["phone"] == "13800138000"
    assert CitizenDataAccess.objects.count() == before + 1
    row = CitizenDataAccess.objects.latest("id")
    assert row.user.username == "dispatcher" and row.ticket.number == ticket["number"]
    listed = api("dispatcher").get("/tickets", q=ticket["number"]).json()["items"][0]
    assert listed["citizen"]["phone"] == "138****8000"
    analyst = api("analyst").get(f"/tickets/{ticket['number']}").json()
    assert analyst["citizen"]["masked"] and "8000" in analyst["citizen"]["phone"]


def test_tickets_search_matches_number_phone_and_content(api, intake, sim):
    sim.set("2026-09-30 09:00")
    mine = intake(content="城管执法车辆占用盲道，影响视障人士通行")
    agent = api("agent")
    assert agent.get("/tickets", q=mine["number"]).json()["count"] == 1
    assert mine["number"] in [t["number"] for t in agent.get("/tickets", q="盲道").json()["items"]]
    by_phone = agent.get("/tickets", q="13800138000").json()["items"]
    assert mine["number"] in [t["number"] for t in by_phone]
    page = agent.get("/tickets", page=1, page_size=1).json()
    assert len(page["items"]) == 1 and page["count"] >= 1
    assert agent.get("/tickets", page_size=0).status_code == 422
    assert agent.get("/tickets", status="bogus").status_code == 422


def test_art17_every_action_appends_an_event_and_a_numbered_outbox_message(api, intake, sim):
    ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    api("org.411702").ok(f"/assignments/{assignment['id']}/reply", {"content": "已处理"})
    ticket = api("callback").ok(f"/tickets/{ticket['number']}/callback", {"outcome": "satisfied"})
    types = [e["type"] for e in ticket["events"]]
    assert types == [
        "intake",
        "dispatched",
        "signed",
        "replied",
        "awaiting_callback",
        "callback",
        "closed",
    ]
    assert all(e["at"].endswith("+08:00") for e in ticket["events"])
    seqs = list(
        OutboxMessage.objects.filter(ticket__number=ticket["number"])
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(types) + 1))
    assert TicketEvent.objects.filter(ticket__number=ticket["number"]).count() == len(types)


def test_api_requires_authentication(client, db):
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
