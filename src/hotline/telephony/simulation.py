"""A realistic day of calls for drills and the demo (`hotline telephony simulate`).

Arrivals follow an hourly profile with the morning, afternoon and evening peaks, and Mondays
are busier; callers queue (first come, first served) against the agents on shift in that hour
(a staffing plan that follows the profile, so peaks run short of agents); every caller has a
patience drawn from an exponential distribution, so abandons grow with the wait. The events
go through ``services.event_record`` — the function behind ``POST /telephony/events``, with
the same validation — or, with ``url``, over HTTP to a running server."""

from __future__ import annotations

import heapq
import json
import math
import random
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from hotline.orgs.choices import RoleCode
from hotline.orgs.models import User
from hotline.orgs.selectors import center_org
from hotline.orgs.services import roles_ensure, user_upsert
from hotline.telephony import services
from hotline.telephony.choices import AgentState
from hotline.telephony.selectors import tz

# share of the day's calls in each local hour (evening peak 19–21, office peaks 9–11, 14–17)
HOURLY = [
    0.6, 0.4, 0.3, 0.3, 0.3, 0.5, 1.0, 2.2, 4.6, 7.4, 7.8, 6.9,
    5.2, 5.0, 6.8, 7.2, 6.9, 6.0, 5.1, 6.4, 6.9, 5.2, 3.0, 1.5,
]  # fmt: skip
MONDAY_FACTOR = 1.35
MEAN_HANDLE_SECONDS = 200
AFTER_CALL_SECONDS = 20
MEAN_PATIENCE_SECONDS = 75
IVR_SECONDS = 6


@dataclass
class Summary:
    day: date
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    events: int = 0
    by_hour: dict[int, list[int]] = field(default_factory=dict)  # hour → [offered, answered]

    @property
    def rate(self) -> float | None:
        return self.answered / self.offered if self.offered else None

    def busiest_hours(self, n: int = 3) -> list[tuple[int, float]]:
        hours = sorted(self.by_hour.items(), key=lambda kv: -kv[1][0])[:n]
        return [(h, a / o if o else 0.0) for h, (o, a) in hours]


