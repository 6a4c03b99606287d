"""Every home page and list costs a number of queries that does not grow with the number of
tickets (ARCHITECTURE.md principle 8): measured with N and 3N tickets in every state."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGES = [
    ("agent", "/"),
    ("dispatcher", "/"),
    ("org.411702", "/"),
    ("org.411702-01", "/"),
    ("callback", "/"),
    ("supervisor", "/"),
    ("analyst", "/"),
    ("inspector", "/"),
    ("dispatcher", "/tickets/"),
    ("dispatcher", "/tickets/?status=in_handling&overdue=0&sort=dispatch_due"),
    ("dispatcher", "/tickets/?q=13800130001"),
    ("dispatcher", "/tickets/?q=路灯不亮"),
    ("dispatcher", "/tickets/?org=411702&county=411702"),
    ("org.411702", "/tickets/"),
    ("org.411702", "/tickets/?status=in_handling"),
    ("org.411702-01", "/tickets/"),
    ("supervisor", "/?part=queues"),
]
# Upper bounds, so a page that grows a query shows up in review (the exact counts are in
# docs/console.md).
BUDGET = 40


def measure(login) -> dict[tuple[str, str], int]:
    counts = {}
    for username, url in PAGES:
        client = login(username)
        client.get(url)  # warm the calendar and policy caches
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url, **({"HTTP_HX_REQUEST": "true"} if "part=" in url else {}))
        assert page.status_code == 200, (username, url)
        counts[(username, url)] = len(ctx)
    return counts


def test_home_pages_and_lists_use_a_constant_number_of_queries(build, login, sim):
    build.one_of_each()
    few = measure(login)
    for _ in range(2):
        build.one_of_each()
    many = measure(login)
    print("queries per page:", many)
    assert few == many
    assert max(many.values()) <= BUDGET, many
