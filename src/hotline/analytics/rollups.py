"""The daily rollups that every figure of the dashboards, the API and the reports reads
(Art 23; ARCHITECTURE.md principle 8: no page loops over tickets).

Kept by the timer ``analytics.rollups`` over the ticket event ids: every change of a ticket
writes a ``TicketEvent`` (Art 17), so the days a change touches (the ticket's received day and
closed day) are recomputed from the tickets themselves. ``hotline analytics rebuild`` rebuilds
every day in one pass over tickets and assignments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min, Q

from hotline.orgs.models import Organisation
from hotline.tickets.choices import CallbackOutcome, CloseReason, TicketStatus
from hotline.tickets.models import Assignment, Ticket, TicketEvent
from hotline.tickets.selectors import SEE_ALL_ORG_KINDS

from .models import DailyRollup, RollupState

MEASURES = (
    "received",
    "answered_at_intake",
    "dispatched",
    "overdue",
    "still_open",
    "closed",
    "closed_dispatched",
    "closed_on_time",
    "handling_seconds",
    "evaluated",
    "satisfied",
)
_IDX = {name: i for i, name in enumerate(MEASURES)}
OPEN_STATUSES = frozenset(
    {TicketStatus.NEW, TicketStatus.IN_HANDLING, TicketStatus.AWAITING_CALLBACK}
)
EVALUATED = frozenset(
    {CallbackOutcome.SATISFIED, CallbackOutcome.BASICALLY_SATISFIED, CallbackOutcome.UNSATISFIED}
)
SATISFIED = frozenset({CallbackOutcome.SATISFIED, CallbackOutcome.BASICALLY_SATISFIED})
TICKET_FIELDS = (
    "pk",
    "county_id",
    "category_id",
    "appeal_type",
    "channel",
    "status",
    "received_at",
    "dispatched_at",
    "closed_at",
    "close_reason",
    "evaluation_outcome",
)
EVENT_BATCH = 50_000


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime) -> date:
    return moment.astimezone(zone()).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone())


class _Ancestors:
    """Organisation id → the ids of itself and its ancestors whose scope is their subtree
    (the center and the oversight bodies see everything: they read the city rows)."""

    def __init__(self) -> None:
        rows = list(Organisation.objects.values_list("pk", "code", "path", "kind"))
        by_code = {code: (pk, kind) for pk, code, _path, kind in rows}
        self._map: dict[int, tuple[int, ...]] = {}
        for pk, _code, path, _kind in rows:
            chain = [by_code.get(c) for c in path.strip("/").split("/") if c]
            self._map[pk] = tuple(
                c[0] for c in chain if c is not None and c[1] not in SEE_ALL_ORG_KINDS
            )

    def __getitem__(self, org_id: int) -> tuple[int, ...]:
        return self._map.get(org_id, ())


def _aggregate(
    tickets: Iterable[tuple],
    assignments: dict[int, list[tuple[int, bool]]],
    days: set[date] | None,
    ancestors: _Ancestors,
) -> dict[tuple, list[int]]:
    out: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for (
        pk,
        county_id,
        category_id,
        appeal_type,
        channel,
        status,
        received_at,
        dispatched_at,
        closed_at,
        close_reason,
        outcome,
    ) in tickets:
        orgs: dict[int, bool] = {}  # scope org → holds an overdue assignment in its subtree
        for org_id, overdue in assignments.get(pk, ()):
            for anc in ancestors[org_id]:
                orgs[anc] = orgs.get(anc, False) or overdue
        any_overdue = any(o for _org, o in assignments.get(pk, ()))
        targets: list[tuple[int | None, bool]] = [(None, any_overdue), *orgs.items()]
        r_day = local_day(received_at)
        if days is None or r_day in days:
            for org_id, overdue in targets:
                m = out[(r_day, county_id, category_id, org_id, appeal_type, channel)]
                m[0] += 1
                if close_reason == CloseReason.ANSWERED_AT_INTAKE:
                    m[1] += 1
                if dispatched_at is not None:
                    m[2] += 1
                if overdue:
                    m[3] += 1
                if status in OPEN_STATUSES:
                    m[4] += 1
        if closed_at is not None:
            c_day = local_day(closed_at)
            if days is None or c_day in days:
                seconds = max(0, int((closed_at - received_at).total_seconds()))
                for org_id, overdue in targets:
                    m = out[(c_day, county_id, category_id, org_id, appeal_type, channel)]
                    m[5] += 1
                    if dispatched_at is not None:
                        m[6] += 1
                        if not overdue:
                            m[7] += 1
                    m[8] += seconds
                    if outcome in EVALUATED:
                        m[9] += 1
                        if outcome in SATISFIED:
                            m[10] += 1
    return out


def _assignments_of(ticket_ids: list[int] | None) -> dict[int, list[tuple[int, bool]]]:
    qs = Assignment.objects.order_by()
    if ticket_ids is not None:
        qs = qs.filter(ticket_id__in=ticket_ids)
    held: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for ticket_id, org_id, overdue in qs.values_list("ticket_id", "org_id", "overdue").iterator(
        chunk_size=20_000
    ):
        held[ticket_id].append((org_id, overdue))
    return held


COLUMNS = ("day", "county_id", "category_id", "org_id", "appeal_type", "channel", *MEASURES)


def _copy(rows: dict[tuple, list[int]]) -> None:
    """PostgreSQL: the rows through COPY — a full rebuild writes millions of them, and
    building a model instance per row (bulk_create) costs twenty times the database's work."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        table = DailyRollup._meta.db_table
        with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for key, m in rows.items():
                copy.write_row((*key, *m))


