from datetime import date, timedelta

import pytest

from hotline.analytics import selectors
from hotline.analytics.rollups import rollups_rebuild, rollups_refresh
from hotline.analytics.scope import CITY, Scope

from .conftest import NOW, at

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 19)


def _population(make, cats):
    make(
        received=at("2026-11-19 09:00"),
        category=cats["leaf"],
        closed=at("2026-11-19 15:00"),
        outcome="satisfied",
    )
    make(received=at("2026-11-19 23:30"), category=cats["leaf"], overdue=True)
    make(
        received=at("2026-11-18 08:00"),
        category=cats["other"],
        county="411721",
        unit="411721-01",
        closed=at("2026-11-19 10:00"),
        overdue=True,
        outcome="unsatisfied",
    )
    make(
        received=at("2026-11-19 00:10"),
        dispatched=False,
        status="closed",
        closed=at("2026-11-19 00:20"),
    )
    make(received=at("2026-11-19 12:00"), unit="housing", category=cats["leaf"])


def test_rollups_equal_a_direct_count(make, cats, user):
    from hotline.tickets.models import Ticket

    _population(make, cats)
    rollups_rebuild(now=NOW)
    f = selectors.figures(Scope(CITY), DAY, DAY)
    start, end = at("2026-11-19 00:00"), at("2026-11-20 00:00")
    received = Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
    closed = Ticket.objects.filter(closed_at__gte=start, closed_at__lt=end)
    assert f["received"] == received.count() == 4
    assert f["closed"] == closed.count() == 3
    assert f["dispatched"] == received.filter(dispatched_at__isnull=False).count()
    assert f["overdue"] == received.filter(assignments__overdue=True).distinct().count() == 1
    assert f["on_time_rate"] == 0.5  # two closed after dispatch, one of them overdue
    assert f["satisfaction_rate"] == 0.5
    assert [d["received"] for d in f["by_day"]] == [4]
    assert {c["county"]: c["count"] for c in f["by_county"]} == {"411702": 4}


def test_timer_follows_new_events(make, cats):
    from hotline.tickets.models import TicketEvent

    rollups_rebuild(now=NOW)
    t = make(received=at("2026-11-19 09:00"), category=cats["leaf"])
    TicketEvent.objects.create(ticket=t, at=t.received_at, type="received")
    assert rollups_refresh(now=NOW) == 1
    assert selectors.figures(Scope(CITY), DAY, DAY)["received"] == 1
    t.status, t.closed_at = "closed", at("2026-11-20 08:00")
    t.save()
    TicketEvent.objects.create(ticket=t, at=t.closed_at, type="closed")
    rollups_refresh(now=NOW)
    assert selectors.figures(Scope(CITY), DAY, DAY + timedelta(days=1))["closed"] == 1


def test_scope_of_every_figure_by_role(make, cats, user):
    from hotline.analytics.models import SectorCategory

    _population(make, cats)
    SectorCategory.objects.create(org=user("org.housing").organisation, category=cats["top"])
    rollups_rebuild(now=NOW)

    def received(name, **kw):
        return selectors.overview(
            user=user(name), date_from=DAY - timedelta(days=1), date_to=DAY, **kw
        )

    assert received("analyst")["received"] == 5
    assert received("supervisor")["received"] == 5
    assert received("org.411702")["received"] == 2  # its territory's assignments
    assert received("org.411702-01")["received"] == 2
    assert received("org.411721")["received"] == 1
    # a department: its categories (路灯 under 城市管理) whichever unit handles them
    sector = received("org.housing")
    assert sector["received"] == 3
    assert {c["category"] for c in sector["by_category"]} == {"t-urban.lights"}
    # a filter outside the caller's scope finds nothing
    assert received("org.411721", org="411702-01")["received"] == 0
    assert received("analyst", county="411721")["received"] == 1
    assert received("analyst", category="t-urban")["received"] == 3


def test_overview_api(api, make, cats):
    _population(make, cats)
    rollups_rebuild(now=NOW)
    r = api("analyst").get("/analytics/overview", **{"from": "2026-11-18", "to": "2026-11-19"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["received"] == 5
    assert set(body) >= {
        "received",
        "answered_at_intake",
        "dispatched",
        "closed",
        "overdue",
        "on_time_rate",
        "satisfaction_rate",
        "by_day",
        "by_category",
        "by_county",
    }
    bad = api("analyst").get("/analytics/overview", county="nowhere")
    assert bad.status_code == 422
