"""Lifecycle benchmark on PostgreSQL.

    .venv/bin/python benchmarks/lifecycle.py [--tickets 1000000] [--cycles 300] [--reps 200]

Creates its own database ``hl_bench_lifecycle`` (dropped first and at the end unless
``--keep``; ``BENCH_PG_URL`` overrides the server), migrates it, seeds the demo organisations,
users and the official calendar, then measures:

(a) full cycles per second — intake → dispatch → sign → reply → callback — through the
    services, and through the HTTP API (django.test.Client, bearer tokens, JSON in and out),
    with each request's p50/p95 and the queries it made (issue 14: at most 8);
(b) the timer sweep (``hotline.core.timers.run_due_timers``, every registered timer) over a
    history of ``--tickets`` tickets of which ``--open`` are open: once when nothing is due,
    and once when about 1,000 items are due (auto-sign, dispatch overdue, handling overdue,
    callback expiry), which the timers then act on through the services;
(c) a handling unit's work list with that history: ``selectors.ticket_list`` first page
    (count + 20 rows rendered by the API's own list view) and ``GET /api/v1/tickets`` over
    HTTP, ``--reps`` times each, p50/p95. Targets: sweep < 1 s, list p95 < 100 ms.

The history is bulk-loaded by SQL (``benchmarks/bulk_history.py``: ``INSERT … SELECT
generate_series`` straight into the ticket and assignment tables, bypassing the services).
When a target is missed the plan of the slow query is printed (EXPLAIN ANALYZE).

``--reuse`` keeps the database between runs: when it already holds the history, the run only
migrates it and measures (c) — the way to compare list changes without rebuilding a million
tickets (``BENCH_PG_URL=…/hl_pages_1m … --reuse``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_history import DUE_WINDOW, NOW, load_history, log  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/hl_bench_lifecycle")
PASSWORD = "Demo#12345"  # the documented demo password


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# -- setup -----------------------------------------------------------------------------------


def _server_and_name(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base, name


def create_database(url: str) -> None:
    import psycopg

    base, name = _server_and_name(url)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    base, name = _server_and_name(url)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HOTLINE_ENV", "test")
    os.environ["HOTLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="hl-bench-lifecycle-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotline.config.settings"
    os.environ.pop("HOTLINE_SIMULATION", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_users

    calendar_seed_official()
    seed_users(seed_organisations())


# -- (a) cycles ------------------------------------------------------------------------------


def cycles_through_services(n: int) -> float:
    from django.utils import timezone

    from hotline.orgs.models import Organisation, User
    from hotline.tickets import services

    users = {u.username: u for u in User.objects.all()}
    county = Organisation.objects.get(code="411702")
    unit = users["org.411702"]
    started = time.perf_counter()
    for i in range(n):
        now = timezone.now()
        ticket = services.ticket_intake(
            channel="phone",
            appeal_type="complaint",
            content=f"市民来电反映：驿城区雪松路第{i}号路灯不亮，夜间出行不安全。",
            citizen_name="张三",
            citizen_phone=f"139{i:08d}",
            county=county,
            address=f"雪松路{i}号",
            actor=users["agent"],
            now=now,
        ).ticket
        services.ticket_dispatch(ticket=ticket, lead=county, actor=users["dispatcher"], now=now)
        assignment = ticket.assignments.get()
        services.assignment_sign(assignment=assignment, actor=unit, now=now)
        services.assignment_reply(assignment=assignment, content="已修复", actor=unit, now=now)
        services.ticket_callback(
            ticket=ticket, outcome="satisfied", resolved=True, actor=users["callback"], now=now
        )
    return n / (time.perf_counter() - started)


def _bearer_clients() -> dict:
    from django.test import Client

    from hotline.core.auth import token_issue

    clients = {}
    for name in ("agent", "dispatcher", "org.411702", "callback", "org.411702-01", "org.housing"):
        key, _token = token_issue(username=name, password=PASSWORD)
        clients[name] = (Client(), {"HTTP_AUTHORIZATION": f"Bearer {key}"})
    return clients


def _post(clients, user: str, path: str, body: dict, status: int = 200) -> dict:
    client, auth = clients[user]
    response = client.post(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json", **auth
    )
    if response.status_code != status:
        raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
    return response.json()


ACTIONS = ("create", "dispatch", "sign", "reply", "callback")


def cycles_through_api(n: int, clients) -> tuple[float, dict[str, dict]]:
    """Cycles per second through the HTTP API, and per action: p50/p95 (ms) and the queries
    each request made, counted as tests/tickets/test_query_budgets.py counts them (with
    BEGIN/COMMIT; the token is read once per client and then cached, as in a running server)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {a: [] for a in ACTIONS}
    queries: dict[str, list[int]] = {a: [] for a in ACTIONS}

    def post(action: str, user: str, path: str, body: dict, status: int = 200) -> dict:
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            answer = _post(clients, user, path, body, status)
            times[action].append((time.perf_counter() - began) * 1000)
        queries[action].append(len(captured.captured_queries))
        return answer

    started = time.perf_counter()
    for i in range(n):
        t = post(
            "create",
            "agent",
            "/tickets",
            {
                "channel": "phone",
                "appeal_type": "complaint",
                "content": f"市民来电反映：驿城区开源大道第{i}号路灯不亮，夜间出行不安全。",
                "citizen": {"name": "李四", "phone": f"137{i:08d}"},
                "location": {"county": "411702", "address": f"开源大道{i}号"},
            },
            status=201,
        )
        number = t["number"]
        t = post("dispatch", "dispatcher", f"/tickets/{number}/dispatch", {"lead": "411702"})
        aid = t["assignments"][0]["id"]
        post("sign", "org.411702", f"/assignments/{aid}/sign", {})
        post("reply", "org.411702", f"/assignments/{aid}/reply", {"content": "已修复"})
        body = {"outcome": "satisfied", "resolved": True}
        post("callback", "callback", f"/tickets/{number}/callback", body)
    rate = n / (time.perf_counter() - started)
    per_action = {
        a: {
            "p50": statistics.median(times[a]),
            "p95": percentile(times[a], 95),
            # the first request of each client reads its token; the rest are the budget
            "queries": statistics.median(queries[a]),
            "max_queries": max(queries[a]),
        }
        for a in ACTIONS
    }
    return rate, per_action


