"""Call events in (Art 13): every event the switch sends is stored once, and its call is
rebuilt from all the events it has so far, so events that arrive late, out of order or twice
give the same call as events sent once in order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError, InvalidInput
from hotline.core.policy import policy
from hotline.orgs.models import Organisation, User
from hotline.telephony.choices import (
    EVENT_RANK,
    AgentState,
    CallEventType,
    CallOutcome,
    CallState,
    LegKind,
)
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import AgentStateChange, AgentStatus, Call, CallEvent, CallLeg
from hotline.telephony.services import callbacks
from hotline.telephony.services.common import (
    SWITCH_ROLES,
    agent_id,
    clean_number,
    queue_id,
    require,
)
from hotline.tickets.choices import Channel, EmergencyLine
from hotline.tickets.models import Ticket

CALL_ID_RE = re.compile(r"^[A-Za-z0-9._:@-]{1,64}$")
# the switch's clock may run a little ahead of ours; more than this is a wrong clock
FUTURE_TOLERANCE = timedelta(minutes=5)
# a ticket saved by the agent links to the agent's call from that number in this window
LINK_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class EventResult:
    call: Call
    created: bool  # False: the same (call_id, event, at) was stored before; nothing changed


def _validate(*, call_id: str, event: str, at: datetime, now: datetime) -> str:
    call_id = (call_id or "").strip()
    if not CALL_ID_RE.match(call_id):
        raise InvalidInput(
            _("call_id 须为 1–64 位字母、数字或 . _ : @ -"), code=Code.INVALID_CALL_ID
        )
    if event not in CallEventType.values:
        raise InvalidInput(
            _("未知的话务事件：%(event)s（可用：%(known)s）")
            % {"event": event, "known": ", ".join(CallEventType.values)},
            code=Code.UNKNOWN_EVENT,
        )
    if at.tzinfo is None:
        raise InvalidInput(
            _("at 须带时区偏移，例如 2026-10-14T09:00:00+08:00"), code=Code.INVALID_TIME
        )
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput(_("事件时间晚于当前时间，请检查话务系统时钟"), code=Code.INVALID_TIME)
    return call_id


def event_record(
    *,
    call_id: str,
    event: str,
    at: datetime,
    caller: str = "",
    callee: str = "",
    agent: str | None = None,
    queue: str | None = None,
    data: dict[str, Any] | None = None,
    actor: User | None,
    now: datetime,
) -> EventResult:
    """Art 13: store one event of the switch and rebuild its call. Idempotent on
    (call_id, event, at): a resend answers ``created=False`` and changes nothing."""
    require(actor, *SWITCH_ROLES)
    call_id = _validate(call_id=call_id, event=event, at=at, now=now)
    caller = clean_number(caller, field="caller")
    callee = clean_number(callee, field="callee")
    agent = (agent or "").strip()
    queue = (queue or "").strip()
    if agent:
        agent_id(agent)
    if queue:
        queue_id(queue)
    data = dict(data or {})
    with transaction.atomic():
        call = _lock_call(call_id)
        if CallEvent.objects.filter(call_id_text=call_id, event=event, at=at).exists():
            return EventResult(call, False)
        try:
            with transaction.atomic():
                row = CallEvent.objects.create(
                    call=call,
                    call_id_text=call_id,
                    event=event,
                    at=at,
                    caller=caller,
                    callee=callee,
                    agent=agent,
                    queue=queue,
                    data=data,
                    received_at=now,
                )
        except IntegrityError:  # the same event at the same moment from a retrying switch
            return EventResult(call, False)
        before = (call.outcome, call.state)
        _assemble(call)
        _after_change(call, row, before=before, now=now)
    return EventResult(call, True)


def _lock_call(call_id: str) -> Call:
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(call_id=call_id)
    except IntegrityError:  # created by a concurrent event of the same call
        return Call.objects.select_for_update().get(call_id=call_id)


def _assemble(call: Call) -> None:
    """Rebuild ``call`` from all its events, in time order (same second: the life order)."""
    events = sorted(
        call.events.select_related("leg"), key=lambda e: (e.at, EVENT_RANK[e.event], e.pk)
    )
    first: dict[str, CallEvent] = {}
    for e in events:
        first.setdefault(e.event, e)
    ended = next((e for e in reversed(events) if e.event == CallEventType.ENDED), None)
    offered = first.get(CallEventType.OFFERED)
    answered = first.get(CallEventType.ANSWERED)
    abandoned = None if answered else first.get(CallEventType.ABANDONED)
    call.offered_at = offered.at if offered else events[0].at
    call.queued_at = first[CallEventType.QUEUED].at if CallEventType.QUEUED in first else None
    call.answered_at = answered.at if answered else None
    call.abandoned_at = abandoned.at if abandoned else None
    if abandoned is None and answered is None and ended is not None:
        abandoned = ended  # hung up in the IVR or the queue: not connected
        call.abandoned_at = ended.at
    call.ended_at = ended.at if ended else (abandoned.at if abandoned else None)
    call.caller = next((e.caller for e in events if e.caller), "")
    call.callee = next((e.callee for e in events if e.callee), "")
    queue_code = next((e.queue for e in reversed(events) if e.queue), "")
    call.queue_id = queue_id(queue_code) if queue_code else None
    agent_name = answered.agent if answered and answered.agent else ""
    if not agent_name:
        agent_name = next((e.agent for e in events if e.agent), "")
    call.agent_id = agent_id(agent_name) if agent_name else None
    if answered:
        call.outcome = CallOutcome.ANSWERED
    elif abandoned:
        call.outcome = CallOutcome.ABANDONED
    else:
        call.outcome = ""
    if call.ended_at is not None:
        call.state = CallState.ENDED
    elif answered:
        call.state = CallState.CONNECTED
    elif call.queued_at:
        call.state = CallState.QUEUED
    else:
        call.state = CallState.RINGING
    stop = call.answered_at or call.abandoned_at
    call.wait_seconds = int((stop - call.offered_at).total_seconds()) if stop else None
    if call.wait_seconds is not None and call.wait_seconds < 0:
        call.wait_seconds = 0
    if answered and ended and ended.at >= answered.at:
        call.talk_seconds = int((ended.at - answered.at).total_seconds())
    else:
        call.talk_seconds = None
    call.transferred = CallEventType.TRANSFERRED in first
    call.conferenced = CallEventType.CONFERENCED in first
    call.last_event_at = events[-1].at
    for e in events:
        if e.event in (CallEventType.TRANSFERRED, CallEventType.CONFERENCED):
            leg = _leg_from_event(call, e)
            call.emergency_transfer = call.emergency_transfer or leg.kind == LegKind.EMERGENCY
    call.save()


def _leg_from_event(call: Call, event: CallEvent) -> CallLeg:
    existing = getattr(event, "leg", None)
    if existing is not None:
        return existing
    data = event.data or {}
    line = str(data.get("line") or "")
    party = str(data.get("party") or line or event.callee or "")[:120] or "?"
    if line in EmergencyLine.values or party in EmergencyLine.values:
        kind = LegKind.EMERGENCY
    elif data.get("kind") in LegKind.values:
        kind = data["kind"]
    else:
        kind = (
            LegKind.TRANSFER if event.event == CallEventType.TRANSFERRED else LegKind.THREE_WAY_CALL
        )
    expert = data.get("expert")
    expert_pk = None
    if expert:
        try:
            expert_pk = agent_id(str(expert))
        except InvalidInput:
            expert_pk = None
    org = Organisation.objects.filter(code=str(data.get("org") or "")).first()
    return CallLeg.objects.create(
        call=call,
        kind=kind,
        party=party,
        org=org,
        expert_id=expert_pk,
        consent=bool(data.get("consent")),
        at=event.at,
        source_event=event,
    )


def _after_change(call: Call, event: CallEvent, *, before: tuple[str, str], now: datetime) -> None:
    """The effects of a changed call: the agent's state (from the switch), and Art 13's
    call-back task for an abandoned call (or its end when the number got through)."""
    if event.agent and event.event in (CallEventType.ANSWERED, CallEventType.ENDED):
        if event.event == CallEventType.ANSWERED:
            state = AgentState.ON_CALL
        else:
            state = AgentState.AFTER_CALL_WORK
        _agent_state(agent_pk=agent_id(event.agent), state=state, at=event.at, source="switch")
    old_outcome, _old_state = before
    if call.outcome == CallOutcome.ABANDONED and old_outcome != CallOutcome.ABANDONED:
        if (call.wait_seconds or 0) >= policy("art13_short_abandon_seconds"):
            callbacks.callback_open(call=call, now=now)
    elif call.outcome == CallOutcome.ANSWERED and old_outcome != CallOutcome.ANSWERED:
        callbacks.callbacks_close_answered(call=call, now=now)


def _agent_state(*, agent_pk: int, state: str, at: datetime, source: str, queue_pk=None) -> bool:
    """Set an agent's state when ``at`` is not older than the state in force (a late event of
    the switch never overwrites a newer state). The history row is written either way."""
    AgentStateChange.objects.create(agent_id=agent_pk, state=state, at=at, source=source)
    status = AgentStatus.objects.select_for_update().filter(agent_id=agent_pk).first()
    if status is None:
        AgentStatus.objects.create(agent_id=agent_pk, state=state, since=at, queue_id=queue_pk)
        return True
    if at < status.since:
        return False
    status.state, status.since = state, at
    fields = ["state", "since"]
    if queue_pk is not None:
        status.queue_id = queue_pk
        fields.append("queue")
    status.save(update_fields=fields)
    return True


@transaction.atomic
def agent_state_set(
    *,
    agent: User,
    state: str,
    queue: str | None = None,
    actor: User | None,
    now: datetime,
    at: datetime | None = None,
) -> AgentStatus:
    """Art 13, 29(1) «7×24»: an agent signs in or out, takes a break, is ready again — from
    the call bar (the agent themself) or reported by the switch (``cti``)."""
    if state not in AgentState.values:
        raise InvalidInput(
            _("未知的座席状态：%(state)s") % {"state": state}, code=Code.INVALID_STATE
        )
    if actor is not None and actor.pk != agent.pk:
        require(actor, *SWITCH_ROLES)
    source = "page" if actor is not None and actor.pk == agent.pk else "switch"
    queue_pk = queue_id(queue) if queue else None
    _agent_state(agent_pk=agent.pk, state=state, at=at or now, source=source, queue_pk=queue_pk)
    return AgentStatus.objects.get(agent=agent)


@transaction.atomic
def call_leg_record(
    *,
    call: Call,
    kind: str,
    party: str,
    consent: bool,
    org: Organisation | None = None,
    expert: User | None = None,
    actor: User,
    now: datetime,
) -> CallLeg:
    """Art 14(1): a three-way call, transfer or expert seat recorded by the agent, only with
    the citizen's consent; an emergency transfer (Art 11(4)) needs none."""
    if kind not in LegKind.values:
        raise InvalidInput(_("未知的联动方式：%(value)s") % {"value": kind})
    party = (party or "").strip()[:120]
    if not party:
        raise InvalidInput(_("须填写联动方"))
    if kind != LegKind.EMERGENCY and not consent:
        raise DomainError(_("须经诉求人同意"), code=Code.CONSENT_REQUIRED)
    leg = CallLeg.objects.create(
        call=call,
        kind=kind,
        party=party,
        org=org,
        expert=expert,
        consent=consent,
        at=now,
        recorded_by=actor,
    )
    fields = ["transferred"] if kind == LegKind.TRANSFER else ["conferenced"]
    setattr(call, fields[0], True)
    if kind == LegKind.EMERGENCY:
        call.emergency_transfer = True
        fields.append("emergency_transfer")
    call.save(update_fields=fields)
    return leg


