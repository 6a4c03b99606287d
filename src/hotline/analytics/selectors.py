"""Every figure of the monitoring context, scoped (Art 23–24). Counts come from the daily
rollups (one GROUP BY each); lists of tickets (hot topics, long-unresolved, incidents) read
tickets through the tickets context's scoped selector."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from hotline.analytics.error_codes import AnalyticsErrorCode
from hotline.core.errors import InvalidInput, NotFound
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation, User
from hotline.tickets import selectors as ticket_selectors
from hotline.tickets.choices import AppealType, Channel
from hotline.tickets.models import Assignment, Category, Ticket

from .models import Alert, Report
from .rollups import OPEN_STATUSES
from .scope import CITY, COUNTY, SECTOR, UNIT, Scope, rollup_rows, scope_for

SUMS = ("received", "answered_at_intake", "dispatched", "closed", "overdue")
MAX_DAYS = 3660


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def resolve_filters(
    *, county: str | None = None, category: str | None = None, org: str | None = None
) -> dict[str, Any]:
    """Codes of the filters as objects; an unknown code is 422."""
    out: dict[str, Any] = {"county": None, "category": None, "org": None}
    if county:
        out["county"] = Organisation.objects.filter(code=county, kind=OrgKind.COUNTY).first()
        if out["county"] is None:
            raise InvalidInput(
                _("未知的县区：%(code)s") % {"code": county}, code=AnalyticsErrorCode.UNKNOWN_COUNTY
            )
    if category:
        out["category"] = Category.objects.filter(code=category).first()
        if out["category"] is None:
            raise InvalidInput(
                _("未知的诉求分类：%(code)s") % {"code": category},
                code=AnalyticsErrorCode.UNKNOWN_CATEGORY,
            )
    if org:
        out["org"] = Organisation.objects.filter(code=org).first()
        if out["org"] is None:
            raise InvalidInput(
                _("未知的单位：%(code)s") % {"code": org}, code=AnalyticsErrorCode.UNKNOWN_ORG
            )
    return out


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to or (date_to - date_from).days > MAX_DAYS:
        raise InvalidInput(_("统计期间不正确"), code=AnalyticsErrorCode.INVALID_PERIOD)


def _totals(rows: QuerySet) -> dict[str, int]:
    agg = rows.aggregate(
        **{
            n: Sum(n)
            for n in (
                *SUMS,
                "closed_dispatched",
                "closed_on_time",
                "evaluated",
                "satisfied",
                "handling_seconds",
                "still_open",
            )
        }
    )
    return {k: int(v or 0) for k, v in agg.items()}


def figures(
    scope: Scope,
    date_from: date,
    date_to: date,
    *,
    county: Organisation | None = None,
    category: Category | None = None,
    org: Organisation | None = None,
) -> dict[str, Any]:
    """``GET /analytics/overview`` for a scope (the reports use the same function, so a
    report's figures equal the overview of its period and scope)."""
    check_range(date_from, date_to)
    rows = rollup_rows(scope, county=county, category=category, org=org).filter(
        day__gte=date_from, day__lte=date_to
    )
    t = _totals(rows)
    per_day = {
        r["day"]: r
        for r in rows.values("day").annotate(r=Sum("received"), c=Sum("closed")).order_by()
    }
    by_day = []
    day = date_from
    while day <= date_to:
        r = per_day.get(day)
        by_day.append(
            {
                "date": day.isoformat(),
                "received": int(r["r"] or 0) if r else 0,
                "closed": int(r["c"] or 0) if r else 0,
            }
        )
        day += timedelta(days=1)
    by_category = [
        {"category": r["category__code"] or "", "count": int(r["n"])}
        for r in rows.values("category__code")
        .annotate(n=Sum("received"))
        .order_by("-n", "category__code")
        if r["n"]
    ]
    by_county = [
        {"county": r["county__code"], "count": int(r["n"])}
        for r in rows.values("county__code")
        .annotate(n=Sum("received"))
        .order_by("-n", "county__code")
        if r["n"]
    ]
    return {
        "received": t["received"],
        "answered_at_intake": t["answered_at_intake"],
        "dispatched": t["dispatched"],
        "closed": t["closed"],
        "overdue": t["overdue"],
        "on_time_rate": _rate(t["closed_on_time"], t["closed_dispatched"]),
        "satisfaction_rate": _rate(t["satisfied"], t["evaluated"]),
        "by_day": by_day,
        "by_category": by_category,
        "by_county": by_county,
        "still_open": t["still_open"],
        "avg_handling_hours": round(t["handling_seconds"] / 3600 / t["closed"], 1)
        if t["closed"]
        else None,
    }


def overview(
    *,
    user: User,
    date_from: date,
    date_to: date,
    county: str | None = None,
    category: str | None = None,
    org: str | None = None,
) -> dict[str, Any]:
    found = resolve_filters(county=county, category=category, org=org)
    data = figures(scope_for(user), date_from, date_to, **found)
    data.pop("still_open")
    data.pop("avg_handling_hours")
    return data


def _labelled(rows, key: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"code": r[key], "name": str(labels.get(r[key], r[key])), "count": int(r["n"])}
        for r in rows.values(key).annotate(n=Sum("received")).order_by("-n", key)
        if r["n"]
    ]


