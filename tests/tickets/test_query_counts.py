"""Queries per lifecycle action (ARCHITECTURE.md: the demo and the timers play thousands of
them, so each one's cost is a budget). The numbers are the ticket services' own, counted
inside the test transaction (so each service's atomic block adds SAVEPOINT and RELEASE);
the routing engine's suggestion records are stubbed out here and have their own budget.

Before the budget was set (issue #3): intake 13, dispatch 9, sign 10, reply 16, callback 13;
then 8, 7, 8, 12, 9; then (issue 14, first pass) at most 8, 7, 8, 10, 7. Now exact: the lock
is one ``UPDATE … RETURNING`` that also reads the assignments and pending reviews and reserves
the outbox sequence number (``tickets.services.locking``), the day's number comes with the
repeat candidates, and whether children are pending is answered from the locked rows.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from hotline.calendar.services import get_calendar
from hotline.core.policy import policy
from hotline.orgs.models import Organisation, User
from hotline.tickets import deadlines, services
from hotline.tickets.models import Assignment, OutboxMessage, Ticket, TicketEvent

from .conftest import at

pytestmark = pytest.mark.django_db

BUDGET = {"intake": 7, "dispatch": 7, "sign": 6, "reply": 7, "callback": 7}
# a city unit's reply: whether children are pending is answered from the assignments the
# lock read, as for a county body's
UNIT_REPLY_BUDGET = 7
PHONES = count(13900000000)


@pytest.fixture(autouse=True)
def _no_routing_records(monkeypatch):
    import hotline.routing.recording as routing

    monkeypatch.setattr(routing, "record_intake", lambda **_kw: None, raising=False)
    monkeypatch.setattr(routing, "record_dispatch", lambda **_kw: None, raising=False)


@pytest.fixture
def people(demo_orgs):
    users = User.objects.select_related("organisation").filter(
        username__in=["agent", "dispatcher", "callback", "org.411702"]
    )
    for user in users:
        user.has_role("agent")  # roles are read once per request, before the service runs
    return {u.username: u for u in users}


@pytest.fixture
def warm():
    """The per-process caches (calendar, policy, source time limits) loaded once, as in a
    running server; and today's ticket-number row created."""
    get_calendar()
    policy("art14_dispatch_hours")
    deadlines.source_deadlines()


def _intake(people, county, now):
    return services.ticket_intake(
        channel="phone",
        appeal_type="complaint",
        content="市民来电反映：雪松路路灯连续一周不亮，夜间出行不安全。",
        citizen_name="张三",
        citizen_phone=str(next(PHONES)),
        county=county,
        address="雪松路与开源大道交叉口",
        actor=people["agent"],
        now=now,
    ).ticket


def test_each_lifecycle_action_stays_within_its_query_budget(
    people, demo_orgs, warm, django_assert_num_queries
):
    now = at("2026-09-30 09:00")
    county, lead = demo_orgs["411702"], demo_orgs["411702"]
    unit = people["org.411702"]
    _intake(people, county, now - timedelta(minutes=5))  # the day's number row exists

    with django_assert_num_queries(BUDGET["intake"]):
        ticket = _intake(people, county, now)
    with django_assert_num_queries(BUDGET["dispatch"]):
        ticket = services.ticket_dispatch(
            ticket=ticket, lead=lead, actor=people["dispatcher"], now=now + timedelta(minutes=5)
        )
    assignment = Assignment.objects.get(ticket=ticket)  # as the API reads it: no joins
    with django_assert_num_queries(BUDGET["sign"]):
        services.assignment_sign(assignment=assignment, actor=unit, now=now + timedelta(hours=1))
    assignment = Assignment.objects.get(ticket=ticket)
    with django_assert_num_queries(BUDGET["reply"]):
        ticket = services.assignment_reply(
            assignment=assignment, content="已修复", actor=unit, now=now + timedelta(days=1)
        )
    with django_assert_num_queries(BUDGET["callback"]):
        ticket = services.ticket_callback(
            ticket=ticket,
            outcome="satisfied",
            actor=people["callback"],
            now=now + timedelta(days=2),
        )

    # the outbox sequence kept in Python on the locked row is the one stored, without gaps
    ticket = Ticket.objects.get(pk=ticket.pk)
    seqs = list(OutboxMessage.objects.filter(ticket=ticket).order_by("seq").values_list("seq"))
    assert [s for (s,) in seqs] == list(range(1, ticket.outbox_seq + 1))
    assert ticket.status == "closed" and ticket.outbox_seq == 7


