"""Every write to a ticket goes through here (ARCHITECTURE.md principle 1).

Each service is keyword-only and typed, takes ``actor`` and ``now``, locks the ticket row,
asks the one guard (``rules.allowed``) whether the action is allowed, changes state through
the transition tables, and writes its event and outbox row in the same transaction. Pages,
the API, timers, importers and the demo all call these functions.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.calendar.services import get_calendar
from hotline.core.errors import DomainError, InvalidInput, InvalidTransition, PermissionDenied
from hotline.core.policy import policy
from hotline.core.text import has_control
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation, User
from hotline.orgs.selectors import center_org
from hotline.routing import duplicates as routing_duplicates
from hotline.tickets import deadlines, rules
from hotline.tickets.choices import (
    AppealType,
    AssignmentRole,
    AssignmentStatus,
    CallbackOutcome,
    Channel,
    CloseReason,
    ContactKind,
    EmergencyLine,
    IncidentKind,
    NotAcceptedReason,
    ReviewKind,
    ReviewState,
    SpecialSeat,
    SuddenEventKind,
    TicketStatus,
)
from hotline.tickets.models import (
    Assignment,
    Category,
    Evaluation,
    Incident,
    OutboxMessage,
    Review,
    SuddenEventReport,
    Ticket,
    TicketEvent,
    TicketSequence,
)

HANDLING_KINDS = frozenset({OrgKind.COUNTY, OrgKind.UNIT, OrgKind.SUBCENTER})
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,22}$")
MAX_CONTENT = 5000
MAX_ASSISTS = 10


# -- errors with contract codes ------------------------------------------------------------


class Conflict(DomainError):
    status = 409
    code = "conflict"


def _refuse(decision: rules.Decision) -> None:
    if decision.ok:
        return
    if decision.status == 403:
        raise PermissionDenied()
    if decision.code == "invalid_transition":
        raise InvalidTransition()
    raise Conflict(decision.message, code=decision.code)


def _check(user: User, action: str, *, now: datetime, **objects: Any) -> None:
    """The one guard (rules.allowed): the same answer decides which buttons a page shows."""
    _refuse(rules.allowed(user, action, now=now, **objects))


# -- archive and outbox ----------------------------------------------------------------------


_pending = threading.local()


def _ticket_write(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``transaction.atomic`` for a service that appends events: the outbox sequence is kept
    in Python on the ticket row the service locked, and written back here once, with the
    service's own ticket update when it has one (no extra query for it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            outer = getattr(_pending, "tickets", None)
            outer_rows = getattr(_pending, "rows", None)
            if outer_rows is not None:
                _flush_rows(outer_rows)  # a nested service: the archive keeps its order
            _pending.tickets = {}
            _pending.rows = ([], [])
            try:
                result = fn(*args, **kwargs)
                _flush_rows(_pending.rows)
                for ticket in _pending.tickets.values():
                    _flush_seq(ticket)
            finally:
                _pending.tickets = outer
                _pending.rows = outer_rows
            return result

    return wrapper


def _flush_rows(rows: tuple[list[TicketEvent], list[OutboxMessage]]) -> None:
    """Write the events and outbox rows a service appended: one INSERT per table, in the
    order they were appended (an action that records two events writes them together)."""
    events, messages = rows
    if events:
        TicketEvent.objects.bulk_create(events)
        events.clear()
    if messages:
        OutboxMessage.objects.bulk_create(messages)
        messages.clear()


def _flush_seq(ticket: Ticket) -> None:
    if getattr(ticket, "_seq_unsaved", False):
        Ticket.objects.filter(pk=ticket.pk).update(outbox_seq=ticket.outbox_seq)
        ticket._seq_unsaved = False


def _save_ticket(ticket: Ticket, fields: Sequence[str]) -> None:
    """Save the changed fields of the locked ticket, with any outbox sequence not yet written."""
    update = [*fields, "updated_at"]
    if getattr(ticket, "_seq_unsaved", False):
        update.append("outbox_seq")
        ticket._seq_unsaved = False
    ticket.save(update_fields=update)


def _event(
    ticket: Ticket,
    type_: str,
    *,
    now: datetime,
    actor: User | None,
    org: Organisation | None = None,
    assignment: Assignment | None = None,
    data: dict[str, Any] | None = None,
    push: bool = True,
    seq_stored: bool = False,
) -> TicketEvent:
    """Append the event (Art 17) and, for state changes, the outbox row (Art 21) — same
    transaction as the change itself. The ticket must be the row the service locked (or
    created): its ``outbox_seq`` is advanced here and written back by ``_ticket_write``
    (``seq_stored``: the caller already stored the new value, as intake does on insert)."""
    if org is None and actor is not None:
        org = actor.organisation
    rows = getattr(_pending, "rows", None)
    event = TicketEvent(
        ticket=ticket,
        assignment=assignment,
        at=now,
        type=type_,
        actor=actor,
        org=org,
        data=data or {},
    )
    if rows is None:
        event.save(force_insert=True)  # called outside a service: written at once
    else:
        rows[0].append(event)
    if push:
        if not seq_stored:
            ticket.outbox_seq += 1
            ticket._seq_unsaved = True
            pending = getattr(_pending, "tickets", None)
            if pending is None:
                _flush_seq(ticket)  # called outside a service: write it back at once
            else:
                pending[ticket.pk] = ticket
        seq = ticket.outbox_seq
        message = OutboxMessage(
            ticket=ticket,
            seq=seq,
            type=type_,
            created_at=now,
            next_attempt_at=now,
            payload={
                "type": type_,
                "seq": seq,
                "at": now.isoformat(),
                "ticket": {
                    "number": ticket.number,
                    "status": ticket.status,
                    "channel": ticket.channel,
                    "appeal_type": ticket.appeal_type,
                    "county": ticket.county.code if ticket.county_id else None,
                },
                "assignment": (
                    {"id": assignment.pk, "org": assignment.org.code, "status": assignment.status}
                    if assignment is not None
                    else None
                ),
                "org": org.code if org is not None else None,
                "data": data or {},
            },
        )
        if rows is None:
            message.save(force_insert=True)
        else:
            rows[1].append(message)
    return event


_LOCK_RELATED = ("county", "category")


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock: two people acting at once get one success.

    The county and category the caller already loaded with this ticket are kept (they are
    reference rows, not part of the ticket's state); only the missing ones are joined."""
    cached = {
        name: getattr(ticket, name)
        for name in _LOCK_RELATED
        if Ticket._meta.get_field(name).is_cached(ticket)
    }
    query = Ticket.objects.select_for_update(of=("self",))
    missing = [name for name in _LOCK_RELATED if name not in cached]
    if missing:
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the category join
        query = query.select_related(*missing)
    fresh = query.get(pk=ticket.pk)
    for name, value in cached.items():
        if getattr(fresh, f"{name}_id") == (value.pk if value is not None else None):
            setattr(fresh, name, value)
    return fresh


