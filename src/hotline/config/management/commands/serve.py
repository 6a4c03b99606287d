"""``hotline serve``: the production server.

On PostgreSQL (and a platform with fork, i.e. not Windows) it runs gunicorn with several
worker processes, one per core by default, so requests use every core (one Python process is
bound to one by the GIL). On SQLite, the embedded default, it stays one waitress process: SQLite
takes one writer at a time anyway, and the in-process timers need no election there.

Without a broker the in-process timers and the outbox relay run in exactly one process: on
PostgreSQL the process that holds the timer lead (an advisory lock, ``core.timers``); the
others retry, so a dead leader is replaced within seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from hotline.core.timers import InProcessTimerThread, Stoppable

logger = logging.getLogger("hotline.serve")


def timers_in_process() -> bool:
    """Embedded default: no broker means the web process runs the timers itself.
    In simulation mode timers run only when the API asks."""
    return not settings.CELERY_BROKER_URL and not settings.SIMULATION


def relay_in_process() -> bool:
    """Art 21: without a broker the outbox relay runs next to the timers."""
    return not settings.CELERY_BROKER_URL


def check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise CommandError(f"invalid port {port} (1–65535)")


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def gunicorn_available() -> bool:
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def default_workers() -> int:
    """One worker per core the process may use (a container's CPU set, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def start_background() -> list[Stoppable]:
    """Start this process's share of the background work (the lead's, on PostgreSQL)."""
    started: list[Stoppable] = []
    if timers_in_process():
        timer_thread = InProcessTimerThread(settings.HOTLINE_TIMER_INTERVAL_SECONDS)
        timer_thread.start()
        started.append(timer_thread)
    if relay_in_process():
        from hotline.exchange.relay import RelayThread

        relay_thread = RelayThread()
        relay_thread.start()
        started.append(relay_thread)
    return started


def lead_retry_seconds() -> float:
    return float(os.environ.get("HOTLINE_TIMER_LEAD_RETRY_SECONDS", "5"))


def env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"{name} must be a whole number (got {value!r})") from None


class Command(BaseCommand):
    help = (
        "Serve pages and API with a production-grade WSGI server: gunicorn with several "
        "worker processes on PostgreSQL, one waitress process on SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (PostgreSQL only; default HOTLINE_WORKERS or one per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="threads per process (default 8 with waitress; HOTLINE_THREADS or 1, gunicorn)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=None,
            help="seconds a request may take before its worker is restarted (default 30)",
        )
        parser.add_argument(
            "--access-log",
            default=None,
            help="request log file (default HOTLINE_ACCESS_LOG or stderr; '' for none)",
        )
        parser.add_argument(
            "--error-log",
            default=None,
            help="server log file (default HOTLINE_ERROR_LOG or stderr)",
        )

    def handle(self, *args, host: str, port: int, workers, threads, timeout, **options):
        check_port(port)
        if workers is None:
            workers = env_int("HOTLINE_WORKERS")
        if workers is not None and workers < 1:
            raise CommandError(f"--workers must be at least 1 (got {workers})")
        if threads is None:
            threads = env_int("HOTLINE_THREADS")
        if threads is not None and threads < 1:
            raise CommandError(f"--threads must be at least 1 (got {threads})")
        if timeout is not None and timeout < 1:
            raise CommandError(f"--timeout must be at least 1 (got {timeout})")
        multi = on_postgresql() and gunicorn_available()
        if workers is not None and workers > 1 and not multi:
            raise CommandError(
                "several worker processes need PostgreSQL (DATABASE_URL) and a POSIX system; "
                "SQLite is served by one process"
            )
        asked_access_log = options.get("access_log")
        if asked_access_log is None:
            asked_access_log = os.environ.get("HOTLINE_ACCESS_LOG")
        access_log = "-" if asked_access_log is None else asked_access_log
        error_log = options.get("error_log") or os.environ.get("HOTLINE_ERROR_LOG") or "-"
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        # Bind first: a port in use is refused before any thread starts or "serving" is said.
        if multi and os.environ.get("GUNICORN_FD"):
            listener = None  # re-executed by USR2: the old master's sockets are handed over
        else:
            listener = self.bind(
                host,
                port,
                threaded_server=not multi,
                threads=threads or 8,
                access_log=asked_access_log,
            )
        if error_log != "-":  # the application's own log lines go there too
            handler = logging.FileHandler(error_log)
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
            )
            logging.getLogger().addHandler(handler)
        self.say_background(multi)
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        if multi:
            from hotline.config.gunicorn_app import HotlineApplication

            count = workers or default_workers()
            self.stdout.write(f"workers: {count} (gunicorn)")
            self.stdout.write(f"serving on http://{shown}:{port}/  (Ctrl+C to stop)")
            self.stdout.flush()
            # the workers are forked from this process: none may inherit a database session
            connections.close_all()
            HotlineApplication(
                listener=listener,
                address=f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                workers=count,
                threads=threads or 1,
                timeout=timeout or 30,
                access_log=access_log or None,
                error_log=error_log,
                background=start_background
                if (relay_in_process() or timers_in_process())
                else None,
                lead_retry_seconds=lead_retry_seconds(),
            ).run()
            return
        self.serve_waitress(listener, shown, port)

    def bind(
        self, host: str, port: int, *, threaded_server: bool, threads: int, access_log: str | None
    ):
        try:
            if threaded_server:
                import waitress

                application = self.wsgi_application()
                # the one-process server logs requests only when asked (the demo's console
                # stays readable); gunicorn logs them by default
                if access_log:
                    from hotline.config.access_log import open_access_log, with_access_log

                    open_access_log(access_log)
                    application = with_access_log(application)
                return waitress.create_server(
                    application, host=host, port=port, threads=threads, ident="hotline"
                )
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind((host, port))
                listener.listen(2048)
            except OSError:
                listener.close()
                raise
            listener.set_inheritable(True)  # gunicorn hands it on when it re-executes (USR2)
            return listener
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc

    @staticmethod
    def wsgi_application():
        from hotline.config.wsgi import application

        return application

    def say_background(self, multi: bool) -> None:
        where = " (one process: PostgreSQL advisory lock)" if multi else ""
        if timers_in_process():
            self.stdout.write(
                f"timers: in-process every {settings.HOTLINE_TIMER_INTERVAL_SECONDS}s{where}"
            )
        elif settings.SIMULATION:
            self.stdout.write(
                "timers: simulation mode, run with POST /api/v1/simulation/run-timers"
            )
        else:
            self.stdout.write("timers: run by `hotline worker` (Celery)")
        if relay_in_process():
            self.stdout.write(f"outbound push: in-process relay{where}")

    def serve_waitress(self, server, shown: str, port: int) -> None:
        # one process: no election needed (SQLite has one process anyway)
        started = start_background()
        self.stdout.write(f"serving on http://{shown}:{port}/  (Ctrl+C to stop)")
        self.stdout.flush()

        def terminate(signum, frame):  # TERM (systemd stop): close like Ctrl+C does
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, terminate) if _main_thread() else None
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            for item in started:
                item.stop()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
