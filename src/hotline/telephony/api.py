"""The telephony API (API.md, Telephony): the switch's events in, calls, connection rate,
call-backs, restrictions and seats. The switch authenticates with a token of a ``cti`` user or
with the exchange's signed partner scheme (docs/exchange.md «Signatures»)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from hotline.core import clock
from hotline.core.api import ErrorOut, require_role
from hotline.core.auth import PageSessionAuth, bearer
from hotline.core.errors import InvalidInput, NotFound
from hotline.core.policy import policy
from hotline.exchange import services as exchange_services
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import Organisation, User
from hotline.telephony import selectors, services
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import Call, CallbackTask, Restriction
from hotline.telephony.services.common import AGENT_ROLES, FLOOR_ROLES, SWITCH_ROLES
from hotline.tickets.models import Ticket

router = Router(tags=["telephony"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_PAGE = 200
MAX_HOURLY_DAYS = 93


class SignedSwitch:
    """The exchange's signed scheme as a django-ninja auth: a request carrying
    ``X-Hotline-Partner`` is a partner's (its switch), judged by its signature alone."""

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_AUTHORIZATION" in request.META or not request.headers.get("X-Hotline-Partner"):
            return None
        partner = exchange_services.partner_authenticate(
            headers=request.headers, body=request.body, require_message_id=False
        )
        request.switch_partner = partner
        return partner


switch_auth = [SignedSwitch(), bearer, PageSessionAuth()]


def _actor(request: HttpRequest) -> User | None:
    """The partner's switch acts as the system (its signature is its authority)."""
    return None if getattr(request, "switch_partner", None) is not None else request.user


# -- ranges --------------------------------------------------------------------------------