# -- (b) timers ------------------------------------------------------------------------------


def due_counts(now: datetime) -> dict[str, int]:
    from hotline.tickets.deadlines import ONE_SECOND
    from hotline.tickets.models import Assignment, Ticket
    from hotline.tickets.rules import OPEN_ASSIGNMENT_STATES

    return {
        "auto_sign": Assignment.objects.filter(
            status="awaiting_sign", sign_due_at__lte=now
        ).count(),
        "dispatch_overdue": Ticket.objects.filter(
            status="new", dispatch_due_at__lt=now, dispatch_overdue=False
        ).count(),
        "handling_overdue": Assignment.objects.filter(
            overdue=False, status__in=OPEN_ASSIGNMENT_STATES, due_at__lte=now - ONE_SECOND
        ).count(),
        "callback_expiry": Ticket.objects.filter(
            status="awaiting_callback", callback_due_at__lte=now - ONE_SECOND
        ).count(),
    }


def time_sweep(now: datetime, label: str, repeat: int = 1) -> tuple[float, dict]:
    from hotline.core.timers import registered, run_due_timers

    times, summary = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        summary = run_due_timers(now=now, trigger="benchmark")
        times.append(time.perf_counter() - started)
    best = min(times)
    acted = sum(summary.values())
    log(
        f"  sweep {label}: best {best * 1000:.0f} ms of {repeat} (acted on {acted}: "
        f"{ {k: v for k, v in summary.items() if v} })"
    )
    if repeat > 1:
        per_timer = []
        for timer in registered():
            started = time.perf_counter()
            timer.fn(now=now)
            per_timer.append(f"{timer.name} {(time.perf_counter() - started) * 1000:.1f}")
        log("    per timer (ms): " + ", ".join(per_timer))
    return best, summary


