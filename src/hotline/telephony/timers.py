"""The telephony timers: overdue call-backs, expiring restrictions, guest-seat grants, and
the Art 29(1) rule (a connection rate under 90 % in a month, or an hour of it without any
agent, proposes a circular through supervision's service)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.cache import cache

from hotline.core.policy import policy
from hotline.core.timers import register
from hotline.orgs.models import Organisation
from hotline.orgs.selectors import center_org
from hotline.supervision import services as supervision
from hotline.supervision.choices import Instrument
from hotline.telephony import selectors
from hotline.telephony.models import Call
from hotline.telephony.services import callbacks, restrictions, seats


@register("telephony.callbacks_overdue", order=60)
def callbacks_overdue(*, now: datetime) -> int:
    return callbacks.callbacks_mark_overdue(now=now)


@register("telephony.restrictions_expire", order=61)
def restrictions_expire(*, now: datetime) -> int:
    """Art 34 «在一定时间内»: a restriction ends by itself at ``until``."""
    return restrictions.restriction_expire_due(now=now)


@register("telephony.guest_seats", order=62)
def guest_seats(*, now: datetime) -> int:
    """Art 32: the guest-agent role for the scheduled time only."""
    return seats.guest_sessions_sweep(now=now)


def previous_month(now: datetime) -> tuple[datetime, datetime, str]:
    local = now.astimezone(selectors.tz())
    first_this = date(local.year, local.month, 1)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    first_prev = date(year, month, 1)
    start = datetime.combine(first_prev, time(0), tzinfo=selectors.tz())
    end = datetime.combine(first_this, time(0), tzinfo=selectors.tz())
    return start, end, f"{year}-{month:02d}"


@register("telephony.art29_connection_rate", order=85)
def art29_connection_rate(*, now: datetime) -> int:
    """Art 29(1): the last complete month, per answering center (the city center and each
    sub-center): a rate under policy ``art29_connection_rate_min`` with at least
    ``art29_connection_min_calls`` calls, or (the center) an hour with no agent logged in
    while the line took calls that month, proposes a circular/interview. One proposal per
    organisation, article and month (the dedupe key); a sweep of a judged month is skipped."""
    start, end, label = previous_month(now)
    done_key = f"telephony:art29:{label}"
    if cache.get(done_key):
        return 0
    minimum = policy("art29_connection_rate_min")
    proposed = 0
    rows = selectors.rate_by_org(start=start, end=end)
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=[r["org"] for r in rows])}
    for row in rows:
        org = orgs.get(row["org"])
        if org is None or row["offered"] < policy("art29_connection_min_calls"):
            continue
        if row["rate"] is not None and row["rate"] < minimum:
            proposed += bool(
                supervision.case_propose(
                    instrument=Instrument.CIRCULAR,
                    article="29(1)",
                    org=org,
                    tickets=[],
                    reason=(
                        f"{label} 接通率 {row['rate']:.1%}（呼入 {row['offered']}，接通 "
                        f"{row['answered']}），低于 {minimum:.0%}（Art 29(1)）"
                    ),
                    dedupe_key=f"art29-1:{org.code}:{label}",
                    period=label,
                    now=now,
                )
            )
    if Call.objects.filter(offered_at__gte=start, offered_at__lt=end).exists():
        gaps = selectors.uncovered_hours(start=start, end=end)
        if gaps:
            center = center_org()
            first = gaps[0].astimezone(selectors.tz())
            proposed += bool(
                supervision.case_propose(
                    instrument=Instrument.CIRCULAR,
                    article="29(1)",
                    org=center,
                    tickets=[],
                    reason=(
                        f"{label} 有 {len(gaps)} 个小时无座席在线（首个：{first:%Y-%m-%d %H:00}），"
                        "未落实 7×24 小时人工服务（Art 29(1)）"
                    ),
                    dedupe_key=f"art29-1-7x24:{center.code}:{label}",
                    period=label,
                    now=now,
                )
            )
    cache.set(done_key, 1, 6 * 3600)
    return proposed