def seat_users(count: int) -> list[str]:
    """The simulator's agents ``seat01…``: center agents without a usable password."""
    roles = roles_ensure()
    center = center_org()
    names = [f"seat{i:02d}" for i in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    for name in names:
        if name not in existing:
            user_upsert(
                username=name,
                organisation=center,
                roles=[RoleCode.AGENT],
                display_name=f"模拟座席 {name[4:]}",
                role_objects=roles,
            )
    return names


def ensure_queues() -> None:
    center = center_org()
    services.queue_upsert(code="12345", name="12345 综合受理", org=center)
    services.queue_upsert(code="biz", name="营商环境专席", org=center, special_seat="business")
    services.queue_upsert(code="ent", name="企业服务专席", org=center, special_seat="enterprise")


def staffing_plan(agents: int) -> list[int]:
    """Agents on shift per hour: the profile's share of the peak, at least one (7×24)."""
    peak = max(HOURLY)
    return [max(1, math.ceil(agents * w / peak)) for w in HOURLY]


def _caller(rng: random.Random, pool: list[str]) -> str:
    if pool and rng.random() < 0.15:  # some callers call again the same day
        return rng.choice(pool)
    number = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    pool.append(number)
    return number


def simulate_day(
    *,
    day: date,
    calls: int | None = None,
    agents: int = 12,
    seed: int | None = None,
    post: Callable[[dict[str, Any]], None],
    post_state: Callable[[str, str, datetime], None],
    until: datetime | None = None,
    prefix: str = "SIM",
) -> Summary:
    """Generate the day and hand every event to ``post`` (and agents' states to
    ``post_state``) in time order. Events after ``until`` (now, for today) are not sent."""
    rng = random.Random(seed if seed is not None else day.toordinal())
    base = calls if calls is not None else 600
    if calls is None and day.weekday() == 0:
        base = int(base * MONDAY_FACTOR)
    start = datetime.combine(day, time(0), tzinfo=tz())
    arrivals = sorted(
        start + timedelta(hours=h, seconds=rng.uniform(0, 3600))
        for h in rng.choices(range(24), weights=HOURLY, k=base)
    )
    names = seat_users(agents)
    plan = staffing_plan(agents)
    summary = Summary(day=day)
    pending: list[tuple[datetime, int, dict[str, Any]]] = []
    seq = 0

    def emit(moment: datetime, body: dict[str, Any]) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(pending, (moment, seq, body))

    # shifts: who is logged in each hour (the 7×24 check reads these)
    on_shift: set[str] = set()
    for hour in range(24):
        moment = start + timedelta(hours=hour)
        wanted = set(names[: plan[hour]])
        for name in sorted(wanted - on_shift):
            emit(moment, {"_state": AgentState.READY, "agent": name})
        for name in sorted(on_shift - wanted):
            emit(moment, {"_state": AgentState.LOGGED_OUT, "agent": name})
        on_shift = wanted
    emit(start + timedelta(days=1) - timedelta(seconds=1), {"_state": "end", "agent": ""})
    free_at = dict.fromkeys(names, start)
    pool: list[str] = []
    for i, offered_at in enumerate(arrivals, 1):
        hour = offered_at.astimezone(tz()).hour
        call_id = f"{prefix}-{day:%Y%m%d}-{i:05d}"
        caller = _caller(rng, pool)
        queue = rng.choices(["12345", "biz", "ent"], weights=[92, 5, 3])[0]
        queued_at = offered_at + timedelta(seconds=IVR_SECONDS)
        staff = names[: plan[hour]]
        agent = min(staff, key=lambda n: free_at[n])
        begin = max(queued_at, free_at[agent])
        wait = (begin - offered_at).total_seconds()
        patience = IVR_SECONDS + rng.expovariate(1 / MEAN_PATIENCE_SECONDS)
        common = {"call_id": call_id, "caller": "", "callee": "", "queue": queue}
        emit(offered_at, {**common, "event": "offered", "caller": caller, "callee": "12345"})
        emit(queued_at, {**common, "event": "queued"})
        counts = summary.by_hour.setdefault(hour, [0, 0])
        counts[0] += 1
        summary.offered += 1
        if wait > patience:
            emit(offered_at + timedelta(seconds=patience), {**common, "event": "abandoned"})
            summary.abandoned += 1
            continue
        talk = max(30.0, rng.lognormvariate(math.log(MEAN_HANDLE_SECONDS) - 0.18, 0.6))
        ended = begin + timedelta(seconds=talk)
        free_at[agent] = ended + timedelta(seconds=AFTER_CALL_SECONDS)
        emit(begin, {**common, "event": "answered", "agent": agent})
        emit(ended, {**common, "event": "ended", "agent": agent})
        counts[1] += 1
        summary.answered += 1
    while pending:
        moment, _seq, body = heapq.heappop(pending)
        if until is not None and moment > until:
            break
        state = body.pop("_state", None)
        if state == "end":
            continue
        if state is not None:
            post_state(body["agent"], state, moment)
        else:
            post({**body, "at": moment})
            summary.events += 1
    return summary


def in_process_poster(*, actor: User | None, now: datetime):
    """``post``/``post_state`` through the services the API calls (same validation)."""
    cache: dict[str, User] = {}

    def post(body: dict[str, Any]) -> None:
        services.event_record(**body, actor=actor, now=now)

    def post_state(agent: str, state: str, moment: datetime) -> None:
        if agent not in cache:
            cache[agent] = User.objects.get(username=agent)
        services.agent_state_set(agent=cache[agent], state=state, at=moment, actor=actor, now=now)

    return post, post_state


def http_poster(*, url: str, token: str):
    """``post``/``post_state`` to a running platform's API with a ``cti`` token."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("--url must be http:// or https://")
    base = url.rstrip("/") + "/api/v1/telephony"

    def send(path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(  # noqa: S310 (http/https checked above)
            base + path,
            data=json.dumps(body, default=str).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()

    def post(body: dict[str, Any]) -> None:
        body = {**body, "at": body["at"].isoformat()}
        send("/events", body)

    def post_state(agent: str, state: str, moment: datetime) -> None:
        send("/agent-states", {"agent": agent, "state": state, "at": moment.isoformat()})

    return post, post_state