def _lock_assignment(assignment: Assignment) -> tuple[Ticket, Assignment]:
    """Lock the ticket, then re-read the assignment (its changes are made under that lock).
    The unit the caller already loaded is kept; a parent is read only where there is one."""
    field = Assignment._meta.get_field
    ticket = _lock(
        assignment.ticket
        if field("ticket").is_cached(assignment)
        else Ticket(pk=assignment.ticket_id)
    )
    org = assignment.org if field("org").is_cached(assignment) else None
    query = (
        Assignment.objects.all() if org is not None else Assignment.objects.select_related("org")
    )
    fresh = query.get(pk=assignment.pk)
    if org is not None and fresh.org_id == org.pk:
        fresh.org = org
    fresh.ticket = ticket
    return ticket, fresh


def _set_ticket_state(ticket: Ticket, event: str) -> None:
    target = rules.next_ticket_state(ticket.status, event)
    if target is None:
        raise InvalidTransition()
    ticket.status = target


def _set_assignment_state(assignment: Assignment, event: str) -> None:
    target = rules.next_assignment_state(assignment.status, event)
    if target is None:
        raise InvalidTransition()
    assignment.status = target


# -- intake (Art 10–13, 19) --------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    created: bool


def _next_number(now: datetime) -> str:
    day: date = get_calendar().local(now).date()
    # the day's row is locked, so the increment can be done here and written back
    seq, _created = TicketSequence.objects.select_for_update().get_or_create(day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"ZMD{day:%Y%m%d}{seq.last:05d}"


# What a message calls a text field: the form shows it under the field, the API caller reads
# it in the error's message (the field's own name is in API.md, not in the user's language).
FIELD_LABELS = {
    "content": gettext_lazy("内容"),
    "address": gettext_lazy("地址"),
    "citizen.name": gettext_lazy("诉求人姓名"),
    "answer": gettext_lazy("答复内容"),
    "explanation": gettext_lazy("说明"),
    "party": gettext_lazy("联动对象"),
    "note": gettext_lazy("备注"),
    "reason": gettext_lazy("理由"),
    "basis": gettext_lazy("依据"),
    "lead": gettext_lazy("主办单位"),
    "assists": gettext_lazy("协办单位"),
    "suggested_org": gettext_lazy("建议承办单位"),
    "external_id": gettext_lazy("外部编号"),
    "recipients": gettext_lazy("报告或通报对象"),
}


def _label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _reject_control(text: str, field: str) -> None:
    """A control character (other than tab and line breaks) is refused: no export could
    write it (xlsx, Word and XML cannot hold it), and it means nothing in an appeal."""
    if has_control(text):
        raise InvalidInput(
            _("%(field)s含有不允许的控制字符") % {"field": _label(field)}, code="invalid_input"
        )


def _clean_text(value: str | None, field: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip()
    _reject_control(text, field)
    if required and not text:
        raise InvalidInput(_("%(field)s不能为空") % {"field": _label(field)}, code="missing_field")
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s过长（最多 %(limit)s 字）") % {"field": _label(field), "limit": limit}
        )
    return text


def handling_org(code: str, *, field: str = "lead") -> Organisation:
    org = Organisation.objects.filter(code=code, active=True).first()
    if org is None or org.kind not in HANDLING_KINDS:
        raise InvalidInput(
            _("%(field)s：未知的承办单位 %(code)s") % {"field": _label(field), "code": code},
            code="unknown_org",
        )
    return org


def county_org(code: str) -> Organisation:
    org = Organisation.objects.filter(code=code, kind=OrgKind.COUNTY).first()
    if org is None:
        raise InvalidInput(_("未知的县区代码：%(code)s") % {"code": code}, code="unknown_county")
    return org


def category_by_code(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise InvalidInput(_("未知的诉求分类：%(code)s") % {"code": code}, code="unknown_category")
    return category


INCIDENT_WORDS = [
    (IncidentKind.POWER, ("停电", "断电", "没电")),
    (IncidentKind.WATER, ("停水", "断水", "没水")),
    (IncidentKind.GAS, ("停气", "断气", "没气", "燃气")),
    (IncidentKind.HEAT, ("停暖", "暖气", "供暖", "停热")),
    (IncidentKind.POLLUTION, ("污染", "异味", "排污", "黑烟")),
]


def _incident_kind(content: str, default: str = IncidentKind.POLLUTION) -> str:
    for kind, words in INCIDENT_WORDS:
        if any(word in content for word in words):
            return kind
    return default


def _similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard similarity of the normalised texts (the routing engine's:
    full-width folded, punctuation and boilerplate such as 市民来电反映 removed)."""
    return routing_duplicates.similarity(a, b)


def find_repeat_of(
    *, phone: str, county: Organisation, content: str, now: datetime
) -> Ticket | None:
    """Art 11(7), Art 29(5): the same citizen about the same matter (same county, similar
    content) within the policy window → the original ticket of that chain. The substance test
    is the routing engine's ``is_repeat`` (threshold: policy ``art9_repeat_similarity``)."""
    since = now - timedelta(days=policy("art9_repeat_window_days"))
    candidates = list(
        Ticket.objects.filter(
            citizen_phone=phone, county=county, received_at__gte=since, received_at__lte=now
        )
        .order_by("-received_at")
        .only("pk", "content", "repeat_of_id")[:50]
    )
    match = routing_duplicates.is_repeat(
        routing_duplicates.TicketText(None, content),
        (routing_duplicates.TicketText(c.pk, c.content) for c in candidates),
        same_phone=False,  # the query above already selected the caller and the county
        same_county=False,
        threshold=policy("art9_repeat_similarity"),
    )
    if match is None:
        return None
    candidate = next(c for c in candidates if c.pk == match.id)
    return Ticket.objects.get(pk=candidate.repeat_of_id or candidate.pk)


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
    if not (actor.is_superuser or actor.has_role(*rules.INTAKE_ROLES)):
        raise PermissionDenied()
    if channel not in Channel.values:
        raise InvalidInput(
            _("未知的来源渠道：%(value)s") % {"value": channel}, code="unknown_channel"
        )
    if appeal_type not in AppealType.values:
        raise InvalidInput(
            _("未知的诉求类型：%(value)s") % {"value": appeal_type}, code="unknown_appeal_type"
        )
    if special_seat and special_seat not in SpecialSeat.values:
        raise InvalidInput(
            _("未知的专席：%(value)s") % {"value": special_seat}, code="unknown_special_seat"
        )
    if county.kind != OrgKind.COUNTY:
        raise InvalidInput(
            _("未知的县区代码：%(code)s") % {"code": county.code}, code="unknown_county"
        )
    content = _clean_text(content, "content", required=True, limit=MAX_CONTENT)
    address = _clean_text(address, "address", required=True, limit=300)
    citizen_name = _clean_text(citizen_name, "citizen.name", required=False, limit=60)
    phone = (citizen_phone or "").strip()
    if not PHONE_RE.match(phone):
        raise InvalidInput(_("诉求人电话不是有效的电话号码"), code="invalid_phone")
    if occurred_at is not None and occurred_at > now + timedelta(hours=1):
        raise InvalidInput(_("事发时间不能晚于受理时间"), code="invalid_occurred_at")
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
        raise InvalidInput(_("该重大诉求事件已结束，不能再关联新的来电"), code="incident_closed")
    grouped: list[Ticket] = []
    if merge_with:
        if incident is not None:
            raise InvalidInput(
                _("并单：请选择关联到已有事件，或与相似工单新建并单，不能同时选择"),
                code="merge_conflict",
            )
        grouped = _lock_for_grouping(merge_with, county=county, actor=actor)
    repeat_root = find_repeat_of(phone=phone, county=county, content=content, now=now)
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
        number=_next_number(now),
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
    if repeat_root is not None:
        Ticket.objects.filter(pk=repeat_root.pk).update(repeat_count=F("repeat_count") + 1)
        repeat_root.refresh_from_db(fields=["repeat_count"])
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
    _event(ticket, "intake", now=now, actor=actor, data=data, seq_stored=True)
    if grouped:
        _group_into_incident(grouped, incident=incident, new_ticket=ticket, actor=actor, now=now)
    from hotline.routing.services import record_intake  # routing imports the ticket models

    record_intake(ticket=ticket, actor=actor, now=now)
    return IntakeResult(ticket, True)


MERGE_MAX = 20


def _lock_for_grouping(
    tickets: Sequence[Ticket], *, county: Organisation, actor: User
) -> list[Ticket]:
    """Art 18 并单 at intake: lock the chosen tickets and check that each may be grouped — open,
    in the new ticket's county, in no incident yet. One refusal refuses the intake."""
    if not (actor.is_superuser or actor.acts_for_center):
        raise PermissionDenied()
    ids = sorted({t.pk for t in tickets})
    if len(ids) > MERGE_MAX:
        raise InvalidInput(
            _("并单：一次最多选择 %(max)s 件工单") % {"max": MERGE_MAX}, code="merge_too_many"
        )
    # ordered by id: two agents grouping overlapping tickets lock them in the same order
    locked = list(
        Ticket.objects.select_for_update(of=("self",))
        .select_related("county")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise InvalidInput(_("并单：所选工单不存在"), code="merge_unknown_ticket")
    for t in locked:
        if t.status in (TicketStatus.CLOSED, TicketStatus.NOT_ACCEPTED):
            raise Conflict(
                _(
                    "并单失败：工单 %(number)s 状态为“%(status)s”，已不在办，"
                    "本次受理未保存，请重新选择"
                )
                % {"number": t.number, "status": TicketStatus(t.status).label},
                code="merge_ticket_closed",
            )
        if t.incident_id is not None:
            raise Conflict(
                _("并单失败：工单 %(number)s 已并入其他事件，本次受理未保存，请改为关联到该事件")
                % {"number": t.number},
                code="merge_ticket_grouped",
            )
        if t.county_id != county.pk:
            raise InvalidInput(
                _("并单：工单 %(number)s 不属于所选县区") % {"number": t.number},
                code="merge_other_county",
            )
    return locked


def _group_into_incident(
    grouped: Sequence[Ticket], *, incident: Incident, new_ticket: Ticket, actor: User, now: datetime
) -> None:
    """Link the locked tickets to the new incident; each archive records it (Art 17)."""
    from django.utils import timezone  # updated_at is real time (auto_now elsewhere)

    Ticket.objects.filter(pk__in=[t.pk for t in grouped]).update(
        incident=incident, updated_at=timezone.now()
    )
    data = {"incident": incident.pk, "title": incident.title, "with": new_ticket.number}
    for t in grouped:
        t.incident = incident
        _event(t, "incident_grouped", now=now, actor=actor, data=data, push=False)


@_ticket_write
def ticket_answer(
    *,
    ticket: Ticket,
    answer: str,
    actor: User,
    now: datetime,
    knowledge_entries: Sequence[int] = (),
) -> Ticket:
    """Art 14(1): answered at once; closed at intake as directly resolved."""
    ticket = _lock(ticket)
    _check(actor, "answer", ticket=ticket, now=now)
    answer = _clean_text(answer, "answer", required=True, limit=MAX_CONTENT)
    _set_ticket_state(ticket, "answer")
    ticket.answer = answer
    ticket.closed_at = now
    ticket.close_reason = CloseReason.ANSWERED_AT_INTAKE
    _event(
        ticket,
        "answered",
        now=now,
        actor=actor,
        data={"answer": answer, "knowledge_entries": list(knowledge_entries)},
    )
    _save_ticket(ticket, ["status", "answer", "closed_at", "close_reason"])
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
            _("未知的不予受理原因：%(value)s") % {"value": reason}, code="unknown_reason"
        )
    explanation = _clean_text(explanation, "explanation", required=True, limit=2000)
    transferred = (transferred_to or "").strip()
    if reason == NotAcceptedReason.EMERGENCY:
        if transferred not in EmergencyLine.values:
            raise InvalidInput(
                _("紧急诉求须注明转交的热线（110/119/120/122）"), code="transfer_required"
            )
    elif transferred and transferred not in EmergencyLine.values:
        raise InvalidInput(
            _("未知的转交热线：%(value)s") % {"value": transferred}, code="unknown_line"
        )
    data: dict[str, Any] = {"reason": reason, "explanation": explanation}
    if reason == NotAcceptedReason.REPEAT_AFTER_CLOSURE:
        closed = closed_ticket or ticket.repeat_of
        if closed is None or closed.status != TicketStatus.CLOSED:
            raise InvalidInput(_("须关联已依法办结的原工单"), code="closed_ticket_required")
        ticket.repeat_of = closed
        data["closed_ticket"] = closed.number
    _set_ticket_state(ticket, "reject")
    ticket.not_accepted_reason = reason
    ticket.not_accepted_explanation = explanation
    ticket.transferred_to = transferred
    ticket.closed_at = now
    if transferred:
        data["transferred_to"] = transferred
    _event(ticket, "not_accepted", now=now, actor=actor, data=data)
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
            _("未知的联动方式：%(value)s") % {"value": kind}, code="unknown_contact_kind"
        )
    party = _clean_text(party, "party", required=True, limit=120)
    if not consent:
        raise Conflict(_("须经诉求人同意"), code="consent_required")
    _event(ticket, kind, now=now, actor=actor, data={"party": party, "consent": True}, push=False)
    return ticket


@_ticket_write
def ticket_sudden_report(
    *,
    ticket: Ticket,
    kind: str,
    recipients: Sequence[str],
    note: str = "",
    actor: User,
    now: datetime,
) -> list[SuddenEventReport]:
    """Art 18 second sentence: report to the local government and the hotline authority and
    notify the responding departments, each recorded with time and recipient."""
    ticket = _lock(ticket)
    _check(actor, "sudden_report", ticket=ticket, now=now)
    if kind not in SuddenEventKind.values:
        raise InvalidInput(
            _("未知的突发事件类型：%(value)s") % {"value": kind}, code="unknown_event_kind"
        )
    cleaned = [r.strip() for r in recipients if r and r.strip()]
    for recipient in cleaned:
        _reject_control(recipient, "recipients")
    if not cleaned:
        raise InvalidInput(_("至少需要一个报告或通报对象"), code="missing_field")
    reports = []
    for recipient in cleaned:
        org = Organisation.objects.filter(code=recipient).first()
        reports.append(
            SuddenEventReport.objects.create(
                ticket=ticket,
                kind=kind,
                recipient=org.name if org else recipient[:120],
                recipient_org=org,
                reported_at=now,
                reported_by=actor,
                note=note[:2000],
            )
        )
    _event(
        ticket,
        "sudden_event_reported",
        now=now,
        actor=actor,
        data={"kind": kind, "recipients": cleaned},
    )
    return reports


@transaction.atomic
def incident_close(*, incident: Incident, note: str = "", actor: User, now: datetime) -> Incident:
    """Art 18: the major incident is over — its record (并单) is closed by the center, so new
    calls are no longer linked to it. Every linked ticket's archive records the closing; the
    tickets themselves go on through their own lifecycle (their progress duty lasts until each
    is closed)."""
    if not (actor.is_superuser or actor.has_role(*rules.INCIDENT_CLOSE_ROLES)):
        raise PermissionDenied()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.closed_at is not None:
        raise Conflict(_("该重大诉求事件已结束"), code="already_closed")
    if now < incident.opened_at:
        raise InvalidInput(_("结束时间不能早于事件开始时间"), code="invalid_closed_at")
    note = _clean_text(note, "note", required=False, limit=2000)
    incident.closed_at = now
    incident.save(update_fields=["closed_at"])
    data = {"incident": incident.pk, "title": incident.title, "note": note}
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=ticket_id,
            at=now,
            type="incident_closed",
            actor=actor,
            org=actor.organisation,
            data=data,
        )
        for ticket_id in incident.tickets.order_by("pk").values_list("pk", flat=True)
    )
    return incident


