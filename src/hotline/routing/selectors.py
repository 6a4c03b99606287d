"""Reads for analytics: how often the routing suggestions were taken."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from hotline.routing.models import RoutingSuggestion


def acceptance(
    *, kind: str, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """``{"shown", "accepted", "first", "rate", "first_rate"}`` for one kind (``category`` or
    ``unit``): how many actions had a suggestion, how often the choice was one of them, and
    how often it was the first one."""
    qs = RoutingSuggestion.objects.filter(kind=kind)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    row = qs.aggregate(
        shown=Count("id"),
        accepted=Count("id", filter=Q(accepted=True)),
        first=Count("id", filter=Q(rank=1)),
    )
    shown = row["shown"] or 0
    return {
        **row,
        "rate": round(row["accepted"] / shown, 4) if shown else None,
        "first_rate": round(row["first"] / shown, 4) if shown else None,
    }
