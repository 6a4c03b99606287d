"""The `hotline` command (API.md "Command line"): errors reach the operator as one readable line
and a non-zero exit, never as a stack trace; production refuses an unsafe configuration.

Settings are read once per process, so the production checks run the installed command in a
fresh process each (started together; the tests read their results). Commands that would start
serving run in this process with the server replaced by a tripwire, so a missing refusal fails
the test instead of hanging it.
"""

from __future__ import annotations

import socket
import subprocess

import pytest
from django.db import connections
from django.test import override_settings

from hotline.cli import main

from .process import run_hotline, the_one_line

GOOD_SECRET = "k" * 50  # long enough; a real deployment uses a random string
PRODUCTION = {"HOTLINE_ENV": "production", "SECRET_KEY": GOOD_SECRET}

# name → (arguments, environment added to the clean test environment); "{bad_file}" is a
# file that is not JSON.
CASES: dict[str, tuple[list[str], dict[str, str]]] = {
    "production_with_debug": (["check"], {**PRODUCTION, "HOTLINE_DEBUG": "1"}),
    "production_without_secret_key": (["check"], {"HOTLINE_ENV": "production"}),
    "production_with_short_secret_key": (
        ["check"],
        {"HOTLINE_ENV": "production", "SECRET_KEY": "too-short-0123456789"},
    ),
    "production_with_demo": (["check"], {**PRODUCTION, "HOTLINE_DEMO": "1"}),
    "production_sound": (["check"], PRODUCTION),
    "calendar_import_malformed": (["calendar", "import", "{bad_file}"], {}),
    # not migrated: the refusal must come before the first write (which would fail differently)
    "production_seed_demo": (["seed", "--demo"], PRODUCTION),
    # behind a TLS proxy, as documented: Django's deployment checklist has nothing to say
    "production_deploy_check": (
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "HOTLINE_ENV": "production",
            "SECRET_KEY": "x7$Kq9!vLm2#Rt8@Zp4&Wn6^Yb3*Hd5(Jf1)Gs0-Ce_Ua+Io=Ek;Nr",
            "HOTLINE_PROXY_SSL_HEADER": "1",
            "HOTLINE_HSTS_SUBDOMAINS": "1",
            "HOTLINE_HSTS_PRELOAD": "1",
            "ALLOWED_HOSTS": "12345.zhumadian.example",
        },
    ),
}


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case of CASES, run in parallel (each mostly waits for Django to load), each in its
    own data directory."""
    from concurrent.futures import ThreadPoolExecutor

    bad_file = tmp_path_factory.mktemp("files") / "2027.json"
    bad_file.write_text("not json at all", encoding="utf-8")

    def run(name: str) -> subprocess.CompletedProcess[str]:
        args, env = CASES[name]
        args = [arg.format(bad_file=bad_file) for arg in args]
        return run_hotline(*args, data_dir=tmp_path_factory.mktemp(name), env=env, timeout=120)

    with ThreadPoolExecutor(max_workers=len(CASES)) as pool:
        return dict(zip(CASES, pool.map(run, CASES), strict=True))


# -- unknown commands and help (in this process) --------------------------------------------


def test_unknown_command_exits_2_with_one_line(capsys):
    # when an unknown command is given
    code = main(["frobnicate"])
    # then the exit status is 2 (usage error) and stderr is one line pointing to the help
    assert code == 2
    line = the_one_line(capsys.readouterr().err)
    assert "frobnicate" in line and "hotline help" in line


@pytest.mark.parametrize("args", [[], ["help"], ["--help"]])
def test_help_lists_the_commands_of_the_contract(capsys, args):
    # when help is asked for (or no command is given)
    code = main(args)
    # then the commands of API.md are listed
    out = capsys.readouterr().out
    assert code == 0
    for command in ["demo", "migrate", "seed --demo", "serve", "worker", "calendar import"]:
        assert command in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["seed", "--days", "x"], "--days"),
        (["routing", "evaluate"], "--train"),
        (["exchange", "bogus"], "bogus"),
    ],
)
def test_a_wrong_option_is_one_line_that_points_to_the_usage(capsys, args, named):
    # when a command gets an option it cannot parse (argparse would print its whole usage)
    code = main(args)
    # then the exit status is 2 and stderr is one line naming the option and the help to read
    assert code == 2
    line = the_one_line(capsys.readouterr().err)
    assert named in line and f"hotline {args[0]}" in line and "--help" in line


def test_a_refused_command_says_so_in_the_same_one_line_form(capsys):
    # when a command refuses its input (a CommandError)
    code = main(["seed", "--days", "-1"])
    # then it reads like every other error: "hotline: error: …", not Django's "CommandError: …"
    assert code == 1
    line = the_one_line(capsys.readouterr().err)
    assert line.startswith("hotline: error:") and "--days" in line


# -- serve and worker (in this process; never let them really start) -------------------------


@pytest.fixture
def never_serve(monkeypatch):
    """Fail instead of serving or starting Celery if a refusal does not happen, so a broken
    check fails the test rather than hanging it; and no in-process timer thread."""
    import waitress

    from hotline.config.celery import app

    def reached(*args, **kwargs):
        raise AssertionError("the command went on to start although it should have refused")

    monkeypatch.setattr(waitress, "serve", reached)
    monkeypatch.setattr(waitress, "create_server", reached)
    monkeypatch.setattr(app, "worker_main", reached)
    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.mark.parametrize("port", ["0", "70000"])
@override_settings(SIMULATION=True)
def test_serve_refuses_an_invalid_port_with_one_line(never_serve, capsys, port):
    # when `hotline serve --port 0` (or 70000) is run
    code = main(["serve", "--port", port])
    # then it exits non-zero at once with one line naming the port
    assert code != 0
    assert f"invalid port {port}" in the_one_line(capsys.readouterr().err)


@override_settings(SIMULATION=True)
def test_demo_refuses_an_invalid_port_before_writing_anything(never_serve, capsys, db):
    from hotline.tickets.models import Ticket

    before = Ticket.objects.count()
    # when `hotline demo --port 0` is run
    code = main(["demo", "--port", "0"])
    # then it refuses at once: nothing was seeded, one line names the port
    assert code != 0
    assert "invalid port 0" in the_one_line(capsys.readouterr().err)
    assert Ticket.objects.count() == before


@override_settings(SIMULATION=True)
def test_serve_reports_a_port_in_use_with_one_line(monkeypatch, capsys):
    # given a port another program is listening on
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # when hotline is asked to serve on it
        code = main(["serve", "--port", str(port)])
    # then it exits non-zero with one line saying it cannot listen there
    assert code != 0
    assert f"127.0.0.1:{port}" in the_one_line(capsys.readouterr().err)


@override_settings(CELERY_BROKER_URL="")
def test_worker_without_a_broker_exits_with_one_line(never_serve, capsys):
    # given no REDIS_URL / CELERY_BROKER_URL
    # when `hotline worker` is run
    code = main(["worker"])
    # then it refuses with one line saying what to set
    assert code != 0
    assert "REDIS_URL" in the_one_line(capsys.readouterr().err)


@override_settings(CELERY_BROKER_URL="redis://:s3cret@127.0.0.1:9/0")
def test_worker_with_an_unreachable_broker_says_so_at_once(never_serve, capsys):
    # given a broker URL nothing answers at
    # when `hotline worker` is run
    code = main(["worker"])
    # then one line says it cannot reach the broker (Celery would retry quietly), without the
    # password
    assert code != 0
    line = the_one_line(capsys.readouterr().err)
    assert "cannot reach the broker" in line and "s3cret" not in line


# -- production settings (fresh processes) --------------------------------------------------


@pytest.mark.parametrize(
    ("case", "names"),
    [
        ("production_with_debug", "HOTLINE_DEBUG"),
        ("production_without_secret_key", "SECRET_KEY"),
        ("production_with_short_secret_key", "SECRET_KEY"),
        ("production_with_demo", "HOTLINE_DEMO"),
    ],
)
def test_production_refuses_an_unsafe_configuration_with_one_line(ran, case, names):
    # given HOTLINE_ENV=production with an unsafe setting
    result = ran[case]
    # then the command does not start: non-zero exit, one line naming the setting, no trace
    assert result.returncode != 0
    assert names in the_one_line(result.stderr)


def test_production_starts_with_a_sound_configuration(ran):
    # given HOTLINE_ENV=production with a long secret key, no debug, no demo
    result = ran["production_sound"]
    # then the checks pass (the refusals above are about the settings, not the environment)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_production_passes_the_deployment_checklist(ran):
    # given production behind a TLS proxy (HOTLINE_PROXY_SSL_HEADER=1), a real host name and a
    # domain that is HTTPS throughout (HSTS for subdomains, preload)
    result = ran["production_deploy_check"]
    # then `check --deploy` finds nothing (HSTS, HTTPS redirect, secure cookies, framing …)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_the_secret_key_is_not_echoed_in_the_refusal(ran):
    # given a refused short key
    result = ran["production_with_short_secret_key"]
    # then the message does not print the key itself
    assert "too-short-0123456789" not in result.stderr + result.stdout


def test_demo_data_is_refused_in_production_before_anything_is_written(ran):
    # given HOTLINE_ENV=production and a database that was never migrated
    result = ran["production_seed_demo"]
    # then `seed --demo` refuses first, with its own reason (not a failed first write)
    assert result.returncode != 0
    assert "not allowed in production" in the_one_line(result.stderr)


def test_calendar_import_of_a_malformed_file_gives_one_line_in_a_real_process(ran):
    # given a fresh process of the installed command and a file that is not JSON
    result = ran["calendar_import_malformed"]
    # then the import exits non-zero with one line on stderr naming the file, no stack trace
    assert result.returncode != 0
    assert "2027.json" in the_one_line(result.stderr)
