"""Every read of the telephony context that needs scoping or aggregation: calls (callers
masked unless the role needs them, Art 25), connection rates (Art 13, 29(1)), staffing and the
7×24 check, the wallboard, call-backs and the restriction check (Art 34)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour, TruncMonth, TruncQuarter
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput, NotFound, PermissionDenied
from hotline.core.policy import policy
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation, User
from hotline.orgs.selectors import center_org
from hotline.telephony.choices import (
    LOGGED_IN_STATES,
    AgentState,
    CallbackState,
    CallOutcome,
    CallState,
    RestrictionState,
)
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import (
    AgentStateChange,
    AgentStatus,
    Call,
    CallbackTask,
    ExpertDuty,
    GuestSession,
    Queue,
    Restriction,
)
from hotline.tickets import selectors as ticket_selectors

TRUNC = {"hour": TruncHour, "day": TruncDay, "month": TruncMonth, "quarter": TruncQuarter}
# a call "waiting" for longer than this is a lost end event, not a waiting caller
STALE_WAIT = timedelta(hours=4)


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz())
    return start, start + timedelta(days=1)


# -- scope ---------------------------------------------------------------------------------


def org_scope(user: User) -> list[int] | None:
    """Whose calls the user may see: the center's staff and the oversight bodies all
    (``None``); a sub-center's users their own queues; anyone else nothing (403)."""
    if ticket_selectors.sees_everything(user) or user.acts_for_center:
        return None
    org = user.organisation
    if org is not None and org.kind == OrgKind.SUBCENTER:
        return [org.pk]
    raise PermissionDenied()


def _scoped(qs: QuerySet[Call], scope: list[int] | None) -> QuerySet[Call]:
    return qs if scope is None else qs.filter(queue__org_id__in=scope)


def mask_number(number: str) -> str:
    return ticket_selectors.mask_phone(number) if number else ""


def caller_shown(user: User, number: str) -> str:
    """Art 25: whole for the roles that need citizen data (agents, callback, supervisors…),
    masked like a ticket's phone for everyone else."""
    return number if ticket_selectors.can_see_citizen(user) else mask_number(number)


# -- calls ---------------------------------------------------------------------------------


def call_list(
    *,
    user: User,
    start: datetime | None = None,
    end: datetime | None = None,
    caller: str | None = None,
    agent: str | None = None,
) -> QuerySet[Call]:
    qs = _scoped(Call.objects.all(), org_scope(user)).select_related("agent", "ticket", "queue")
    if start is not None:
        qs = qs.filter(offered_at__gte=start)
    if end is not None:
        qs = qs.filter(offered_at__lt=end)
    if caller:
        if not ticket_selectors.can_see_citizen(user):
            raise PermissionDenied(_("当前角色不能按来电号码查询"))
        qs = qs.filter(caller=caller.strip())
    if agent:
        qs = qs.filter(agent__username=agent.strip())
    return qs.order_by("-offered_at", "-id")


def call_get(*, user: User, call_id: str) -> Call:
    call = _scoped(Call.objects.filter(call_id=call_id), org_scope(user)).first()
    if call is None:
        raise NotFound(_("来电不存在"), code=Code.CALL_NOT_FOUND)
    return call


def current_call(*, agent: User, now: datetime) -> Call | None:
    """The call ringing at or connected to the agent now (the screen pop's call)."""
    return (
        Call.objects.filter(
            agent=agent,
            state__in=[CallState.RINGING, CallState.QUEUED, CallState.CONNECTED],
            offered_at__gte=now - STALE_WAIT,
        )
        .select_related("ticket", "queue")
        .order_by("-offered_at")
        .first()
    )


# -- connection rate (Art 13, 29(1)) ---------------------------------------------------------


def counted_calls(qs: QuerySet[Call] | None = None) -> QuerySet[Call]:
    """The calls the rate counts: finished ones, short abandons (policy seconds) left out of
    both offered and answered (RULES.md §12)."""
    qs = Call.objects.all() if qs is None else qs
    short = policy("art13_short_abandon_seconds")
    return qs.exclude(outcome="").exclude(outcome=CallOutcome.ABANDONED, wait_seconds__lt=short)


