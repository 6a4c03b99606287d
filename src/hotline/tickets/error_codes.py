"""Every error code the tickets context answers with (API.md, Errors): the ``code`` of the
JSON error body. The values are the public contract and never change; code and tests use the
members, never the literals. Codes of the platform itself (``not_authenticated``,
``rate_limited``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class TicketErrorCode(StrEnum):
    # the guard (rules.allowed) and the generic domain errors
    FORBIDDEN = "forbidden"  # 403: the role may never do this (or not on this object)
    INVALID_TRANSITION = "invalid_transition"  # 409: the state does not allow it
    CONFLICT = "conflict"
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    MISSING_FIELD = "missing_field"

    # intake (Art 11, 13, 19)
    UNKNOWN_CHANNEL = "unknown_channel"
    UNKNOWN_APPEAL_TYPE = "unknown_appeal_type"
    UNKNOWN_SPECIAL_SEAT = "unknown_special_seat"
    UNKNOWN_COUNTY = "unknown_county"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_ORG = "unknown_org"
    UNKNOWN_TICKET = "unknown_ticket"
    INVALID_PHONE = "invalid_phone"
    INVALID_OCCURRED_AT = "invalid_occurred_at"
    UNKNOWN_REASON = "unknown_reason"
    TRANSFER_REQUIRED = "transfer_required"
    UNKNOWN_LINE = "unknown_line"
    CLOSED_TICKET_REQUIRED = "closed_ticket_required"
    UNKNOWN_CONTACT_KIND = "unknown_contact_kind"
    CONSENT_REQUIRED = "consent_required"
    INVALID_CATEGORY_TREE = "invalid_category_tree"

    # major incidents and 并单 (Art 18)
    UNKNOWN_INCIDENT = "unknown_incident"
    INCIDENT_CLOSED = "incident_closed"
    ALREADY_CLOSED = "already_closed"
    INVALID_CLOSED_AT = "invalid_closed_at"
    UNKNOWN_EVENT_KIND = "unknown_event_kind"
    MERGE_CONFLICT = "merge_conflict"
    MERGE_TOO_MANY = "merge_too_many"
    MERGE_UNKNOWN_TICKET = "merge_unknown_ticket"
    MERGE_TICKET_CLOSED = "merge_ticket_closed"
    MERGE_TICKET_GROUPED = "merge_ticket_grouped"
    MERGE_OTHER_COUNTY = "merge_other_county"

    # dispatch (Art 7, 14)
    DUPLICATE_ORG = "duplicate_org"
    NOT_SUBORDINATE = "not_subordinate"

    # handling (Art 15)
    COORDINATED_NOT_RETURNABLE = "coordinated_not_returnable"
    EXTENSION_LIMIT = "extension_limit"
    EXTENSION_TOO_LATE = "extension_too_late"
    EXTENSION_PENDING = "extension_pending"
    EXTENSION_TOO_LONG = "extension_too_long"
    CHILDREN_PENDING = "children_pending"
    INVALID_DATE = "invalid_date"

    # callback, disputes and reviews (Art 16)
    UNKNOWN_OUTCOME = "unknown_outcome"
    REASONABLE_REQUIRED = "reasonable_required"
    NOTHING_TO_DISPUTE = "nothing_to_dispute"
    DISPUTE_PENDING = "dispute_pending"
    ALREADY_DECIDED = "already_decided"
