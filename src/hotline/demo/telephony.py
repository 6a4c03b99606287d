"""The demo's calls (issue 17): every day of the demo history gets a simulated day of calls
posted through the telephony service (``hotline.telephony.simulation``), about 1.3 calls per
ticket of that day, against a staffing plan tight enough that the busy hours fall under 90 %;
each phone ticket is linked to an answered call near its intake time, with its number.

Wiring (the seed command, after the ticket history): ``hotline.demo.telephony.seed(days=…)``."""

from __future__ import annotations

import bisect
import math
from datetime import date, timedelta

from hotline.core import clock
from hotline.orgs.selectors import center_org
from hotline.orgs.services import user_upsert
from hotline.telephony import simulation
from hotline.telephony.models import Call
from hotline.telephony.selectors import local_day_bounds, tz
from hotline.tickets.models import Ticket

CALLS_PER_TICKET = 1.3


def _agents_for(calls: int) -> int:
    peak_share = max(simulation.HOURLY) / sum(simulation.HOURLY)
    erlangs = (
        calls * peak_share * (simulation.MEAN_HANDLE_SECONDS + simulation.AFTER_CALL_SECONDS) / 3600
    )
    return max(2, math.ceil(erlangs * 1.05))


def _link_tickets(day: date) -> int:
    start, end = local_day_bounds(day)
    tickets = list(
        Ticket.objects.filter(received_at__gte=start, received_at__lt=end, channel="phone")
        .order_by("received_at")
        .values_list("pk", "received_at", "citizen_phone")
    )
    calls = list(
        Call.objects.filter(
            offered_at__gte=start, offered_at__lt=end, outcome="answered", ticket__isnull=True
        ).order_by("answered_at")
    )
    times = [c.answered_at for c in calls]
    used: set[int] = set()
    changed = []
    for pk, received, phone in tickets:
        i = bisect.bisect_right(times, received) - 1
        while i >= 0 and i in used:
            i -= 1
        if i < 0:
            continue
        used.add(i)
        calls[i].ticket_id, calls[i].caller = pk, phone
        changed.append(calls[i])
    Call.objects.bulk_update(changed, ["ticket", "caller"], batch_size=500)
    return len(changed)


def seed(*, days: int = 14, stdout=None, seed: int = 12345) -> int:
    """Calls for the last ``days`` local days (today up to now). Safe to run twice: call ids
    are per day and sequence, so a second run is a resend the API ignores."""
    center = center_org()
    cti = user_upsert(
        username="cti", organisation=center, roles=["cti"], display_name="话务系统接口"
    )
    simulation.ensure_queues()
    now = clock.now()
    post, post_state = simulation.in_process_poster(actor=cti, now=now)
    today = now.astimezone(tz()).date()
    total = 0
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        start, end = local_day_bounds(day)
        tickets = Ticket.objects.filter(received_at__gte=start, received_at__lt=end).count()
        calls = max(20, round(tickets * CALLS_PER_TICKET))
        summary = simulation.simulate_day(
            day=day,
            calls=calls,
            agents=_agents_for(calls),
            seed=seed + offset,
            post=post,
            post_state=post_state,
            until=now,
            prefix="DEMO",
        )
        linked = _link_tickets(day)
        total += summary.offered
        if stdout is not None:
            stdout.write(f"  calls {day}: {summary.offered} offered, {linked} linked to tickets\n")
    return total