def dashboard(
    *,
    user: User,
    date_from: date,
    date_to: date,
    county: Organisation | None = None,
    category: Category | None = None,
    org: Organisation | None = None,
    now: datetime,
) -> dict[str, Any]:
    """Everything the dashboards page draws, each also a table (Art 23)."""
    scope = scope_for(user)
    main = figures(scope, date_from, date_to, county=county, category=category, org=org)
    span = (date_to - date_from).days + 1
    prev_to = date_from - timedelta(days=1)
    prev = figures(
        scope,
        prev_to - timedelta(days=span - 1),
        prev_to,
        county=county,
        category=category,
        org=org,
    )
    rows = rollup_rows(scope, county=county, category=category, org=org).filter(
        day__gte=date_from, day__lte=date_to
    )
    counties = {
        o.code: o.short_name or o.name for o in Organisation.objects.filter(kind=OrgKind.COUNTY)
    }
    cats = {c.pk: c for c in Category.objects.all()}
    by_leaf = {
        r["category_id"]: int(r["n"])
        for r in rows.values("category_id").annotate(n=Sum("received")).order_by()
        if r["n"]
    }
    tree: dict[int | None, dict[str, Any]] = {}
    for pk, n in by_leaf.items():
        node = cats.get(pk) if pk else None
        top = node
        while top is not None and top.parent_id and top.parent_id in cats:
            top = cats[top.parent_id]
        key = top.pk if top else None
        entry = tree.setdefault(
            key,
            {
                "code": top.code if top else "",
                "name": top.name if top else _("未分类"),
                "count": 0,
                "children": [],
            },
        )
        entry["count"] += n
        if node is not None and node is not top:
            entry["children"].append({"code": node.code, "name": node.name, "count": n})
    category_tree = sorted(tree.values(), key=lambda e: -e["count"])
    for e in category_tree:
        e["children"].sort(key=lambda c: -c["count"])
    return {
        "scope": scope,
        "figures": main,
        "previous": prev,
        "volume": [
            {
                "date": d["date"],
                "received": d["received"],
                "closed": d["closed"],
                "previous": p["received"],
            }
            for d, p in zip(main["by_day"], prev["by_day"], strict=False)
        ],
        "by_channel": _labelled(rows, "channel", dict(Channel.choices)),
        "by_appeal_type": _labelled(rows, "appeal_type", dict(AppealType.choices)),
        "category_tree": category_tree,
        "by_county": [
            {
                "code": r["county"],
                "name": counties.get(r["county"], r["county"]),
                "count": r["count"],
            }
            for r in main["by_county"]
        ],
        "overdue_by_unit": overdue_by_unit(
            scope, date_from, date_to, county=county, category=category
        ),
        "incidents": incidents_in_progress(user=user),
    }


def overdue_by_unit(
    scope: Scope, date_from: date, date_to: date, *, county=None, category=None, limit: int = 15
) -> list[dict[str, Any]]:
    """Per handling unit (its own rows): tickets received in the period, overdue, rate."""
    from .models import DailyRollup

    qs = DailyRollup.objects.filter(day__gte=date_from, day__lte=date_to, org__kind=OrgKind.UNIT)
    if scope.kind in (COUNTY, UNIT) and scope.org is not None:
        qs = qs.filter(org__path__startswith=scope.org.path)
    elif scope.kind == SECTOR:
        qs = qs.filter(category_id__in=scope.categories or ())
    if county is not None:
        qs = qs.filter(county=county)
    if category is not None:
        from .scope import category_subtree

        qs = qs.filter(category_id__in=category_subtree({category.pk}))
    out = []
    for r in (
        qs.values("org__code", "org__name", "org__short_name")
        .annotate(n=Sum("dispatched"), late=Sum("overdue"))
        .filter(late__gt=0)
        .order_by("-late", "org__code")[:limit]
    ):
        out.append(
            {
                "code": r["org__code"],
                "name": r["org__short_name"] or r["org__name"],
                "dispatched": int(r["n"] or 0),
                "overdue": int(r["late"]),
                "rate": _rate(int(r["late"]), int(r["n"] or 0)),
            }
        )
    return out


