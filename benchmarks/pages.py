"""Server time of the console's home pages and lists with 100,000 tickets in the database.

    .venv/bin/python benchmarks/pages.py                       # SQLite file under var/
    .venv/bin/python benchmarks/pages.py --postgres            # PostgreSQL db hl_pages_bench
    .venv/bin/python benchmarks/pages.py --tickets 20000 --repeat 20

The database is the benchmark's own (SQLite: var/bench-pages/hotline.sqlite3; PostgreSQL:
hl_pages_bench, created if missing). Tickets and assignments are bulk-loaded directly for the
benchmark only (the services are far too slow for 100k rows and are not what is measured);
the states, flags and deadlines are consistent with the transition tables, spread over a year
before now, with open work at every stage. Each page is requested through Django's test
client in-process (middleware, views, queries and templates: the server's time, no network),
a few times to warm up and then ``--repeat`` times; p50/p95/max are printed in milliseconds,
as wall time and as this process's CPU time (with SQLite the database work is in-process, so
the CPU figure is the page's cost without the wait for a busy machine's cores; with
PostgreSQL the server's own CPU is not in it). Target: p95 < 150 ms.
"""

from __future__ import annotations

import sys

# benchmarks/calendar.py would shadow the standard library's calendar module when this file
# runs as a script: drop the script's own directory from the import path.
if sys.path and sys.path[0].rstrip("/").endswith("benchmarks"):
    sys.path.pop(0)

import argparse
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/hl_pages_bench"


def configure(postgres: bool) -> None:
    data = ROOT / "var" / "bench-pages"
    data.mkdir(parents=True, exist_ok=True)
    os.environ["HOTLINE_DATA_DIR"] = str(data)
    os.environ["HOTLINE_ENV"] = "test"  # fast password hashing for the benchmark users
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    if postgres:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname='hl_pages_bench'").fetchone():
                c.execute("CREATE DATABASE hl_pages_bench")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ["DATABASE_URL"] = ""
    import django

    django.setup()


def prepare(n_tickets: int) -> None:
    from django.core.management import call_command

    from hotline.demo.orgs import seed_organisations, seed_users
    from hotline.orgs.models import Organisation
    from hotline.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        call_command("seed", verbosity=0)
        seed_users(seed_organisations())
    have = Ticket.objects.count()
    if have < n_tickets:
        load(n_tickets - have, start=have)
    spread_agents()
    from django.db import connection

    if connection.vendor == "postgresql":
        # what autovacuum does on a live database after a bulk change: planner statistics and
        # the visibility map (index-only scans for the counts)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


AGENTS = 30


def spread_agents() -> None:
    """A center has dozens of agents: give the history to 30 of them (the demo ``agent`` is
    one), so "my recent tickets" is one agent's share, as in real life."""
    from django.db.models import F, Value
    from django.db.models.functions import Mod

    from hotline.orgs.models import User
    from hotline.orgs.services import user_upsert
    from hotline.tickets.models import Ticket

    agent = User.objects.get(username="agent")
    if User.objects.filter(username__startswith="bench.agent").count() == AGENTS - 1:
        return
    ids = [agent.pk]
    for i in range(1, AGENTS):
        user = user_upsert(
            username=f"bench.agent{i:02d}",
            organisation=agent.organisation,
            roles=["agent"],
            display_name=f"话务员{i:02d}",
            password_hash=agent.password,
        )
        ids.append(user.pk)
    for k, pk in enumerate(ids):
        Ticket.objects.annotate(slot=Mod(F("id"), Value(AGENTS))).filter(slot=k).update(
            received_by_id=pk
        )


