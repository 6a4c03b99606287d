"""Every error code supervision (督办 cases, decisions, attachments) answers with (API.md,
Errors): the ``code`` of the JSON error body. The values are the public contract and never
change; code and tests use the members, never the literals. Codes of the platform itself
(``not_authenticated``, ``payload_too_large``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class SupervisionErrorCode(StrEnum):
    ALREADY_DECIDED = "already_decided"
    INVALID_DATE = "invalid_date"
    INVALID_FILE_SIZE = "invalid_file_size"
    INVALID_FILE_TYPE = "invalid_file_type"
    INVALID_INSTRUMENT = "invalid_instrument"
    INVALID_TRANSITION = "invalid_transition"
    MISSING_FIELD = "missing_field"
    UNKNOWN_ORG = "unknown_org"
    UNKNOWN_TICKET = "unknown_ticket"
