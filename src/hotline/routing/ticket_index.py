"""A warm :class:`~hotline.routing.duplicates.DuplicateIndex` of the recent tickets, kept in the
serving process for 并单 proposals.

Only the tickets of the merge window (``since``, from the policy) are indexed: built on first
use, then brought up to date before each query with the tickets added since (one indexed
``id > last`` query). It is rebuilt when the window has moved on by a day (so memory stays at
the window's size: about 0.5 KB per ticket), when the window grew, or when the table's highest
id went down (a test rolled back, a database restored). Matches are only candidates: callers
re-read the tickets and verify them (status, window, county, exact similarity), so a stale
entry never shows.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from hotline.routing.duplicates import DuplicateIndex

REBUILD_AFTER = timedelta(days=1)


class TicketIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: DuplicateIndex | None = None
        self._last_id = 0
        self._since: datetime | None = None

    def _refresh(self, since: datetime) -> None:
        from django.db.models import Max

        from hotline.tickets.models import Ticket

        top = Ticket.objects.aggregate(m=Max("pk"))["m"] or 0
        stale = (
            self._index is None
            or self._since is None
            or top < self._last_id
            or since < self._since
            or since - self._since > REBUILD_AFTER
        )
        qs = Ticket.objects.all()
        if stale:
            self._index = DuplicateIndex()
            self._last_id = 0
            self._since = since
            qs = qs.filter(received_at__gte=since)
        if top <= self._last_id:
            return
        seen = [self._last_id]

        def rows():
            for pk, content in (
                qs.filter(pk__gt=self._last_id)
                .order_by("pk")
                .values_list("pk", "content")
                .iterator(chunk_size=5000)
            ):
                seen[0] = pk
                yield pk, content or "", None

        assert self._index is not None
        self._index.add_many(rows())
        self._last_id = max(seen[0], top)

    def matches(
        self, text: str, threshold: float, *, since: datetime, limit: int = 50
    ) -> list[tuple[int, float]]:
        """(ticket id, estimated Jaccard) of indexed tickets at or above ``threshold``."""
        with self._lock:
            self._refresh(since)
            assert self._index is not None
            return [(int(m.id), m.score) for m in self._index.matches(text, threshold, limit=limit)]

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._last_id = 0
            self._since = None


history = TicketIndex()
