"""The relay: delivers the outbox to the province and results back to partners (Art 21).

One function, ``relay_once(*, now, limit)``, does one sweep; the in-process thread of
``hotline serve``, the Celery task of ``hotline worker``, ``hotline exchange relay`` and the
tests all call it.

Guarantees (docs/exchange.md):

* **Nothing is lost.** A message is marked sent only after the receiver answered 2xx; until
  then it stays pending and is retried with exponential backoff (policy values
  ``art21_push_*``). After ``art21_push_max_attempts`` failures it becomes a dead letter,
  which an administrator re-drives from the back-office.
* **Per-ticket order.** Only the head of a ticket's queue (no earlier message of that ticket
  unsent) is ever claimed, and the next one is sent only after the head's 2xx; a dead
  message therefore blocks its ticket's later messages until it is re-driven.
* **At least once, de-duplicated by id.** The message id (the outbox row's UUID) is stable
  across retries and the body is byte-identical, so a receiver that de-duplicates by id
  applies each message exactly once.
* **Several relays.** On PostgreSQL a sweep claims its heads (and their next messages) with
  ``SELECT … FOR NO KEY UPDATE SKIP LOCKED`` and keeps the row locks while it sends, in one
  transaction that also records the outcomes: two relays never send the same message at
  once, and a relay killed mid-sweep loses its locks with its connection, so another one
  picks the work up at once (the killed relay's uncommitted "sent" marks roll back:
  at-least-once, never lost). SQLite has no row locks: run one relay there (the thread of
  ``hotline serve``); it sends outside any transaction and records the outcomes in one short
  transaction after the sends.
* **Cheap per message.** A sweep costs a handful of queries whatever it sends (claim,
  followers, tickets, one bulk update, one bulk insert into the attempt log), and pushes go
  over kept-alive HTTP connections.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import random
import socket
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from hotline.core import clock
from hotline.core.policy import policy
from hotline.exchange import conf, signing
from hotline.exchange.choices import StreamState
from hotline.exchange.models import DeliveryAttempt, InboundTicket, Partner
from hotline.exchange.services import partner_endpoint, partner_secret, province
from hotline.tickets.models import OutboxMessage, Ticket

logger = logging.getLogger(__name__)

SCHEMA = "hotline.exchange.v1"
CHAIN = 20  # after a head's 2xx, follow on with that ticket's next messages, at most this many
BUDGET_SECONDS = 5.0  # a sweep stops claiming new work after this long (bounds a transaction)
PENDING, SENT, DEAD = (
    OutboxMessage.State.PENDING,
    OutboxMessage.State.SENT,
    OutboxMessage.State.DEAD,
)


def relay_now() -> datetime:
    """Real time, or the simulation clock when it runs ahead of it (a message stamped at a
    simulated "now" is due when either clock reaches it)."""
    real = clock.real_now()
    if settings.SIMULATION:
        return max(real, clock.now())
    return real


def locking() -> bool:
    return bool(connection.features.has_select_for_update_skip_locked)


# -- the message -------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat()


def _intake_detail(ticket: Ticket) -> dict[str, Any]:
    """What the province needs to hold the ticket itself (sent with the ``intake`` message).
    The citizen's contact goes to the province like every 12345 record, except on a
    confidential ticket (Art 15(4)), where it stays in the city. Only fields that never
    change after intake, so a retried body is byte-identical."""
    return {
        "content": ticket.content,
        "category": ticket.category.code if ticket.category_id else None,
        "county": ticket.county.code,
        "county_name": ticket.county.short_name or ticket.county.name,
        "address": ticket.address,
        "occurred_at": _iso(ticket.occurred_at),
        "received_at": _iso(ticket.received_at),
        "major_incident": ticket.major_incident,
        "special_seat": ticket.special_seat or None,
        "citizen": {
            "name": None if ticket.confidential else ticket.citizen_name,
            "phone": None if ticket.confidential else ticket.citizen_phone,
            "confidential": ticket.confidential,
        },
    }


def message_body(message: OutboxMessage, ticket: Ticket) -> bytes:
    """The JSON body of one message (schema in docs/exchange.md), identical on every retry."""
    inbound = getattr(ticket, "inbound", None)  # the partner that sent it, if any
    body: dict[str, Any] = {
        "schema": SCHEMA,
        "id": str(message.id),
        "source": conf.self_id(),
        "ticket": ticket.number,
        "channel": ticket.channel,
        "external_id": inbound.external_id if inbound is not None else ticket.external_id,
        "partner": inbound.partner.code if inbound is not None else None,
        "seq": message.seq,
        "type": message.type,
        "at": _iso(message.created_at),
        "payload": message.payload,
    }
    if message.type == "intake":
        body["detail"] = _intake_detail(ticket)
    return json.dumps(
        body, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


# -- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str
    duration_ms: int


_connections = threading.local()  # keep-alive connections of this thread, by origin
MAX_ANSWER = 1 << 20


class _NoDelay:
    """http.client writes the headers and the body separately: without TCP_NODELAY, Nagle
    and the receiver's delayed ACK add ~40 ms to every push on a kept-alive connection."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]


