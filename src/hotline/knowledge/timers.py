"""Time-driven work of the knowledge base (registered with hotline.core.timers)."""

from __future__ import annotations

from datetime import datetime

from hotline.core.timers import register
from hotline.knowledge.services import feedback_mark_overdue, knowledge_art27_propose


@register("knowledge.overdue_feedback", order=200)
def mark_overdue_feedback(*, now: datetime) -> int:
    """Flag corrections and questions not answered by their due time (Art 22, Art 27(1))."""
    return feedback_mark_overdue(now=now)


@register("knowledge.art27_notices", order=201)
def propose_art27_notices(*, now: datetime) -> int:
    """Art 27(1): overdue corrections and questions and entries not reviewed within the review
    period become proposed supervision notices to the owning unit (one per item)."""
    return knowledge_art27_propose(now=now)
