"""The platform-wide error codes (API.md, Errors): the ``code`` of the JSON error body
for what no single context owns (authentication, permission, malformed or oversized
requests, the generic domain errors of ``hotline.core.errors``). The values are the
public contract and never change; code and tests use the members, never the literals."""

from __future__ import annotations

from enum import StrEnum


class CoreErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    CONFLICT = "conflict"
    ERROR = "error"
    FORBIDDEN = "forbidden"
    INTERNAL_ERROR = "internal_error"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_INPUT = "invalid_input"
    INVALID_TRANSITION = "invalid_transition"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    TOO_LARGE = "too_large"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOO_MANY_REQUESTS = "too_many_requests"
    UNKNOWN_POLICY = "unknown_policy"