def on_ticket_received(*, ticket: Ticket, actor: User, now: datetime) -> None:
    """``ticket_received`` (tickets.hooks), inside the intake's transaction: link the ticket
    to its call. The intake passes ``call_id`` on the ticket (``ticket.intake_call_id``, API
    ``POST /tickets`` {"call_id"}); without one, a phone ticket saved by the agent links to
    that agent's latest unlinked call from the citizen's number (the screen pop's call)."""
    call_id = (getattr(ticket, "intake_call_id", None) or "").strip()
    if call_id:
        if not CALL_ID_RE.match(call_id):
            raise InvalidInput(_("call_id 格式不正确"), code=Code.INVALID_CALL_ID)
        call = _lock_call(call_id)  # the call's events may still be on their way
        if call.ticket_id is None:
            call.ticket = ticket
            call.save(update_fields=["ticket"])
        return
    if ticket.channel != Channel.PHONE or actor is None:
        return
    call = (
        Call.objects.select_for_update()
        .filter(
            agent=actor,
            caller=ticket.citizen_phone,
            ticket__isnull=True,
            answered_at__gte=now - LINK_WINDOW,
        )
        .order_by("-answered_at")
        .first()
    )
    if call is not None:
        call.ticket = ticket
        call.save(update_fields=["ticket"])
