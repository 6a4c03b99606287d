"""Chaos: nothing is lost, nothing is applied twice, nothing overtakes (Art 21).

About 1,000 ticket changes (143 tickets × 7 messages: intake, dispatched, signed, replied,
awaiting_callback, callback, closed) are made through the ticket services while two relay
processes deliver them to the reference receiver, itself a real process answering 503 to
10 % of the pushes:

* ``hotline worker`` — Celery worker + beat on Redis (db 9), the production setup;
* ``hotline exchange relay`` — the plain relay loop.

Both are killed with SIGKILL (their whole process group) at random moments and restarted.
Afterwards the receiver holds every outbox message exactly once (de-duplicated by id), each
ticket's in sequence 1..n, and nothing is left undelivered or dead.

Needs PostgreSQL (several relays claim with ``FOR UPDATE SKIP LOCKED``) and Redis: skipped
when either is missing, except in CI (``CI=true``), where that is a failure. About two
minutes on a loaded two-core machine; ``HOTLINE_CHAOS_TICKETS`` changes the size.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection

from hotline.core.clock import real_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TICKETS = int(os.environ.get("HOTLINE_CHAOS_TICKETS", "143"))
SECRET = "chaos-secret"
REDIS_URL = "redis://127.0.0.1:6379/9"
HOTLINE = Path(sys.executable).with_name("hotline")


def _missing() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (DATABASE_URL=postgres://…)"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"needs Redis at {REDIS_URL} ({type(exc).__name__})"
    return None


@pytest.fixture(scope="module", autouse=True)
def _demo_data_back_after_the_flush(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _seed_demo()


def _seed_demo() -> None:
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_users

    calendar_seed_official()
    seed_users(seed_organisations())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — our receiver
        return json.loads(response.read())


class Proc:
    """A command in its own process group, restartable, killed group-wide with SIGKILL."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        command = [str(HOTLINE)] if HOTLINE.exists() else [sys.executable, "-m", "hotline"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603 — our own command
                [*command, *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.alive():
            self.kill()
            self.kills -= 1


def _changes(orgs, users, count: int, pace: float) -> int:
    """Walk ``count`` tickets through their lives in waves (so changes of many tickets
    interleave); returns how many outbox messages that made."""
    from hotline.tickets import services
    from hotline.tickets.models import OutboxMessage

    tickets = []
    for i in range(count):
        result = services.ticket_intake(
            channel="phone",
            appeal_type="complaint",
            content=f"混沌测试诉求 {i}：小区路灯不亮",
            citizen_name="王五",
            citizen_phone=f"137{i:08d}",  # different citizens: no repeats
            county=orgs["411702"],
            address=f"驿城区测试路{i}号",
            actor=users["agent"],
            now=real_now(),
        )
        tickets.append(result.ticket)
        time.sleep(pace)
    for ticket in tickets:
        services.ticket_dispatch(
            ticket=ticket, lead=orgs["411702"], actor=users["dispatcher"], now=real_now()
        )
        time.sleep(pace)
    assignments = [t.assignments.get() for t in tickets]
    for assignment in assignments:
        services.assignment_sign(assignment=assignment, actor=users["org.411702"], now=real_now())
        time.sleep(pace)
    for assignment in assignments:
        assignment.refresh_from_db()
        services.assignment_reply(
            assignment=assignment, content="已修复", actor=users["org.411702"], now=real_now()
        )
        time.sleep(pace)
    for ticket in tickets:
        services.ticket_callback(
            ticket=ticket,
            outcome="satisfied",
            resolved=True,
            actor=users["callback"],
            now=real_now(),
        )
        time.sleep(pace)
    return OutboxMessage.objects.count()


def test_chaos_nothing_lost_nothing_twice_nothing_overtakes(tmp_path):
    missing = _missing()
    if connection.vendor != "postgresql":
        pytest.skip(f"{missing}; ./dev test runs it in its PostgreSQL pass")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"chaos test required in CI: {missing}")
        pytest.skip(missing)
    import redis

    from hotline.core.policy import policy_set
    from hotline.exchange import services
    from hotline.orgs.models import Organisation, User
    from hotline.tickets.models import OutboxMessage

    if not User.objects.filter(username="org.411702").exists():
        _seed_demo()
    redis.Redis.from_url(REDIS_URL).flushdb()
    # fast retries, and enough of them that 10 % failures never make a dead letter
    policy_set(key="art21_push_backoff_seconds", value=0.2)
    policy_set(key="art21_push_backoff_max_seconds", value=2)
    policy_set(key="art21_push_max_attempts", value=100)
    policy_set(key="art21_push_timeout_seconds", value=5.0)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    services.partner_save(
        code="province", name="省平台", kind="province", secret=SECRET, endpoint_url=url
    )
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOTLINE_ENV": "test",
        "HOTLINE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "HOTLINE_PROVINCE_URL": url,
        "HOTLINE_PROVINCE_SECRET": SECRET,
        "HOTLINE_RELAY_INTERVAL_SECONDS": "0.3",
        "HOTLINE_TIMER_INTERVAL_SECONDS": "3600",
        "HOTLINE_LOG_LEVEL": "INFO",
    }
    receiver = Proc(
        "receiver",
        [
            "exchange",
            "mock-province",
            "--port",
            str(port),
            "--secret",
            SECRET,
            "--fail-rate",
            "0.1",
        ],
        env,
        tmp_path / "receiver.log",
    )
    celery = Proc(
        "worker",
        ["worker", "--concurrency", "2", "--loglevel", "INFO"],
        {**env, "REDIS_URL": REDIS_URL},
        tmp_path / "worker.log",
    )
    loop = Proc("relay", ["exchange", "relay", "--interval", "0.3"], env, tmp_path / "relay.log")
    relays = [celery, loop]
    stop = threading.Event()
    rng = random.Random(21)

    def chaos() -> None:
        while not stop.wait(rng.uniform(2.0, 6.0)):
            victim = rng.choice(relays)
            victim.kill()
            if stop.wait(rng.uniform(0.0, 1.0)):
                break
            victim.start()

    receiver.start()
    try:
        for _ in range(300):
            try:
                _get(url + "health")
                break
            except OSError:
                time.sleep(0.1)
        for relay in relays:
            relay.start()
        monkey = threading.Thread(target=chaos, daemon=True)
        monkey.start()
        orgs = {o.code: o for o in Organisation.objects.filter(code__in=["411702"])}
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["agent", "dispatcher", "callback", "org.411702"]
            )
        }
        started = time.monotonic()
        total = _changes(orgs, users, TICKETS, pace=0.02)
        made_in = time.monotonic() - started
        stop.set()
        monkey.join(timeout=30)
        for relay in relays:
            if not relay.alive():
                relay.start()
        deadline = time.monotonic() + 120
        while OutboxMessage.objects.exclude(state="sent").exists():
            assert time.monotonic() < deadline, "undelivered messages after two minutes"
            time.sleep(0.5)
        drained_in = time.monotonic() - started - made_in
        bodies = _get(url + "messages")
        stats = _get(url + "stats")
    finally:
        stop.set()
        for proc in (*relays, receiver):
            proc.stop()

    expected = {str(pk) for pk in OutboxMessage.objects.values_list("pk", flat=True)}
    ids = [body["id"] for body in bodies]
    # every message exactly once after de-duplication by id
    assert len(ids) == len(set(ids)) == len(expected) == total
    assert set(ids) == expected
    # each ticket's messages in order, none missing
    by_ticket: dict[str, list[int]] = defaultdict(list)
    for body in bodies:
        by_ticket[body["ticket"]].append(body["seq"])
    assert len(by_ticket) == TICKETS
    for number, seqs in by_ticket.items():
        assert seqs == list(range(1, 8)), (number, seqs)
    # nothing left behind, nothing dead; the chaos really happened
    assert not OutboxMessage.objects.exclude(state="sent").exists()
    assert stats["failed"] > 0, stats
    assert celery.kills + loop.kills >= 3
    worker_log = (tmp_path / "worker.log").read_text()
    assert re.search(r"hotline\.exchange\.tasks\.relay\[[^]]+\] succeeded", worker_log)
    print(  # the figures for the report (pytest -s)
        f"\nchaos: {total} messages of {TICKETS} tickets made in {made_in:.1f}s, drained "
        f"{drained_in:.1f}s later; kills: worker {celery.kills}, relay {loop.kills}; "
        f"receiver: {stats}"
    )
