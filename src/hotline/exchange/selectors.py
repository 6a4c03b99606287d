"""Reads of the exchange: the delivery metrics (lag, failures, backlog) per partner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Min, Q

from hotline.exchange.choices import StreamState
from hotline.exchange.models import DeliveryAttempt, InboundMessage, InboundTicket, Partner
from hotline.exchange.services import partner_endpoint, province
from hotline.tickets.models import OutboxMessage

SAMPLE = 20_000  # lag percentiles over at most this many recent deliveries


def _percentile(values: list[int], share: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(share * (len(values) - 1))))
    return round(values[index] / 1000, 3)


def _window(partner: Partner, since: datetime) -> dict[str, Any]:
    """Deliveries and failures of one partner since ``since`` (from the attempt log)."""
    attempts = DeliveryAttempt.objects.filter(partner=partner, at__gte=since)
    counts = attempts.aggregate(
        sent=Count("id", filter=Q(ok=True)), failed=Count("id", filter=Q(ok=False))
    )
    lags = list(attempts.filter(ok=True).order_by("-at").values_list("lag_ms", flat=True)[:SAMPLE])
    lags = [lag for lag in lags if lag is not None]
    return {
        "sent": counts["sent"],
        "failed_attempts": counts["failed"],
        "lag_p50_seconds": _percentile(lags, 0.50),
        "lag_p95_seconds": _percentile(lags, 0.95),
        "lag_max_seconds": _percentile(lags, 1.0),
    }


def exchange_metrics(*, now: datetime, window_minutes: int = 60) -> dict[str, Any]:
    """Backlog, dead letters, age of the oldest undelivered message (the current lag), and
    over the window: deliveries, failed attempts, delivery lag p50/p95 per partner."""
    since = now - timedelta(minutes=window_minutes)
    streams: list[dict[str, Any]] = []
    prov = province()
    if prov is not None:
        backlog = OutboxMessage.objects.filter(
            state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.DEAD]
        ).aggregate(
            pending=Count("id", filter=Q(state=OutboxMessage.State.PENDING)),
            retrying=Count("id", filter=Q(state=OutboxMessage.State.PENDING, attempts__gt=0)),
            dead=Count("id", filter=Q(state=OutboxMessage.State.DEAD)),
            oldest=Min("created_at"),
        )
        streams.append(
            {
                "partner": prov.code,
                "kind": prov.kind,
                "endpoint": partner_endpoint(prov),
                "active": prov.active,
                "pending": backlog["pending"],
                "retrying": backlog["retrying"],
                "dead": backlog["dead"],
                "oldest_undelivered_at": backlog["oldest"],
                "current_lag_seconds": _age(backlog["oldest"], now),
                **_window(prov, since),
            }
        )
    for partner in Partner.objects.filter(receives_all=False).order_by("code"):
        open_streams = InboundTicket.objects.filter(
            partner=partner, ticket__outbox_seq__gt=F("pushed_seq")
        )
        backlog = open_streams.aggregate(
            pending=Count("id", filter=Q(push_state=StreamState.ACTIVE)),
            retrying=Count("id", filter=Q(push_state=StreamState.ACTIVE, attempts__gt=0)),
            dead=Count("id", filter=Q(push_state=StreamState.DEAD)),
        )
        oldest = (
            OutboxMessage.objects.filter(
                ticket__inbound__partner=partner, seq__gt=F("ticket__inbound__pushed_seq")
            )
            .aggregate(oldest=Min("created_at"))
            .get("oldest")
        )
        streams.append(
            {
                "partner": partner.code,
                "kind": partner.kind,
                "endpoint": partner_endpoint(partner),
                "active": partner.active,
                "pending": backlog["pending"],
                "retrying": backlog["retrying"],
                "dead": backlog["dead"],
                "oldest_undelivered_at": oldest,
                "current_lag_seconds": _age(oldest, now),
                **_window(partner, since),
            }
        )
    inbound = dict(
        InboundMessage.objects.filter(received_at__gte=since)
        .values_list("partner__code")
        .annotate(n=Count("id"))
        .values_list("partner__code", "n")
    )
    return {
        "now": now,
        "window_minutes": window_minutes,
        "streams": streams,
        "inbound_messages": inbound,
    }


def _age(moment: datetime | None, now: datetime) -> float | None:
    if moment is None:
        return None
    return round(max((now - moment).total_seconds(), 0.0), 3)
