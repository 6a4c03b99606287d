"""The monitoring context's timers (Art 23): rollups, alerts, periodic reports."""

from __future__ import annotations

from datetime import datetime

from hotline.core import timers

from .alerts import alerts_detect
from .rollups import rollups_refresh
from .services import reports_due


@timers.register("analytics.rollups", order=900)
def refresh_rollups(*, now: datetime) -> int:
    return rollups_refresh(now=now)


@timers.register("analytics.alerts", order=910)
def detect_alerts(*, now: datetime) -> int:
    return alerts_detect(now=now)


@timers.register("analytics.reports", order=920)
def write_reports(*, now: datetime) -> int:
    return reports_due(now=now)
