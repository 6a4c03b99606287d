"""Intake (Art 10–14, 19): record an appeal, answer it at once, refuse it, or connect the
citizen (three-way call, transfer, expert seat). Repeat detection (Art 11(7)) asks the
``repeat_match`` provider a higher context installed (``tickets.hooks``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput
from hotline.core.policy import policy
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation, User
from hotline.tickets import deadlines, hooks
from hotline.tickets.choices import (
    AppealType,
    Channel,
    CloseReason,
    ContactKind,
    EmergencyLine,
    EventType,
    IncidentKind,
    NotAcceptedReason,
    SpecialSeat,
    TicketStatus,
)
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Category, Incident, Ticket, TicketSequence
from hotline.tickets.services.archive import (
    Conflict,
    _check,
    _event,
    _lock,
    _save_ticket,
    _set_ticket_state,
    _ticket_write,
)
from hotline.tickets.services.incidents import (
    _group_into_incident,
    _incident_kind,
    _lock_for_grouping,
)
from hotline.tickets.services.locking import _column, _concrete, json_value
from hotline.tickets.services.validation import (
    MAX_CONTENT,
    PHONE_RE,
    _clean_text,
    _reject_control,
    clean_occurred_at,
)


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    created: bool


Candidate = tuple[int, str, int | None]  # (pk, content, repeat_of pk) of an earlier ticket


def _repeat_candidates(*, phone: str, county: Organisation, now: datetime) -> QuerySet:
    """The caller's earlier tickets in the county within the policy window, newest first
    (Art 11(7)): what the repeat test compares the new appeal with."""
    since = now - timedelta(days=policy("art9_repeat_window_days"))
    return (
        Ticket.objects.filter(
            citizen_phone=phone, county=county, received_at__gte=since, received_at__lte=now
        )
        .order_by("-received_at")
        .values_list("id", "content", "repeat_of_id", "received_at")[:50]
    )


def _next_number(now: datetime, *, candidates: QuerySet) -> tuple[str, list[Candidate]]:
    """The day's next ticket number, and the repeat candidates (``_repeat_candidates``). One
    round trip: ``UPDATE … RETURNING`` increments the day's counter under its row lock and
    answers the new value, with the candidates as JSON from a subquery in its RETURNING list
    (SQLite ≥ 3.35, PostgreSQL; issue 14); only the day's first ticket creates the row."""
    day: date = get_calendar().local(now).date()
    meta = TicketSequence._meta
    quote = connection.ops.quote_name
    last_column, day_column = meta.get_field("last").column, meta.get_field("day").column
    assert last_column and day_column  # typed optional: set once the model class is built
    last, day_column = quote(last_column), quote(day_column)
    sql, params = candidates.query.sql_with_params()
    if connection.vendor == "postgresql":
        row_of = "json_build_array(c.id, c.content, c.repeat_of_id, c.received_at)"
        rows = f"COALESCE(json_agg({row_of}), '[]'::json)"
    else:
        rows = "json_group_array(json_array(c.id, c.content, c.repeat_of_id, c.received_at))"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {last} = {last} + 1 "  # noqa: S608 names only
            f"WHERE {day_column} = %s RETURNING {last}, (SELECT {rows} FROM ({sql}) c)",
            [meta.get_field("day").get_db_prep_value(day, connection), *params],
        )
        row = cursor.fetchone()
    if row is None:
        # the day's first number: the row is created (or, in a race, locked) and incremented
        seq, _created = TicketSequence.objects.select_for_update().get_or_create(day=day)
        seq.last += 1
        seq.save(update_fields=["last"])
        return f"ZMD{day:%Y%m%d}{seq.last:05d}", [tuple(c[:3]) for c in candidates]
    found = json.loads(row[1]) if isinstance(row[1], str) else row[1]
    received = Ticket._meta.get_field("received_at")
    found.sort(key=lambda c: json_value(received, c[3]), reverse=True)  # newest first
    return f"ZMD{day:%Y%m%d}{row[0]:05d}", [(c[0], c[1], c[2]) for c in found]