def test_a_service_acting_on_a_stale_ticket_object_still_numbers_the_outbox_right(
    people, demo_orgs, warm
):
    """The caller's object may be old: the sequence comes from the row locked, not from it."""
    now = at("2026-09-30 09:00")
    ticket = _intake(people, demo_orgs["411702"], now)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_dispatch(
        ticket=ticket, lead=demo_orgs["411702"], actor=people["dispatcher"], now=now
    )
    assignment = Assignment.objects.get(ticket=ticket)
    unit = User.objects.get(username="org.411702")
    services.assignment_sign(assignment=assignment, actor=unit, now=now + timedelta(hours=1))
    services.assignment_progress(
        assignment=Assignment(pk=assignment.pk, ticket=stale),
        content="正在处理",
        actor=unit,
        now=now + timedelta(hours=2),
    )
    assert Ticket.objects.get(pk=ticket.pk).outbox_seq == 4 == stale.outbox_seq + 3
    assert OutboxMessage.objects.filter(ticket=ticket).count() == 4


def test_source_time_limits_are_read_again_after_an_edit(people, demo_orgs, warm):
    """Art 15(2): the cached source limits follow the administrator's edit at once."""
    from hotline.tickets.models import SourceDeadline

    assert deadlines.base_working_days(appeal_type="complaint", channel="national") == 7
    row = SourceDeadline.objects.create(channel="national", appeal_type="", working_days=5)
    assert deadlines.base_working_days(appeal_type="complaint", channel="national") == 5
    row.working_days = 3
    row.save()
    assert deadlines.base_working_days(appeal_type="complaint", channel="national") == 3
    row.delete()
    assert deadlines.base_working_days(appeal_type="complaint", channel="national") == 7
    assert Organisation.objects.filter(code="411702").exists()


def test_a_city_unit_reply_and_its_callback_keep_the_archive_in_order(
    people, demo_orgs, warm, django_assert_num_queries
):
    """A reply by a city department (no children possible) skips the pending-children query;
    the two events of the last reply and of the callback are written together, in order."""
    now = at("2026-09-30 09:00")
    unit_org = demo_orgs["housing"]
    unit = User.objects.select_related("organisation").get(username="org.housing")
    unit.has_role("unit_handler")
    ticket = _intake(people, demo_orgs["411702"], now)
    ticket = services.ticket_dispatch(
        ticket=ticket, lead=unit_org, actor=people["dispatcher"], now=now + timedelta(minutes=5)
    )
    assignment = Assignment.objects.select_related("org").get(ticket=ticket)
    services.assignment_sign(assignment=assignment, actor=unit, now=now + timedelta(hours=1))
    assignment = Assignment.objects.get(ticket=ticket)
    with django_assert_num_queries(UNIT_REPLY_BUDGET):
        ticket = services.assignment_reply(
            assignment=assignment, content="已处理", actor=unit, now=now + timedelta(days=1)
        )
    assert ticket.status == "awaiting_callback"
    ticket = services.ticket_callback(
        ticket=ticket, outcome="satisfied", actor=people["callback"], now=now + timedelta(days=2)
    )
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("type"))
    assert [t for (t,) in events] == [
        "intake",
        "dispatched",
        "signed",
        "replied",
        "awaiting_callback",
        "callback",
        "closed",
    ]
    outbox = list(OutboxMessage.objects.filter(ticket=ticket).order_by("seq").values_list("type"))
    assert [t for (t,) in outbox] == [t for (t,) in events]
    assert Ticket.objects.get(pk=ticket.pk).outbox_seq == 7
