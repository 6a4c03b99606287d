"""Telephony figures (issue 17): event ingestion in events/s (service and HTTP API) and the
connection-rate query over a year of calls. Prints figures; never run as a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_telephony \\
        .venv/bin/python benchmarks/telephony.py [--calls 2000] [--year-calls 500]

The database is migrated and seeded with the demo organisations; the benchmark's own calls
(ids BENCH-…) are deleted first, so it can run again.
"""

from __future__ import annotations

import os
import sys

# benchmarks/calendar.py would shadow the standard library's calendar module
sys.path[:] = [
    p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
]

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotline_telephony")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
os.environ.setdefault("HOTLINE_DATA_DIR", "/tmp/hotline-bench-telephony")
TZ = ZoneInfo("Asia/Shanghai")


def log(text: str) -> None:
    print(text, flush=True)


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hotline.calendar.models import CalendarYear
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_users
    from hotline.orgs.models import Organisation
    from hotline.orgs.services import user_upsert
    from hotline.telephony import services

    if not CalendarYear.objects.exists():
        calendar_seed_official()
    if not Organisation.objects.filter(code="city").exists():
        seed_users(seed_organisations())
    city = Organisation.objects.get(code="city")
    user_upsert(username="cti", organisation=city, roles=["cti"], password="Demo#12345")
    services.queue_upsert(code="12345", name="12345", org=city)
    services.queue_upsert(
        code="12315", name="12315", org=Organisation.objects.get(code="sub-12315")
    )


def events_for(call_id: str, start: datetime, rng: random.Random) -> list[dict]:
    caller = f"138{rng.randrange(10**8):08d}"
    wait = rng.randint(5, 90)
    body = [
        {"call_id": call_id, "event": "offered", "at": start, "caller": caller, "queue": "12345"},
        {"call_id": call_id, "event": "queued", "at": start + timedelta(seconds=3)},
    ]
    if rng.random() < 0.9:
        body += [
            {
                "call_id": call_id,
                "event": "answered",
                "at": start + timedelta(seconds=wait),
                "agent": "agent",
            },
            {
                "call_id": call_id,
                "event": "ended",
                "at": start + timedelta(seconds=wait + 200),
                "agent": "agent",
            },
        ]
    else:
        body.append(
            {"call_id": call_id, "event": "abandoned", "at": start + timedelta(seconds=wait)}
        )
    rng.shuffle(body[1:])  # later events out of order: the assembly must cope
    return body


def bench_ingestion(calls: int) -> None:
    from django.test import Client

    from hotline.core.auth import token_issue
    from hotline.orgs.models import User
    from hotline.telephony import services
    from hotline.telephony.models import Call

    Call.objects.filter(call_id__startswith="BENCH-").delete()
    rng = random.Random(1)
    now = datetime.now(TZ)
    actor = User.objects.get(username="cti")
    base = now - timedelta(days=1)
    svc = [
        e for i in range(calls) for e in events_for(f"BENCH-S{i}", base + timedelta(seconds=i), rng)
    ]
    t0 = time.perf_counter()
    for e in svc:
        services.event_record(**e, actor=actor, now=now)
    svc_rate = len(svc) / (time.perf_counter() - t0)
    log(
        f"(a) ingestion via the service: {len(svc)} events of {calls} calls, "
        f"{svc_rate:.0f} events/s"
    )
    key, _t = token_issue(username="cti", password="Demo#12345")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    http = [
        e for i in range(calls) for e in events_for(f"BENCH-H{i}", base + timedelta(seconds=i), rng)
    ]
    lat = []
    t0 = time.perf_counter()
    for e in http:
        s = time.perf_counter()
        r = client.post(
            "/api/v1/telephony/events", json.dumps(e, default=str), content_type="application/json"
        )
        lat.append((time.perf_counter() - s) * 1000)
        assert r.status_code == 201, r.content
    rate = len(http) / (time.perf_counter() - t0)
    lat.sort()
    log(
        f"    via POST /api/v1/telephony/events (in-process client, one at a time): "
        f"{rate:.0f} events/s, "
        f"p50 {statistics.median(lat):.1f} ms, p95 {lat[int(len(lat) * 0.95)]:.1f} ms"
    )
    resend = http[: min(500, len(http))]
    t0 = time.perf_counter()
    for e in resend:
        client.post(
            "/api/v1/telephony/events", json.dumps(e, default=str), content_type="application/json"
        )
    log(f"    resends (duplicates, 200): {len(resend) / (time.perf_counter() - t0):.0f} events/s")


def bench_rate_query(per_day: int) -> None:
    from hotline.telephony import selectors
    from hotline.telephony.models import Call, Queue

    Call.objects.filter(call_id__startswith="BENCH-Y").delete()
    queues = list(Queue.objects.values_list("pk", flat=True))
    rng = random.Random(2)
    start = datetime(2025, 1, 1, tzinfo=TZ)
    rows = []
    for day in range(365):
        for i in range(per_day):
            offered = start + timedelta(days=day, seconds=rng.randrange(86400))
            answered = rng.random() < 0.92
            wait = rng.randint(1, 120)
            rows.append(
                Call(
                    call_id=f"BENCH-Y{day}-{i}",
                    caller="13800000000",
                    queue_id=rng.choice(queues),
                    state="ended",
                    outcome="answered" if answered else "abandoned",
                    offered_at=offered,
                    wait_seconds=wait,
                    answered_at=offered + timedelta(seconds=wait) if answered else None,
                    ended_at=offered + timedelta(seconds=wait + 180),
                )
            )
    Call.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE telephony_call")
    end = start + timedelta(days=365)
    log(f"(b) connection rate over a year: {Call.objects.count()} calls in the table")
    for label, fn in [
        (
            "day (365 rows)",
            lambda: selectors.connection_rate(user=None, start=start, end=end, granularity="day"),
        ),
        (
            "month",
            lambda: selectors.connection_rate(user=None, start=start, end=end, granularity="month"),
        ),
        (
            "quarter",
            lambda: selectors.connection_rate(
                user=None, start=start, end=end, granularity="quarter"
            ),
        ),
        (
            "hour, one month",
            lambda: selectors.connection_rate(
                user=None, start=start, end=start + timedelta(days=31), granularity="hour"
            ),
        ),
        ("by center/sub-center", lambda: selectors.rate_by_org(start=start, end=end)),
    ]:
        fn()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        log(f"    {label}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    Call.objects.filter(call_id__startswith="BENCH-").delete()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="calls per ingestion run")
    parser.add_argument("--year-calls", type=int, default=500, help="calls per day in the year")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPUs")
    bench_ingestion(args.calls)
    bench_rate_query(args.year_calls)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
