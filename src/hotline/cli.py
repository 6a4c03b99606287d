"""The ``hotline`` command: a thin wrapper over Django's management commands.

Errors reach the user as one readable line and a non-zero exit, never as a stack trace
(set HOTLINE_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: hotline <command> [options]

commands:
  demo [--port P]          migrate + seed --demo + serve: the one command a newcomer runs
  migrate                  create or upgrade the database
  seed --demo [--days N] [--per-day M] [--seed S]
                           load the demo organisations, users and data (safe to run twice)
  serve [--host H] [--port P] [--workers N]
                           serve pages and API (gunicorn on PostgreSQL, waitress on SQLite;
                           timers in one of the processes when no broker is configured)
  worker [--no-beat]       run background work with Celery (needs REDIS_URL)
  calendar import FILE     load a year's official holidays (holiday-cn JSON format)
  calendar status          list which years have official data
  knowledge import|export FILE.xlsx | knowledge reindex
                           bulk maintenance of the knowledge base
  routing train|evaluate|suggest
                           the category classifier (see docs/routing.md)
  exchange mock-province|relay|status|redrive|create-key
                           provincial push, reference receiver, Open311 keys
  telephony simulate --date D [--calls N] [--agents N]
                           post a realistic day of call events through the telephony API
  report KIND PERIOD --out FILE [--format docx|xlsx]
                           a daily/weekly/monthly/quarterly/annual/special report
  analytics rebuild | analytics hot-topics --source CSV
                           rebuild the dashboards' rollups; hot topics of a file
  unlock USER              lift a sign-in lock
  help                     this text; any Django management command also works
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    if not argv or argv[0] in {"help", "-h", "--help"}:
        if len(argv) > 1:
            argv = [argv[1], "--help"]
        else:
            sys.stdout.write(USAGE)
            return 0
    if argv[0] == "demo":
        os.environ["HOTLINE_DEMO"] = "1"
    try:
        import django
        from django.core.management import get_commands

        django.setup()
        name = argv[0]
        if name not in get_commands():
            sys.stderr.write(f"hotline: unknown command '{name}' (see 'hotline help')\n")
            return 2
        from django.core.management import execute_from_command_line

        _one_line_usage_errors()
        # --traceback lets a CommandError reach the handler below, which prints it the same
        # way as every other error (Django would print "CommandError: …" itself).
        execute_from_command_line(["hotline", name, "--traceback", *argv[1:]])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from django.core.exceptions import ImproperlyConfigured

        # A configuration refused at start-up (e.g. production with HOTLINE_DEBUG=1) is the
        # operator's to fix, not a bug: always one line, even when HOTLINE_DEBUG asks for traces.
        if os.environ.get("HOTLINE_DEBUG") == "1" and not isinstance(exc, ImproperlyConfigured):
            raise
        from django.core.management.base import CommandError, SystemCheckError
        from django.db.utils import OperationalError

        if isinstance(exc, SystemCheckError):
            sys.stderr.write(f"{exc}\n")  # Django's own list of what the checks found
            return 1
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, OperationalError) and "no such table" in message:
            message += " (the database is not set up: run 'hotline migrate')"
        sys.stderr.write(f"hotline: error: {message}\n")
        return exc.returncode if isinstance(exc, CommandError) else 1
    return 0


def _one_line_usage_errors() -> None:
    """argparse prints the whole usage before its message; here a wrong option is one line
    that says where the usage is. Commands called from code still get a CommandError."""
    from django.core.management.base import CommandError, CommandParser

    def error(parser: CommandParser, message: str) -> None:
        if not parser.called_from_command_line:
            raise CommandError(f"Error: {message}")
        parser.exit(2, f"{parser.prog}: error: {message} (see '{parser.prog} --help')\n")

    CommandParser.error = error  # type: ignore[method-assign]


if __name__ == "__main__":
    raise SystemExit(main())
