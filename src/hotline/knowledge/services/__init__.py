"""Every write to the knowledge base (Art 22). Each service checks the guard in ``rules``,
locks what it changes, keeps the search index in step and records its version or audit row in
the same transaction (ARCHITECTURE.md principles 1, 4, 5).

A package by subject (``entries``, ``feedback``, ``usage``; ``common`` holds what they share);
callers keep ``from hotline.knowledge import services`` and the names below.
"""

from hotline.knowledge.choices import OWNING_KINDS
from hotline.knowledge.services.common import (
    BODY_MAX,
    CATEGORY_CODE,
    CONTENT_FIELDS,
    TITLE_MAX,
    VersionConflict,
    clean_content,
    snapshot,
)
from hotline.knowledge.services.entries import (
    entries_reindex,
    entry_create,
    entry_publish,
    entry_retire,
    entry_return,
    entry_review,
    entry_submit,
    entry_update,
    record_export,
    record_import,
    synonym_upsert,
)
from hotline.knowledge.services.feedback import (
    ART27_PROPOSALS_PER_RUN,
    art27_dedupe_key,
    feedback_accept,
    feedback_answer,
    feedback_due_at,
    feedback_mark_overdue,
    feedback_raise,
    feedback_reject,
    knowledge_art27_propose,
)
from hotline.knowledge.services.usage import (
    USAGE_ROLES,
    knowledge_record_usage,
    on_ticket_answered,
)

__all__ = [
    "ART27_PROPOSALS_PER_RUN",
    "BODY_MAX",
    "CATEGORY_CODE",
    "CONTENT_FIELDS",
    "OWNING_KINDS",
    "TITLE_MAX",
    "USAGE_ROLES",
    "VersionConflict",
    "art27_dedupe_key",
    "clean_content",
    "entries_reindex",
    "entry_create",
    "entry_publish",
    "entry_retire",
    "entry_return",
    "entry_review",
    "entry_submit",
    "entry_update",
    "feedback_accept",
    "feedback_answer",
    "feedback_due_at",
    "feedback_mark_overdue",
    "feedback_raise",
    "feedback_reject",
    "knowledge_art27_propose",
    "knowledge_record_usage",
    "on_ticket_answered",
    "record_export",
    "record_import",
    "snapshot",
    "synonym_upsert",
]
