"""The alert rules of Art 23 (实时预警), run by the timer ``analytics.alerts``. Each rule
reads rollups or a provider, and raises at most one open alert per key (kind, scope, period);
every threshold is a policy value."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from hotline.core.policy import policy
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation
from hotline.tickets.models import Category, Ticket

from .models import Alert, AlertEvent, AlertKind, DailyRollup
from .rollups import OPEN_STATUSES, local_day

# Art 29(1), telephony: a callable ``(since, until) -> (offered, answered)`` of the center's
# calls, installed by the telephony context when it exists (tests install their own).
connection_rate_source: list[Callable[[datetime, datetime], tuple[int, int]]] = []


def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    term = math.exp(-lam)
    cdf = term
    for i in range(1, k):
        term *= lam / i
        cdf += term
    return max(0.0, 1.0 - cdf)


def _raise(
    kind: str,
    key: str,
    *,
    scope: str,
    title: str,
    value: float,
    baseline: float,
    now: datetime,
    county: Organisation | None = None,
    data: dict | None = None,
) -> bool:
    if Alert.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                key=key,
                scope=scope,
                title=title,
                value=value,
                baseline=baseline,
                detected_at=now,
                county=county,
                data=data or {},
            )
            AlertEvent.objects.create(
                alert=alert, at=now, type="raised", data={"value": value, "baseline": baseline}
            )
    except IntegrityError:  # another process raised it meanwhile
        return False
    return True


def _top_categories() -> dict[int, Category]:
    cats = {c.pk: c for c in Category.objects.all()}
    top: dict[int, Category] = {}
    for pk, c in cats.items():
        node = c
        while node.parent_id and node.parent_id in cats:
            node = cats[node.parent_id]
        top[pk] = node
    return top


def volume_spikes(*, now: datetime) -> int:
    """Today's appeals so far against the mean of the previous ``art23_spike_baseline_days``
    days (Poisson test), overall and per county × first-level category."""
    days = policy("art23_spike_baseline_days")
    p_value = policy("art23_spike_p_value")
    minimum = policy("art23_spike_min_count")
    today = local_day(now)
    first = today - timedelta(days=days)
    top = _top_categories()
    rows = (
        DailyRollup.objects.filter(org__isnull=True, day__gte=first, day__lte=today)
        .values("day", "county_id", "category_id")
        .annotate(n=Sum("received"))
        .order_by()
    )
    cells: dict[tuple, list[int]] = {}
    for r in rows:
        cat = top.get(r["category_id"]) if r["category_id"] else None
        for key in (("city",), ("cell", r["county_id"], cat.pk if cat else None)):
            cell = cells.setdefault(key, [0, 0])
            if r["day"] == today:
                cell[0] += r["n"]
            else:
                cell[1] += r["n"]
    counties = {o.pk: o for o in Organisation.objects.filter(kind=OrgKind.COUNTY)}
    cats = {c.pk: c for c in top.values()}
    raised = 0
    for key, (observed, history) in cells.items():
        baseline = history / days
        if observed < minimum or poisson_tail(observed, baseline) >= p_value:
            continue
        if key[0] == "city":
            scope, county, title = "city", None, _("全市诉求量异常升高")
        else:
            county = counties.get(key[1])
            cat = cats.get(key[2]) if key[2] else None
            scope = (
                f"county:{county.code if county else key[1]}/category:{cat.code if cat else '-'}"
            )
            title = _("%(county)s“%(category)s”类诉求量异常升高") % {
                "county": county.name if county else "",
                "category": cat.name if cat else _("未分类"),
            }
        raised += _raise(
            AlertKind.VOLUME_SPIKE,
            f"spike:{scope}:{today}",
            scope=scope,
            title=title,
            value=observed,
            baseline=round(baseline, 2),
            now=now,
            county=county,
        )
    return raised


def hot_topics_forming(*, now: datetime) -> int:
    """Many appeals about one matter within ``art23_hot_topic_window_hours``."""
    from .topics import all_tickets, topics_between

    window = timedelta(hours=policy("art23_hot_topic_window_hours"))
    minimum = policy("art23_hot_topic_min_count")
    raised = 0
    recent = all_tickets().filter(received_at__gte=now - window, received_at__lt=now)
    if recent.count() < minimum:
        return 0
    for topic in topics_between(recent, now - window, now, limit=10, min_count=minimum):
        counties = topic.counties
        county = (
            Organisation.objects.filter(code=counties[0]).first() if len(counties) == 1 else None
        )
        raised += _raise(
            AlertKind.HOT_TOPIC,
            f"hot:{topic.id}",
            scope=",".join(counties) or "city",
            title=_("热点问题：%(title)s") % {"title": topic.title},
            value=topic.count,
            baseline=minimum,
            now=now,
            county=county,
            data={"tickets": [i.number for i in topic.items], "keywords": topic.keywords},
        )
    return raised


def long_unresolved(*, now: datetime) -> int:
    """Tickets still open after ``art23_unresolved_days`` days (one alert per ticket)."""
    limit = policy("art23_unresolved_days")
    raised = 0
    for number, county_id, received_at, repeats in (
        Ticket.objects.filter(
            status__in=OPEN_STATUSES, received_at__lte=now - timedelta(days=limit)
        )
        .order_by("received_at")
        .values_list("number", "county_id", "received_at", "repeat_count")[:200]
    ):
        days = (now - received_at).days
        raised += _raise(
            AlertKind.LONG_UNRESOLVED,
            f"unresolved:{number}",
            scope=f"ticket:{number}",
            title=_("工单 %(number)s 已在办 %(days)d 天") % {"number": number, "days": days},
            value=days,
            baseline=limit,
            now=now,
            county=Organisation.objects.filter(pk=county_id).first(),
            data={"ticket": number, "repeats": repeats},
        )
    return raised


def overdue_rates(*, now: datetime) -> int:
    """Per county, over the last ``art23_rate_window_days``: overdue / dispatched."""
    days = policy("art23_rate_window_days")
    threshold = policy("art23_overdue_rate_threshold")
    minimum = policy("art23_rate_min_count")
    today = local_day(now)
    raised = 0
    for r in (
        DailyRollup.objects.filter(
            org__kind=OrgKind.COUNTY, day__gt=today - timedelta(days=days), day__lte=today
        )
        .values("org_id", "org__code", "org__name")
        .annotate(n=Sum("dispatched"), late=Sum("overdue"))
        .order_by()
    ):
        if not r["n"] or r["n"] < minimum:
            continue
        rate = r["late"] / r["n"]
        if rate <= threshold:
            continue
        raised += _raise(
            AlertKind.OVERDUE_RATE,
            f"overdue:{r['org__code']}:{today}",
            scope=f"county:{r['org__code']}",
            title=_("%(county)s超期率 %(rate).1f%%")
            % {"county": r["org__name"], "rate": rate * 100},
            value=round(rate, 4),
            baseline=threshold,
            now=now,
            county=Organisation.objects.filter(pk=r["org_id"]).first(),
        )
    return raised


def connection_rates(*, now: datetime) -> int:
    """The center's connection rate (Art 29(1)) over the window, from telephony."""
    threshold = policy("art23_connection_rate_threshold")
    since = now - timedelta(days=policy("art23_rate_window_days"))
    raised = 0
    for source in connection_rate_source:
        offered, answered = source(since, now)
        if offered < policy("art23_rate_min_count"):
            continue
        rate = answered / offered
        if rate < threshold:
            raised += _raise(
                AlertKind.CONNECTION_RATE,
                f"connection:{local_day(now)}",
                scope="city",
                title=_("接通率 %(rate).1f%% 低于阈值") % {"rate": rate * 100},
                value=round(rate, 4),
                baseline=threshold,
                now=now,
            )
    return raised


RULES: dict[str, Callable[..., int]] = {
    "volume_spike": volume_spikes,
    "hot_topic": hot_topics_forming,
    "long_unresolved": long_unresolved,
    "overdue_rate": overdue_rates,
    "connection_rate": connection_rates,
}


ALERT_INTERVAL = timedelta(minutes=5)


def alerts_detect(*, now: datetime, force: bool = False) -> int:
    """Timer: every rule, at most once per ``ALERT_INTERVAL`` of business time."""
    from .models import RollupState

    state, _created = RollupState.objects.get_or_create(pk=1)
    last = state.alerts_checked_at
    if not force and last is not None and last <= now < last + ALERT_INTERVAL:
        return 0
    RollupState.objects.filter(pk=1).update(alerts_checked_at=now)
    return sum(rule(now=now) for rule in RULES.values())


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "scope": alert.scope,
        "title": alert.title,
        "value": alert.value,
        "baseline": alert.baseline,
        "detected_at": alert.detected_at,
        "state": alert.state,
        "note": alert.note,
        "closed_at": alert.closed_at,
    }