class _HTTP(_NoDelay, http.client.HTTPConnection):
    pass


class _HTTPS(_NoDelay, http.client.HTTPSConnection):
    pass


def _connection(parts: SplitResult, timeout: float, *, fresh: bool) -> http.client.HTTPConnection:
    pool: dict[tuple, http.client.HTTPConnection] = getattr(_connections, "pool", None) or {}
    _connections.pool = pool
    key = (parts.scheme, parts.hostname, parts.port)
    conn = pool.get(key)
    if conn is not None and fresh:
        conn.close()
        conn = None
    if conn is None:
        factory = _HTTPS if parts.scheme == "https" else _HTTP
        conn = factory(parts.hostname or "", parts.port, timeout=timeout)
        pool[key] = conn
    conn.timeout = timeout
    if conn.sock is not None:
        conn.sock.settimeout(timeout)
    return conn


def post(url: str, *, secret: str, message_id: str, body: bytes, timeout: float) -> Outcome:
    """POST one signed message over a kept-alive connection; ok only on a 2xx answer.
    Redirects are not followed (a push is never re-sent elsewhere)."""
    parts = urlsplit(url)
    started = time.monotonic()
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(False, None, f"unsupported push address: {url}"[:300], 0)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = signing.sign_headers(
        secret=secret, partner=conf.self_id(), message_id=message_id, body=body
    )
    headers["Content-Type"] = "application/json; charset=utf-8"
    headers["User-Agent"] = "hotline-relay/1"
    status: int | None = None
    error = ""
    for retry in (False, True):
        conn = _connection(parts, timeout, fresh=retry)
        reused = conn.sock is not None
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            status = response.status
            answer = response.read(MAX_ANSWER)
            if response.will_close or not response.isclosed():
                conn.close()
            if not 200 <= status < 300:
                error = f"HTTP {status}: " + answer[:200].decode("utf-8", "replace")
            break
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
            conn.close()
            if reused and not retry:
                continue  # the receiver closed an idle kept-alive connection: reconnect once
            error = f"{type(exc).__name__}: {exc}"
            break
        except Exception as exc:  # timeouts, refused connections: all retried later
            conn.close()
            error = f"{type(exc).__name__}: {exc}"
            break
    duration = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    return Outcome(ok=ok, status=status, error=error[:300], duration_ms=duration)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with a little jitter so relays do not retry in lockstep."""
    base = float(policy("art21_push_backoff_seconds"))
    cap = float(policy("art21_push_backoff_max_seconds"))
    delay = min(cap, base * (2 ** max(attempts - 1, 0)))
    return timedelta(seconds=delay * (1 + random.random() * 0.2))


@dataclass
class Target:
    partner: Partner
    url: str
    secret: str


class _Sweep:
    """One sweep's bookkeeping: its clock (``now`` plus the time spent), its budget, and the
    outcomes to record."""

    def __init__(self, now: datetime, budget: float) -> None:
        self.now = now
        self.started = time.monotonic()
        self.budget = budget
        self.summary: Counter[str] = Counter()
        self.timeout = float(policy("art21_push_timeout_seconds"))
        self.max_attempts = int(policy("art21_push_max_attempts"))
        self.outcomes: list[OutboxMessage] = []
        self.log: list[DeliveryAttempt] = []

    def at(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self.started)

    def over(self) -> bool:
        return time.monotonic() - self.started > self.budget

    def attempt(self, target: Target, message: OutboxMessage, outcome: Outcome, at) -> None:
        self.log.append(
            DeliveryAttempt(
                partner=target.partner,
                message_id=message.pk,
                at=at,
                ok=outcome.ok,
                status_code=outcome.status,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                lag_ms=(
                    int((at - message.created_at).total_seconds() * 1000) if outcome.ok else None
                ),
            )
        )


# -- the province: every message, state kept on the outbox row ---------------------------------


def _due_heads(now: datetime):
    earlier_unsent = OutboxMessage.objects.filter(
        ticket_id=OuterRef("ticket_id"), seq__lt=OuterRef("seq")
    ).exclude(state=SENT)
    return (
        OutboxMessage.objects.filter(state=PENDING, next_attempt_at__lte=now)
        .filter(~Exists(earlier_unsent))
        .order_by("next_attempt_at", "seq")
    )


def _tickets(ids: set[int]) -> dict[int, Ticket]:
    qs = Ticket.objects.filter(pk__in=ids).select_related(
        "county", "category", "inbound", "inbound__partner"
    )
    return {t.pk: t for t in qs}


def _followers(heads: list[OutboxMessage], lock: bool) -> dict[int, list[OutboxMessage]]:
    """The next messages of the heads' tickets (at most CHAIN each). Nobody else can claim
    them — their head is unsent and ours — so locking them too costs no contention."""
    window = Q()
    for head in heads:
        window |= Q(ticket_id=head.ticket_id, seq__gt=head.seq, seq__lt=head.seq + CHAIN)
    qs = OutboxMessage.objects.filter(window, state=PENDING).order_by("ticket_id", "seq")
    if lock:
        qs = qs.select_for_update(skip_locked=True, no_key=True, of=("self",))
    chains: dict[int, list[OutboxMessage]] = defaultdict(list)
    for message in qs:
        chains[message.ticket_id].append(message)
    return chains


def _send_outbox(sweep: _Sweep, target: Target, message: OutboxMessage, ticket: Ticket) -> bool:
    """Send one message and note the outcome on the row (written at the end of the sweep)."""
    outcome = post(
        target.url,
        secret=target.secret,
        message_id=str(message.pk),
        body=message_body(message, ticket),
        timeout=sweep.timeout,
    )
    at = sweep.at()
    if outcome.ok:
        message.state = SENT
        sweep.summary["sent"] += 1
    else:
        message.attempts += 1
        dead = message.attempts >= sweep.max_attempts
        message.state = DEAD if dead else PENDING
        message.next_attempt_at = at + backoff(message.attempts)
        message.last_error = outcome.error
        sweep.summary["dead" if dead else "failed"] += 1
        if dead:
            logger.error(
                "push %s to %s is a dead letter: %s", message.pk, target.partner.code, outcome.error
            )
    sweep.outcomes.append(message)
    sweep.attempt(target, message, outcome, at)
    return outcome.ok


def _record(sweep: _Sweep) -> None:
    """Write the sweep's outcomes: on PostgreSQL inside the claiming transaction (so they
    commit with it or, if the relay dies, roll back with it: the messages are re-sent), on
    SQLite in one short transaction after the sends."""
    if not sweep.outcomes and not sweep.log:
        return
    sent = [m.pk for m in sweep.outcomes if m.state == SENT]
    failed = [m for m in sweep.outcomes if m.state != SENT]
    with transaction.atomic(savepoint=False):
        if sent:
            # one plain UPDATE: sent_at is when the sweep recorded them (each message's own
            # acknowledgement time and lag are in the attempt log)
            OutboxMessage.objects.filter(pk__in=sent).update(
                state=SENT, sent_at=sweep.at(), attempts=F("attempts") + 1, last_error=""
            )
        if failed:
            OutboxMessage.objects.bulk_update(
                failed, ["state", "attempts", "next_attempt_at", "last_error"]
            )
        DeliveryAttempt.objects.bulk_create(sweep.log)
    sweep.outcomes, sweep.log = [], []


def _province_sweep(sweep: _Sweep, target: Target, limit: int) -> None:
    lock = locking()
    with transaction.atomic() if lock else contextlib.nullcontext():
        heads_qs = _due_heads(sweep.now)
        if lock:
            # NO KEY UPDATE: our updates never touch keys, so inserts that reference these rows
            # (the attempt log of a partner stream) are not blocked by the claim
            heads_qs = heads_qs.select_for_update(skip_locked=True, no_key=True, of=("self",))
        heads = list(heads_qs[:limit])
        if not heads:
            return
        tickets = _tickets({m.ticket_id for m in heads})
        chains = _followers(heads, lock)
        try:
            for head in heads:
                if sweep.over():
                    break  # still pending and unlocked at commit: the next sweep takes them
                ticket = tickets[head.ticket_id]
                expected = head.seq
                for message in [head, *chains.get(head.ticket_id, ())]:
                    if message.seq != expected or sweep.over():
                        break  # a gap (a message we could not lock) or out of time
                    if not _send_outbox(sweep, target, message, ticket):
                        break  # the rest of this ticket waits for this one
                    expected += 1
        except BaseException:
            if not lock:  # keep what was delivered; with locks it all rolls back (re-sent)
                with contextlib.suppress(Exception):
                    _record(sweep)
            raise
        _record(sweep)


# -- results back to the partner that sent the ticket: a cursor per ticket -------------------------


def _deliver_stream(sweep: _Sweep, target: Target, stream: InboundTicket, ticket: Ticket) -> None:
    messages = list(
        OutboxMessage.objects.filter(
            ticket_id=stream.ticket_id, seq__gt=stream.pushed_seq
        ).order_by("seq")[:CHAIN]
    )
    for message in messages:
        outcome = post(
            target.url,
            secret=target.secret,
            message_id=str(message.pk),
            body=message_body(message, ticket),
            timeout=sweep.timeout,
        )
        at = sweep.at()
        with transaction.atomic(savepoint=False):
            if outcome.ok:
                stream.pushed_seq = message.seq
                stream.attempts = 0
                stream.last_pushed_at = at
                stream.last_error = ""
                stream.next_attempt_at = None
                sweep.summary["sent"] += 1
            else:
                stream.attempts += 1
                stream.last_error = outcome.error
                stream.next_attempt_at = at + backoff(stream.attempts)
                if stream.attempts >= sweep.max_attempts:
                    stream.push_state = StreamState.DEAD
                    sweep.summary["dead"] += 1
                else:
                    sweep.summary["failed"] += 1
            stream.save(
                update_fields=[
                    "pushed_seq",
                    "attempts",
                    "last_pushed_at",
                    "last_error",
                    "next_attempt_at",
                    "push_state",
                ]
            )
            sweep.attempt(target, message, outcome, at)
            _record(sweep)
        if not outcome.ok or sweep.over():
            return


def _partner_sweep(sweep: _Sweep, targets: dict[int, Target], limit: int) -> None:
    lock = locking()
    with transaction.atomic() if lock else contextlib.nullcontext():
        qs = (
            InboundTicket.objects.filter(
                partner_id__in=list(targets),
                push_state=StreamState.ACTIVE,
                ticket__outbox_seq__gt=F("pushed_seq"),
            )
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=sweep.now))
            .order_by("id")
        )
        if lock:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        streams = list(qs[:limit])
        if not streams:
            return
        tickets = _tickets({s.ticket_id for s in streams})
        for stream in streams:
            if sweep.over():
                break
            _deliver_stream(sweep, targets[stream.partner_id], stream, tickets[stream.ticket_id])


# -- one sweep ---------------------------------------------------------------------------------


def _targets() -> tuple[Target | None, dict[int, Target]]:
    main: Target | None = None
    prov = province()
    if prov is not None and prov.active:
        url, secret = partner_endpoint(prov), partner_secret(prov)
        if url and secret:
            main = Target(prov, url, secret)
        elif url:
            logger.error("province endpoint configured without a secret: not pushing")
    others: dict[int, Target] = {}
    for partner in Partner.objects.filter(active=True, receives_all=False).exclude(endpoint_url=""):
        others[partner.pk] = Target(partner, partner_endpoint(partner), partner_secret(partner))
    return main, others


def relay_once(
    *, now: datetime, limit: int = 100, budget: float = BUDGET_SECONDS
) -> dict[str, int]:
    """One sweep: deliver what is due at ``now`` (at most ``limit`` queue heads per stream
    kind), and return how many messages were sent, failed (to be retried) and went dead."""
    sweep = _Sweep(now, budget)
    main, others = _targets()
    if main is not None:
        _province_sweep(sweep, main, limit)
    if others and not sweep.over():
        _partner_sweep(sweep, others, limit)
    return {key: sweep.summary.get(key, 0) for key in ("sent", "failed", "dead")}


# -- running it --------------------------------------------------------------------------------


def run_relay(
    *,
    stop: threading.Event,
    interval: float | None = None,
    limit: int = 100,
    on_sweep=None,
) -> None:
    """Sweep until ``stop`` is set: again at once while there is work, else every
    ``interval`` seconds. Errors are logged and retried on the next sweep."""
    interval = conf.relay_interval() if interval is None else interval
    while not stop.is_set():
        busy = False
        try:
            close_old_connections()
            summary = relay_once(now=relay_now(), limit=limit)
            busy = summary["sent"] > 0
            if on_sweep is not None:
                on_sweep(summary)
        except Exception:
            logger.exception("relay sweep failed")
            with contextlib.suppress(Exception):
                connection.close()
        if not busy:
            stop.wait(interval)


class RelayThread(threading.Thread):
    """The relay inside ``hotline serve`` (embedded default, no broker)."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="hotline-relay", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        # first sweep after one interval: the server is up by then (and a refused start
        # never touches the database from here)
        if self.stopped.wait(conf.relay_interval() if self.interval is None else self.interval):
            return
        try:
            run_relay(stop=self.stopped, interval=self.interval)
        finally:
            close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
