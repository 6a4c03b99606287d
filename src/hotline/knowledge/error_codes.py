"""Every error code the knowledge base (entries, synonyms, feedback, usage, xlsx import)
answers with (API.md, Errors): the ``code`` of the JSON error body. The values are the public
contract and never change; code and tests use the members, never the literals. Codes of the
platform itself (``not_authenticated``, ``payload_too_large``…) are ``hotline.core``'s."""

from __future__ import annotations

from enum import StrEnum


class KnowledgeErrorCode(StrEnum):
    IMPORT_REJECTED = "import_rejected"
    INVALID_BODY = "invalid_body"
    INVALID_CATEGORY = "invalid_category"
    INVALID_CONTENT = "invalid_content"
    INVALID_DATE = "invalid_date"
    INVALID_DATES = "invalid_dates"
    INVALID_ENTRIES = "invalid_entries"
    INVALID_EQUIVALENTS = "invalid_equivalents"
    INVALID_FILE = "invalid_file"
    INVALID_INPUT = "invalid_input"
    INVALID_KIND = "invalid_kind"
    INVALID_ORG = "invalid_org"
    INVALID_PAGE = "invalid_page"
    INVALID_RESPONSE = "invalid_response"
    INVALID_STATE = "invalid_state"
    INVALID_STATUS = "invalid_status"
    INVALID_TERM = "invalid_term"
    INVALID_TICKET_NUMBER = "invalid_ticket_number"
    INVALID_TITLE = "invalid_title"
    INVALID_TOPIC = "invalid_topic"
    NOT_FOUND = "not_found"
    ORG_REQUIRED = "org_required"
    PUBLISH_NOT_ALLOWED = "publish_not_allowed"
    QUERY_TOO_LONG = "query_too_long"
    REASON_REQUIRED = "reason_required"
    TOO_MANY_ROWS = "too_many_rows"
    TOPIC_REQUIRED = "topic_required"
    UNKNOWN_ENTRY = "unknown_entry"
    UNKNOWN_ORG = "unknown_org"
    VERSION_CONFLICT = "version_conflict"