def parse_moment(value: str | None, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` is a local day (``to`` includes it); otherwise ISO 8601 with offset."""
    if value in (None, ""):
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start, stop = selectors.local_day_bounds(day)
            return stop if end else start
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            _("时间格式不正确：%(value)s（YYYY-MM-DD 或带时区的 ISO 8601）") % {"value": value},
            code=Code.INVALID_RANGE,
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=selectors.tz())
    return moment


def _range(frm: str | None, to: str | None, *, default_days: int) -> tuple[datetime, datetime]:
    now = clock.now()
    end = (
        parse_moment(to, end=True)
        or selectors.local_day_bounds(now.astimezone(selectors.tz()).date())[1]
    )
    start = parse_moment(frm) or end - timedelta(days=default_days)
    if end <= start:
        raise InvalidInput(_("结束时间须晚于开始时间"), code=Code.INVALID_RANGE)
    return start, end


# -- events ----------------------------------------------------------------------------------


class EventIn(Schema):
    call_id: str = Field(..., min_length=1, max_length=64)
    event: str = Field(..., min_length=1, max_length=20)
    at: datetime
    caller: str = Field("", max_length=30)
    callee: str = Field("", max_length=30)
    agent: str | None = Field(None, max_length=150)
    queue: str | None = Field(None, max_length=40)
    data: dict[str, Any] = Field(default_factory=dict)


class CallOut(Schema):
    call_id: str
    caller: str
    callee: str
    queue: str | None
    offered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int | None
    state: str
    outcome: str | None
    agent: str | None
    ticket: str | None
    transferred: bool
    conferenced: bool
    emergency_transfer: bool


class EventOut(Schema):
    call_id: str
    event: str
    at: datetime
    duplicate: bool
    call: CallOut


def call_out(call: Call, user: User | None) -> dict:
    caller = call.caller if user is None else selectors.caller_shown(user, call.caller)
    return {
        "call_id": call.call_id,
        "caller": caller,
        "callee": call.callee,
        "queue": call.queue.code if call.queue_id else None,
        "offered_at": call.offered_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "wait_seconds": call.wait_seconds,
        "state": call.state,
        "outcome": call.outcome or None,
        "agent": call.agent.username if call.agent_id else None,
        "ticket": call.ticket.number if call.ticket_id else None,
        "transferred": call.transferred,
        "conferenced": call.conferenced,
        "emergency_transfer": call.emergency_transfer,
    }


@router.post("/events", response={200: EventOut, 201: EventOut, **ERRORS}, auth=switch_auth)
def post_event(request: HttpRequest, payload: EventIn):
    """One event of the switch (the `cti` role, or the exchange's partner signature).
    Idempotent on (`call_id`, `event`, `at`): a resend answers 200 and changes nothing; a new
    event answers 201 with the call as assembled so far (events may come in any order)."""
    actor = _actor(request)
    result = services.event_record(
        call_id=payload.call_id,
        event=payload.event,
        at=payload.at,
        caller=payload.caller,
        callee=payload.callee,
        agent=payload.agent,
        queue=payload.queue,
        data=payload.data,
        actor=actor,
        now=clock.now(),
    )
    call = Call.objects.select_related("queue", "agent", "ticket").get(pk=result.call.pk)
    body = {
        "call_id": call.call_id,
        "event": payload.event,
        "at": payload.at,
        "duplicate": not result.created,
        "call": call_out(call, None),
    }
    return Status(201 if result.created else 200, body)


class AgentStateIn(Schema):
    agent: str | None = Field(None, max_length=150)
    state: str = Field(..., max_length=20)
    at: datetime | None = None
    queue: str | None = Field(None, max_length=40)


class AgentStateOut(Schema):
    agent: str
    state: str
    since: datetime


@router.post("/agent-states", response={200: AgentStateOut, **ERRORS}, auth=switch_auth)
def post_agent_state(request: HttpRequest, payload: AgentStateIn):
    """An agent's state (`ready`, `on_call`, `after_call_work`, `break`, `logged_out`): from
    the switch for any agent, or from an agent for themself (no `agent`)."""
    actor = _actor(request)
    if payload.agent:
        agent = User.objects.filter(username=payload.agent, is_active=True).first()
        if agent is None:
            raise InvalidInput(
                _("未知的话务员：%(name)s") % {"name": payload.agent}, code=Code.UNKNOWN_AGENT
            )
    elif actor is not None:
        agent = actor
    else:
        raise InvalidInput(_("须指明话务员"), code=Code.UNKNOWN_AGENT)
    status = services.agent_state_set(
        agent=agent,
        state=payload.state,
        queue=payload.queue,
        at=payload.at,
        actor=actor,
        now=clock.now(),
    )
    return {"agent": agent.username, "state": status.state, "since": status.since}


# -- calls ------------------------------------------------------------------------------------


class CallFilter(Schema):
    from_: str | None = Field(None, alias="from", max_length=40)
    to: str | None = Field(None, max_length=40)
    caller: str | None = Field(None, max_length=30)
    agent: str | None = Field(None, max_length=150)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE)


class CallPage(Schema):
    items: list[CallOut]
    count: int


@router.get("/calls", response={200: CallPage, **ERRORS})
def list_calls(request: HttpRequest, filters: Query[CallFilter]):
    """Calls the caller may see; the caller's number is masked unless the role needs it."""
    qs = selectors.call_list(
        user=request.user,
        start=parse_moment(filters.from_),
        end=parse_moment(filters.to, end=True),
        caller=filters.caller,
        agent=filters.agent,
    )
    count = qs.count()
    offset = (filters.page - 1) * filters.page_size
    items = [call_out(c, request.user) for c in qs[offset : offset + filters.page_size]]
    return {"items": items, "count": count}


@router.get("/calls/{call_id}", response={200: CallOut, **ERRORS})
def get_call(request: HttpRequest, call_id: str):
    return call_out(selectors.call_get(user=request.user, call_id=call_id), request.user)


class LegIn(Schema):
    kind: str = Field(..., max_length=20)
    party: str = Field(..., min_length=1, max_length=120)
    consent: bool = False
    org: str | None = Field(None, max_length=40)
    expert: str | None = Field(None, max_length=150)


@router.post("/calls/{call_id}/legs", response={201: CallOut, **ERRORS})
def post_leg(request: HttpRequest, call_id: str, payload: LegIn):
    """Art 14(1): record a transfer, three-way call or expert seat with the citizen's consent
    (409 `consent_required` without it; an `emergency` transfer needs none, Art 11(4))."""
    require_role(request, *AGENT_ROLES)
    call = selectors.call_get(user=request.user, call_id=call_id)
    org = Organisation.objects.filter(code=payload.org).first() if payload.org else None
    expert = User.objects.filter(username=payload.expert).first() if payload.expert else None
    services.call_leg_record(
        call=call,
        kind=payload.kind,
        party=payload.party,
        consent=payload.consent,
        org=org,
        expert=expert,
        actor=request.user,
        now=clock.now(),
    )
    return Status(
        201, call_out(selectors.call_get(user=request.user, call_id=call_id), request.user)
    )


# -- connection rate, staffing, 7×24 ----------------------------------------------------------


class RateFilter(Schema):
    from_: str | None = Field(None, alias="from", max_length=40)
    to: str | None = Field(None, max_length=40)
    granularity: str = Field("day", max_length=10)
    org: str | None = Field(None, max_length=40)
    queue: str | None = Field(None, max_length=40)


class RateRow(Schema):
    period: str
    offered: int
    answered: int
    abandoned: int
    rate: float | None


@router.get("/connection-rate", response={200: list[RateRow], **ERRORS})
def connection_rate(request: HttpRequest, filters: Query[RateFilter]):
    """Art 13: answered ÷ offered per hour, day, month or quarter (local time); abandons
    shorter than policy `art13_short_abandon_seconds` are left out of both. `org`: the center
    or one sub-center; `queue`: one queue (e.g. a special seat, Art 19)."""
    start, end = _range(filters.from_, filters.to, default_days=7)
    if filters.granularity == "hour" and end - start > timedelta(days=MAX_HOURLY_DAYS):
        raise InvalidInput(
            _("按小时统计的时间范围不能超过 %(days)s 天") % {"days": MAX_HOURLY_DAYS},
            code=Code.INVALID_RANGE,
        )
    return selectors.connection_rate(
        user=request.user,
        start=start,
        end=end,
        granularity=filters.granularity,
        org=filters.org,
        queue=filters.queue,
    )


class OrgRateRow(Schema):
    org: str
    name: str
    offered: int
    answered: int
    abandoned: int
    rate: float | None


@router.get("/connection-rate/orgs", response={200: list[OrgRateRow], **ERRORS})
def connection_rate_by_org(request: HttpRequest, filters: Query[RateFilter]):
    """The same figures for the center and each sub-center over the range."""
    start, end = _range(filters.from_, filters.to, default_days=30)
    return selectors.rate_by_org(start=start, end=end, scope=selectors.org_scope(request.user))


class StaffingRow(Schema):
    hour: int
    period: str
    offered: int
    answered: int
    abandoned: int
    rate: float | None
    agents: int
    below_target: bool
    uncovered: bool


class StaffingOut(Schema):
    date: date
    target: float
    hours: list[StaffingRow]


class StaffingFilter(Schema):
    day: date | None = Field(None, alias="date")


@router.get("/staffing", response={200: StaffingOut, **ERRORS})
def staffing(request: HttpRequest, filters: Query[StaffingFilter]):
    """Per hour of a day: rate against the Art 13 target and the agents logged in (0 is a
    7×24 gap, Art 29(1))."""
    require_role(request, *FLOOR_ROLES)
    day = filters.day or clock.now().astimezone(selectors.tz()).date()
    return {
        "date": day,
        "target": policy("art13_connection_target"),
        "hours": selectors.hourly_staffing(day=day),
    }


class CoverageOut(Schema):
    start: datetime
    end: datetime
    uncovered_hours: list[datetime]


@router.get("/coverage", response={200: CoverageOut, **ERRORS})
def coverage(request: HttpRequest, filters: Query[RateFilter]):
    """Art 29(1) «7×24»: the hours of the range in which no agent was logged in."""
    require_role(request, *FLOOR_ROLES)
    start, end = _range(filters.from_, filters.to, default_days=7)
    if end - start > timedelta(days=MAX_HOURLY_DAYS):
        raise InvalidInput(_("时间范围过长"), code=Code.INVALID_RANGE)
    return {
        "start": start,
        "end": end,
        "uncovered_hours": selectors.uncovered_hours(start=start, end=end),
    }


class WallboardOut(Schema):
    now: datetime
    waiting: int
    longest_wait_seconds: int
    connected: int
    agents: dict[str, int]
    today: dict[str, Any]
    callbacks_pending: int
    callbacks_overdue: int
    target: float


@router.get("/wallboard", response={200: WallboardOut, **ERRORS})
def wallboard(request: HttpRequest):
    require_role(request, *FLOOR_ROLES, *AGENT_ROLES)
    board = selectors.wallboard(user=request.user, now=clock.now())
    return board.__dict__


# -- call-backs -------------------------------------------------------------------------------


class CallbackOut(Schema):
    id: int
    number: str
    call_id: str
    calls: int
    state: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    attempts: int
    result: str | None
    ticket: str | None
    taken_by: str | None


class CallbackPage(Schema):
    items: list[CallbackOut]
    count: int


def callback_out(task: CallbackTask, user: User) -> dict:
    return {
        "id": task.pk,
        "number": selectors.caller_shown(user, task.number),
        "call_id": task.call.call_id,
        "calls": task.calls,
        "state": task.state,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "overdue": task.overdue,
        "attempts": task.attempts,
        "result": task.result or None,
        "ticket": task.ticket.number if task.ticket_id else None,
        "taken_by": task.taken_by.username if task.taken_by_id else None,
    }


@router.get("/callbacks", response={200: CallbackPage, **ERRORS})
def list_callbacks(
    request: HttpRequest,
    state: str | None = None,
    page: int = Query(1, ge=1, le=100000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE),
):
    """Art 13 missed-call call-backs, earliest due first."""
    qs = selectors.callback_list(user=request.user, state=state)
    offset = (page - 1) * page_size
    return {
        "items": [callback_out(t, request.user) for t in qs[offset : offset + page_size]],
        "count": qs.count(),
    }


class AttemptIn(Schema):
    outcome: str = Field(..., max_length=12)
    ticket: str | None = Field(None, max_length=40)
    no_appeal: bool = False
    note: str = Field("", max_length=300)


@router.post("/callbacks/{task_id}/attempt", response={200: CallbackOut, **ERRORS})
def callback_attempt(request: HttpRequest, task_id: int, payload: AttemptIn):
    """One attempt: `reached` (with the `ticket` recorded during the call-back, or
    `no_appeal`), `no_answer`, `busy`."""
    task = selectors.callback_get(user=request.user, task_id=task_id)
    ticket = None
    if payload.ticket:
        ticket = Ticket.objects.filter(number=payload.ticket).first()
        if ticket is None:
            raise InvalidInput(
                _("工单不存在：%(n)s") % {"n": payload.ticket}, code=Code.UNKNOWN_TICKET
            )
    task = services.callback_attempt(
        task=task,
        outcome=payload.outcome,
        ticket=ticket,
        no_appeal=payload.no_appeal,
        note=payload.note,
        actor=request.user,
        now=clock.now(),
    )
    return callback_out(selectors.callback_get(user=request.user, task_id=task.pk), request.user)


# -- restrictions (Art 34) --------------------------------------------------------------------


class RestrictionIn(Schema):
    number: str = Field(..., min_length=1, max_length=30)
    reason: str = Field(..., min_length=1, max_length=2000)
    evidence: list[str] = Field(default_factory=list, max_length=50)
    until: datetime
    starts_at: datetime | None = None


class RestrictionOut(Schema):
    id: int
    number: str
    reason: str
    evidence: list[str]
    starts_at: datetime
    until: datetime
    state: str
    decided_by: str
    approved_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None
    police_referred_at: datetime | None
    police_referral: str | None


def restriction_out(r: Restriction) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "reason": r.reason,
        "evidence": [t.number for t in r.evidence.all()],
        "starts_at": r.starts_at,
        "until": r.until,
        "state": r.state,
        "decided_by": r.decided_by.username,
        "approved_by": r.approved_by.username if r.approved_by_id else None,
        "lifted_at": r.lifted_at,
        "lift_reason": r.lift_reason or None,
        "police_referred_at": r.police_referred_at,
        "police_referral": r.police_referral or None,
    }


@router.post("/restrictions", response={201: RestrictionOut, **ERRORS})
def create_restriction(request: HttpRequest, payload: RestrictionIn):
    """Art 34 (supervisor): restrict a number until `until`, with the reason and the tickets
    that show the abuse. Never stops an emergency transfer (Art 11(4))."""
    numbers = list(dict.fromkeys(payload.evidence))
    tickets = list(Ticket.objects.filter(number__in=numbers))
    if len(tickets) != len(numbers):
        missing = sorted(set(numbers) - {t.number for t in tickets})
        raise InvalidInput(
            _("工单不存在：%(n)s") % {"n": ", ".join(missing)}, code=Code.UNKNOWN_TICKET
        )
    r = services.restriction_create(
        number=payload.number,
        reason=payload.reason,
        evidence=tickets,
        until=payload.until,
        starts_at=payload.starts_at,
        actor=request.user,
        now=clock.now(),
    )
    return Status(201, restriction_out(r))


class RestrictionPage(Schema):
    items: list[RestrictionOut]
    count: int


@router.get("/restrictions", response={200: RestrictionPage, **ERRORS})
def list_restrictions(request: HttpRequest, state: str | None = None):
    qs = selectors.restriction_list(user=request.user, state=state).prefetch_related("evidence")
    return {"items": [restriction_out(r) for r in qs[:MAX_PAGE]], "count": qs.count()}


class CheckOut(Schema):
    restricted: bool
    until: datetime | None
    reason: str | None
    emergency_transfer_allowed: bool = True


@router.get("/restrictions/check", response={200: CheckOut, **ERRORS}, auth=switch_auth)
def check_restriction(request: HttpRequest, number: str = Query(..., min_length=1, max_length=30)):
    """For the switch's IVR and the intake warning (cti, agents). A restricted caller is
    still offered the emergency transfer (`emergency_transfer_allowed` is always true)."""
    if _actor(request) is not None:
        require_role(request, *SWITCH_ROLES, *AGENT_ROLES, RoleCode.SUPERVISOR)
    r = selectors.restriction_in_force(number=number, now=clock.now())
    if r is None:
        return {"restricted": False, "until": None, "reason": None}
    return {"restricted": True, "until": r.until, "reason": r.reason}


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


def _restriction(request: HttpRequest, restriction_id: int) -> Restriction:
    return selectors.restriction_get(user=request.user, restriction_id=restriction_id)


@router.post("/restrictions/{restriction_id}/lift", response={200: RestrictionOut, **ERRORS})
def lift_restriction(request: HttpRequest, restriction_id: int, payload: ReasonIn):
    r = services.restriction_lift(
        restriction=_restriction(request, restriction_id),
        reason=payload.reason,
        actor=request.user,
        now=clock.now(),
    )
    return restriction_out(r)


@router.post("/restrictions/{restriction_id}/approve", response={200: RestrictionOut, **ERRORS})
def approve_restriction(request: HttpRequest, restriction_id: int):
    """A second supervisor's approval when policy `art34_second_approval` asks for one."""
    r = services.restriction_approve(
        restriction=_restriction(request, restriction_id), actor=request.user, now=clock.now()
    )
    return restriction_out(r)


class PoliceIn(Schema):
    note: str = Field(..., min_length=1, max_length=2000)


@router.post("/restrictions/{restriction_id}/police", response={200: RestrictionOut, **ERRORS})
def refer_police(request: HttpRequest, restriction_id: int, payload: PoliceIn):
    """Art 34: clues handed to the police, recorded."""
    r = services.restriction_refer_police(
        restriction=_restriction(request, restriction_id),
        note=payload.note,
        actor=request.user,
        now=clock.now(),
    )
    return restriction_out(r)


# -- seats ------------------------------------------------------------------------------------


class ExpertOut(Schema):
    expert: str
    name: str
    org: str
    topic: str
    phone: str
    starts_at: datetime
    ends_at: datetime


@router.get("/experts", response={200: list[ExpertOut], **ERRORS})
def experts(request: HttpRequest, org: str | None = None):
    """Art 14(1): the experts on duty now (for the expert seat)."""
    require_role(request, *AGENT_ROLES, *FLOOR_ROLES)
    target = None
    if org:
        target = Organisation.objects.filter(code=org).first()
        if target is None:
            raise NotFound()
    return [
        {
            "expert": d.expert.username,
            "name": str(d.expert),
            "org": d.org.code,
            "topic": d.topic,
            "phone": d.phone,
            "starts_at": d.starts_at,
            "ends_at": d.ends_at,
        }
        for d in selectors.experts_on_duty(now=clock.now(), org=target)
    ]