# -- dispatch (Art 14, 18) ----------------------------------------------------------------------


def _validate_units(lead: Organisation, assists: Sequence[Organisation]) -> None:
    if lead.kind not in HANDLING_KINDS:
        raise InvalidInput(
            _("主办单位 %(code)s 不是承办单位") % {"code": lead.code}, code="unknown_org"
        )
    codes = [a.code for a in assists]
    if len(codes) > MAX_ASSISTS:
        raise InvalidInput(_("协办单位最多 %(max)s 个") % {"max": MAX_ASSISTS})
    if len(set(codes)) != len(codes) or lead.code in codes:
        raise InvalidInput(_("主办与协办单位不能重复"), code="duplicate_org")
    for org in assists:
        if org.kind not in HANDLING_KINDS:
            raise InvalidInput(
                _("协办单位 %(code)s 不是承办单位") % {"code": org.code}, code="unknown_org"
            )


def _new_assignment(
    *,
    ticket: Ticket,
    org: Organisation,
    role: str,
    parent: Assignment | None,
    actor: User,
    now: datetime,
) -> Assignment:
    cal = get_calendar()
    assignment = Assignment.objects.create(
        ticket=ticket,
        org=org,
        role=role,
        parent=parent,
        dispatched_at=now,
        dispatched_by=actor,
        sign_due_at=deadlines.sign_due(cal, dispatched_at=now),
    )
    assignment.ticket = ticket
    _note_assignment(ticket, assignment)
    return assignment


