"""Delivery lag of the outbox relay (Art 21: "real time") on PostgreSQL.

Ticket changes are made through the ticket services at a steady rate (default 50 outbox
messages per second: intake, dispatch, sign, reply, callback of many tickets, interleaved),
while one, then two ``hotline exchange relay`` processes push them to the reference receiver
(in this process, recording when each message id first arrived). The lag of a message is
its arrival minus its ``created_at`` (the moment the change was made, just before commit).

Usage (from the repository root):

    .venv/bin/python benchmarks/exchange.py                     # 60 s per configuration
    .venv/bin/python benchmarks/exchange.py --seconds 30 --rate 50 --workers 1 2 --interval 0.5

PostgreSQL: ``BENCH_PG_URL`` (default postgres://postgres@127.0.0.1:5432/hl_exchange_bench);
the database is dropped and created at the start and dropped at the end.
"""

from __future__ import annotations

import sys

# this directory holds a calendar.py that must not shadow the standard library's
if sys.path and sys.path[0].rstrip("/").endswith("benchmarks"):
    sys.path.pop(0)

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/hl_exchange_bench")
SECRET = "bench-secret"
HOTLINE = Path(sys.executable).with_name("hotline")


def log(message: str) -> None:
    print(message, flush=True)


def psql(url: str, sql: str) -> None:
    base, name = url.rsplit("/", 1)
    subprocess.run(
        ["psql", f"{base}/postgres", "-q", "-c", sql.format(name=name)],
        check=True,
        capture_output=True,
    )


