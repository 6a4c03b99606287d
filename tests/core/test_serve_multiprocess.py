"""Two `hotline serve` instances (gunicorn, two workers each) on one PostgreSQL database behind
one load: nothing is lost or doubled, contested transitions get one success and one 409, and
exactly one process of the four runs the in-process timers (the advisory-lock lead), which
another takes over when it dies (issue 14, Deliver 4).

Real processes on loopback with random free ports, a throwaway database of their own
(``hotline_mp_<random>``, dropped at the end); every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlunsplit

import pytest
from django.db import connection, connections

from hotline.core.timers import TIMER_LEAD_LOCK_KEY

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="several server processes need PostgreSQL"
    ),
    # only a test that asks for the database makes pytest-django create the test database,
    # which the servers' database is copied from
    pytest.mark.django_db,
]

HOTLINE = Path(sys.executable).with_name("hotline")
PASSWORD = "Mp#12345-load"
TIMER_INTERVAL = 1
LEAD_RETRY = 0.5
SEED = f"""
from django.core.management import call_command
call_command("seed", verbosity=0)
from hotline.orgs.choices import OrgKind, RoleCode as R
from hotline.orgs.services import organisation_upsert as org, user_upsert as user
gov = org(code="gov", name="市政府办公室", kind=OrgKind.OVERSIGHT)
city = org(code="city", name="市热线中心", kind=OrgKind.CENTER, parent=gov)
org(code="411702", name="驿城区", kind=OrgKind.COUNTY, parent=city)
units = [org(code=c, name=c, kind=OrgKind.UNIT, parent=city) for c in ("u1", "u2")]
for name, roles in (("agent", [R.AGENT]), ("dispatcher", [R.DISPATCHER]),
                    ("callback", [R.CALLBACK])):
    user(username=name, organisation=city, roles=roles, password="{PASSWORD}")
