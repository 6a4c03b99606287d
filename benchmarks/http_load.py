"""HTTP load on `hotline serve`: intake throughput and whole-cycle throughput, closed loop.

    # start a server of its own (SQLite, the embedded default: one waitress process)
    .venv/bin/python benchmarks/http_load.py --start
    # the same on PostgreSQL (a throwaway database, dropped at the end), gunicorn, 2 workers
    .venv/bin/python benchmarks/http_load.py --start --postgres --workers 2
    # or target a running server with the demo users (`hotline seed --demo`)
    .venv/bin/python benchmarks/http_load.py --base http://127.0.0.1:8000

CLIENTS threads, back to back with no think time, for SECONDS per phase:
  create  POST /api/v1/tickets (agent)
  cycle   intake → dispatch (dispatcher) → sign → reply (the unit) → callback (satisfied):
          five state-changing requests, the Art 13–16 path
Signs in through POST /api/v1/auth/token; stdlib only (threads + http.client, keep-alive).
Prints per phase: creates/s or cycles/s, state-changing requests/s, p50/p95 per request
(overall and per kind), errors. Loopback only; every loop has a deadline and an iteration cap,
every request a timeout. With --start it stops only the server it started.
"""

from __future__ import annotations

import sys

# benchmarks/calendar.py would shadow the standard library's calendar (http.client needs it)
if sys.path and sys.path[0] == __import__("os").path.dirname(__file__):
    sys.path.pop(0)

import argparse
import http.client
import ipaddress
import itertools
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

MAX_ITER = 1_000_000
HOTLINE = Path(sys.executable).with_name("hotline")
SEED_USERS = """
from django.core.management import call_command
call_command("seed", verbosity=0)
from hotline.orgs.choices import OrgKind, RoleCode as R
from hotline.orgs.services import organisation_upsert as org, user_upsert as user
gov = org(code="gov", name="市政府办公室", kind=OrgKind.OVERSIGHT)
city = org(code="city", name="市热线中心", kind=OrgKind.CENTER, parent=gov)
org(code="411702", name="驿城区", kind=OrgKind.COUNTY, parent=city)
housing = org(code="housing", name="市住房和城乡建设局", kind=OrgKind.UNIT, parent=city)
for name, roles in (("agent", [R.AGENT]), ("dispatcher", [R.DISPATCHER]),
                    ("callback", [R.CALLBACK])):
    user(username=name, organisation=city, roles=roles, password=PASSWORD)
user(username="org.housing", organisation=housing, roles=[R.UNIT_HANDLER], password=PASSWORD)
"""
TEXT = (
    "我是驿城区解放路小区的住户，小区{i}号楼下的污水管道破裂已经三天，污水外溢到人行道上，"
    "气味很大，老人孩子出行很不方便。物业说要等社区协调，社区说要找住建部门，一直没有人来处理。"
    "希望有关部门尽快派人现场查看，维修管道并清理路面，同时告知处理时间。联系电话可以打给我。"
)

REPLY = "已现场核查并处理完毕，已电话告知诉求人。"


def loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing non-loopback target {host}")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


