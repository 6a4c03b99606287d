"""Every write to a ticket goes through here (ARCHITECTURE.md principle 1).

Each service is keyword-only and typed, takes ``actor`` and ``now``, locks the ticket row,
asks the one guard (``rules.allowed``) whether the action is allowed, changes state through
the transition tables, and writes its event and outbox row in the same transaction. Pages,
the API, timers, importers and the demo all call these functions, as
``from hotline.tickets import services; services.ticket_intake(...)``.

One module per stage; the helpers they share (guard call, locks, archive and outbox rows,
the per-call archive batch) have one home, :mod:`.archive`:

- :mod:`.intake` — intake, repeat detection, answer at once, not accepted, contact (Art 11–14)
- :mod:`.incidents` — 并单, sudden-event reports, closing an incident (Art 18)
- :mod:`.dispatch` — dispatch and a county's re-dispatch (Art 7, 14)
- :mod:`.handling` — sign, return, extension request, progress, reply (Art 15)
- :mod:`.callback` — callback, closing, redo, dispute (Art 16)
- :mod:`.reviews` — decisions on returns, extensions and disputes
- :mod:`.overdue` — the timers' actions (overdue, missed progress)
- :mod:`.validation` — text checks and look-ups by code every stage shares

Tickets tells higher contexts about its changes through ``tickets.hooks`` (emits
``ticket_received``, ``ticket_dispatching``, ``ticket_answered``; providers ``repeat_match``,
``text_similarity``), never by importing them.
"""

from hotline.tickets.services.archive import (
    ArchiveBatch,
    Conflict,
    batched,
    flush_batched,
    holding,
    last_batch,
)
from hotline.tickets.services.callback import (
    CLOSE_FOR_OUTCOME,
    ticket_callback,
    ticket_close_no_response,
    ticket_dispute,
)
from hotline.tickets.services.dispatch import assignment_redispatch, ticket_dispatch
from hotline.tickets.services.handling import (
    assignment_auto_sign,
    assignment_progress,
    assignment_reply,
    assignment_request_extension,
    assignment_return,
    assignment_sign,
)
from hotline.tickets.services.incidents import (
    INCIDENT_WORDS,
    MERGE_MAX,
    incident_close,
    ticket_sudden_report,
)
from hotline.tickets.services.intake import (
    IntakeResult,
    find_repeat_of,
    ticket_answer,
    ticket_contact,
    ticket_intake,
    ticket_reject,
)
from hotline.tickets.services.locking import locked_assignment, locked_review, prefetched
from hotline.tickets.services.overdue import (
    assignment_mark_overdue,
    assignment_progress_missed,
    ticket_mark_dispatch_overdue,
)
from hotline.tickets.services.reviews import review_approve, review_reject
from hotline.tickets.services.validation import (
    FIELD_LABELS,
    HANDLING_KINDS,
    MAX_ASSISTS,
    MAX_CONTENT,
    PHONE_RE,
    category_by_code,
    county_org,
    handling_org,
)

__all__ = [
    "CLOSE_FOR_OUTCOME",
    "FIELD_LABELS",
    "HANDLING_KINDS",
    "INCIDENT_WORDS",
    "MAX_ASSISTS",
    "MAX_CONTENT",
    "MERGE_MAX",
    "PHONE_RE",
    "ArchiveBatch",
    "Conflict",
    "IntakeResult",
    "assignment_auto_sign",
    "assignment_mark_overdue",
    "assignment_progress",
    "assignment_progress_missed",
    "assignment_redispatch",
    "assignment_reply",
    "assignment_request_extension",
    "assignment_return",
    "assignment_sign",
    "batched",
    "category_by_code",
    "county_org",
    "find_repeat_of",
    "flush_batched",
    "handling_org",
    "holding",
    "incident_close",
    "last_batch",
    "locked_assignment",
    "locked_review",
    "prefetched",
    "review_approve",
    "review_reject",
    "ticket_answer",
    "ticket_callback",
    "ticket_close_no_response",
    "ticket_contact",
    "ticket_dispatch",
    "ticket_dispute",
    "ticket_intake",
    "ticket_mark_dispatch_overdue",
    "ticket_reject",
    "ticket_sudden_report",
]