def scoped_tickets(user: User, scope: Scope | None = None) -> QuerySet[Ticket]:
    """Tickets for the lists of this context: the tickets selector's scope, or for a
    department the tickets of its sector's categories (Art 24; shown masked)."""
    scope = scope or scope_for(user)
    if scope.kind == SECTOR:
        return Ticket.objects.filter(category_id__in=scope.categories or ())
    return ticket_selectors.tickets_visible_to(user)


def scope_tickets(scope: Scope) -> QuerySet[Ticket]:
    """The tickets of a scope without a user (the timers' reports and exports to a unit)."""
    if scope.kind == CITY:
        return Ticket.objects.all()
    if scope.kind == SECTOR:
        return Ticket.objects.filter(category_id__in=scope.categories or ())
    assert scope.org is not None
    held = Assignment.objects.filter(
        ticket=OuterRef("pk"), org_id__in=ticket_selectors.subtree_of(scope.org)
    )
    return Ticket.objects.filter(Exists(held))


def incidents_in_progress(*, user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "title": i.title,
            "kind": i.get_kind_display(),
            "county": i.county.name if i.county else "",
            "opened_at": i.opened_at,
            "calls": i.calls,
        }
        for i in ticket_selectors.incident_list(user=user, open_only=True)[:20]
    ]


def unresolved(
    *,
    user: User,
    now: datetime,
    min_days: int | None = None,
    min_repeats: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """久拖不决 (Art 23): open tickets open at least ``min_days`` or appealed again at least
    ``min_repeats`` times, longest and most appealed first, each with its chain of repeats."""
    from hotline.core.policy import policy

    if min_days is None and min_repeats is None:
        min_days = policy("art23_unresolved_days")
    cond = Q()
    if min_days is not None:
        cond |= Q(received_at__lte=now - timedelta(days=min_days))
    if min_repeats is not None:
        cond |= Q(repeat_count__gte=min_repeats)
    qs = (
        scoped_tickets(user)
        .filter(cond, status__in=OPEN_STATUSES)
        .select_related("county", "category")
        .order_by("received_at", "-repeat_count", "pk")[:limit]
    )
    tickets = list(qs)
    chains: dict[int, list[Ticket]] = {}
    roots = {t.repeat_of_id or t.pk for t in tickets}
    for rep in (
        Ticket.objects.filter(Q(repeat_of_id__in=roots) | Q(pk__in=roots))
        .order_by("received_at", "pk")
        .only("number", "received_at", "status", "repeat_of_id")
    ):
        chains.setdefault(rep.repeat_of_id or rep.pk, []).append(rep)
    out = []
    for t in tickets:
        chain = chains.get(t.repeat_of_id or t.pk, [])
        out.append(
            {
                "number": t.number,
                "title": t.content[:60],
                "county": t.county.code,
                "county_name": t.county.short_name or t.county.name,
                "category": t.category.name if t.category else "",
                "received_at": t.received_at,
                "days_open": (now - t.received_at).days,
                "repeats": t.repeat_count,
                "redos": t.redo_total,
                "status": t.get_status_display(),
                "chain": [
                    {"number": c.number, "received_at": c.received_at, "status": c.status}
                    for c in chain
                ],
            }
        )
    return out


def alert_list(*, user: User, state: str | None = None) -> QuerySet[Alert]:
    """Alerts in the user's scope: all for the city; a county's (or a unit's county's) own."""
    scope = scope_for(user)
    qs = Alert.objects.select_related("county")
    if scope.kind != CITY:
        county = scope.org.county if scope.org is not None else None
        qs = (
            qs.filter(county=county)
            if county is not None and scope.kind in (COUNTY, UNIT)
            else qs.none()
        )
    if state:
        qs = qs.filter(state=state)
    return qs


def alert_get(*, user: User, alert_id: int) -> Alert:
    alert = alert_list(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("预警不存在"))
    return alert


def report_list(*, user: User, kind: str | None = None) -> QuerySet[Report]:
    """Reports of the user's own scope (the city's for city-wide users)."""
    scope = scope_for(user)
    qs = Report.objects.all()
    qs = qs.filter(scope_org__isnull=True) if scope.kind == CITY else qs.filter(scope_org=scope.org)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def report_get(*, user: User, report_id: int) -> Report:
    report = report_list(user=user).filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("报告不存在"))
    return report
