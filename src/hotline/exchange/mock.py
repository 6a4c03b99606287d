"""The reference receiver (API.md «Reference receiver»): ``hotline exchange mock-province``.

A small real HTTP server (stdlib ``ThreadingHTTPServer``) that plays the provincial platform
— or any partner — for tests and the demo:

* ``POST /`` (any path but the ones below) accepts a push: it verifies the signature
  (``hotline.exchange.signing``; 401 if wrong), then — unless told to fail — stores the body
  once per message id (a re-sent message is acknowledged again but not stored twice) and
  answers ``200 {"ok": true, "duplicate": …}``.
* ``GET /messages`` returns the JSON list of the stored bodies, in the order they first
  arrived; ``GET /stats`` the counters (received, stored, duplicates, rejected, failed);
  ``GET /arrivals`` when each message id first arrived (Unix time, for lag measurements).
* It can be told to misbehave: ``--fail-rate 0.1`` answers 503 to that share of pushes
  (without storing them), ``--stall-ms 200`` waits that long before answering; or at run
  time ``POST /control {"fail_rate": 0.1, "stall_ms": 200}``. ``POST /reset`` forgets all.
* ``--store FILE`` also appends every stored body to FILE as JSON Lines and reloads them
  when it starts, so a restarted receiver still de-duplicates.

No Django import: it runs in its own process and serves while the platform is down.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hotline.exchange import signing

MAX_BODY = 5 * 1024 * 1024


class Store:
    """What the receiver holds, shared by the handler threads."""

    def __init__(
        self,
        *,
        secret: str,
        fail_rate: float = 0.0,
        stall_ms: int = 0,
        path: Path | None = None,
        window: int = signing.DEFAULT_WINDOW_SECONDS,
        seed: int | None = None,
    ) -> None:
        self.secret = secret
        self.fail_rate = fail_rate
        self.stall_ms = stall_ms
        self.window = window
        self.path = path
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.messages: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.arrivals: dict[str, float] = {}  # message id -> Unix time first stored
        self.counters = {"received": 0, "stored": 0, "duplicates": 0, "rejected": 0, "failed": 0}
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    body = json.loads(line)
                    self.messages.append(body)
                    self.ids.add(str(body.get("id")))

    def control(self, fail_rate: float | None = None, stall_ms: int | None = None) -> dict:
        with self.lock:
            if fail_rate is not None:
                self.fail_rate = max(0.0, min(1.0, float(fail_rate)))
            if stall_ms is not None:
                self.stall_ms = max(0, int(stall_ms))
            return {"fail_rate": self.fail_rate, "stall_ms": self.stall_ms}

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.ids.clear()
            self.arrivals.clear()
            for key in self.counters:
                self.counters[key] = 0
            if self.path is not None:
                self.path.write_text("", encoding="utf-8")

    def should_fail(self) -> bool:
        with self.lock:
            return self.fail_rate > 0 and self.random.random() < self.fail_rate

    def add(self, message_id: str, body: dict[str, Any]) -> bool:
        """Store a body once per message id; False for a duplicate."""
        with self.lock:
            self.counters["received"] += 1
            if message_id in self.ids:
                self.counters["duplicates"] += 1
                return False
            self.ids.add(message_id)
            self.arrivals[message_id] = time.time()
            self.messages.append(body)
            self.counters["stored"] += 1
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(body, ensure_ascii=False) + "\n")
            return True

    def count(self, key: str) -> None:
        with self.lock:
            self.counters[key] += 1

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {**self.counters, "fail_rate": self.fail_rate, "stall_ms": self.stall_ms}


class Handler(BaseHTTPRequestHandler):
    server_version = "hotline-mock-province/1"
    protocol_version = "HTTP/1.1"  # keep-alive: a relay reuses its connection
    # headers and body go out in two writes; without this, Nagle and the client's delayed
    # ACK hold every answer on a kept-alive connection for ~40 ms
    disable_nagle_algorithm = True
    store: Store  # set on the subclass made by ``make_server``
    quiet = True

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        self._reply(status, {"error": {"code": code, "message": message}})

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # the unread body would garble the next request
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", "body too large")
            return None
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/messages":
            self._reply(HTTPStatus.OK, self.store.snapshot())
        elif path == "/stats":
            self._reply(HTTPStatus.OK, self.store.stats())
        elif path == "/arrivals":
            with self.store.lock:
                arrivals = dict(self.store.arrivals)
            self._reply(HTTPStatus.OK, arrivals)
        elif path in ("", "/health"):
            self._reply(HTTPStatus.OK, {"ok": True})
        else:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such path")

    def do_POST(self) -> None:
        raw = self._body()
        if raw is None:
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/control":
            try:
                wanted = json.loads(raw or b"{}")
                self._reply(
                    HTTPStatus.OK,
                    self.store.control(wanted.get("fail_rate"), wanted.get("stall_ms")),
                )
            except (ValueError, TypeError, AttributeError):
                self._error(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "bad control body")
            return
        if path == "/reset":
            self.store.reset()
            self._reply(HTTPStatus.OK, {"ok": True})
            return
        self._push(raw)

    def _push(self, raw: bytes) -> None:
        store = self.store
        try:
            signed = signing.verify(self.headers, raw, secret=store.secret, window=store.window)
        except signing.SignatureError as exc:
            store.count("rejected")
            self._error(HTTPStatus.UNAUTHORIZED, exc.code, exc.message)
            return
        try:
            body = json.loads(raw)
        except ValueError:
            store.count("rejected")
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "body is not JSON")
            return
        if not isinstance(body, dict) or str(body.get("id")) != signed.message_id:
            store.count("rejected")
            self._error(
                HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "body id differs from header"
            )
            return
        if store.stall_ms:
            time.sleep(store.stall_ms / 1000)
        if store.should_fail():
            store.count("failed")
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "injected_failure", "told to fail")
            return
        stored = store.add(signed.message_id, body)
        self._reply(HTTPStatus.OK, {"ok": True, "duplicate": not stored})


def make_server(host: str, port: int, store: Store, *, quiet: bool = True) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"store": store, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


class MockProvince:
    """The receiver in a background thread (tests): ``with MockProvince(secret=…) as mock:``."""

    def __init__(self, *, secret: str, host: str = "127.0.0.1", port: int = 0, **options) -> None:
        self.store = Store(secret=secret, **options)
        self.server = make_server(host, port, self.store)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> MockProvince:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        with contextlib.suppress(Exception):
            self.server.server_close()

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.store.snapshot()
