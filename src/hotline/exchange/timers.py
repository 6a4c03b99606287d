"""Time-driven housekeeping of the exchange (registered with hotline.core.timers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.core.clock import real_now
from hotline.core.policy import policy
from hotline.core.timers import register
from hotline.exchange.services import prune_logs


@register("exchange.prune_logs", order=900)
def prune(*, now: datetime) -> int:
    """Drop delivery attempts and replay records older than ``art21_exchange_log_days``.
    Real time, not business time: these are logs of real requests."""
    before = real_now() - timedelta(days=int(policy("art21_exchange_log_days")))
    done = prune_logs(before=before)
    return int(done["attempts"]) + int(done["messages"])
