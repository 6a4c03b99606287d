"""Routing's reads: the whole suggestion for a ticket being typed, the 并单 and repeat-appeal
candidates, and the acceptance figures for analytics.

* :func:`suggest` — everything the intake form and ``GET /api/v1/routing/suggest`` show: the
  three most likely categories, the county/township, the units to dispatch to with a reason
  each (:mod:`hotline.routing.suggestions`), similar open tickets to merge (并单, Art 18) and a
  possible repeat appeal (Art 11(7)) — the latter only for a user who may see citizen data.
* :func:`similar_open_tickets`, :func:`repeat_candidate`, :func:`repeat_for`.
* :func:`acceptance` and the report functions — how often the suggestions were taken. Every
  figure is one SQL aggregate over ``RoutingSuggestion`` (the range filter uses the
  ``(kind, at)`` index); nothing here loops over the records in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError
from django.db.models import Case, Count, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from hotline.core.policy import policy
from hotline.routing.duplicates import TicketText, is_repeat, similarity
from hotline.routing.models import RoutingSuggestion, SuggestionKind
from hotline.routing.suggestions import MAX_TEXT, locate, suggest_categories, suggest_units
from hotline.routing.ticket_index import history as ticket_history
from hotline.tickets import selectors as ticket_selectors
from hotline.tickets.models import CitizenDataAccess, Ticket

DUPLICATE_LIMIT = 5
OPEN_EXCLUDED = ("closed", "not_accepted")


# -- everything at once --------------------------------------------------------------------------


def suggest(
    *,
    text: str,
    address: str = "",
    county: str = "",
    phone: str = "",
    category: str = "",
    now: datetime,
    user=None,
) -> dict[str, Any]:
    """The whole suggestion for a ticket being typed (intake form, API), for ``user``: the
    repeat appeal (keyed on the phone) only for a user who may see citizen data (see
    ``repeat_for``); without a user there is none."""
    text = (text or "")[:MAX_TEXT]
    cats = suggest_categories(text)
    place = locate(address, text, county)
    county_code = county or place.county
    chosen_category = category or (cats.items[0]["code"] if cats.items else "")
    units = suggest_units(
        text, category=chosen_category, county=county_code, township=place.township, now=now
    )
    repeat = repeat_for(user, text, phone=phone, county=county_code, now=now) if phone else None
    duplicates = similar_open_tickets(text, county=county_code, now=now)
    return {
        "categories": cats.items,
        "model_version": cats.model_version,
        "message": cats.message,
        "place": place.as_dict(),
        "units": [u.as_dict() for u in units],
        "duplicates": duplicates,
        "repeat": repeat,
    }


# -- duplicates and repeats -----------------------------------------------------------------------


def similar_open_tickets(
    text: str,
    *,
    county: str = "",
    now: datetime,
    exclude_ticket: int | None = None,
    limit: int = DUPLICATE_LIMIT,
) -> list[dict[str, Any]]:
    """并单 proposals: open tickets from the last ``routing_merge_window_days`` about the same
    matter (MinHash estimate ≥ ``routing_merge_similarity``) in the same county when known —
    whoever called. Verified against the database, best first."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return []
    threshold = policy("routing_merge_similarity")
    since = now - timedelta(days=policy("routing_merge_window_days"))
    hits = dict(ticket_history.matches(text, threshold, since=since, limit=200))
    if exclude_ticket is not None:
        hits.pop(exclude_ticket, None)
    if not hits:
        return []
    qs = (
        Ticket.objects.filter(pk__in=list(hits), received_at__gte=since, received_at__lte=now)
        .exclude(status__in=OPEN_EXCLUDED)
        .select_related("county", "incident")
        .only(*ROW_FIELDS)
    )
    if county:
        qs = qs.filter(county__code=county)
    rows = []
    for t in qs:
        exact = similarity(text, t.content, shingle_size=3)
        if exact < threshold:
            continue  # a stale index entry or an estimate just above the line
        rows.append((exact, t))
    rows.sort(key=lambda r: (-r[0], -r[1].received_at.timestamp()))
    return [_ticket_row(t, s) for s, t in rows[:limit]]


