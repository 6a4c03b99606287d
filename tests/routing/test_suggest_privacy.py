"""Art 25 / Art 15(4) and the routing suggestions: the repeat appeal is keyed on the caller's
phone, so it is looked up (and logged) only for roles that may see citizen data. For anyone
else the phone is ignored: a right and a wrong guess give the same answer, so a masked phone
or the caller of a confidential ticket cannot be found by trying numbers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hotline.routing import selectors as routing_selectors
from hotline.tickets import selectors
from hotline.tickets import services as tickets
from hotline.tickets.models import CitizenDataAccess

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
TEXT = "驿城区雪松路与开源大道交叉口路灯连续一周不亮，夜间出行很不安全，请尽快维修。"
PHONE = "13611112222"
WRONG = "13611112223"
URL = "/api/v1/routing/suggest"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sim_now(settings):
    from hotline.core.clock import set_simulated_now

    settings.SIMULATION = True
    set_simulated_now(NOW)
    return NOW


@pytest.fixture
def earlier(users, orgs, data_dir, sim_now):
    """The caller's earlier ticket about the same matter (the one a repeat would point at)."""
    return file(users, orgs)


def file(users, orgs, *, phone=PHONE, confidential=False):
    return tickets.ticket_intake(
        channel="phone",
        appeal_type="complaint",
        content=TEXT,
        citizen_name="张三",
        citizen_phone=phone,
        confidential=confidential,
        county=orgs["411702"],
        address="雪松路与开源大道交叉口",
        actor=users("agent"),
        now=NOW,
    ).ticket


def dispatch(users, orgs, ticket):
    tickets.ticket_dispatch(
        ticket=ticket,
        lead=orgs["411702"],
        assists=[],
        coordinated=False,
        actor=users("dispatcher"),
        now=NOW,
    )


def token(username: str) -> dict:
    from hotline.core.auth import token_issue

    key, _t = token_issue(username=username, password="Demo#12345")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def ask(username: str, phone: str) -> dict:
    response = Client().get(
        URL, {"text": TEXT, "county": "411702", "phone": phone}, **token(username)
    )
    assert response.status_code == 200, response.content
    return response.json()


def repeat_reads():
    return CitizenDataAccess.objects.filter(purpose=routing_selectors.REPEAT_PURPOSE)


# -- API ---------------------------------------------------------------------------------------


def test_analyst_gets_no_repeat_and_cannot_tell_a_right_phone_from_a_wrong_one(earlier):
    right, wrong = ask("analyst", PHONE), ask("analyst", WRONG)
    assert right["repeat"] is None
    assert right == wrong  # nothing in the answer depends on the phone
    # the suggestions themselves are still there (并单 is not keyed on the phone)
    assert [d["number"] for d in right["duplicates"]] == [earlier.number]
    assert not repeat_reads().exists()


@pytest.mark.parametrize("username", ["agent", "dispatcher", "supervisor", "admin"])
def test_roles_that_may_see_citizens_keep_the_repeat_and_the_lookup_is_logged(earlier, username):
    data = ask(username, PHONE)
    assert data["repeat"]["number"] == earlier.number
    read = repeat_reads().get()
    assert read.user.username == username and read.ticket_id == earlier.pk and read.at == NOW
    # a wrong phone finds nothing and logs nothing
    assert ask(username, WRONG)["repeat"] is None
    assert repeat_reads().count() == 1


def test_confidential_ticket_is_never_a_repeat_for_a_user_who_may_not_see_it(
    users, orgs, data_dir, sim_now
):
    secret = file(users, orgs, confidential=True)
    assert ask("analyst", PHONE)["repeat"] is None
    assert ask("analyst", PHONE) == ask("analyst", WRONG)
    # a unit handling the ticket sees the ticket but not a confidential citizen: it is not
    # among the tickets a phone may find for it (an open one it handles is), and the service
    # gives its users no repeat in any case
    unit = users("org.411702")
    for t in (secret, open_one := file(users, orgs, phone="13900001111")):
        dispatch(users, orgs, t)
    assert selectors.tickets_visible_to(unit).filter(pk=secret.pk).exists()
    lookups = selectors.citizen_visible_tickets(unit)
    assert list(lookups.values_list("pk", flat=True)) == [open_one.pk]
    assert routing_selectors.repeat_for(unit, TEXT, phone=PHONE, county="411702", now=NOW) is None
    assert not repeat_reads().exists()
    # the agent taking the call may (the center answers a confidential citizen)
    assert ask("agent", PHONE)["repeat"]["number"] == secret.number
    assert repeat_reads().get().user.username == "agent"


def test_the_phone_costs_an_analyst_no_query(users, earlier):
    """Not even the time the answer takes depends on the phone."""
    analyst = users("analyst")
    assert not selectors.can_see_citizen(analyst)  # (reads the roles once)
    counts = []
    for phone in (PHONE, WRONG):
        with CaptureQueriesContext(connection) as queries:
            routing_selectors.repeat_for(analyst, TEXT, phone=phone, county="411702", now=NOW)
        counts.append(len(queries))
    assert counts == [0, 0]


def test_suggest_without_a_user_never_looks_the_phone_up(earlier):
    data = routing_selectors.suggest(text=TEXT, county="411702", phone=PHONE, now=NOW)
    assert data["repeat"] is None and not repeat_reads().exists()


# -- console fragment ----------------------------------------------------------------------------


def fragment(user, phone: str) -> str:
    client = Client()
    client.force_login(user)
    params = {"content": TEXT, "county": "411702", "citizen_phone": phone}
    response = client.get("/console/routing/intake/", params, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_console_intake_fragment_shows_the_repeat_to_the_agent_only(users, earlier):
    analyst = users("analyst")
    right, wrong = fragment(analyst, PHONE), fragment(analyst, WRONG)
    assert right == wrong and "routing-repeat" not in right
    assert not repeat_reads().exists()
    agent = fragment(users("agent"), PHONE)
    assert "routing-repeat" in agent and earlier.number in agent
    assert repeat_reads().get().user.username == "agent"
