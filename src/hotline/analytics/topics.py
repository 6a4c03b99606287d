"""Hot topics of the tickets a user may see (Art 23), through the same detection as the CLI."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hotline.core.policy import policy
from hotline.orgs.models import User
from hotline.tickets import hooks
from hotline.tickets.models import Ticket

from . import hot_topics
from .rollups import day_start
from .scope import Scope

MAX_TICKETS = 20_000


def ticket_items(tickets) -> list[hot_topics.Item]:
    rows = tickets.order_by("-received_at").values_list(
        "pk", "number", "content", "received_at", "county__code", "citizen_phone", "repeat_count"
    )[:MAX_TICKETS]
    return [
        hot_topics.Item(
            id=pk, number=number, text=content, at=at, county=county, citizen=phone, repeats=repeats
        )
        for pk, number, content, at, county, phone, repeats in rows
    ]


def topics_between(
    tickets, start: datetime, end: datetime, *, limit: int | None = 20, min_count: int = 2
) -> list[hot_topics.Topic]:
    items = ticket_items(tickets.filter(received_at__gte=start, received_at__lt=end))
    return hot_topics.detect(
        items,
        similarity=hooks.provided("text_similarity"),
        threshold=policy("art23_hot_topic_similarity"),
        min_count=min_count,
        limit=limit,
        window_end=end,
    )


def as_dict(topic: hot_topics.Topic) -> dict[str, Any]:
    return {
        "id": topic.id,
        "title": topic.title,
        "keywords": topic.keywords,
        "count": topic.count,
        "heat": topic.heat,
        "growth": topic.growth,
        "citizens": topic.citizens,
        "tickets": [i.number for i in topic.items],
        "counties": topic.counties,
        "first_at": topic.first_at,
        "last_at": topic.last_at,
    }


def hot_topic_list(
    *, user: User, date_from: date, date_to: date, limit: int = 20, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """``GET /analytics/hot-topics``: most tickets first (API.md), heat breaking ties."""
    from .selectors import check_range, scoped_tickets

    check_range(date_from, date_to)
    tickets: Any = scoped_tickets(user, scope)
    found = topics_between(
        tickets, day_start(date_from), day_start(date_to + timedelta(days=1)), limit=limit
    )
    found.sort(key=lambda t: (-t.count, -t.heat, t.id))
    return [as_dict(t) for t in found]


def all_tickets():
    return Ticket.objects.all()
