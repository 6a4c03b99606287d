"""`hotline serve`'s choice of server and the timer lead (in this process; nothing really
serves: the servers are replaced by tripwires)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.test import override_settings

from hotline.cli import main
from hotline.core.timers import TimerLeadThread
from tests.cli.process import the_one_line


@pytest.fixture
def never_serve(monkeypatch):
    import waitress

    from hotline.config import gunicorn_app

    def reached(*args, **kwargs):
        raise AssertionError("the command went on to serve although it should have refused")

    monkeypatch.setattr(waitress, "create_server", reached)
    monkeypatch.setattr(gunicorn_app.HotlineApplication, "run", reached)
    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.mark.parametrize("option", [["--workers", "0"], ["--threads", "0"]])
@override_settings(SIMULATION=True)
def test_serve_refuses_a_count_below_one_with_one_line(never_serve, capsys, option):
    code = main(["serve", *option])
    assert code != 0
    assert f"{option[0]} must be at least 1" in the_one_line(capsys.readouterr().err)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite refusal")
@override_settings(SIMULATION=True)
def test_serve_on_sqlite_refuses_several_workers_with_one_line(never_serve, capsys):
    # given the embedded default (SQLite), when several workers are asked for
    code = main(["serve", "--workers", "2"])
    # then it refuses before binding: SQLite is served by one process
    assert code != 0
    assert "PostgreSQL" in the_one_line(capsys.readouterr().err)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
@pytest.mark.django_db
def test_the_timer_lead_runs_the_work_in_one_thread_of_many_and_passes_on_when_it_ends():
    class Work:
        def __init__(self, runs: list[str], name: str) -> None:
            runs.append(name)

        def stop(self) -> None:
            pass

        def join(self, timeout=None) -> None:
            pass

    runs: list[str] = []
    lock = threading.Lock()

    def starter(name):
        def start():
            with lock:
                return [Work(runs, name)]

        return start

    # given three campaigners on one database (each with its own session), key of its own
    key = 0x7465737400 + 1
    leads = [TimerLeadThread(start=starter(f"p{i}"), retry_seconds=0.1, key=key) for i in range(3)]
    try:
        for lead in leads:
            lead.start()
        deadline = time.monotonic() + 10
        while not runs and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # several rounds of campaigns
        # then exactly one of them runs the work
        assert len(runs) == 1, runs
        (leader,) = [lead for lead in leads if lead.leading.is_set()]
        # when the leader ends, another takes over within a few rounds
        leader.stop()
        leader.join(timeout=10)
        deadline = time.monotonic() + 10
        while len(runs) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(runs) == 2, runs
        assert sum(lead.leading.is_set() for lead in leads) == 1
    finally:
        for lead in leads:
            lead.stop()
        for lead in leads:
            lead.join(timeout=10)


def test_the_one_process_request_log_writes_a_line_per_request_and_closes_the_response(
    tmp_path,
):
    import logging

    from hotline.config.access_log import logger, open_access_log, with_access_log

    closed = []

    class Body(list):
        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("201 Created", [("Content-Length", "2")])
        return Body([b"ok"])

    target = tmp_path / "access.log"
    handlers = list(logger.handlers)
    try:
        open_access_log(str(target))
        # when a request goes through the logged application and the server closes the body
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/tickets", "QUERY_STRING": "a=1"}
        response = with_access_log(app)(environ, lambda status, headers: None)
        assert b"".join(response) == b"ok"
        response.close()
    finally:
        for handler in logger.handlers[len(handlers) :]:
            handler.close()
        logger.handlers[:] = handlers
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    # then the response's own close ran and one line names the request, its status and size
    assert closed == [True]
    (line,) = target.read_text().splitlines()
    assert '"POST /api/v1/tickets?a=1' in line and " 201 2 " in line and line.endswith("ms")