def _label(moment: datetime, granularity: str) -> str:
    local = moment.astimezone(tz())
    if granularity == "hour":
        return local.strftime("%Y-%m-%d %H:00")
    if granularity == "day":
        return local.strftime("%Y-%m-%d")
    if granularity == "month":
        return local.strftime("%Y-%m")
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def rate(answered: int, offered: int) -> float | None:
    return round(answered / offered, 4) if offered else None


def connection_rate(
    *,
    user: User | None,
    start: datetime,
    end: datetime,
    granularity: str = "day",
    org: str | None = None,
    queue: str | None = None,
) -> list[dict]:
    """Art 13: rate = answered ÷ offered per period (local time), short abandons excluded.
    ``org``: one sub-center (or the center) by code; ``queue``: one queue (a special seat)."""
    if granularity not in TRUNC:
        raise InvalidInput(
            _("granularity 须为 hour、day、month 或 quarter"), code="invalid_granularity"
        )
    if end <= start:
        raise InvalidInput(_("结束时间须晚于开始时间"), code=Code.INVALID_RANGE)
    qs = Call.objects.filter(offered_at__gte=start, offered_at__lt=end)
    if user is not None:
        qs = _scoped(qs, org_scope(user))
    qs = _org_filter(qs, org)
    if queue:
        qs = qs.filter(queue__code=queue)
    rows = (
        counted_calls(qs)
        .annotate(period=TRUNC[granularity]("offered_at", tzinfo=tz()))
        .values("period")
        .annotate(offered=Count("id"), answered=Count("id", filter=Q(outcome=CallOutcome.ANSWERED)))
        .order_by("period")
    )
    return [
        {
            "period": _label(r["period"], granularity),
            "offered": r["offered"],
            "answered": r["answered"],
            "abandoned": r["offered"] - r["answered"],
            "rate": rate(r["answered"], r["offered"]),
        }
        for r in rows
    ]


def _org_filter(qs: QuerySet[Call], org: str | None) -> QuerySet[Call]:
    if not org:
        return qs
    target = Organisation.objects.filter(code=org).first()
    if target is None:
        raise InvalidInput(_("未知的单位代码：%(code)s") % {"code": org}, code="unknown_org")
    if target.kind == OrgKind.CENTER:
        return qs.filter(Q(queue__isnull=True) | Q(queue__org=target))
    return qs.filter(queue__org=target)


def rate_by_org(*, start: datetime, end: datetime, scope: list[int] | None = None) -> list[dict]:
    """One row per answering center: the city center (its queues and calls with no queue)
    and each sub-center with queues — what Art 29(1) judges."""
    qs = counted_calls(Call.objects.filter(offered_at__gte=start, offered_at__lt=end))
    qs = _scoped(qs, scope)
    rows = qs.values("queue__org").annotate(
        offered=Count("id"), answered=Count("id", filter=Q(outcome=CallOutcome.ANSWERED))
    )
    try:
        center_pk = center_org().pk
    except Organisation.DoesNotExist:
        center_pk = None
    totals: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        key = r["queue__org"] or center_pk
        totals[key][0] += r["offered"]
        totals[key][1] += r["answered"]
    orgs = Organisation.objects.in_bulk([k for k in totals if k is not None])
    out = []
    for pk, (offered, answered) in totals.items():
        org = orgs.get(pk)
        out.append(
            {
                "org": org.code if org else "",
                "name": org.name if org else "",
                "offered": offered,
                "answered": answered,
                "abandoned": offered - answered,
                "rate": rate(answered, offered),
            }
        )
    return sorted(
        out,
        key=lambda r: (r["org"] != (orgs[center_pk].code if center_pk in orgs else ""), r["org"]),
    )


def rate_by_queue(*, start: datetime, end: datetime, scope: list[int] | None = None) -> list[dict]:
    """Per queue (special seats, Art 19, have their own figures)."""
    qs = _scoped(
        counted_calls(Call.objects.filter(offered_at__gte=start, offered_at__lt=end)), scope
    )
    rows = (
        qs.filter(queue__isnull=False)
        .values("queue__code", "queue__name", "queue__special_seat")
        .annotate(offered=Count("id"), answered=Count("id", filter=Q(outcome=CallOutcome.ANSWERED)))
        .order_by("queue__code")
    )
    return [
        {
            "queue": r["queue__code"],
            "name": r["queue__name"],
            "special_seat": r["queue__special_seat"],
            "offered": r["offered"],
            "answered": r["answered"],
            "abandoned": r["offered"] - r["answered"],
            "rate": rate(r["answered"], r["offered"]),
        }
        for r in rows
    ]