def load(count: int, *, start: int) -> None:
    """Bulk-load ``count`` tickets with their assignments and reviews (benchmark only)."""
    from django.db import transaction

    from hotline.core import clock
    from hotline.orgs.choices import OrgKind
    from hotline.orgs.models import Organisation, User
    from hotline.orgs.selectors import center_org
    from hotline.tickets.models import Assignment, Category, Review, Ticket

    rng = random.Random(20261127 + start)
    now = clock.now()
    agent = User.objects.get(username="agent")
    counties = list(Organisation.objects.filter(kind=OrgKind.COUNTY))
    units_by_county = {
        c.pk: list(Organisation.objects.filter(parent=c, kind=OrgKind.UNIT)) for c in counties
    }
    city_units = list(Organisation.objects.filter(parent__kind=OrgKind.CENTER, kind=OrgKind.UNIT))
    categories = list(Category.objects.filter(parent__isnull=False)) or [None]
    center = center_org()
    types = ["consultation"] * 45 + ["complaint"] * 30 + ["help"] * 14 + ["suggestion"] * 8
    types += ["report"] * 3
    texts = [
        "来电人反映{}小区门口路灯不亮，夜间出行不安全，请尽快维修。",
        "市民来电咨询：{}附近医保报销需要准备哪些材料，在哪里办理。",
        "来电人称{}一带夜间烧烤噪音扰民，多次反映未解决。",
        "诉求人反映{}小区物业不作为，电梯长期故障。",
        "来电人反映{}道路破损严重，雨天积水，请相关部门处理。",
    ]
    places = ["雪松路", "解放路", "交通路", "风光路", "文化路", "开源大道", "驿城大道", "中华路"]
    batch = 2000
    done = 0
    print(f"loading {count} tickets …", flush=True)
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic():
            tickets = []
            for i in range(size):
                k = start + done + i
                received = now - timedelta(minutes=rng.randint(5, 365 * 24 * 60))
                age = now - received
                county = rng.choice(counties)
                roll = rng.random()
                if age < timedelta(hours=12) and roll < 0.3:
                    status = "new"
                elif age < timedelta(days=12) and roll < 0.85:
                    status = rng.choice(["in_handling"] * 3 + ["awaiting_callback"])
                elif roll < 0.02:
                    status = "not_accepted"
                else:
                    status = "closed"
                t = Ticket(
                    number=f"BEN{k:09d}",
                    status=status,
                    channel="phone",
                    appeal_type=rng.choice(types),
                    content=rng.choice(texts).format(rng.choice(places)),
                    category=rng.choice(categories),
                    citizen_name="王" + "明丽强敏"[k % 4],
                    citizen_phone=f"13{rng.randint(0, 999999999):09d}",
                    confidential=rng.random() < 0.03,
                    county=county,
                    address=f"{rng.choice(places)}{rng.randint(1, 300)}号",
                    occurred_at=received - timedelta(hours=2),
                    received_at=received,
                    received_by=agent,
                    dispatch_due_at=received + timedelta(hours=12),
                    major_incident=rng.random() < 0.002,
                )
                if status not in ("new", "not_accepted"):
                    t.dispatched_at = received + timedelta(minutes=rng.randint(5, 300))
                if status == "awaiting_callback":
                    t.result_received_at = now - timedelta(hours=rng.randint(1, 60))
                    t.callback_due_at = t.result_received_at + timedelta(days=4)
                if status in ("closed", "not_accepted"):
                    t.closed_at = received + timedelta(days=rng.randint(0, 9))
                    t.close_reason = "satisfied" if status == "closed" else ""
                tickets.append(t)
            Ticket.objects.bulk_create(tickets, batch_size=batch)
            tickets = list(
                Ticket.objects.filter(number__in=[t.number for t in tickets]).select_related(
                    "county"
                )
            )
            assignments, children, reviews = [], [], []
            for t in tickets:
                if t.dispatched_at is None:
                    continue
                lead = t.county if rng.random() < 0.6 else rng.choice(city_units)
                a = _assignment(rng, t, lead, now)
                assignments.append(a)
                if rng.random() < 0.08:
                    assignments.append(_assignment(rng, t, rng.choice(city_units), now, "assist"))
                if lead.kind == OrgKind.COUNTY and units_by_county[lead.pk] and rng.random() < 0.6:
                    children.append((a, rng.choice(units_by_county[lead.pk])))
            Assignment.objects.bulk_create(assignments, batch_size=batch)
            kids = []
            for parent, unit in children:
                if parent.status == "awaiting_sign":
                    continue
                kid = _assignment(rng, parent.ticket, unit, now)
                kid.parent = parent
                kid.dispatched_at = parent.signed_at or parent.dispatched_at
                kid.due_at = parent.due_at
                kids.append(kid)
            Assignment.objects.bulk_create(kids, batch_size=batch)
            for a in [*assignments, *kids]:
                if a.status == "return_requested":
                    reviews.append(_review(a, "return", a.parent.org if a.parent else center, now))
                elif a.status == "in_progress" and rng.random() < 0.03:
                    reviews.append(
                        _review(a, "extension", a.parent.org if a.parent else center, now)
                    )
            Review.objects.bulk_create(reviews, batch_size=batch)
        done += size
        print(f"  {start + done} tickets", flush=True)