def _similarity(a: str, b: str) -> float:
    """Similarity (0–1) of two appeal texts, as the ``text_similarity`` provider measures it
    (the routing engine's normalised character bigrams, ``tickets.hooks``)."""
    return hooks.provided("text_similarity")(a, b)


def _repeat_root(content: str, candidates: list[Candidate]) -> int | None:
    """The pk of the original ticket of the chain the appeal repeats, if it repeats one. The
    substance test is the ``repeat_match`` provider's (routing's ``is_repeat``; threshold:
    policy ``art9_repeat_similarity``); the candidates are already the caller's in the county."""
    match = hooks.provided("repeat_match")(
        content,
        [(pk, text) for pk, text, _root in candidates],
        threshold=policy("art9_repeat_similarity"),
    )
    if match is None:
        return None
    pk, _text, root = next(c for c in candidates if c[0] == match)
    return root or pk


def find_repeat_of(
    *, phone: str, county: Organisation, content: str, now: datetime
) -> Ticket | None:
    """Art 11(7), Art 29(5): the same citizen about the same matter (same county, similar
    content) within the policy window → the original ticket of that chain."""
    candidates = [
        (pk, text, root)
        for pk, text, root, _at in _repeat_candidates(phone=phone, county=county, now=now)
    ]
    root = _repeat_root(content, candidates)
    return Ticket.objects.get(pk=root) if root is not None else None


def _count_repeat(root: int) -> Ticket:
    """One more appeal in the chain of ``root``: its counter raised, and the root as the new
    ticket shows it (number, status, confidential, the new count) in the same round trip."""
    t = connection.ops.quote_name(Ticket._meta.db_table)
    count = connection.ops.quote_name(_column(_concrete(Ticket, "repeat_count")))
    fields = ("id", "number", "status", "confidential", "repeat_count")
    columns = ", ".join(connection.ops.quote_name(_column(_concrete(Ticket, f))) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t} SET {count} = {count} + 1 WHERE id = %s RETURNING {columns}",  # noqa: S608
            [root],
        )
        row = cursor.fetchone()
    return Ticket.from_db(
        connection.alias,
        list(fields),
        [json_value(_concrete(Ticket, f), v) for f, v in zip(fields, row, strict=True)],
    )


