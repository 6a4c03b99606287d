"""Policy values of the knowledge base, looked up in one place (ARCHITECTURE.md principle 2).

Each value can be set in Django settings (``KNOWLEDGE_…``) or in the environment
(``HOTLINE_KNOWLEDGE_…``); the default below applies otherwise.
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # Art 22: the owning unit must answer a correction (知识纠错) or question (知识提问) raised by
    # the hotline; Art 27(1): an unanswered one is a supervision-notice trigger. The regulation
    # names no time limit, so this is a choice: 3 working days, the day it is raised counted as
    # day 1 when it is a working day (the same counting as RULES.md §4).
    "KNOWLEDGE_RESPONSE_WORKING_DAYS": 3,
    # Art 22: units keep their entries current; Art 27(1): entries not updated in time are a
    # supervision-notice trigger. Choice: an entry not reviewed for 180 calendar days is stale.
    "KNOWLEDGE_REVIEW_PERIOD_DAYS": 180,
    # Public self-service search (Art 22 last sentence): requests per client IP per window.
    "KNOWLEDGE_PUBLIC_RATE_LIMIT": 30,
    "KNOWLEDGE_PUBLIC_RATE_WINDOW_SECONDS": 60,
}


def policy(name: str) -> int:
    """The value of one knowledge policy setting (settings, then environment, then default)."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown knowledge policy value: {name}")
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"HOTLINE_{name}") or DEFAULTS[name]
    return int(value)


def response_working_days() -> int:
    return policy("KNOWLEDGE_RESPONSE_WORKING_DAYS")


def review_period_days() -> int:
    return policy("KNOWLEDGE_REVIEW_PERIOD_DAYS")