def setup_django(url: str, data_dir: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "HOTLINE_ENV": "test",
            "HOTLINE_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "hotline.config.settings",
            "HOTLINE_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_users

    calendar_seed_official()
    seed_users(seed_organisations())


class Producer:
    """Makes changes through the ticket services, ``rate`` outbox messages a second."""

    STAGES = ("intake", "dispatch", "sign", "reply", "callback")
    MESSAGES = {"intake": 1, "dispatch": 1, "sign": 1, "reply": 2, "callback": 2}

    def __init__(self) -> None:
        from hotline.orgs.models import Organisation, User

        self.county = Organisation.objects.get(code="411702")
        self.users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["agent", "dispatcher", "callback", "org.411702"]
            )
        }
        self.open: list[tuple[object, int]] = []  # (ticket, next stage)
        self.counter = 0
        self.tag = uuid.uuid4().hex[:6]  # threads' tickets differ (no repeat detection)

    def step(self) -> int:
        """One change; returns how many outbox messages it made."""
        from hotline.core.clock import real_now
        from hotline.tickets import services

        now = real_now()
        # keep ~40 tickets in flight so changes of many tickets interleave
        if len(self.open) < 40:
            self.counter += 1
            ticket = services.ticket_intake(
                channel="phone",
                appeal_type="complaint",
                content=f"基准测试诉求 {self.tag}-{self.counter}：路灯不亮",
                citizen_name="赵六",
                citizen_phone=f"136{self.counter:08d}",
                county=self.county,
                address=f"驿城区基准路{self.counter}号",
                actor=self.users["agent"],
                now=now,
            ).ticket
            self.open.append((ticket, 1))
            return 1
        ticket, stage = self.open.pop(0)
        name = self.STAGES[stage]
        if name == "dispatch":
            ticket = services.ticket_dispatch(
                ticket=ticket, lead=self.county, actor=self.users["dispatcher"], now=now
            )
        elif name == "sign":
            assignment = ticket.assignments.get()
            ticket = services.assignment_sign(
                assignment=assignment, actor=self.users["org.411702"], now=now
            )
        elif name == "reply":
            assignment = ticket.assignments.get()
            ticket = services.assignment_reply(
                assignment=assignment, content="已修复", actor=self.users["org.411702"], now=now
            )
        else:
            ticket = services.ticket_callback(
                ticket=ticket,
                outcome="satisfied",
                resolved=True,
                actor=self.users["callback"],
                now=now,
            )
        if stage + 1 < len(self.STAGES):
            self.open.append((ticket, stage + 1))
        return self.MESSAGES[name]

    def run(self, *, seconds: float, rate: float) -> tuple[int, float]:
        made = 0
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            made += self.step()
            ahead = started + made / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        return made, time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _get(url: str):
    import json
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def produce(*, seconds: float, rate: float, producers: int) -> tuple[int, float]:
    """``producers`` threads (each its own connection) share the rate."""
    import threading

    from django.db import connection

    made = [0] * producers
    took = [0.0] * producers

    def run(i: int) -> None:
        try:
            made[i], took[i] = Producer().run(seconds=seconds, rate=rate / producers)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(producers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(made), max(took)


def run_config(
    *,
    workers: int,
    seconds: float,
    rate: float,
    interval: float,
    producers: int,
    url: str,
    data_dir: str,
) -> dict:
    from hotline.tickets.models import OutboxMessage

    port = _free_port()
    receiver_url = f"http://127.0.0.1:{port}/"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "CELERY"))},
        "DATABASE_URL": url,
        "HOTLINE_DATA_DIR": data_dir,
        "HOTLINE_PROVINCE_URL": receiver_url,
        "HOTLINE_PROVINCE_SECRET": SECRET,
    }
    command = [str(HOTLINE)] if HOTLINE.exists() else [sys.executable, "-m", "hotline"]
    receiver = subprocess.Popen(
        [*command, "exchange", "mock-province", "--port", str(port), "--secret", SECRET],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    relays = [
        subprocess.Popen(
            [*command, "exchange", "relay", "--interval", str(interval)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        for _ in range(300):
            try:
                _get(receiver_url + "health")
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(3)  # let the relays start
        since = time.time()
        made, took = produce(seconds=seconds, rate=rate, producers=producers)
        deadline = time.monotonic() + 120
        while OutboxMessage.objects.filter(state="pending").exists():
            if time.monotonic() > deadline:
                raise SystemExit("backlog not drained in 120 s")
            time.sleep(0.2)
        arrivals = _get(receiver_url + "arrivals")
        stats = _get(receiver_url + "stats")
    finally:
        for process in (*relays, receiver):
            process.terminate()
        for process in (*relays, receiver):
            process.wait(timeout=30)
    created = {
        str(pk): at.timestamp()
        for pk, at in OutboxMessage.objects.filter(
            created_at__gte=datetime.fromtimestamp(since, tz=UTC)
        ).values_list("pk", "created_at")
    }
    lags = [arrivals[pk] - at for pk, at in created.items() if pk in arrivals]
    missing = [pk for pk in created if pk not in arrivals]
    return {
        "workers": workers,
        "messages": made,
        "rate": made / took,
        "p50": percentile(lags, 0.50),
        "p95": percentile(lags, 0.95),
        "p99": percentile(lags, 0.99),
        "max": max(lags),
        "mean": statistics.fmean(lags),
        "missing": len(missing),
        "duplicates": stats["duplicates"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=50, help="outbox messages per second")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--interval", type=float, default=0.5, help="relay idle poll (s)")
    parser.add_argument("--producers", type=int, default=2, help="threads making changes")
    args = parser.parse_args()
    psql(PG_URL, 'DROP DATABASE IF EXISTS "{name}"')
    psql(PG_URL, 'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            setup_django(PG_URL, data_dir)
            log(
                f"PostgreSQL, {args.rate:g} messages/s for {args.seconds:g} s per run, "
                f"relay idle poll {args.interval:g} s"
            )
            log("workers  messages  rate/s  p50 s  p95 s  p99 s  max s  missing  duplicates")
            for workers in args.workers:
                r = run_config(
                    workers=workers,
                    seconds=args.seconds,
                    rate=args.rate,
                    interval=args.interval,
                    producers=args.producers,
                    url=PG_URL,
                    data_dir=data_dir,
                )
                log(
                    f"{r['workers']:>7}  {r['messages']:>8}  {r['rate']:>6.1f}  {r['p50']:>5.3f}"
                    f"  {r['p95']:>5.3f}  {r['p99']:>5.3f}  {r['max']:>5.2f}  {r['missing']:>7}"
                    f"  {r['duplicates']:>10}"
                )
            from django.db import connections

            connections.close_all()
    finally:
        psql(PG_URL, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
