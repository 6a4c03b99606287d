"""Time-driven work of the knowledge base (registered with hotline.core.timers)."""

from __future__ import annotations

from datetime import datetime

from hotline.core.timers import register
from hotline.knowledge.services import feedback_mark_overdue


@register("knowledge.overdue_feedback", order=200)
def mark_overdue_feedback(*, now: datetime) -> int:
    """Flag corrections and questions not answered by their due time (Art 22, Art 27(1))."""
    return feedback_mark_overdue(now=now)