def _note_assignment(ticket: Ticket, assignment: Assignment) -> None:
    """Keep on the ticket a service returns the assignments it created or signed, in order
    (``ticket.written_assignments``), so that a caller that needs them (the demo generator)
    need not read them back. The list belongs to the row this call locked."""
    ticket.__dict__.setdefault("written_assignments", []).append(assignment)


@_ticket_write
def ticket_dispatch(
    *,
    ticket: Ticket,
    lead: Organisation,
    assists: Sequence[Organisation] = (),
    coordinated: bool = False,
    note: str = "",
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 14(2)–(3): one lead and any assisting units, each an assignment with its own clock.
    A dispatch after coordination is marked coordinated and cannot be returned (Art 15(1))."""
    ticket = _lock(ticket)
    _check(actor, "dispatch", ticket=ticket, now=now)
    _validate_units(lead, assists)
    from hotline.routing.services import record_dispatch  # routing imports the ticket models

    # what routing suggests (before this dispatch counts) vs. the lead chosen; precedent
    record_dispatch(
        ticket=ticket, lead=lead, assists=assists, coordinated=coordinated, actor=actor, now=now
    )
    _set_ticket_state(ticket, "dispatch")
    late = ticket.dispatch_due_at is not None and now > ticket.dispatch_due_at
    ticket.dispatched_at = ticket.dispatched_at or now
    ticket.dispatch_overdue = ticket.dispatch_overdue or late
    ticket.coordinated = ticket.coordinated or coordinated
    created = [
        _new_assignment(
            ticket=ticket, org=lead, role=AssignmentRole.LEAD, parent=None, actor=actor, now=now
        )
    ]
    created += [
        _new_assignment(
            ticket=ticket, org=org, role=AssignmentRole.ASSIST, parent=None, actor=actor, now=now
        )
        for org in assists
    ]
    _event(
        ticket,
        "dispatched",
        now=now,
        actor=actor,
        data={
            "lead": lead.code,
            "assists": [a.code for a in assists],
            "coordinated": coordinated,
            "note": note[:2000],
            "late": late,
            "assignments": [a.pk for a in created],
        },
    )
    _save_ticket(ticket, ["status", "dispatched_at", "dispatch_overdue", "coordinated"])
    return ticket


@_ticket_write
def assignment_redispatch(
    *,
    assignment: Assignment,
    lead: Organisation,
    assists: Sequence[Organisation] = (),
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 7, Art 14(2): a county body re-dispatches to its own units. It still answers to
    the city for the whole assignment; a child is never due later than its parent."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "redispatch", ticket=ticket, assignment=assignment, now=now)
    _validate_units(lead, assists)
    for org in (lead, *assists):
        if org.pk == assignment.org_id or not org.path.startswith(assignment.org.path):
            raise InvalidInput(
                _("%(code)s 不是本县区的下属单位") % {"code": org.code}, code="not_subordinate"
            )
    children = [
        _new_assignment(
            ticket=ticket,
            org=lead,
            role=AssignmentRole.LEAD,
            parent=assignment,
            actor=actor,
            now=now,
        )
    ]
    children += [
        _new_assignment(
            ticket=ticket,
            org=org,
            role=AssignmentRole.ASSIST,
            parent=assignment,
            actor=actor,
            now=now,
        )
        for org in assists
    ]
    _event(
        ticket,
        "redispatched",
        now=now,
        actor=actor,
        assignment=assignment,
        data={
            "lead": lead.code,
            "assists": [a.code for a in assists],
            "assignments": [c.pk for c in children],
        },
    )
    return ticket


# -- handling (Art 15) -------------------------------------------------------------------------


def _start_clock(ticket: Ticket, assignment: Assignment, *, clock_start: datetime) -> None:
    cal = get_calendar()
    days = deadlines.base_working_days(
        appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
    )
    due = deadlines.handling_due(cal, clock_start=clock_start, working_days=days)
    if assignment.parent_id and assignment.parent.due_at and due > assignment.parent.due_at:
        due = assignment.parent.due_at
    assignment.due_at = due
    assignment.return_window_ends_at = deadlines.return_window_end(cal, signed_at=clock_start)
    if ticket.major_incident:
        first = clock_start + timedelta(hours=policy("art18_first_response_hours"))
        assignment.first_response_due_at = first
        assignment.progress_due_at = first


def _sign(
    assignment: Assignment, ticket: Ticket, *, actor: User | None, now: datetime, auto: bool
) -> None:
    # The handling clock starts when the sign was due at the latest: signing late gains nothing.
    clock_start = min(now, assignment.sign_due_at or now)
    _set_assignment_state(assignment, "sign")
    assignment.signed_at = clock_start if auto else now
    assignment.auto_signed = auto
    assignment.signed_late = auto or (
        assignment.sign_due_at is not None and now > assignment.sign_due_at
    )
    assignment.first_signed_at = assignment.first_signed_at or clock_start
    _start_clock(ticket, assignment, clock_start=clock_start)
    _note_assignment(ticket, assignment)
    assignment.save(
        update_fields=[
            "status",
            "signed_at",
            "auto_signed",
            "signed_late",
            "first_signed_at",
            "due_at",
            "return_window_ends_at",
            "first_response_due_at",
            "progress_due_at",
        ]
    )
    _event(
        ticket,
        "auto_signed" if auto else "signed",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={
            "signed_at": assignment.signed_at.isoformat(),
            "late": assignment.signed_late,
            "due_at": assignment.due_at.isoformat(),
        },
    )


@_ticket_write
def assignment_sign(*, assignment: Assignment, actor: User, now: datetime) -> Ticket:
    """Art 15(1): sign at once on receipt; the handling clock starts on the sign day."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "sign", ticket=ticket, assignment=assignment, now=now)
    _sign(assignment, ticket, actor=actor, now=now, auto=False)
    return ticket


@_ticket_write
def assignment_auto_sign(*, assignment: Assignment, now: datetime) -> bool:
    """Art 15(1) (choice): unsigned 2 working-day hours after dispatch → signed by the system,
    with the sign time set to the moment those hours ended; recorded as a late sign."""
    ticket, assignment = _lock_assignment(assignment)
    if assignment.status != AssignmentStatus.AWAITING_SIGN or assignment.sign_due_at > now:
        return False
    _sign(assignment, ticket, actor=None, now=assignment.sign_due_at, auto=True)
    return True


def _reviewer_for(assignment: Assignment) -> Organisation:
    """(choice) a county body reviews returns of what it re-dispatched; the center the rest."""
    if assignment.parent_id:
        return assignment.parent.org
    return center_org()


def _request_review(
    ticket: Ticket, assignment: Assignment, kind: str, *, data: dict, actor: User, now: datetime
) -> Review:
    """A unit's request for the reviewer's decision, archived as ``<kind>_requested``."""
    review = Review.objects.create(
        kind=kind,
        ticket=ticket,
        assignment=assignment,
        reviewer_org=_reviewer_for(assignment),
        requested_by=actor,
        requested_org=assignment.org,
        created_at=now,
        data=data,
    )
    _event(
        ticket,
        f"{kind}_requested",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data=data,
    )
    return review


@_ticket_write
def assignment_return(
    *,
    assignment: Assignment,
    reason: str,
    basis: str,
    suggested_org: Organisation | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 15(1): return within 24 working-day hours of signing, with reason and basis.
    Coordinated dispatches cannot be returned; a late request is accepted but counts as an
    overdue handling (超期退回视为超期办理)."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "return", ticket=ticket, assignment=assignment, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    basis = _clean_text(basis, "basis", required=True, limit=2000)
    late = assignment.return_window_ends_at is not None and now > assignment.return_window_ends_at
    _set_assignment_state(assignment, "return")
    update = ["status"]
    if late:
        assignment.returned_late = True
        if not assignment.overdue:
            assignment.overdue = True
            assignment.overdue_at = now
        update += ["returned_late", "overdue", "overdue_at"]
    assignment.save(update_fields=update)
    data = {
        "reason": reason,
        "basis": basis,
        "late": late,
        "suggested_org": suggested_org.code if suggested_org else None,
    }
    _request_review(ticket, assignment, ReviewKind.RETURN, data=data, actor=actor, now=now)
    return ticket


@_ticket_write
def assignment_request_extension(
    *, assignment: Assignment, working_days: int, reason: str, actor: User, now: datetime
) -> Ticket:
    """Art 15(3): at least 48 hours before the deadline, once, at most the base time."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "extension", ticket=ticket, assignment=assignment, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    if not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput(_("延期工作日数必须是正整数"))
    base = deadlines.base_working_days(
        appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
    )
    if working_days > base:
        raise Conflict(
            _("延期不得超过该类诉求的办理时限（%(days)s 个工作日）") % {"days": base},
            code="extension_too_long",
        )
    data = {"working_days": working_days, "reason": reason, "due_at": assignment.due_at.isoformat()}
    _request_review(ticket, assignment, ReviewKind.EXTENSION, data=data, actor=actor, now=now)
    return ticket


@_ticket_write
def assignment_progress(
    *,
    assignment: Assignment,
    content: str,
    expected_completion: date | None = None,
    citizen_informed: bool | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Interim reply (未办结回复) with progress and an expected completion date; for a major
    incident the first one is the first response (1 h after signing, Art 18) and then one
    every day until closed."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "progress", ticket=ticket, assignment=assignment, now=now)
    content = _clean_text(content, "content", required=True, limit=MAX_CONTENT)
    today = get_calendar().local(now).date()
    if expected_completion is not None and expected_completion < today:
        raise InvalidInput(_("预计办结时间不能早于今天"), code="invalid_date")
    data: dict[str, Any] = {"content": content}
    if expected_completion is not None:
        data["expected_completion"] = expected_completion.isoformat()
    if citizen_informed is not None:
        data["citizen_informed"] = citizen_informed
    update: list[str] = []
    if ticket.major_incident:
        if assignment.first_response_at is None:
            assignment.first_response_at = now
            data["first_response"] = True
            data["late"] = bool(
                assignment.first_response_due_at and now > assignment.first_response_due_at
            )
            update.append("first_response_at")
        assignment.progress_due_at = now + timedelta(hours=policy("art18_progress_interval_hours"))
        update.append("progress_due_at")
    if update:
        assignment.save(update_fields=update)
    _event(
        ticket,
        "first_response" if data.get("first_response") else "progress",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data=data,
    )
    return ticket


def _top_level_live(ticket: Ticket) -> list[Assignment]:
    return list(
        ticket.assignments.filter(parent__isnull=True)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("org")
    )


def _top_level_unreplied(ticket: Ticket) -> bool:
    """Is any live top-level assignment still without its reply? (one EXISTS, no rows)"""
    return (
        Assignment.objects.filter(ticket_id=ticket.pk, parent__isnull=True)
        .exclude(status__in=[AssignmentStatus.RETURNED, AssignmentStatus.REPLIED])
        .exists()
    )


@_ticket_write
def assignment_reply(
    *,
    assignment: Assignment,
    content: str,
    citizen_contacted: bool | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 15(4): each unit replies to the citizen and uploads its result (谁承办、谁答复、
    谁负责); confidential tickets are answered to the citizen by the center. When every live
    assignment has replied, the ticket awaits callback (Art 16)."""
    ticket, assignment = _lock_assignment(assignment)
    _check(actor, "reply", ticket=ticket, assignment=assignment, now=now)
    content = _clean_text(content, "content", required=True, limit=MAX_CONTENT)
    late = deadlines.overdue(due_at=assignment.due_at, now=now)
    _set_assignment_state(assignment, "reply")
    assignment.replied_at = now
    assignment.reply_content = content
    assignment.citizen_contacted = citizen_contacted
    if late and not assignment.overdue:
        assignment.overdue = True
        assignment.overdue_at = deadlines.deadline_instant(assignment.due_at)
    assignment.save(
        update_fields=[
            "status",
            "replied_at",
            "reply_content",
            "citizen_contacted",
            "overdue",
            "overdue_at",
        ]
    )
    _event(
        ticket,
        "replied",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={
            "content": content,
            "citizen_contacted": citizen_contacted,
            "late": late,
            "reply_via_center": ticket.confidential,
        },
    )
    if assignment.parent_id is None and not _top_level_unreplied(ticket):
        _set_ticket_state(ticket, "all_replied")
        ticket.result_received_at = now
        ticket.callback_due_at = deadlines.callback_due(get_calendar(), received_at=now)
        _event(
            ticket,
            "awaiting_callback",
            now=now,
            actor=None,
            data={"callback_due_at": ticket.callback_due_at.isoformat()},
        )
        _save_ticket(ticket, ["status", "result_received_at", "callback_due_at"])
    return ticket


# -- callback and closing (Art 16) ------------------------------------------------------------

CLOSE_FOR_OUTCOME = {
    CallbackOutcome.SATISFIED: CloseReason.SATISFIED,
    CallbackOutcome.BASICALLY_SATISFIED: CloseReason.BASICALLY_SATISFIED,
    CallbackOutcome.NO_RESPONSE: CloseReason.NO_RESPONSE,
}


def _close(ticket: Ticket, *, reason: str, actor: User | None, now: datetime) -> None:
    _set_ticket_state(ticket, "close")
    ticket.closed_at = now
    ticket.close_reason = reason
    _event(ticket, "closed", now=now, actor=actor, data={"close_reason": reason})
    _save_ticket(
        ticket,
        [
            "status",
            "closed_at",
            "close_reason",
            "evaluation_outcome",
            "evaluation_resolved",
            "evaluated_at",
        ],
    )


def _redo(ticket: Ticket, *, actor: User | None, now: datetime) -> list[Assignment]:
    cal = get_calendar()
    base = deadlines.base_working_days(
        appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
    )
    _set_ticket_state(ticket, "redo")
    ticket.redo_total += 1
    ticket.result_received_at = None
    ticket.callback_due_at = None
    redone = []
    for assignment in _top_level_live(ticket):
        _set_assignment_state(assignment, "redo")
        assignment.redo_count += 1
        assignment.replied_at = None
        first = assignment.first_signed_at or assignment.signed_at or now
        assignment.due_at = deadlines.redo_due(
            cal,
            first_clock_start=first,
            base_days=base,
            extension_days=assignment.extension_days,
            redo_start=now,
        )
        assignment.save(update_fields=["status", "redo_count", "replied_at", "due_at"])
        _event(
            ticket,
            "redo",
            now=now,
            actor=actor,
            org=assignment.org,
            assignment=assignment,
            data={"redo_count": assignment.redo_count, "due_at": assignment.due_at.isoformat()},
        )
        redone.append(assignment)
    _save_ticket(
        ticket,
        [
            "status",
            "redo_total",
            "result_received_at",
            "callback_due_at",
            "evaluation_outcome",
            "evaluation_resolved",
            "evaluated_at",
        ],
    )
    return redone


@_ticket_write
def ticket_callback(
    *,
    ticket: Ticket,
    outcome: str,
    resolved: bool | None = None,
    reasonable: bool | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 16(1): satisfied / basically satisfied → closed; unsatisfied and the result lawful →
    closed, marked so; unsatisfied and the appeal reasonable → redo; no response → closed as
    basically satisfied."""
    ticket = _lock(ticket)
    _check(actor, "callback", ticket=ticket, now=now)
    if outcome not in CallbackOutcome.values:
        raise InvalidInput(
            _("未知的回访结果：%(value)s") % {"value": outcome}, code="unknown_outcome"
        )
    if outcome == CallbackOutcome.UNSATISFIED and reasonable is None:
        raise InvalidInput(_("不满意时须判定诉求是否合理"), code="reasonable_required")
    Evaluation.objects.create(
        ticket=ticket,
        outcome=outcome,
        resolved=resolved,
        reasonable=reasonable,
        at=now,
        actor=actor,
    )
    ticket.evaluation_outcome = outcome
    ticket.evaluation_resolved = resolved
    ticket.evaluated_at = now
    _event(
        ticket,
        "callback",
        now=now,
        actor=actor,
        data={"outcome": outcome, "resolved": resolved, "reasonable": reasonable},
    )
    if outcome == CallbackOutcome.UNSATISFIED:
        if reasonable:
            _redo(ticket, actor=actor, now=now)
        else:
            _close(ticket, reason=CloseReason.UNSATISFIED_LAWFUL, actor=actor, now=now)
    else:
        _close(ticket, reason=CLOSE_FOR_OUTCOME[outcome], actor=actor, now=now)
    return ticket


@_ticket_write
def ticket_close_no_response(*, ticket: Ticket, now: datetime) -> bool:
    """Art 16(1): no evaluation by the callback deadline → closed as basically satisfied."""
    ticket = _lock(ticket)
    if ticket.status != TicketStatus.AWAITING_CALLBACK or not deadlines.overdue(
        due_at=ticket.callback_due_at, now=now
    ):
        return False
    at = deadlines.deadline_instant(ticket.callback_due_at)
    Evaluation.objects.create(ticket=ticket, outcome=CallbackOutcome.NO_RESPONSE, at=at)
    ticket.evaluation_outcome = CallbackOutcome.NO_RESPONSE
    ticket.evaluated_at = at
    _event(ticket, "callback_expired", now=at, actor=None, push=False)
    _close(ticket, reason=CloseReason.NO_RESPONSE, actor=None, now=at)
    return True


@_ticket_write
def ticket_dispute(*, ticket: Ticket, reason: str, actor: User, now: datetime) -> Ticket:
    """Art 16(2): a unit disputes an evaluation (异议); the center screens it (甄别)."""
    ticket = _lock(ticket)
    _check(actor, "dispute", ticket=ticket, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    if not ticket.assignments.filter(org=actor.organisation).exists():
        raise PermissionDenied()
    if ticket.reviews.filter(
        kind=ReviewKind.DISPUTE, requested_org=actor.organisation, state=ReviewState.PENDING
    ).exists():
        raise Conflict(_("已有待甄别的异议"), code="dispute_pending")
    Review.objects.create(
        kind=ReviewKind.DISPUTE,
        ticket=ticket,
        reviewer_org=center_org(),
        requested_by=actor,
        requested_org=actor.organisation,
        created_at=now,
        data={"reason": reason, "outcome": ticket.evaluation_outcome},
    )
    _event(ticket, "dispute_raised", now=now, actor=actor, data={"reason": reason})
    return ticket


# -- reviews ---------------------------------------------------------------------------------------


def _may_review(actor: User, review: Review, *, now: datetime) -> None:
    _check(actor, "review", now=now)
    if actor.is_superuser:
        return
    if (
        actor.has_role("supervisor")
        and actor.acts_for_center
        and (review.reviewer_org.kind == OrgKind.CENTER)
    ):
        return
    if actor.has_role("county_dispatcher") and review.reviewer_org_id == actor.organisation_id:
        return
    raise PermissionDenied()


def _lock_review(review: Review) -> tuple[Ticket, Review]:
    ticket = _lock(review.ticket)
    fresh = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment", "reviewer_org")
        .get(pk=review.pk)
    )
    if fresh.state != ReviewState.PENDING:
        raise Conflict(_("该申请已审核"), code="already_decided")
    return ticket, fresh


@_ticket_write
def review_approve(
    *,
    review: Review,
    lead: Organisation | None = None,
    assists: Sequence[Organisation] = (),
    override: bool = False,
    actor: User,
    now: datetime,
) -> Ticket:
    """Approve a return (re-dispatching to ``lead``), an extension (``override`` allows one
    beyond the limit, recorded) or a dispute (the evaluation leaves that unit's rate)."""
    ticket, review = _lock_review(review)
    _may_review(actor, review, now=now)
    decision: dict[str, Any] = {"approved": True}
    if review.kind == ReviewKind.RETURN:
        _approve_return(
            ticket, review, lead=lead, assists=assists, actor=actor, now=now, decision=decision
        )
    elif review.kind == ReviewKind.EXTENSION:
        _approve_extension(
            ticket, review, override=override, actor=actor, now=now, decision=decision
        )
    else:
        evaluation = ticket.evaluations.order_by("-at", "-id").first()
        if evaluation is not None and review.requested_org_id:
            evaluation.excluded_org.add(review.requested_org)
        _event(
            ticket,
            "dispute_upheld",
            now=now,
            actor=actor,
            data={"org": review.requested_org.code if review.requested_org else None},
        )
    review.state = ReviewState.APPROVED
    review.decided_by = actor
    review.decided_at = now
    review.decision = decision
    review.save(update_fields=["state", "decided_by", "decided_at", "decision"])
    return ticket


def _approve_return(ticket, review, *, lead, assists, actor, now, decision) -> None:
    assignment = Assignment.objects.select_related("org", "parent").get(pk=review.assignment_id)
    _set_assignment_state(assignment, "return_approved")
    assignment.save(update_fields=["status"])
    _event(
        ticket,
        "return_approved",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={"lead": lead.code if lead else None},
    )
    if lead is not None:
        _validate_units(lead, assists)
        parent = assignment.parent
        if parent is not None:
            for org in (lead, *assists):
                if not org.path.startswith(parent.org.path) or org.pk == parent.org_id:
                    raise InvalidInput(
                        _("%(code)s 不是本县区的下属单位") % {"code": org.code},
                        code="not_subordinate",
                    )
        created = [
            _new_assignment(
                ticket=ticket, org=lead, role=assignment.role, parent=parent, actor=actor, now=now
            )
        ]
        created += [
            _new_assignment(
                ticket=ticket,
                org=org,
                role=AssignmentRole.ASSIST,
                parent=parent,
                actor=actor,
                now=now,
            )
            for org in assists
        ]
        decision["redispatched_to"] = [lead.code, *[a.code for a in assists]]
        _event(
            ticket,
            "dispatched",
            now=now,
            actor=actor,
            data={
                "lead": lead.code,
                "assists": [a.code for a in assists],
                "after_return": True,
                "assignments": [a.pk for a in created],
            },
        )
    elif assignment.parent_id is None and not _top_level_live(ticket):
        # back to the dispatch queue with a fresh dispatch deadline
        _set_ticket_state(ticket, "all_returned")
        ticket.dispatch_due_at = deadlines.dispatch_due(
            received_at=now, major=ticket.major_incident
        )
        _event(ticket, "back_to_dispatch", now=now, actor=actor)
        _save_ticket(ticket, ["status", "dispatch_due_at"])
    elif (
        assignment.parent_id is None
        and ticket.status == TicketStatus.IN_HANDLING
        and all(a.status == AssignmentStatus.REPLIED for a in _top_level_live(ticket))
    ):
        _set_ticket_state(ticket, "all_replied")
        ticket.result_received_at = now
        ticket.callback_due_at = deadlines.callback_due(get_calendar(), received_at=now)
        _event(ticket, "awaiting_callback", now=now, actor=None)
        _save_ticket(ticket, ["status", "result_received_at", "callback_due_at"])


def _approve_extension(ticket, review, *, override, actor, now, decision) -> None:
    assignment = Assignment.objects.select_related("org", "parent").get(pk=review.assignment_id)
    if assignment.extension_count >= policy("art15_extension_max_count") and not override:
        raise Conflict(_("已延期过一次；再次延期须由审核员明确批准"), code="extension_limit")
    days = int(review.data["working_days"])
    cal = get_calendar()
    old_due = assignment.due_at
    assignment.due_at = deadlines.extended_due(cal, due_at=old_due, working_days=days)
    if (
        assignment.parent_id
        and assignment.parent.due_at
        and (assignment.due_at > assignment.parent.due_at)
    ):
        assignment.due_at = assignment.parent.due_at
    assignment.extension_count += 1
    assignment.extension_days += days
    assignment.save(update_fields=["due_at", "extension_count", "extension_days"])
    decision.update({"override": override, "due_at": assignment.due_at.isoformat()})
    _event(
        ticket,
        "extension_granted",
        now=now,
        actor=actor,
        org=assignment.org,
        assignment=assignment,
        data={
            "working_days": days,
            "old_due_at": old_due.isoformat(),
            "due_at": assignment.due_at.isoformat(),
            "override": override,
            # Art 15(3): the unit tells the citizen, except for confidential tickets
            "citizen_to_be_told": not ticket.confidential,
        },
    )


@_ticket_write
def review_reject(*, review: Review, reason: str, actor: User, now: datetime) -> Ticket:
    ticket, review = _lock_review(review)
    _may_review(actor, review, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    if review.kind == ReviewKind.RETURN:
        assignment = Assignment.objects.select_related("org").get(pk=review.assignment_id)
        _set_assignment_state(assignment, "return_rejected")
        assignment.save(update_fields=["status"])
        _event(
            ticket,
            "return_rejected",
            now=now,
            actor=actor,
            org=assignment.org,
            assignment=assignment,
            data={"reason": reason},
        )
    else:
        _event(
            ticket,
            f"{review.kind}_rejected",
            now=now,
            actor=actor,
            assignment=review.assignment,
            data={"reason": reason},
        )
    review.state = ReviewState.REJECTED
    review.decided_by = actor
    review.decided_at = now
    review.decision = {"approved": False, "reason": reason}
    review.save(update_fields=["state", "decided_by", "decided_at", "decision"])
    return ticket


# -- timers' actions ------------------------------------------------------------------------


@_ticket_write
def assignment_mark_overdue(*, assignment: Assignment, now: datetime) -> bool:
    """An assignment past its deadline is overdue; overdue is never silently cleared."""
    ticket, assignment = _lock_assignment(assignment)
    if (
        assignment.overdue
        or assignment.status not in rules.OPEN_ASSIGNMENT_STATES
        or not (deadlines.overdue(due_at=assignment.due_at, now=now))
    ):
        return False
    assignment.overdue = True
    assignment.overdue_at = deadlines.deadline_instant(assignment.due_at)
    assignment.save(update_fields=["overdue", "overdue_at"])
    _event(
        ticket,
        "overdue",
        now=now,
        actor=None,
        org=assignment.org,
        assignment=assignment,
        data={"due_at": assignment.due_at.isoformat()},
    )
    return True


@_ticket_write
def ticket_mark_dispatch_overdue(*, ticket: Ticket, now: datetime) -> bool:
    ticket = _lock(ticket)
    if (
        ticket.status != TicketStatus.NEW
        or ticket.dispatch_overdue
        or (ticket.dispatch_due_at is None or now <= ticket.dispatch_due_at)
    ):
        return False
    ticket.dispatch_overdue = True
    _event(
        ticket,
        "dispatch_overdue",
        now=now,
        actor=None,
        data={"dispatch_due_at": ticket.dispatch_due_at.isoformat()},
    )
    _save_ticket(ticket, ["dispatch_overdue"])
    return True


@_ticket_write
def assignment_progress_missed(*, assignment: Assignment, now: datetime) -> bool:
    """Art 18: a major-incident unit that misses its first response or daily update."""
    ticket, assignment = _lock_assignment(assignment)
    if (
        assignment.status != AssignmentStatus.IN_PROGRESS
        or assignment.progress_due_at is None
        or assignment.progress_due_at > now
    ):
        return False
    missed_due = assignment.progress_due_at
    assignment.progress_missed += 1
    assignment.progress_due_at = missed_due + timedelta(
        hours=policy("art18_progress_interval_hours")
    )
    assignment.save(update_fields=["progress_missed", "progress_due_at"])
    kind = "first_response_missed" if assignment.first_response_at is None else "progress_missed"
    _event(
        ticket,
        kind,
        now=now,
        actor=None,
        org=assignment.org,
        assignment=assignment,
        data={"due_at": missed_due.isoformat()},
    )
    return True