@_ticket_write
def ticket_intake(
    *,
    channel: str,
    appeal_type: str,
    content: str,
    citizen_name: str = "",
    citizen_phone: str,
    confidential: bool = False,
    county: Organisation,
    address: str,
    occurred_at: datetime | None = None,
    category: Category | None = None,
    major_incident: bool = False,
    special_seat: str | None = None,
    external_id: str | None = None,
    call_id: str | None = None,
    incident: Incident | None = None,
    merge_with: Sequence[Ticket] = (),
    actor: User,
    now: datetime,
) -> IntakeResult:
    """Record an appeal (Art 13): contact, content, time and place. Idempotent on
    ``external_id`` for partner channels.

    ``merge_with`` (并单, Art 18): open tickets of other callers about the same matter that are
    in no incident yet; a new incident record is opened holding them and the new ticket (center
    staff only; a chosen ticket closed or grouped meanwhile refuses the whole intake)."""
    _check(actor, "intake", now=now)
    if channel not in Channel.values:
        raise InvalidInput(
            _("未知的来源渠道：%(value)s") % {"value": channel}, code=Code.UNKNOWN_CHANNEL
        )
    if appeal_type not in AppealType.values:
        raise InvalidInput(
            _("未知的诉求类型：%(value)s") % {"value": appeal_type}, code=Code.UNKNOWN_APPEAL_TYPE
        )
    if special_seat and special_seat not in SpecialSeat.values:
        raise InvalidInput(
            _("未知的专席：%(value)s") % {"value": special_seat}, code=Code.UNKNOWN_SPECIAL_SEAT
        )
    if county.kind != OrgKind.COUNTY:
        raise InvalidInput(
            _("未知的县区代码：%(code)s") % {"code": county.code}, code=Code.UNKNOWN_COUNTY
        )
    content = _clean_text(content, "content", required=True, limit=MAX_CONTENT)
    address = _clean_text(address, "address", required=True, limit=300)
    citizen_name = _clean_text(citizen_name, "citizen.name", required=False, limit=60)
    phone = (citizen_phone or "").strip()
    if not PHONE_RE.match(phone):
        raise InvalidInput(_("诉求人电话不是有效的电话号码"), code=Code.INVALID_PHONE)
    occurred_at = clean_occurred_at(occurred_at, now=now)  # naive = local; a range (issue 19)
    external_id = (external_id or "").strip() or None
    _reject_control(external_id or "", "external_id")
    if external_id is not None:
        existing = Ticket.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return IntakeResult(existing, False)

    if (
        incident is not None
        and Incident.objects.filter(pk=incident.pk, closed_at__isnull=False).exists()
    ):
        raise InvalidInput(_("该重大诉求事件已结束，不能再关联新的来电"), code=Code.INCIDENT_CLOSED)
    grouped: list[Ticket] = []
    if merge_with:
        if incident is not None:
            raise InvalidInput(
                _("并单：请选择关联到已有事件，或与相似工单新建并单，不能同时选择"),
                code=Code.MERGE_CONFLICT,
            )
        grouped = _lock_for_grouping(merge_with, county=county, actor=actor, now=now)
    number, candidates = _next_number(
        now, candidates=_repeat_candidates(phone=phone, county=county, now=now)
    )
    root = _repeat_root(content, candidates)
    if grouped:
        incident = Incident.objects.create(
            kind=_incident_kind(
                " ".join([content, *(t.content for t in grouped)]), default=IncidentKind.GROUP
            ),
            title=content[:60],
            county=county,
            opened_at=now,
        )
    if major_incident and incident is None:
        incident = Incident.objects.create(
            kind=_incident_kind(content), title=content[:60], county=county, opened_at=now
        )
    ticket = Ticket(
        number=number,
        status=TicketStatus.NEW,
        channel=channel,
        appeal_type=appeal_type,
        content=content,
        category=category,
        citizen_name=citizen_name,
        citizen_phone=phone,
        confidential=confidential,
        county=county,
        address=address,
        occurred_at=occurred_at,
        received_at=now,
        received_by=actor,
        dispatch_due_at=deadlines.dispatch_due(received_at=now, major=major_incident),
        major_incident=major_incident,
        incident=incident,
        special_seat=special_seat or "",
        external_id=external_id,
    )
    repeat_root = _count_repeat(root) if root is not None else None
    if repeat_root is not None:
        ticket.repeat_of = repeat_root
        ticket.repeat_count = repeat_root.repeat_count
    ticket.outbox_seq = 1  # the intake message below: stored with the row, no update after
    if external_id is None:
        ticket.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
        except IntegrityError:
            # the same partner id raced in through another request: answer with the winner
            existing = Ticket.objects.filter(channel=channel, external_id=external_id).first()
            if existing is None:
                raise
            return IntakeResult(existing, False)
    data: dict[str, Any] = {"channel": channel, "appeal_type": appeal_type}
    if repeat_root is not None:
        data["repeat_of"] = repeat_root.number
    if incident is not None:
        data["incident"] = incident.pk
    if grouped:
        data["grouped_with"] = [t.number for t in grouped]
    _event(ticket, EventType.INTAKE, now=now, actor=actor, data=data, seq_stored=True)
    if grouped and incident is not None:  # the incident made for them above
        _group_into_incident(grouped, incident=incident, new_ticket=ticket, actor=actor, now=now)
    # routing records what it would have suggested (tickets.hooks; routing registers it)
    # the call it came in on: telephony links them in its "ticket_received" handler
    ticket.intake_call_id = call_id  # type: ignore[attr-defined]  # not a column
    hooks.emit("ticket_received", ticket=ticket, actor=actor, now=now)
    return IntakeResult(ticket, True)