def _assignment(rng, ticket, org, now, role="lead"):
    from hotline.tickets.models import Assignment

    dispatched = ticket.dispatched_at
    if ticket.status == "in_handling":
        status = rng.choices(
            ["awaiting_sign", "in_progress", "return_requested", "replied"], [8, 80, 2, 10]
        )[0]
    else:
        status = "replied"
    a = Assignment(
        ticket=ticket,
        org=org,
        role=role,
        status=status,
        dispatched_at=dispatched,
        sign_due_at=dispatched + timedelta(hours=2),
    )
    if status != "awaiting_sign":
        a.signed_at = a.first_signed_at = dispatched + timedelta(minutes=rng.randint(5, 120))
        a.due_at = (a.signed_at + timedelta(days=rng.randint(2, 10))).replace(
            hour=23, minute=59, second=59
        )
        a.return_window_ends_at = a.signed_at + timedelta(hours=24)
        a.overdue = status != "replied" and a.due_at < now
        a.overdue_at = a.due_at if a.overdue else None
        a.redo_count = 1 if rng.random() < 0.01 else 0
    if status == "replied":
        a.replied_at = min(now, a.signed_at + timedelta(days=2))
        a.reply_content = "已处理并答复诉求人。"
    return a


def _review(assignment, kind, reviewer, now):
    from hotline.tickets.models import Review

    data = (
        {"reason": "不属于本单位职责", "basis": "三定方案", "late": False}
        if kind == "return"
        else {"working_days": 3, "reason": "需协调", "due_at": assignment.due_at.isoformat()}
    )
    return Review(
        kind=kind,
        ticket=assignment.ticket,
        assignment=assignment,
        reviewer_org=reviewer,
        requested_org=assignment.org,
        created_at=now - timedelta(hours=3),
        data=data,
    )


def pages() -> list[tuple[str, str]]:
    from django.db.models import Count

    from hotline.orgs.models import Organisation
    from hotline.tickets.models import Ticket

    township = (
        Organisation.objects.filter(kind="unit", parent__kind="county")
        .annotate(n=Count("assignments"))
        .order_by("-n")
        .first()
    )
    sample = Ticket.objects.filter(status="in_handling").order_by("-received_at").first()
    return [
        ("agent", "/"),
        ("dispatcher", "/"),
        ("org.411702", "/"),
        (f"org.{township.code}", "/"),
        ("org.housing", "/"),
        ("callback", "/"),
        ("supervisor", "/"),
        ("analyst", "/"),
        ("inspector", "/"),
        ("dispatcher", "/tickets/"),
        ("dispatcher", "/tickets/?status=in_handling&overdue=1"),
        ("dispatcher", f"/tickets/?q={sample.citizen_phone}"),
        ("dispatcher", f"/tickets/?q={sample.number}"),
        ("dispatcher", "/tickets/?q=路灯&page=3"),
        ("dispatcher", "/tickets/?county=411722&appeal_type=complaint&sort=received"),
        ("org.411702", "/tickets/"),
        (f"org.{township.code}", "/tickets/"),
        ("supervisor", f"/tickets/{sample.number}/"),
    ]


def _stats(prefix: str, values: list[float]) -> dict:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return {
        f"{prefix}p50": statistics.median(values),
        f"{prefix}p95": p95,
        f"{prefix}max": values[-1],
    }


def measure(repeat: int, only: str = "") -> list[dict]:
    from django.test import Client

    from hotline.orgs.models import User

    results = []
    for username, url in pages():
        if only and only not in url:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(3):
            assert client.get(url).status_code == 200, (username, url)
        times, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200
        row = {"user": username, "url": url, **_stats("", times), **_stats("cpu_", cpu)}
        results.append(row)
        print(
            f"{username:16} {url[:50]:50} p50 {row['p50']:6.1f}  p95 {row['p95']:6.1f}  "
            f"max {row['max']:6.1f} ms   cpu p50 {row['cpu_p50']:6.1f}  p95 {row['cpu_p95']:6.1f}",
            flush=True,
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL hl_pages_bench")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="measure only URLs containing this text")
    args = parser.parse_args()
    configure(args.postgres)
    prepare(args.tickets)
    from django.db import connection

    from hotline.tickets.models import Assignment, Ticket

    print(
        f"{connection.vendor}: {Ticket.objects.count()} tickets, "
        f"{Assignment.objects.count()} assignments",
        flush=True,
    )
    results = measure(args.repeat, args.only)
    worst = max(r["p95"] for r in results)
    worst_cpu = max(r["cpu_p95"] for r in results)
    print(f"worst p95: {worst:.1f} ms wall, {worst_cpu:.1f} ms CPU (target < 150 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