ROW_FIELDS = (
    "number",
    "status",
    "content",
    "received_at",
    "repeat_of_id",
    "county__code",
    "county__name",
    "county__short_name",
    "incident__title",
)


def _ticket_row(t, score: float, **extra: Any) -> dict[str, Any]:
    return {
        "number": t.number,
        "similarity": round(score, 3),
        "status": t.status,
        "county": t.county.code,
        "county_name": t.county.short_name or t.county.name,
        "received_at": t.received_at.isoformat(),
        "content": t.content[:120],
        "incident": t.incident_id,
        "incident_title": t.incident.title if t.incident_id else "",
        **extra,
    }


def repeat_candidate(
    text: str,
    *,
    phone: str,
    county: str,
    now: datetime,
    exclude_ticket: int | None = None,
    within=None,
) -> dict[str, Any] | None:
    """The ticket this one would be a repeat appeal of (same caller, same county, similar
    substance within the window — the rule ``tickets.services.find_repeat_of`` applies),
    among ``within`` (a ticket queryset; every ticket without it).

    This is the engine: it answers whoever asks, so what it finds tells the caller's phone.
    Anything that shows its answer to a person goes through ``repeat_for``."""
    found = _repeat_match(
        text, phone=phone, county=county, now=now, exclude_ticket=exclude_ticket, within=within
    )
    if found is None:
        return None
    t, score = found
    return _ticket_row(t, score, repeat_of=t.repeat_of_id is not None)


def _repeat_match(text: str, *, phone: str, county: str, now: datetime, exclude_ticket, within):
    if not (phone or "").strip() or not county or not (text or "").strip():
        return None
    since = now - timedelta(days=policy("art9_repeat_window_days"))
    pool = Ticket.objects.all() if within is None else within
    earlier = list(
        pool.filter(
            citizen_phone=phone.strip(),
            county__code=county,
            received_at__gte=since,
            received_at__lte=now,
        )
        .exclude(pk=exclude_ticket or 0)
        .select_related("county", "incident")
        .only(*ROW_FIELDS)
        .order_by("-received_at")[:50]
    )
    match = is_repeat(
        TicketText(None, text),
        (TicketText(t.pk, t.content) for t in earlier),
        same_phone=False,
        same_county=False,
        threshold=policy("art9_repeat_similarity"),
    )
    if match is None:
        return None
    return next(t for t in earlier if t.pk == match.id), match.similarity


REPEAT_PURPOSE = "repeat_check"  # CitizenDataAccess.purpose of a repeat shown at intake


def repeat_for(user, text: str, *, phone: str, county: str, now: datetime) -> dict[str, Any] | None:
    """``repeat_candidate`` for a person (Art 25). A match tells that the phone is the caller
    of the ticket found, so the phone is looked up only for roles that may see citizen data
    (``tickets.selectors.can_see_citizen``, as the caller history and the phone search); for
    anyone else the phone is ignored and there is never a repeat, whatever phone they try.
    The candidates are the tickets whose citizen the user may see
    (``selectors.citizen_visible_tickets``: within their scope, never a confidential ticket
    for a user who may not see its citizen, Art 15(4)). A repeat shown is logged in
    ``CitizenDataAccess`` (purpose ``repeat_check``) against the ticket found."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not (phone or "").strip() or not ticket_selectors.can_see_citizen(user):
        return None
    within = ticket_selectors.citizen_visible_tickets(user)
    found = _repeat_match(
        text, phone=phone, county=county, now=now, exclude_ticket=None, within=within
    )
    if found is None:
        return None
    t, score = found
    CitizenDataAccess.objects.create(user=user, ticket=t, at=now, purpose=REPEAT_PURPOSE)
    return _ticket_row(t, score, repeat_of=t.repeat_of_id is not None)


# -- how often the suggestions were taken -------------------------------------------------------

# The sources of a unit suggestion (``RoutingSuggestion.sources``), in the report's order.
UNIT_SOURCES = ("catalogue", "precedent", "model", "neighbours")
PERIODS = ("week", "month")


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


# -- the acceptance report --------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One row of the report: local days ``first`` … ``last`` (both included); ``since`` /
    ``until`` are the instants that bound it (local midnight, Asia/Shanghai)."""

    first: date
    last: date
    since: datetime
    until: datetime


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), timezone.get_default_timezone())