# -- staffing and 7×24 ----------------------------------------------------------------------


def logged_in_intervals(
    *, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per agent, the intervals within [start, end) in which they were logged in (any state
    but logged out), from the state history."""
    before = (
        AgentStateChange.objects.filter(at__lt=start).values("agent_id").annotate(last=Max("at"))
    )
    opening: dict[int, str] = {}
    for row in before:
        last = (
            AgentStateChange.objects.filter(agent_id=row["agent_id"], at=row["last"])
            .order_by("-id")
            .values_list("state", flat=True)
            .first()
        )
        opening[row["agent_id"]] = last
    changes = AgentStateChange.objects.filter(at__gte=start, at__lt=end).order_by("at", "id")
    timeline: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for agent, state in opening.items():
        timeline[agent].append((start, state))
    for agent, at, state in changes.values_list("agent_id", "at", "state"):
        timeline[agent].append((at, state))
    out: dict[int, list[tuple[datetime, datetime]]] = {}
    for agent, points in timeline.items():
        intervals = []
        for i, (at, state) in enumerate(points):
            stop = points[i + 1][0] if i + 1 < len(points) else end
            if state in LOGGED_IN_STATES and stop > at:
                intervals.append((at, stop))
        if intervals:
            out[agent] = intervals
    return out


def hourly_staffing(*, day: date, org: str | None = None) -> list[dict]:
    """Per hour of a local day: offered, answered, rate against the 95 % target (Art 13),
    and how many agents were logged in during the hour (none: a 7×24 gap, Art 29(1))."""
    start, end = local_day_bounds(day)
    rates = {
        r["period"]: r
        for r in connection_rate(user=None, start=start, end=end, granularity="hour", org=org)
    }
    intervals = logged_in_intervals(start=start, end=end)
    target = policy("art13_connection_target")
    rows = []
    for hour in range(24):
        h_start = start + timedelta(hours=hour)
        h_end = h_start + timedelta(hours=1)
        agents = sum(
            1 for spans in intervals.values() if any(a < h_end and b > h_start for a, b in spans)
        )
        label = _label(h_start, "hour")
        r = rates.get(label, {"offered": 0, "answered": 0, "abandoned": 0, "rate": None})
        rows.append(
            {
                "hour": hour,
                "period": label,
                "offered": r["offered"],
                "answered": r["answered"],
                "abandoned": r["abandoned"],
                "rate": r["rate"],
                "agents": agents,
                "below_target": r["rate"] is not None and r["rate"] < target,
                "uncovered": agents == 0,
            }
        )
    return rows


def uncovered_hours(*, start: datetime, end: datetime) -> list[datetime]:
    """Art 29(1) «7×24小时人工服务»: the starts of the hours in [start, end) in which no agent
    was logged in at any moment."""
    intervals = [
        span for spans in logged_in_intervals(start=start, end=end).values() for span in spans
    ]
    gaps = []
    moment = start
    while moment < end:
        nxt = moment + timedelta(hours=1)
        if not any(a < nxt and b > moment for a, b in intervals):
            gaps.append(moment)
        moment = nxt
    return gaps


# -- the floor --------------------------------------------------------------------------------


@dataclass
class Wallboard:
    now: datetime
    waiting: int
    longest_wait_seconds: int
    connected: int
    agents: dict[str, int]
    today: dict
    callbacks_pending: int
    callbacks_overdue: int
    queues: list[dict]
    target: float


def waiting_calls(*, now: datetime) -> QuerySet[Call]:
    return Call.objects.filter(
        state__in=[CallState.RINGING, CallState.QUEUED], offered_at__gte=now - STALE_WAIT
    )


def wallboard(*, user: User, now: datetime) -> Wallboard:
    scope = org_scope(user)
    waiting = _scoped(waiting_calls(now=now), scope)
    oldest = waiting.order_by("offered_at").values_list("offered_at", flat=True).first()
    states = dict(
        AgentStatus.objects.exclude(state=AgentState.LOGGED_OUT)
        .values_list("state")
        .annotate(n=Count("id"))
    )
    day = now.astimezone(tz()).date()
    start, end = local_day_bounds(day)
    today_rows = connection_rate(user=user, start=start, end=end, granularity="day")
    today = (
        today_rows[0] if today_rows else {"offered": 0, "answered": 0, "abandoned": 0, "rate": None}
    )
    callbacks = CallbackTask.objects.filter(state=CallbackState.PENDING)
    return Wallboard(
        now=now,
        waiting=waiting.count(),
        longest_wait_seconds=int((now - oldest).total_seconds()) if oldest else 0,
        connected=_scoped(
            Call.objects.filter(state=CallState.CONNECTED, offered_at__gte=now - STALE_WAIT), scope
        ).count(),
        agents={s: states.get(s, 0) for s in LOGGED_IN_STATES_ORDER},
        today=today,
        callbacks_pending=callbacks.count(),
        callbacks_overdue=callbacks.filter(overdue=True).count(),
        queues=rate_by_queue(start=start, end=end, scope=scope),
        target=policy("art13_connection_target"),
    )


LOGGED_IN_STATES_ORDER = (
    AgentState.READY,
    AgentState.ON_CALL,
    AgentState.AFTER_CALL_WORK,
    AgentState.BREAK,
)


def agent_status(agent: User) -> AgentStatus | None:
    return AgentStatus.objects.filter(agent=agent).first()


# -- call-backs ---------------------------------------------------------------------------------


def callback_list(*, user: User, state: str | None = None) -> QuerySet[CallbackTask]:
    if not (user.is_superuser or user.acts_for_center):
        raise PermissionDenied()
    qs = CallbackTask.objects.select_related("call", "queue", "ticket", "taken_by")
    if state:
        if state not in CallbackState.values:
            raise InvalidInput(_("state 须为 pending 或 done"), code="invalid_state")
        qs = qs.filter(state=state)
    return qs.order_by("due_at", "id")


def callback_get(*, user: User, task_id: int) -> CallbackTask:
    task = callback_list(user=user).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("回拨任务不存在"), code=Code.CALLBACK_NOT_FOUND)
    return task


def callback_offer(*, agent: User, now: datetime) -> CallbackTask | None:
    """Art 13 «闲时回拨»: the next task for a ready agent while no more calls wait than the
    policy allows — the one they took, else the earliest due nobody holds."""
    status = agent_status(agent)
    if status is None or status.state != AgentState.READY:
        return None
    if waiting_calls(now=now).count() > policy("art13_callback_quiet_waiting"):
        return None
    pending = CallbackTask.objects.filter(state=CallbackState.PENDING).select_related("call")
    mine = pending.filter(taken_by=agent).order_by("due_at").first()
    return mine or pending.filter(taken_by__isnull=True).order_by("due_at", "id").first()


# -- restrictions (Art 34) ----------------------------------------------------------------------


def restriction_in_force(*, number: str, now: datetime) -> Restriction | None:
    return (
        Restriction.objects.filter(
            number=(number or "").strip(),
            state=RestrictionState.ACTIVE,
            starts_at__lte=now,
            until__gt=now,
        )
        .order_by("-until")
        .first()
    )


def restriction_list(*, user: User, state: str | None = None) -> QuerySet[Restriction]:
    if not (user.is_superuser or user.acts_for_center or ticket_selectors.sees_everything(user)):
        raise PermissionDenied()
    qs = Restriction.objects.select_related("decided_by", "approved_by", "lifted_by")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-starts_at", "-id")


def restriction_get(*, user: User, restriction_id: int) -> Restriction:
    r = restriction_list(user=user).filter(pk=restriction_id).first()
    if r is None:
        raise NotFound(_("限制记录不存在"), code=Code.RESTRICTION_NOT_FOUND)
    return r


# -- seats --------------------------------------------------------------------------------------


def experts_on_duty(*, now: datetime, org: Organisation | None = None) -> QuerySet[ExpertDuty]:
    qs = ExpertDuty.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related(
        "expert", "org"
    )
    return qs.filter(org=org) if org is not None else qs


def guest_sessions(*, start: datetime, end: datetime) -> QuerySet[GuestSession]:
    return GuestSession.objects.filter(starts_at__lt=end, ends_at__gt=start).select_related(
        "guest", "queue"
    )


def queue_list() -> QuerySet[Queue]:
    return Queue.objects.filter(active=True).select_related("org")