def explain_timer_queries(now: datetime) -> None:
    from django.db import connection

    from hotline.tickets.deadlines import ONE_SECOND
    from hotline.tickets.models import Assignment, Ticket
    from hotline.tickets.rules import OPEN_ASSIGNMENT_STATES

    queries = {
        "auto_sign": Assignment.objects.filter(status="awaiting_sign", sign_due_at__lte=now),
        "handling_overdue": Assignment.objects.filter(
            overdue=False, status__in=OPEN_ASSIGNMENT_STATES, due_at__lte=now - ONE_SECOND
        ),
        "incident_progress": Assignment.objects.filter(
            status="in_progress", progress_due_at__lt=now
        ),
        "dispatch_overdue": Ticket.objects.filter(
            status="new", dispatch_due_at__lt=now, dispatch_overdue=False
        ),
        "callback_expiry": Ticket.objects.filter(
            status="awaiting_callback", callback_due_at__lte=now - ONE_SECOND
        ),
    }
    for name, qs in queries.items():
        sql, params = qs.values("pk")[:2000].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        log(f"    {name}: " + " / ".join(line.strip() for line in plan[:3]))


# -- (c) work list ---------------------------------------------------------------------------


def time_work_list(username: str, clients, reps: int, status: str | None) -> dict:
    from django.test import RequestFactory

    from hotline.orgs.models import User
    from hotline.tickets.api import TicketFilter, list_tickets

    user = User.objects.select_related("organisation").get(username=username)
    filters = TicketFilter(status=status) if status else TicketFilter()
    request = RequestFactory().get("/api/v1/tickets")
    request.user = user
    selector_times, count = [], 0
    for _ in range(reps):
        started = time.perf_counter()
        page = list_tickets(request, filters)
        selector_times.append((time.perf_counter() - started) * 1000)
        count = page["count"]
        assert len(page["items"]) == min(20, count)
    client, auth = clients[username]
    api_times = []
    query = {"status": status} if status else {}
    for _ in range(reps):
        started = time.perf_counter()
        response = client.get("/api/v1/tickets", query, **auth)
        api_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    return {
        "user": username,
        "status": status or "(any)",
        "count": count,
        "selector_p50": statistics.median(selector_times),
        "selector_p95": percentile(selector_times, 95),
        "api_p50": statistics.median(api_times),
        "api_p95": percentile(api_times, 95),
    }


