"""``hotline exchange …``: the reference receiver, a relay process, status, re-drive, keys."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

DEMO_SECRET = "demo-province-secret"  # noqa: S105 — the documented demo credential (API.md)


class Command(BaseCommand):
    help = (
        "Interconnection: mock-province (reference receiver), relay, status, redrive, create-key."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        mock = sub.add_parser("mock-province", help="run the reference receiver (API.md)")
        mock.add_argument("--host", default="127.0.0.1")
        mock.add_argument("--port", type=int, default=8765)
        mock.add_argument(
            "--secret",
            default=None,
            help="shared secret (default: HOTLINE_PROVINCE_SECRET, else the demo secret)",
        )
        mock.add_argument("--fail-rate", type=float, default=0.0, help="share of pushes to 503")
        mock.add_argument("--stall-ms", type=int, default=0, help="wait before answering")
        mock.add_argument("--store", default=None, help="also keep bodies in this JSON Lines file")
        mock.add_argument("--verbose", action="store_true", help="log every request")

        relay = sub.add_parser("relay", help="run the relay loop in this process")
        relay.add_argument("--once", action="store_true", help="one sweep, print it, exit")
        relay.add_argument("--interval", type=float, default=None, help="idle poll seconds")
        relay.add_argument("--limit", type=int, default=100, help="queue heads per sweep")

        sub.add_parser("status", help="print the delivery metrics as JSON")

        redrive = sub.add_parser("redrive", help="put dead letters back in the queue")
        redrive.add_argument("--partner", default=None, help="only this partner's streams")

        key = sub.add_parser("create-key", help="create an Open311 API key (printed once)")
        key.add_argument("name")
        key.add_argument("--description", default="")
        key.add_argument(
            "--rotate", action="store_true", help="replace the key of an existing client"
        )

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    # -- subcommands ------------------------------------------------------------------------------

    def _mock_province(self, *, host, port, secret, fail_rate, stall_ms, store, verbose, **_):
        from hotline.exchange.mock import Store, make_server

        if not 0 <= port < 65536:
            raise CommandError(f"invalid port {port}")
        if not 0 <= fail_rate <= 1:
            raise CommandError(f"--fail-rate must be between 0 and 1 (got {fail_rate})")
        if stall_ms < 0:
            raise CommandError(f"--stall-ms must not be negative (got {stall_ms})")
        path = Path(store) if store else None
        if path is not None:
            _check_store(path)
        secret = secret or settings.HOTLINE_PROVINCE_SECRET or DEMO_SECRET
        try:
            holder = Store(secret=secret, fail_rate=fail_rate, stall_ms=stall_ms, path=path)
        except ValueError as exc:  # a line that is not JSON (UnicodeDecodeError is one too)
            raise CommandError(f"{path} is not a JSON Lines file of pushes: {exc}") from exc
        try:
            server = make_server(host, port, holder, quiet=not verbose)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        shown = server.server_address[1]
        self.stdout.write(
            f"mock province on http://{host}:{shown}/  (GET /messages, GET /stats, "
            f"POST /control) fail_rate={fail_rate} stall_ms={stall_ms}"
        )
        self.stdout.flush()
        _stop_on_sigterm(server.shutdown)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _relay(self, *, once, interval, limit, **_):
        from hotline.exchange.relay import relay_now, relay_once, run_relay

        if limit < 1:
            raise CommandError(f"--limit must be at least 1 (got {limit})")
        if interval is not None and interval <= 0:
            raise CommandError(f"--interval must be more than 0 seconds (got {interval})")

        if once:
            summary = relay_once(now=relay_now(), limit=limit)
            self.stdout.write(json.dumps(summary))
            return
        stop = threading.Event()
        _stop_on_sigterm(stop.set)
        self.stdout.write("relay: running (Ctrl+C to stop)")
        self.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            run_relay(stop=stop, interval=interval, limit=limit)

    def _status(self, **_):
        from hotline.core.clock import real_now
        from hotline.exchange.selectors import exchange_metrics

        data = exchange_metrics(now=real_now())
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))

    def _redrive(self, *, partner, **_):
        from hotline.core.clock import real_now
        from hotline.exchange import services
        from hotline.exchange.models import InboundTicket, Partner
        from hotline.tickets.models import OutboxMessage

        if (
            partner
            and partner != services.PROVINCE
            and not Partner.objects.filter(code=partner).exists()
        ):
            raise CommandError(f"no such partner: {partner}")
        now = real_now()
        count = 0
        if partner in (None, services.PROVINCE):
            count += services.outbox_redrive(
                messages=OutboxMessage.objects.all(), actor=None, now=now
            )
        streams = InboundTicket.objects.all()
        if partner:
            streams = streams.filter(partner__code=partner)
        count += services.stream_redrive(streams=streams, actor=None, now=now)
        self.stdout.write(f"re-driven: {count}")

    def _create_key(self, *, name, description, rotate, **_):
        from hotline.exchange.models import ClientKey
        from hotline.exchange.services import client_key_create

        name = name.strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            raise CommandError(
                "the client name must be 1–40 letters, digits, '-' or '_' (it names the key)"
            )
        if not rotate and ClientKey.objects.filter(name=name).exists():
            raise CommandError(
                f"a key for {name} exists; --rotate replaces it (the old key stops working)"
            )
        row, key = client_key_create(name=name, description=description)
        self.stdout.write(f"Open311 key for {row.name} (shown once, only its hash is stored):")
        self.stdout.write(key)


def _check_store(path: Path) -> None:
    """The receiver appends every push to ``path``: refuse at start, not at the first push."""
    if path.is_dir():
        raise CommandError(f"--store {path} is a directory")
    if not path.parent.is_dir():
        raise CommandError(f"--store {path}: the directory {path.parent} does not exist")
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise CommandError(f"--store {path}: {exc.strerror}") from exc


def _stop_on_sigterm(stop) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum, frame):
        threading.Thread(target=stop, daemon=True).start()

    signal.signal(signal.SIGTERM, handler)
