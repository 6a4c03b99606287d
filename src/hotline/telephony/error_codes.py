"""The stable error codes of the telephony API (API.md: part of the contract)."""

from enum import StrEnum


class TelephonyErrorCode(StrEnum):
    UNKNOWN_EVENT = "unknown_event"
    INVALID_CALL_ID = "invalid_call_id"
    INVALID_TIME = "invalid_time"
    UNKNOWN_AGENT = "unknown_agent"
    UNKNOWN_QUEUE = "unknown_queue"
    INVALID_NUMBER = "invalid_number"
    CALL_NOT_FOUND = "call_not_found"
    CALLBACK_NOT_FOUND = "callback_not_found"
    CALLBACK_DONE = "callback_done"
    TICKET_REQUIRED = "ticket_required"
    UNKNOWN_TICKET = "unknown_ticket"
    RESTRICTION_NOT_FOUND = "restriction_not_found"
    RESTRICTION_NOT_ACTIVE = "restriction_not_active"
    SELF_APPROVAL = "self_approval"
    INVALID_PERIOD = "invalid_period"
    CONSENT_REQUIRED = "consent_required"
    INVALID_STATE = "invalid_agent_state"
    GUEST_NOT_FOUND = "guest_not_found"
    INVALID_RANGE = "invalid_range"
