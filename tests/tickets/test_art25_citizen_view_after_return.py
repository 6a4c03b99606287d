"""Art 25 and Art 15(1): a unit that returned a ticket (not its responsibility) still sees the
ticket it held, but no longer the citizen; the unit the ticket was re-dispatched to does."""

from __future__ import annotations

from hotline.orgs.models import Organisation, User
from hotline.tickets import selectors
from hotline.tickets.models import CitizenDataAccess, Review, Ticket

from .flow import assignment_of, signed


def citizen_of(api, username: str, number: str) -> dict:
    response = api(username).get(f"/tickets/{number}")
    assert response.status_code == 200, response.content.decode()
    return response.json()["citizen"]


def reads(username: str) -> int:
    return CitizenDataAccess.objects.filter(user__username=username).count()


def test_unit_that_returned_the_ticket_sees_it_with_the_citizen_masked(api, intake, sim):
    ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    number = ticket["number"]
    assert citizen_of(api, "org.411702", number)["phone"] == "13800138000"  # handling it

    sim.set("2026-09-30 15:00")
    api("org.411702").ok(
        f"/assignments/{assignment['id']}/return",
        {"reason": "不属于本单位职责", "basis": "《城市照明管理规定》", "suggested_org": "urban"},
    )
    # the return is still being reviewed: the unit still holds the ticket
    assert not citizen_of(api, "org.411702", number)["masked"]

    review = Review.objects.get(assignment_id=assignment["id"])
    sim.set("2026-10-08 10:00")
    ticket = api("supervisor").ok(f"/reviews/{review.pk}/approve", {"lead": "urban"})
    assert assignment_of(ticket, "urban")["status"] == "awaiting_sign"

    # A (returned): the ticket stays visible ("holds or held"), the citizen is masked, and a
    # masked read is not logged
    before = reads("org.411702")
    a = citizen_of(api, "org.411702", number)
    assert a == {"name": "张*", "phone": "138****8000", "confidential": False, "masked": True}
    assert reads("org.411702") == before
    listed = api("org.411702").get("/tickets").json()["items"]
    assert number in [t["number"] for t in listed]

    # B (re-dispatched to it): unmasked, logged
    b = citizen_of(api, "org.urban", number)
    assert b["phone"] == "13800138000" and b["name"] == "张三" and not b["masked"]
    assert reads("org.urban") == 1

    # the same rule decides what a lookup by the citizen's phone may find
    t = Ticket.objects.get(number=number)
    returned = User.objects.get(username="org.411702")
    handling = User.objects.get(username="org.urban")
    assert not selectors.citizen_visible_tickets(returned).filter(pk=t.pk).exists()
    assert selectors.citizen_visible_tickets(handling).filter(pk=t.pk).exists()
    assert not selectors.handles_now(returned, t) and selectors.handles_now(handling, t)


def test_county_body_sees_the_citizen_while_a_unit_below_it_handles_the_ticket(api, intake, sim):
    """The subtree counts: the county body re-dispatched to one of its townships keeps the
    citizen while the township's assignment is live, even if the county's own one is not."""
    ticket, _assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    t = Ticket.objects.get(number=ticket["number"])
    county = User.objects.get(username="org.411702")
    township = Organisation.objects.filter(parent__code="411702").order_by("code").first()
    own = t.assignments.get(org__code="411702")
    t.assignments.create(
        org=township,
        role=own.role,
        parent=own,
        status="in_progress",
        dispatched_at=own.dispatched_at,
    )
    own.status = "returned"
    own.save(update_fields=["status"])
    assert selectors.handles_now(county, t)
    assert not citizen_of(api, "org.411702", ticket["number"])["masked"]
    t.assignments.filter(org=township).update(status="returned")
    assert citizen_of(api, "org.411702", ticket["number"])["masked"]
