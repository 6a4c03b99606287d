"""The list selector's cheap paths (issue #3, #4) give the same answers as plain SQL: a small
scope listed from its ticket ids, a large scope counted from the assignment index, and the
search box's exact and text matches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.tickets import selectors
from hotline.tickets.models import Ticket


@pytest.fixture
def tickets(build):
    build.one_of_each()
    build.signed(lead="411702")
    build.dispatched(lead="411702", appeal_type="consultation")


@pytest.mark.parametrize("small", [True, False])
@pytest.mark.parametrize("username", ["org.411702", "org.411702-01", "org.housing"])
def test_unit_list_counts_and_rows_match_plain_sql(tickets, users, monkeypatch, small, username):
    if not small:
        monkeypatch.setattr(selectors, "SMALL_SCOPE", 0)  # every scope is "large"
    user = users(username)
    qs = selectors.ticket_list(user=user)
    expected = Ticket.objects.filter(
        assignments__org__path__startswith=user.organisation.path
    ).distinct()
    assert qs.count() == expected.count()
    assert {t.pk for t in qs} == set(expected.values_list("pk", flat=True))
    # a sliced count (the console's capped paginator) is the shortcut clipped to the slice
    assert qs.order_by()[:2].count() == min(2, expected.count())
    # a filter added afterwards is counted by SQL, not by the shortcut
    narrowed = qs.filter(appeal_type="consultation")
    assert narrowed.count() == expected.filter(appeal_type="consultation").count()
    with_status = selectors.ticket_list(user=user, status="in_handling")
    assert with_status.count() == expected.filter(status="in_handling").count()


def test_large_scope_is_counted_from_the_assignment_index(tickets, users, monkeypatch):
    monkeypatch.setattr(selectors, "SMALL_SCOPE", 0)
    qs = selectors.ticket_list(user=users("org.411702"))
    with CaptureQueriesContext(connection) as ctx:
        qs.count()
    assert len(ctx) == 1
    assert "tickets_ticket" not in ctx[0]["sql"]


def test_small_scope_is_counted_without_a_query(tickets, users):
    qs = selectors.ticket_list(user=users("org.411702-01"))
    with CaptureQueriesContext(connection) as ctx:
        qs.count()
    assert len(ctx) == 0


def test_center_lists_are_counted_by_sql(tickets, users):
    qs = selectors.ticket_list(user=users("dispatcher"))
    assert qs.count() == Ticket.objects.count()


def test_search_matches_number_phone_and_text(tickets, users, build):
    dispatcher = users("dispatcher")
    ticket = build.new(content="市民反映Xuesong Road路段积水严重", phone="13912345678")
    found = lambda q: set(  # noqa: E731
        selectors.ticket_list(user=dispatcher, q=q).values_list("number", flat=True)
    )
    assert found(ticket.number.lower()) == {ticket.number}
    assert ticket.number in found("13912345678")
    assert ticket.number in found("积水")  # two characters: a plain LIKE
    assert ticket.number in found("路段积水")
    assert ticket.number in found("xuesong road")  # letters: case ignored
    assert ticket.number not in found("路灯不亮")
    # a unit never finds by phone (it may not look citizens up), only by text
    unit = users("org.411702")
    assert ticket.number not in set(
        selectors.ticket_list(user=unit, q="13912345678").values_list("number", flat=True)
    )


def test_content_search_has_a_trigram_index_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (migration 0003)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_content_trgm'")
        row = cursor.fetchone()
    assert row is not None
    assert "gin" in row[0] and "upper(content)" in row[0] and "gin_trgm_ops" in row[0]