@_ticket_write
def ticket_answer(
    *,
    ticket: Ticket,
    answer: str,
    actor: User,
    now: datetime,
    knowledge_entries: Sequence[int] = (),
) -> Ticket:
    """Art 14(1): answered at once; closed at intake as directly resolved. The knowledge
    entries the answer used are told to the knowledge context (``ticket_answered``, Art 22
    usage statistics) in the same transaction, whether the page or the API answered."""
    ticket = _lock(ticket)
    _check(actor, "answer", ticket=ticket, now=now)
    answer = _clean_text(answer, "answer", required=True, limit=MAX_CONTENT)
    _set_ticket_state(ticket, "answer")
    ticket.answer = answer
    ticket.closed_at = now
    ticket.close_reason = CloseReason.ANSWERED_AT_INTAKE
    _event(
        ticket,
        EventType.ANSWERED,
        now=now,
        actor=actor,
        data={"answer": answer, "knowledge_entries": list(knowledge_entries)},
    )
    _save_ticket(ticket, ["status", "answer", "closed_at", "close_reason"])
    hooks.emit(
        "ticket_answered", ticket=ticket, entry_ids=list(knowledge_entries), actor=actor, now=now
    )
    return ticket


@_ticket_write
def ticket_reject(
    *,
    ticket: Ticket,
    reason: str,
    explanation: str,
    transferred_to: str | None = None,
    closed_ticket: Ticket | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 11: not accepted, with one reason code, the explanation and guidance given.
    Emergencies record the line they were transferred to (Art 11 last paragraph)."""
    ticket = _lock(ticket)
    _check(actor, "reject", ticket=ticket, now=now)
    if reason not in NotAcceptedReason.values:
        raise InvalidInput(
            _("未知的不予受理原因：%(value)s") % {"value": reason}, code=Code.UNKNOWN_REASON
        )
    explanation = _clean_text(explanation, "explanation", required=True, limit=2000)
    transferred = (transferred_to or "").strip()
    if reason == NotAcceptedReason.EMERGENCY:
        if transferred not in EmergencyLine.values:
            raise InvalidInput(
                _("紧急诉求须注明转交的热线（110/119/120/122）"), code=Code.TRANSFER_REQUIRED
            )
    elif transferred and transferred not in EmergencyLine.values:
        raise InvalidInput(
            _("未知的转交热线：%(value)s") % {"value": transferred}, code=Code.UNKNOWN_LINE
        )
    data: dict[str, Any] = {"reason": reason, "explanation": explanation}
    if reason == NotAcceptedReason.REPEAT_AFTER_CLOSURE:
        closed = closed_ticket or ticket.repeat_of
        if closed is None or closed.status != TicketStatus.CLOSED:
            raise InvalidInput(_("须关联已依法办结的原工单"), code=Code.CLOSED_TICKET_REQUIRED)
        ticket.repeat_of = closed
        data["closed_ticket"] = closed.number
    _set_ticket_state(ticket, "reject")
    ticket.not_accepted_reason = reason
    ticket.not_accepted_explanation = explanation
    ticket.transferred_to = transferred
    ticket.closed_at = now
    if transferred:
        data["transferred_to"] = transferred
    _event(ticket, EventType.NOT_ACCEPTED, now=now, actor=actor, data=data)
    _save_ticket(
        ticket,
        [
            "status",
            "not_accepted_reason",
            "not_accepted_explanation",
            "transferred_to",
            "closed_at",
            "repeat_of",
        ],
    )
    return ticket


@_ticket_write
def ticket_contact(
    *, ticket: Ticket, kind: str, party: str, consent: bool, actor: User, now: datetime
) -> Ticket:
    """Art 14(1): a three-way call, transfer or expert seat, only with the citizen's consent."""
    ticket = _lock(ticket)
    _check(actor, "contact", ticket=ticket, now=now)
    if kind not in ContactKind.values:
        raise InvalidInput(
            _("未知的联动方式：%(value)s") % {"value": kind}, code=Code.UNKNOWN_CONTACT_KIND
        )
    party = _clean_text(party, "party", required=True, limit=120)
    if not consent:
        raise Conflict(_("须经诉求人同意"), code=Code.CONSENT_REQUIRED)
    data = {"party": party, "consent": True}
    _event(ticket, EventType(kind), now=now, actor=actor, data=data, push=False)
    return ticket
