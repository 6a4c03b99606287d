from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.core.timers import InProcessTimerThread

logger = logging.getLogger("hotline.serve")


def timers_in_process() -> bool:
    """Embedded default: no broker means the web process runs the timers itself.
    In simulation mode timers run only when the API asks."""
    return not settings.CELERY_BROKER_URL and not settings.SIMULATION


def check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise CommandError(f"invalid port {port} (1–65535)")


class Command(BaseCommand):
    help = "Serve pages and API with a production-grade WSGI server (waitress)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **options):
        import waitress

        check_port(port)
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        from hotline.config.wsgi import application

        # Bind first: a port in use is refused before any thread starts or "serving" is said.
        try:
            server = waitress.create_server(
                application, host=host, port=port, threads=threads, ident="hotline"
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        timer_thread = None
        if timers_in_process():
            timer_thread = InProcessTimerThread(settings.HOTLINE_TIMER_INTERVAL_SECONDS)
            timer_thread.start()
            self.stdout.write(
                f"timers: in-process every {settings.HOTLINE_TIMER_INTERVAL_SECONDS}s"
            )
        elif settings.SIMULATION:
            self.stdout.write(
                "timers: simulation mode, run with POST /api/v1/simulation/run-timers"
            )
        else:
            self.stdout.write("timers: run by `hotline worker` (Celery)")
        relay_thread = None
        if not settings.CELERY_BROKER_URL:
            # Art 21: the outbox relay runs next to the timers (hotline.exchange.relay)
            from hotline.exchange.relay import RelayThread

            relay_thread = RelayThread()
            relay_thread.start()
            self.stdout.write("outbound push: in-process relay")
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write(f"serving on http://{shown}:{port}/  (Ctrl+C to stop)")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            if timer_thread is not None:
                timer_thread.stop()
            if relay_thread is not None:
                relay_thread.stop()