def report_periods(*, first: date, last: date, period: str) -> list[Period]:
    """The weeks (Monday to Sunday) or calendar months that meet ``first`` … ``last``, the
    first and the last cut to the range. Days are local days (``settings.TIME_ZONE``)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    periods: list[Period] = []
    start = first
    while start <= last:
        if period == "week":
            next_start = start - timedelta(days=start.weekday()) + timedelta(days=7)
        else:
            next_start = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(next_start - timedelta(days=1), last)
        periods.append(Period(start, end, _midnight(start), _midnight(end + timedelta(days=1))))
        start = next_start
    return periods


def _rates(shown: int, accepted: int, first: int) -> dict[str, Any]:
    return {
        "shown": shown,
        "accepted": accepted,
        "first": first,
        "rate": accepted / shown if shown else None,
        "first_rate": first / shown if shown else None,
    }


_COUNTS = {
    "shown": Count("id"),
    "accepted": Count("id", filter=Q(accepted=True)),
    "first": Count("id", filter=Q(rank=1)),
}
KINDS = (SuggestionKind.CATEGORY.value, SuggestionKind.UNIT.value)


def _bucket(periods: list[Period], lo: int, hi: int) -> Case | Value:
    """The index of the period a record's ``at`` falls in, among ``periods[lo:hi]``: nested
    CASEs that halve the range (about log2(n) comparisons per row). Comparing with the
    boundaries needs no per-row time-zone arithmetic, which SQLite would do by calling back
    into Python for every row."""
    if hi - lo == 1:
        return Value(lo)
    mid = (lo + hi) // 2
    return Case(
        When(at__lt=periods[mid].since, then=_bucket(periods, lo, mid)),
        default=_bucket(periods, mid, hi),
        output_field=IntegerField(),
    )


def acceptance_by_period(*, periods: list[Period]) -> dict[str, Any]:
    """Per period and per kind: how many actions had a suggestion (``shown``), how often the
    choice was one of them (``accepted``) and the first one (``first``), with the rates
    (``None`` when nothing was shown). One query::

        {"rows": [{"period": Period, "category": {...}, "unit": {...}}, ...],
         "total": {"category": {...}, "unit": {...}}}
    """
    counts: dict[tuple[str, int], dict[str, int]] = {}
    if periods:
        rows = (
            RoutingSuggestion.objects.filter(
                kind__in=KINDS, at__gte=periods[0].since, at__lt=periods[-1].until
            )
            .annotate(bucket=_bucket(periods, 0, len(periods)))
            .order_by()  # the model's ordering must not join the GROUP BY
            .values("kind", "bucket")
            .annotate(**_COUNTS)
        )
        counts = {(r["kind"], r["bucket"]): r for r in rows}
    empty = {"shown": 0, "accepted": 0, "first": 0}
    result_rows = []
    totals = {kind: dict(empty) for kind in KINDS}
    for i, p in enumerate(periods):
        row: dict[str, Any] = {"period": p}
        for kind in KINDS:
            c = counts.get((kind, i), empty)
            row[kind] = _rates(c["shown"], c["accepted"], c["first"])
            for key in empty:
                totals[kind][key] += c[key]
        result_rows.append(row)
    return {
        "rows": result_rows,
        "total": {k: _rates(t["shown"], t["accepted"], t["first"]) for k, t in totals.items()},
    }


class SuggestionSources(Func):
    """The sources of the suggestion at a 0-based position (an SQL expression) of
    ``RoutingSuggestion.sources`` — a list per suggested unit — as JSON text
    (``["catalogue", "model"]``); NULL when there is no such position."""

    arity = 2
    output_field = TextField()

    def _parts(self, compiler, connection):
        json_sql, json_params = compiler.compile(self.source_expressions[0])
        index_sql, index_params = compiler.compile(self.source_expressions[1])
        return json_sql, index_sql, (*json_params, *index_params)

    def as_sqlite(self, compiler, connection, **extra):
        json_sql, index_sql, params = self._parts(compiler, connection)
        return f"json_extract({json_sql}, '$[' || ({index_sql}) || ']')", params

    def as_postgresql(self, compiler, connection, **extra):
        json_sql, index_sql, params = self._parts(compiler, connection)
        return f"(({json_sql}) -> ({index_sql})::integer)::text", params

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover
        raise NotSupportedError("SuggestionSources: SQLite and PostgreSQL only")


def _mentions(source: str) -> str:
    # the JSON text holds each source name quoted; no source name is part of another
    return f'"{source}"'


def unit_acceptance_by_source(*, since: datetime, until: datetime) -> dict[str, Any]:
    """For each source of the unit suggestions (派单目录, 先例, 同类派单统计, 相似工单模型),
    over the dispatches of ``since`` … ``until`` that had a suggestion:

    * ``offered`` — the source suggested at least one unit;
    * ``hit`` — the lead unit chosen was one of that source's suggestions (``hit_rate`` =
      hit / offered);
    * ``top`` — the first suggestion came from it; ``top_hit`` — and was taken
      (``top_rate``).

    A unit named by several sources counts for each of them. One query::

        {"shown": n, "rows": [{"source", "offered", "hit", "hit_rate", "top", "top_hit",
        "top_rate"}, ...]}
    """
    qs = (
        RoutingSuggestion.objects.filter(kind=SuggestionKind.UNIT, at__gte=since, at__lt=until)
        .annotate(
            all_sources=Cast("sources", TextField()),
            chosen_sources=SuggestionSources(F("sources"), F("rank") - 1),
            first_sources=SuggestionSources(F("sources"), Value(0)),
        )
        .order_by()
    )
    aggregates: dict[str, Any] = {"shown": Count("id")}
    for s in UNIT_SOURCES:
        q = _mentions(s)
        aggregates[f"{s}__offered"] = Count("id", filter=Q(all_sources__contains=q))
        aggregates[f"{s}__hit"] = Count("id", filter=Q(chosen_sources__contains=q))
        aggregates[f"{s}__top"] = Count("id", filter=Q(first_sources__contains=q))
        aggregates[f"{s}__top_hit"] = Count("id", filter=Q(rank=1, first_sources__contains=q))
    row = qs.aggregate(**aggregates)
    rows = []
    for s in UNIT_SOURCES:
        offered, hit = row[f"{s}__offered"], row[f"{s}__hit"]
        top, top_hit = row[f"{s}__top"], row[f"{s}__top_hit"]
        rows.append(
            {
                "source": s,
                "offered": offered,
                "hit": hit,
                "hit_rate": hit / offered if offered else None,
                "top": top,
                "top_hit": top_hit,
                "top_rate": top_hit / top if top else None,
            }
        )
    return {"shown": row["shown"], "rows": rows}


def acceptance_by_county(*, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Per county of the ticket (its ``county``), both kinds, over ``since`` … ``until``:
    ``[{"county_id", "category": {...}, "unit": {...}}, ...]`` (the shape of
    ``acceptance_by_period``), the busiest county first. One query."""
    rows = (
        RoutingSuggestion.objects.filter(kind__in=KINDS, at__gte=since, at__lt=until)
        .order_by()
        .values("kind", "ticket__county_id")
        .annotate(**_COUNTS)
    )
    empty = _rates(0, 0, 0)
    by_county: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = by_county.setdefault(
            r["ticket__county_id"], {"county_id": r["ticket__county_id"], **dict.fromkeys(KINDS)}
        )
        entry[r["kind"]] = _rates(r["shown"], r["accepted"], r["first"])
    result = [
        {k: (v if v is not None else empty) for k, v in e.items()} for e in by_county.values()
    ]
    result.sort(key=lambda e: (-(e["unit"]["shown"] + e["category"]["shown"]), e["county_id"]))
    return result
