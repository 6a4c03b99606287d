"""Every error code the exchange with other platforms (partners, signed requests, hand-offs)
answers with (API.md, Errors): the ``code`` of the JSON error body. The values are the public
contract and never change; code and tests use the members, never the literals. Codes of the
platform itself (``not_authenticated``, ``payload_too_large``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class ExchangeErrorCode(StrEnum):
    BAD_SIGNATURE = "bad_signature"
    FORBIDDEN = "forbidden"
    INVALID_PARTNER_ORG = "invalid_partner_org"
    INVALID_SIGNATURE_HEADERS = "invalid_signature_headers"
    MISSING_FIELD = "missing_field"
    MISSING_SIGNATURE = "missing_signature"
    NOT_ASSIGNED_TO_PARTNER = "not_assigned_to_partner"
    NOT_FOUND = "not_found"
    REPLAYED_MESSAGE = "replayed_message"
    STALE_TIMESTAMP = "stale_timestamp"
    UNKNOWN_PARTNER = "unknown_partner"
    UNKNOWN_PARTNER_KIND = "unknown_partner_kind"
