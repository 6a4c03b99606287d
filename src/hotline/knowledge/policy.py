"""Policy values of the knowledge base: a compatibility layer over the central policy table.

The values are defined in ``hotline.core.policy.DEFINITIONS`` (keys ``art22_knowledge_…``) and
edited by an administrator (admin → 政策参数) like every other time limit. The old names below
still work for code written against them.
"""

from __future__ import annotations

from hotline.core.policy import DEFINITIONS
from hotline.core.policy import policy as core_policy

# old name → key in hotline.core.policy
KEYS: dict[str, str] = {
    "KNOWLEDGE_RESPONSE_WORKING_DAYS": "art22_knowledge_response_working_days",
    "KNOWLEDGE_REVIEW_PERIOD_DAYS": "art22_knowledge_review_period_days",
    "KNOWLEDGE_PUBLIC_RATE_LIMIT": "art22_knowledge_public_rate_limit",
    "KNOWLEDGE_PUBLIC_RATE_WINDOW_SECONDS": "art22_knowledge_public_rate_window_seconds",
}

DEFAULTS: dict[str, int] = {name: DEFINITIONS[key].default for name, key in KEYS.items()}


def policy(name: str) -> int:
    """The current value of one knowledge policy, by its old name or its central key."""
    key = KEYS.get(name, name)
    if key not in KEYS.values():
        raise KeyError(f"unknown knowledge policy value: {name}")
    return int(core_policy(key))


def response_working_days() -> int:
    return policy("KNOWLEDGE_RESPONSE_WORKING_DAYS")


def review_period_days() -> int:
    return policy("KNOWLEDGE_REVIEW_PERIOD_DAYS")
