"""gunicorn run from inside ``hotline serve`` (``BaseApplication``), so the production server is
still one command with the project's settings and its own refusals.

Signals (to the master process, the one ``hotline serve`` started): HUP re-reads the
configuration and replaces the workers gracefully; TERM stops gracefully (requests in flight
finish, up to ``graceful_timeout``); INT/QUIT stop at once; TTIN/TTOU add/remove a worker;
USR1 reopens the log files (logrotate). New code needs a new master (the application is
loaded once in the master and shared by its workers): a restart, or USR2 (a new master on the
same sockets) and then TERM to the old one.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Sequence

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from hotline.core.timers import Stoppable, TimerLeadThread

# the default combined format plus the time taken, so slow requests show in the request log
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


class HotlineLogger(glogging.Logger):
    """gunicorn's logger, with the request log on stderr (not stdout) when it goes to "-":
    both logs are then one stream for journald, and stdout stays for what serve says."""

    def _set_handler(self, log, output, fmt, stream=None):
        if log is self.access_log and output == "-":
            stream = sys.stderr
        super()._set_handler(log, output, fmt, stream=stream)


class HotlineApplication(BaseApplication):
    def __init__(
        self,
        *,
        listener: socket.socket | None,
        address: str,
        workers: int,
        threads: int,
        timeout: int,
        access_log: str | None,
        error_log: str,
        background: Callable[[], Sequence[Stoppable]] | None,
        lead_retry_seconds: float,
    ) -> None:
        self.listener = listener  # kept referenced: gunicorn takes it over by descriptor
        self.background = background
        self.lead_retry_seconds = lead_retry_seconds
        self.options = {
            # the socket serve bound (a port in use was refused there); a re-executed master
            # (USR2) gets the old master's sockets from GUNICORN_FD instead
            "bind": [f"fd://{listener.fileno()}" if listener is not None else address],
            "workers": workers,
            "threads": threads,
            # sync workers suit a CPU-bound app on few cores; threads overlap database waits
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "graceful_timeout": 30,
            # behind nginx, which keeps connections to the upstream alive
            "keepalive": 5,
            # recycle workers now and then (a slow leak cannot grow without bound); the jitter
            # keeps them from all restarting at once
            "max_requests": 10000,
            "max_requests_jitter": 1000,
            "preload_app": True,
            "accesslog": access_log,
            "access_log_format": ACCESS_LOG_FORMAT,
            "errorlog": error_log,
            "loglevel": "info",
            "logger_class": HotlineLogger,
            "proc_name": "hotline",
            # gunicorn 23+ opens a control socket in $HOME by default: two servers of one user
            # would share it
            "control_socket_disable": True,
            "pre_fork": self.pre_fork,
            "post_worker_init": self.post_worker_init,
            "worker_exit": self.worker_exit,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        from hotline.config.wsgi import application

        return application

    # -- hooks ----------------------------------------------------------------------------

    @staticmethod
    def pre_fork(server, worker) -> None:
        # in the master: a worker must not inherit a database session (two processes on one
        # socket corrupt it); the master itself needs none
        from django.db import connections

        connections.close_all()

    def post_worker_init(self, worker) -> None:
        if self.background is None:
            return
        # every worker campaigns; the one that holds the advisory lock runs the timers and
        # the relay, the others retry so a dead or recycled leader is replaced
        lead = TimerLeadThread(start=self.background, retry_seconds=self.lead_retry_seconds)
        worker.hotline_timer_lead = lead
        lead.start()

    @staticmethod
    def worker_exit(server, worker) -> None:
        lead = getattr(worker, "hotline_timer_lead", None)
        if lead is not None:
            lead.stop()
            lead.join(timeout=15)
