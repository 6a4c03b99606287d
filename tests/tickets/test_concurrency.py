"""Two people acting on one ticket at once get one success and one 409, never a double
action (ARCHITECTURE.md principle 5). Real threads, each with its own PostgreSQL connection,
released together by a barrier; SQLite serialises writers, so the race needs PostgreSQL.

These tests commit (``transaction=True``), so the database is flushed after each one: the
demo organisations, users and calendar that the session seeded are put back before each test
here and once more after the last one, so the tests that follow still find them.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Evaluation, Ticket, TicketEvent

THREADS = 6

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks under real concurrency need PostgreSQL (SQLite serialises writers)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _seed_demo() -> None:
    """What tests/conftest.py seeds once per session (idempotent)."""
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_users

    calendar_seed_official()
    seed_users(seed_organisations())


@pytest.fixture(scope="module", autouse=True)
def _demo_data_back_after_the_last_flush(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _seed_demo()


@pytest.fixture
def demo(transactional_db):
    from hotline.orgs.models import User

    if not User.objects.filter(username="org.411702").exists():  # flushed by a test before
        _seed_demo()
    return {u.username: u for u in User.objects.all()}


def _bearer(username: str) -> str:
    from hotline.core.auth import token_issue

    return token_issue(username=username, password="Demo#12345")[0]


def _race(username: str, path: str, body: dict | None = None) -> list[tuple[int, dict]]:
    """POST ``path`` from THREADS threads at once, each with its own client and connection."""
    token = _bearer(username)
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i: int) -> None:
        client = Client()
        try:
            barrier.wait(timeout=30)
            response = client.post(
                f"/api/v1{path}",
                data=json.dumps(body or {}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            results[i] = (response.status_code, response.json())
        except BaseException as exc:  # reported by the assertion below
            results[i] = (None, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def _one_success_rest_invalid_transition(results) -> None:
    statuses = Counter(status for status, _body in results)
    assert statuses == {200: 1, 409: THREADS - 1}, results
    for status, body in results:
        if status == 409:
            assert body["error"]["code"] == Code.INVALID_TRANSITION, body


def _ticket(demo, *, now) -> Ticket:
    from hotline.orgs.models import Organisation
    from hotline.tickets import services

    return services.ticket_intake(
        channel="phone",
        appeal_type="complaint",
        content="市民反映驿城区雪松路路灯不亮，夜间出行不便。",
        citizen_name="张三",
        citizen_phone="13800138000",
        county=Organisation.objects.get(code="411702"),
        address="雪松路",
        actor=demo["agent"],
        now=now,
    ).ticket


def _dispatched(demo, *, now) -> tuple[Ticket, Assignment]:
    from hotline.orgs.models import Organisation
    from hotline.tickets import services

    ticket = _ticket(demo, now=now)
    lead = Organisation.objects.get(code="411702")
    services.ticket_dispatch(ticket=ticket, lead=lead, actor=demo["dispatcher"], now=now)
    return ticket, ticket.assignments.get()


def _recent():
    from django.utils import timezone

    return timezone.now() - timedelta(minutes=30)


def test_parallel_dispatches_of_one_ticket_dispatch_it_once(demo):
    # given a new ticket
    ticket = _ticket(demo, now=_recent())
    # when six dispatchers dispatch it at the same moment
    results = _race("dispatcher", f"/tickets/{ticket.number}/dispatch", {"lead": "411702"})
    # then one succeeds, the others are told the state no longer allows it
    _one_success_rest_invalid_transition(results)
    # and there is exactly one lead assignment and one dispatch in the archive
    assert Assignment.objects.filter(ticket=ticket, role="lead").count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, type="dispatched").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == "in_handling"


def test_parallel_signs_of_one_assignment_sign_it_once(demo):
    # given an assignment awaiting its sign
    ticket, assignment = _dispatched(demo, now=_recent())
    # when the unit signs it from six places at once
    results = _race("org.411702", f"/assignments/{assignment.pk}/sign")
    # then one sign wins and starts the clock once
    _one_success_rest_invalid_transition(results)
    assert TicketEvent.objects.filter(ticket=ticket, type="signed").count() == 1
    assignment.refresh_from_db()
    assert assignment.status == "in_progress"
    assert assignment.signed_at is not None


def test_parallel_callbacks_close_the_ticket_once(demo):
    from hotline.tickets import services

    # given a ticket whose unit has replied
    now = _recent()
    ticket, assignment = _dispatched(demo, now=now)
    services.assignment_sign(assignment=assignment, actor=demo["org.411702"], now=now)
    services.assignment_reply(
        assignment=assignment, content="已修复", actor=demo["org.411702"], now=now
    )
    # when the callback result is recorded six times at once
    results = _race(
        "callback", f"/tickets/{ticket.number}/callback", {"outcome": "satisfied", "resolved": True}
    )
    # then one evaluation closes the ticket, the others are refused
    _one_success_rest_invalid_transition(results)
    assert Evaluation.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, type="closed").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
