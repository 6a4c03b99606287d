"""Celery side of the relay (``hotline worker``): beat sends ``relay`` every second; each run
sweeps until the queue is idle or its budget is spent. Several workers may run it at once
(on PostgreSQL the sweeps claim with ``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import time

from celery import shared_task

from hotline.exchange.relay import relay_now, relay_once

RUN_BUDGET_SECONDS = 10.0


@shared_task(name="hotline.exchange.tasks.relay", ignore_result=True)
def relay(budget_seconds: float = RUN_BUDGET_SECONDS, limit: int = 100) -> dict[str, int]:
    totals = {"sent": 0, "failed": 0, "dead": 0}
    started = time.monotonic()
    while True:
        summary = relay_once(now=relay_now(), limit=limit)
        for key, value in summary.items():
            totals[key] += value
        if summary["sent"] == 0 or time.monotonic() - started > budget_seconds:
            return totals