def _write(rows: dict[tuple, list[int]], days: set[date] | None) -> int:
    if connection.vendor == "postgresql":
        with transaction.atomic():
            if days is None:
                DailyRollup.objects.all().delete()
            else:
                DailyRollup.objects.filter(day__in=sorted(days)).delete()
            _copy(rows)
        return len(rows)
    objs = [
        DailyRollup(
            day=day,
            county_id=county_id,
            category_id=category_id,
            org_id=org_id,
            appeal_type=appeal_type,
            channel=channel,
            **{name: m[i] for i, name in enumerate(MEASURES)},
        )
        for (day, county_id, category_id, org_id, appeal_type, channel), m in rows.items()
    ]
    with transaction.atomic():
        if days is None:
            DailyRollup.objects.all().delete()
        else:
            DailyRollup.objects.filter(day__in=sorted(days)).delete()
        DailyRollup.objects.bulk_create(objs, batch_size=5000)
    return len(objs)


def rollups_rebuild(*, now: datetime | None = None) -> int:
    """Every day rebuilt from the tickets (``hotline analytics rebuild``); returns the rows."""
    last = TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    tickets = Ticket.objects.order_by().values_list(*TICKET_FIELDS).iterator(chunk_size=20_000)
    rows = _aggregate(tickets, _assignments_of(None), None, _Ancestors())
    n = _write(rows, None)
    RollupState.objects.update_or_create(pk=1, defaults={"last_event_id": last, "rebuilt_at": now})
    return n


def rollups_build_days(days: set[date]) -> int:
    """Recompute the rollup rows of these local days."""
    if not days:
        return 0
    ranges = Q()
    for day in days:
        start, end = day_start(day), day_start(day + timedelta(days=1))
        ranges |= Q(received_at__gte=start, received_at__lt=end)
        ranges |= Q(closed_at__gte=start, closed_at__lt=end)
    tickets = list(Ticket.objects.filter(ranges).order_by().values_list(*TICKET_FIELDS))
    held = _assignments_of([t[0] for t in tickets])
    return _write(_aggregate(tickets, held, set(days), _Ancestors()), set(days))


def rollups_refresh(*, now: datetime) -> int:
    """Timer: take in the ticket events written since the last run; recompute the days
    their tickets were received or closed on. Returns the tickets looked at."""
    state, _created = RollupState.objects.get_or_create(pk=1)
    if _created and TicketEvent.objects.exists() and not DailyRollup.objects.exists():
        rollups_rebuild(now=now)
        return 0
    events = list(
        TicketEvent.objects.filter(pk__gt=state.last_event_id)
        .order_by("pk")
        .values_list("pk", "ticket_id")[:EVENT_BATCH]
    )
    if not events:
        return 0
    ticket_ids = sorted({t for _pk, t in events})
    days: set[date] = set()
    for received_at, closed_at in Ticket.objects.filter(pk__in=ticket_ids).values_list(
        "received_at", "closed_at"
    ):
        days.add(local_day(received_at))
        if closed_at is not None:
            days.add(local_day(closed_at))
    rollups_build_days(days)
    RollupState.objects.filter(pk=1).update(last_event_id=events[-1][0])
    return len(ticket_ids)


def rollup_span() -> tuple[date | None, date | None]:
    span = DailyRollup.objects.aggregate(lo=Min("day"), hi=Max("day"))
    return span["lo"], span["hi"]
