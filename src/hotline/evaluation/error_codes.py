"""Every error code evaluation (考核 periods, runs and results) answers with (API.md, Errors):
the ``code`` of the JSON error body. The values are the public contract and never change; code
and tests use the members, never the literals. Codes of the platform itself
(``not_authenticated``, ``payload_too_large``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class EvaluationErrorCode(StrEnum):
    EVALUATION_PUBLISHED = "evaluation_published"
    INVALID_PERIOD = "invalid_period"
    UNKNOWN_ORG = "unknown_org"
