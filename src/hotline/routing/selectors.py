"""Reads for analytics: how often the routing suggestions were taken.

Every figure is one SQL aggregate over ``RoutingSuggestion`` (the range filter uses the
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

from hotline.routing.models import RoutingSuggestion, SuggestionKind

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
