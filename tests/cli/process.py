"""Run the installed ``hotline`` command in a fresh process with a controlled environment
(settings are read once per process, so configuration checks need a process of their own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HOTLINE = Path(sys.executable).with_name("hotline")
_DROPPED = {"SECRET_KEY", "REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "ALLOWED_HOSTS"}


def run_hotline(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOTLINE_", "DJANGO_")) and key not in _DROPPED
    }
    clean.update({"HOTLINE_ENV": "test", "HOTLINE_DATA_DIR": str(data_dir), **(env or {})})
    command = [str(HOTLINE)] if HOTLINE.exists() else [sys.executable, "-m", "hotline"]
    return subprocess.run(  # noqa: S603 — our own command, arguments from the test
        [*command, *args], env=clean, capture_output=True, text=True, timeout=timeout, check=False
    )


def the_one_line(stderr: str) -> str:
    """The whole of ``stderr`` when it is one readable line and no stack trace."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``hotline.cli.main(args)`` in this process, on the test database: (exit, out, err).

    Django closes every connection after a command run from the command line; inside a test's
    transaction that would end the test database session on PostgreSQL, so it is skipped here.
    """
    from django.db import connections

    from hotline.cli import main

    monkeypatch.setattr(connections, "close_all", lambda: None)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
