"""Major incidents and grouping (Art 18): 并单 at intake, the sudden-event report and the
closing of an incident record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput
from hotline.orgs.models import Organisation, User
from hotline.tickets.choices import EventType, IncidentKind, SuddenEventKind, TicketStatus
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Incident, SuddenEventReport, Ticket, TicketEvent
from hotline.tickets.services import reference
from hotline.tickets.services.archive import Conflict, _check, _event, _lock, _ticket_write
from hotline.tickets.services.validation import _clean_text, _reject_control

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


MERGE_MAX = 20


def _lock_for_grouping(
    tickets: Sequence[Ticket], *, county: Organisation, actor: User, now: datetime
) -> list[Ticket]:
    """Art 18 并单 at intake: lock the chosen tickets and check that each may be grouped — open,
    in the new ticket's county, in no incident yet. One refusal refuses the intake."""
    _check(actor, "group", now=now)
    ids = sorted({t.pk for t in tickets})
    if len(ids) > MERGE_MAX:
        raise InvalidInput(
            _("并单：一次最多选择 %(max)s 件工单") % {"max": MERGE_MAX}, code=Code.MERGE_TOO_MANY
        )
    # ordered by id: two agents grouping overlapping tickets lock them in the same order
    locked = list(
        Ticket.objects.select_for_update(of=("self",))
        .select_related("county")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise InvalidInput(_("并单：所选工单不存在"), code=Code.MERGE_UNKNOWN_TICKET)
    for t in locked:
        if t.status in (TicketStatus.CLOSED, TicketStatus.NOT_ACCEPTED):
            raise Conflict(
                _(
                    "并单失败：工单 %(number)s 状态为“%(status)s”，已不在办，"
                    "本次受理未保存，请重新选择"
                )
                % {"number": t.number, "status": TicketStatus(t.status).label},
                code=Code.MERGE_TICKET_CLOSED,
            )
        if t.incident_id is not None:
            raise Conflict(
                _("并单失败：工单 %(number)s 已并入其他事件，本次受理未保存，请改为关联到该事件")
                % {"number": t.number},
                code=Code.MERGE_TICKET_GROUPED,
            )
        if t.county_id != county.pk:
            raise InvalidInput(
                _("并单：工单 %(number)s 不属于所选县区") % {"number": t.number},
                code=Code.MERGE_OTHER_COUNTY,
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
        _event(t, EventType.INCIDENT_GROUPED, now=now, actor=actor, data=data, push=False)


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
            _("未知的突发事件类型：%(value)s") % {"value": kind}, code=Code.UNKNOWN_EVENT_KIND
        )
    cleaned = [r.strip() for r in recipients if r and r.strip()]
    for recipient in cleaned:
        _reject_control(recipient, "recipients")
    if not cleaned:
        raise InvalidInput(_("至少需要一个报告或通报对象"), code=Code.MISSING_FIELD)
    reports = []
    for recipient in cleaned:
        org = reference.org_by_code(recipient)
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
        EventType.SUDDEN_EVENT_REPORTED,
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
    _check(actor, "incident_close", now=now)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.closed_at is not None:
        raise Conflict(_("该重大诉求事件已结束"), code=Code.ALREADY_CLOSED)
    if now < incident.opened_at:
        raise InvalidInput(_("结束时间不能早于事件开始时间"), code=Code.INVALID_CLOSED_AT)
    note = _clean_text(note, "note", required=False, limit=2000)
    incident.closed_at = now
    incident.save(update_fields=["closed_at"])
    data = {"incident": incident.pk, "title": incident.title, "note": note}
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=ticket_id,
            at=now,
            type=EventType.INCIDENT_CLOSED.value,
            actor=actor,
            org=actor.organisation,
            data=data,
        )
        for ticket_id in incident.tickets.order_by("pk").values_list("pk", flat=True)
    )
    return incident