class Api:
    """One keep-alive connection per client thread."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, payload
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def sign_in(base: str, username: str, password: str) -> str:
    status, payload = Api(base).call(
        "POST", "/api/v1/auth/token", {"username": username, "password": password}
    )
    if status != 200:
        raise SystemExit(f"sign-in of {username} failed: {status} {payload[:200]!r}")
    return json.loads(payload)["token"]


def run_phase(base: str, phase: str, clients: int, seconds: float, unit: str, tokens: dict):
    numbers = itertools.count(1 + secrets.randbelow(10**6) * 1000)
    lock = threading.Lock()
    per_kind: dict[str, list[float]] = defaultdict(list)
    ops: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def step(api: Api, kind: str, path: str, body, user: str, expect: int):
        started = time.perf_counter()
        status, payload = api.call("POST", path, body, tokens[user])
        took = (time.perf_counter() - started) * 1000
        if status != expect:
            raise RuntimeError(f"{kind} {status} {payload[:200]!r}")
        with lock:
            per_kind[kind].append(took)
        return json.loads(payload)

    def client() -> None:
        api = Api(base)
        for _ in range(MAX_ITER):
            if time.perf_counter() >= deadline:
                break
            i = next(numbers)
            started = time.perf_counter()
            try:
                ticket = step(
                    api,
                    "create",
                    "/api/v1/tickets",
                    {
                        "channel": "phone",
                        "appeal_type": "complaint",
                        "content": TEXT.format(i=i),
                        "citizen": {
                            "name": f"压测{i}",
                            "phone": f"139{i % 10**8:08d}",
                            "confidential": False,
                        },
                        "location": {"county": "411702", "address": "驿城区解放路与中华路交叉口"},
                        "major_incident": False,
                        "special_seat": None,
                    },
                    "agent",
                    201,
                )
                if phase == "cycle":
                    number = ticket["number"]
                    ticket = step(
                        api,
                        "dispatch",
                        f"/api/v1/tickets/{number}/dispatch",
                        {"lead": unit, "assists": [], "coordinated": False, "note": ""},
                        "dispatcher",
                        200,
                    )
                    aid = next(
                        a["id"]
                        for a in ticket["assignments"]
                        if (a["org"] if isinstance(a["org"], str) else a["org"]["code"]) == unit
                    )
                    step(api, "sign", f"/api/v1/assignments/{aid}/sign", {}, f"org.{unit}", 200)
                    step(
                        api,
                        "reply",
                        f"/api/v1/assignments/{aid}/reply",
                        {
                            "content": "已现场核查并处理完毕，已电话告知诉求人。",
                            "citizen_contacted": True,
                        },
                        f"org.{unit}",
                        200,
                    )
                    step(
                        api,
                        "callback",
                        f"/api/v1/tickets/{number}/callback",
                        {"outcome": "satisfied", "resolved": True},
                        "callback",
                        200,
                    )
            except (RuntimeError, OSError, http.client.HTTPException, ValueError) as exc:
                with lock:
                    errors.append(str(exc))
                time.sleep(0.05)
                continue
            with lock:
                ops.append((time.perf_counter() - started) * 1000)
        api.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    took = time.perf_counter() - started
    every = [ms for values in per_kind.values() for ms in values]
    result = {
        "phase": phase,
        "seconds": round(took, 1),
        "ops": len(ops),
        ("creates_per_s" if phase == "create" else "cycles_per_s"): round(len(ops) / took, 1),
        "state_changing_per_s": round(len(every) / took, 1),
        "p50_ms": round(pct(every, 50)),
        "p95_ms": round(pct(every, 95)),
        "errors": len(errors),
    }
    kinds = " ".join(
        f"{kind}={pct(values, 50):.0f}/{pct(values, 95):.0f}" for kind, values in per_kind.items()
    )
    line = " ".join(f"{key}={value}" for key, value in result.items())
    print(f"{line}  p50/p95 ms per request: {kinds}", flush=True)
    for sample in errors[:5]:
        print("  error sample:", sample[:300], file=sys.stderr)
    return result


# -- a server of our own -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


class OwnServer:
    def __init__(self, args) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="hl-http-load-"))
        self.database = None
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HOTLINE_", "DJANGO_")) and k not in {"REDIS_URL", "DATABASE_URL"}
        }
        self.env.update(
            HOTLINE_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(40),
            HOTLINE_SECURE_COOKIES="0",
            HOTLINE_DATA_DIR=str(self.data),
            HOTLINE_ACCESS_LOG="",  # the request log would cost the server time
            HOTLINE_LOG_LEVEL="WARNING",
        )
        if args.postgres:
            self.database = f"hl_http_load_{secrets.token_hex(3)}"
            self.server_url = args.pg_server.rstrip("/")
            admin(f"{self.server_url}/postgres", f'CREATE DATABASE "{self.database}"')
            self.env["DATABASE_URL"] = f"{self.server_url}/{self.database}"
        self.port = free_port()
        self.process = None
        try:
            self.start(args)
        except BaseException:
            self.stop()
            raise

    def start(self, args) -> None:
        self.password = secrets.token_urlsafe(12)
        code = f"PASSWORD = {self.password!r}\n" + SEED_USERS
        for command in (["migrate"], ["shell", "-c", code]):
            done = subprocess.run(
                [str(HOTLINE), *command], env=self.env, capture_output=True, text=True, timeout=300
            )
            if done.returncode != 0:
                raise SystemExit(f"hotline {command[0]} failed:\n{done.stderr[-2000:]}")
        serve = [str(HOTLINE), "serve", "--port", str(self.port)]
        if args.workers:
            serve += ["--workers", str(args.workers)]
        if args.threads:
            serve += ["--threads", str(args.threads)]
        self.log = open(self.data / "serve.log", "w")  # noqa: SIM115 — open while it runs
        self.process = subprocess.Popen(
            serve, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit((self.data / "serve.log").read_text())
            try:
                if Api(self.base).call("GET", "/api/v1/openapi.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("server not ready in 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.database:
            admin(
                f"{self.server_url}/postgres",
                f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", help="a running server (default: start one, see --start)")
    ap.add_argument("--start", action="store_true", help="start `hotline serve` of its own")
    ap.add_argument("--postgres", action="store_true", help="with --start: on PostgreSQL")
    ap.add_argument(
        "--pg-server", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    ap.add_argument("--workers", type=int, default=None, help="with --start: serve --workers")
    ap.add_argument("--threads", type=int, default=None, help="with --start: serve --threads")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--unit", default="housing")
    ap.add_argument("--password", default="Demo#12345", help="of the demo users (with --base)")
    ap.add_argument("--phases", default="create,cycle")
    args = ap.parse_args()
    if not args.base and not args.start:
        args.start = True
    server = OwnServer(args) if args.start else None
    try:
        base = server.base if server else args.base.rstrip("/")
        loopback(base)
        password = server.password if server else args.password
        users = ("agent", "dispatcher", "callback", f"org.{args.unit}")
        tokens = {user: sign_in(base, user, password) for user in users}
        if args.warmup:
            run_phase(base, "cycle", 2, args.warmup, args.unit, tokens)
        print(
            f"# target={base} clients={args.clients} seconds={args.seconds} "
            f"database={'postgresql' if args.postgres or not server else 'sqlite'} "
            f"workers={args.workers or 'default'} cores={os.cpu_count()}",
            flush=True,
        )
        for phase in args.phases.split(","):
            run_phase(base, phase, args.clients, args.seconds, args.unit, tokens)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
