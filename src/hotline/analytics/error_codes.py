"""Every error code analytics (statistics, alerts, reports) answers with (API.md, Errors): the
``code`` of the JSON error body. The values are the public contract and never change; code and
tests use the members, never the literals. Codes of the platform itself (``not_authenticated``,
``payload_too_large``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class AnalyticsErrorCode(StrEnum):
    ALERT_CLOSED = "alert_closed"
    INVALID_FORMAT = "invalid_format"
    INVALID_KIND = "invalid_kind"
    INVALID_PERIOD = "invalid_period"
    NOTE_REQUIRED = "note_required"
    TITLE_REQUIRED = "title_required"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_COUNTY = "unknown_county"
    UNKNOWN_ORG = "unknown_org"