for unit in units:
    user(username="org." + unit.code, organisation=unit, roles=[R.UNIT_HANDLER],
         password="{PASSWORD}")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin_url(database: str) -> str:
    """The server of the test database, database ``database``."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    auth = f"{user}:{settings['PASSWORD']}@" if settings["PASSWORD"] else f"{user}@"
    host = settings["HOST"] or "127.0.0.1"
    return urlunsplit(("postgres", f"{auth}{host}:{settings['PORT'] or 5432}", database, "", ""))


def psql(url: str, sql: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def database(django_db_setup, django_db_blocker):
    """A database of its own: a copy of the migrated test database when nobody else uses that
    one (seconds), otherwise an empty one that the servers' `migrate` fills."""
    import psycopg

    name = f"hotline_mp_{secrets.token_hex(4)}"
    maintenance = admin_url("postgres")
    template = connection.settings_dict["NAME"]
    assert template.startswith("test_"), template  # never a copy of a real database
    with django_db_blocker.unblock():
        connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template unused
    try:
        psql(maintenance, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        migrated = True
    except psycopg.errors.ObjectInUse:
        psql(maintenance, f'CREATE DATABASE "{name}"')
        migrated = False
    try:
        yield admin_url(name), migrated
    finally:
        psql(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def environment(database, tmp_path_factory):
    url, migrated = database
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOTLINE_", "DJANGO_"))
        and key not in {"REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"}
    }
    env.update(
        HOTLINE_ENV="test",
        HOTLINE_DATA_DIR=str(tmp_path_factory.mktemp("mp-data")),
        DATABASE_URL=url,
        HOTLINE_TIMER_INTERVAL_SECONDS=str(TIMER_INTERVAL),
        HOTLINE_TIMER_LEAD_RETRY_SECONDS=str(LEAD_RETRY),
        HOTLINE_LOG_LEVEL="INFO",
    )
    for args in ([] if migrated else [["migrate"]]) + [["shell", "-c", SEED]]:
        done = subprocess.run(  # noqa: S603 — our own command
            [str(HOTLINE), *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    return env


class Server:
    def __init__(self, env: dict[str, str], log_dir: Path, name: str) -> None:
        self.port = free_port()
        self.log = log_dir / f"{name}.err"
        with open(log_dir / f"{name}.out", "w") as out, open(self.log, "w") as err:
            self.process = subprocess.Popen(  # noqa: S603 — our own command
                [str(HOTLINE), "serve", "--port", str(self.port), "--workers", "2"],
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own group: the master and its workers
            )

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            with contextlib.suppress(OSError):
                status, _ = call(self.port, "GET", "/api/v1/orgs", token=None)
                if status in {200, 401}:
                    return
            time.sleep(0.2)
        raise AssertionError(f"server on {self.port} not ready:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # TERM to the master: graceful

    def wait_stopped(self) -> None:
        if self.process.returncode is None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def call(port: int, method: str, path: str, body=None, *, token: str | None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, (json.loads(payload) if payload else None)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def servers(environment, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("mp-logs")
    pair = [Server(environment, log_dir, name) for name in ("a", "b")]
    try:
        deadline = time.monotonic() + 40
        for server in pair:
            server.wait_ready(deadline)
        yield pair
    finally:
        for server in pair:
            server.stop()
        for server in pair:
            server.wait_stopped()


def lead_lines(servers) -> list[str]:
    return [
        line
        for server in servers
        for line in server.log.read_text().splitlines()
        if "timer lead taken by process" in line
    ]


def lead_holders(url: str) -> int:
    (count,) = psql(
        url,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND classid = %s AND objid = %s AND objsubid = 1",
        TIMER_LEAD_LOCK_KEY >> 32,
        TIMER_LEAD_LOCK_KEY & 0xFFFFFFFF,
    )[0]
    return count


def test_two_servers_lose_nothing_double_nothing_and_run_the_timers_once(servers, environment):
    database = environment["DATABASE_URL"]
    a, b = servers
    (tickets_before,) = psql(database, "SELECT count(*) FROM tickets_ticket")[0]
    (runs_before,) = psql(database, "SELECT coalesce(max(id), 0) FROM core_timerrun")[0]
    ports = [a.port, b.port]
    tokens = {}
    for username in ("agent", "dispatcher", "callback", "org.u1", "org.u2"):
        status, body = call(
            a.port,
            "POST",
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            token=None,
        )
        assert status == 200, body
        tokens[username] = body["token"]
    sequence = iter(range(1, 1_000_000))
    sequence_lock = threading.Lock()

    def post(port, user, path, body=None):
        return call(port, "POST", f"/api/v1{path}", body or {}, token=tokens[user])

    def intake(port: int) -> str:
        with sequence_lock:
            i = next(sequence)
        status, ticket = post(
            port,
            "agent",
            "/tickets",
            {
                "channel": "phone",
                "appeal_type": "complaint",
                "content": f"第{i}号诉求：小区{i}号楼下水管道破裂，污水外溢已三天，请尽快处理。",
                "citizen": {"name": f"群众{i}", "phone": f"1390000{i:04d}", "confidential": False},
                "location": {"county": "411702", "address": f"解放路{i}号"},
                "major_incident": False,
                "special_seat": None,
            },
        )
        assert status == 201, ticket
        return ticket["number"]

    def finish(number: str, unit: str, aid, first: int) -> None:
        status, body = post(
            ports[first],
            f"org.{unit}",
            f"/assignments/{aid}/reply",
            {"content": "已现场处理并告知诉求人。", "citizen_contacted": True},
        )
        assert status == 200, body
        status, body = post(
            ports[1 - first],
            "callback",
            f"/tickets/{number}/callback",
            {"outcome": "satisfied", "resolved": True},
        )
        assert status == 200, body

    def full_cycle(k: int) -> str:
        """Each step through the other server than the last one."""
        unit = ("u1", "u2")[k % 2]
        number = intake(ports[k % 2])
        status, ticket = post(
            ports[(k + 1) % 2],
            "dispatcher",
            f"/tickets/{number}/dispatch",
            {"lead": unit, "assists": [], "coordinated": False, "note": ""},
        )
        assert status == 200, ticket
        (aid,) = [x["id"] for x in ticket["assignments"]]
        status, body = post(ports[k % 2], f"org.{unit}", f"/assignments/{aid}/sign")
        assert status == 200, body
        finish(number, unit, aid, (k + 1) % 2)
        return number

    def contested(k: int) -> tuple[str, list[int], list[int]]:
        """The same dispatch, then the same sign, by two clients at once through the two
        servers."""
        unit = ("u1", "u2")[k % 2]
        number = intake(ports[k % 2])
        barrier = threading.Barrier(2)

        def race(port, user, path, body=None):
            barrier.wait(timeout=20)
            return post(port, user, path, body)

        with ThreadPoolExecutor(2) as pool:
            dispatched = list(
                pool.map(
                    lambda port: race(
                        port,
                        "dispatcher",
                        f"/tickets/{number}/dispatch",
                        {"lead": unit, "assists": [], "coordinated": False, "note": ""},
                    ),
                    ports,
                )
            )
        winners = [body for status, body in dispatched if status == 200]
        assert len(winners) == 1, dispatched
        (aid,) = [x["id"] for x in winners[0]["assignments"]]
        barrier.reset()
        with ThreadPoolExecutor(2) as pool:
            signed = list(
                pool.map(lambda port: race(port, f"org.{unit}", f"/assignments/{aid}/sign"), ports)
            )
        finish(number, unit, aid, k % 2)
        return number, [s for s, _ in dispatched], [s for s, _ in signed]

    # when 8 clients run whole cycles and contested ones against both servers at once
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        plain = pool.map(full_cycle, range(24))
        races = pool.map(contested, range(8))
        plain, races = list(plain), list(races)
    assert time.monotonic() - started < 30

    # then every contested transition had one success and one 409
    for _number, dispatch_codes, sign_codes in races:
        assert sorted(dispatch_codes) == [200, 409], dispatch_codes
        assert sorted(sign_codes) == [200, 409], sign_codes
    # and every ticket is closed with one assignment and the same events, in order, once each
    numbers = plain + [number for number, _, _ in races]
    assert len(set(numbers)) == len(numbers) == 32
    histories = []
    for i, number in enumerate(numbers):
        status, ticket = call(
            ports[i % 2], "GET", f"/api/v1/tickets/{number}", token=tokens["dispatcher"]
        )
        assert status == 200, ticket
        assert ticket["status"] == "closed", ticket
        assert len(ticket["assignments"]) == 1, ticket["assignments"]
        times = [event["at"] for event in ticket["events"]]
        assert times == sorted(times), ticket["events"]
        histories.append(tuple(event["type"] for event in ticket["events"]))
    assert len(set(histories)) == 1, Counter(histories)
    (history,) = set(histories)
    assert len(history) == len(set(history)), history  # no transition recorded twice
    (total,) = psql(database, "SELECT count(*) FROM tickets_ticket")[0]
    assert total - tickets_before == 32

    # and exactly one of the four worker processes leads the timers, which ran one at a time
    assert len(lead_lines(servers)) == 1, lead_lines(servers)
    assert lead_holders(database) == 1
    # (a sweep is recorded when it ends, and the first one loads the text models: wait for it)
    deadline = time.monotonic() + 60
    while True:
        runs = psql(
            database,
            "SELECT started_at, finished_at FROM core_timerrun"
            " WHERE trigger = 'in-process' AND id > %s ORDER BY started_at",
            runs_before,
        )
        if runs or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert runs, "the leader ran no sweep"
    for (_, finished), (next_start, _) in itertools.pairwise(runs):
        assert finished is not None and finished <= next_start, runs

    # when the leading worker dies, another process takes the lead over within seconds
    (line,) = lead_lines(servers)
    leader = int(re.search(r"taken by process (\d+)", line).group(1))
    os.kill(leader, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while len(lead_lines(servers)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = lead_lines(servers)
    assert len(lines) == 2, lines
    assert str(leader) not in lines[1]
    assert lead_holders(database) == 1