def explain_work_list(username: str, status: str | None) -> None:
    """EXPLAIN ANALYZE of the queries the list runs (scope, count, page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hotline.orgs.models import User
    from hotline.tickets import selectors

    user = User.objects.select_related("organisation").get(username=username)
    with CaptureQueriesContext(connection) as captured:
        qs = selectors.ticket_list(user=user, status=status)  # scope (and a small one's ids)
        qs.count()  # no query when the selector already knows the count
        list(qs[:20])
    for i, query in enumerate(captured.captured_queries):
        label = f"query {i + 1}"
        if '"tickets_' not in query["sql"]:
            continue  # the subtree lookup on the small tree table
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            plan = [row[0] for row in cursor.fetchall()]
        log(f"    EXPLAIN ANALYZE {username} {status or '(any)'} {label}:")
        for line in plan:
            log(f"      {line}")


def history_exists(url: str, tickets: int) -> bool:
    """Whether the database at ``url`` exists and already holds ``tickets`` tickets."""
    import psycopg

    base, name = _server_and_name(url)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tickets_ticket'"
        ).fetchone()
        if not row[0]:
            return False
        return conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0] >= tickets


def work_lists(args, clients, overall: float, cycles=None, sweep=None) -> int:
    """(c): the work lists, then the summary."""
    log(f"(c) work lists with {args.tickets:,} tickets, {args.reps} repetitions each")
    results = []
    # a township office, a county body (its whole subtree) and a city department
    for username in ("org.411702-01", "org.411702", "org.housing"):
        for status, reps in (("in_handling", args.reps), (None, max(args.reps // 4, 1))):
            r = time_work_list(username, clients, reps, status)
            results.append(r)
            log(
                f"  {r['user']:<14} status={r['status']:<12} count={r['count']:>7,}  "
                f"selector p50 {r['selector_p50']:6.1f} ms p95 {r['selector_p95']:6.1f} ms"
                f"   API p50 {r['api_p50']:6.1f} ms p95 {r['api_p95']:6.1f} ms  ({reps}×)"
            )
            if args.explain or r["api_p95"] >= 100 or r["selector_p95"] >= 100:
                explain_work_list(username, status)

    log("summary")
    if cycles is not None:
        svc, api, per_action = cycles
        log(f"  cycles/s: services {svc:.1f}, API {api:.1f}")
        log(
            "  per request p50/p95 ms (queries): "
            + ", ".join(
                f"{a} {r['p50']:.0f}/{r['p95']:.0f} ({r['queries']:.0f})"
                for a, r in per_action.items()
            )
        )
    if sweep is not None:
        idle, busy, again = sweep
        log(
            f"  sweep: nothing due {idle * 1000:.0f} ms, ~1,000 due {busy * 1000:.0f} ms, "
            f"after {again * 1000:.0f} ms (target < 1000 ms: "
            f"{'met' if max(idle, again) < 1 else 'MISSED'} for finding due work)"
        )
    worst = max(max(r["api_p95"], r["selector_p95"]) for r in results)
    log(
        f"  work list p95 worst {worst:.1f} ms (target < 100 ms: "
        f"{'met' if worst < 100 else 'MISSED'})"
    )
    log(f"  total {time.perf_counter() - overall:.0f} s")
    return 0


# -- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=50_000)
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print plans even when on target")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep and reuse a database that already holds the history: migrate it and "
        "measure only the work lists (c); implies --keep",
    )
    args = parser.parse_args()
    open_count = min(args.open, args.tickets // 2)
    overall = time.perf_counter()
    reuse = args.reuse and history_exists(PG_URL, args.tickets)
    if args.reuse:
        args.keep = True

    if not reuse:
        create_database(PG_URL)
    try:
        setup_django(PG_URL)
        from django.db import connection

        log(f"PostgreSQL {connection.pg_version // 10000}, database {PG_URL.rsplit('/', 1)[1]}")
        clients = _bearer_clients()
        if reuse:
            log(f"(a), (b) skipped: reusing the history of {args.tickets:,} tickets")
            with connection.cursor() as cursor:
                # what autovacuum does on a live database: statistics and the visibility
                # map (index-only scans) after the last run's changes
                cursor.execute("VACUUM ANALYZE")
            return work_lists(args, clients, overall)

        log(f"(a) full cycles (intake → dispatch → sign → reply → callback), N={args.cycles}")
        svc = cycles_through_services(args.cycles)
        log(f"  services: {svc:.1f} cycles/s ({1000 / svc:.1f} ms per cycle)")
        api, per_action = cycles_through_api(args.cycles, clients)
        log(f"  HTTP API: {api:.1f} cycles/s ({1000 / api:.1f} ms per cycle, 5 requests)")
        for action, r in per_action.items():
            log(
                f"    {action:<9} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                f"queries {r['queries']:.0f} (first request of a client: {r['max_queries']})"
            )

        log(f"(b) history: {args.tickets:,} tickets, {open_count:,} open")
        load_history(args.tickets, open_count)
        log(f"  due at {NOW:%Y-%m-%d %H:%M}: {due_counts(NOW)}")
        later = NOW + DUE_WINDOW
        log(f"  due at {later:%Y-%m-%d %H:%M}: {due_counts(later)}")
        idle, _ = time_sweep(NOW, "nothing due", repeat=5)
        busy, _ = time_sweep(later, "~1,000 due")
        again, _ = time_sweep(later, "right after (nothing due again)", repeat=3)
        if args.explain or max(idle, again) >= 1.0:
            explain_timer_queries(later)

        return work_lists(
            args, clients, overall, cycles=(svc, api, per_action), sweep=(idle, busy, again)
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(PG_URL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
