"""A request log for the one-process server (waitress has none of its own), in the format of
gunicorn's (``gunicorn_app.ACCESS_LOG_FORMAT``), so both servers' logs read alike."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger("hotline.access")


def open_access_log(target: str) -> None:
    """Send the request log to ``target``: "-" for stderr, otherwise a file (appended)."""
    handler: logging.Handler = (
        logging.StreamHandler(sys.stderr) if target == "-" else logging.FileHandler(target)
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # not twice through the root logger's console


def with_access_log(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: dict[str, Any] = {"started": time.perf_counter()}

        def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next(
                (value for name, value in headers if name.lower() == "content-length"), "-"
            )
            return start_response(status, headers, *args)

        return _Logged(app(environ, start), environ, seen)

    return logged


class _Logged:
    """The response, logged when the server closes it (after the last byte went out); its own
    ``close`` is passed on (Django's ends the request there)."""

    def __init__(
        self, body: Iterable[bytes], environ: dict[str, Any], seen: dict[str, Any]
    ) -> None:
        self.body, self.environ, self.seen = body, environ, seen

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            environ, seen = self.environ, self.seen
            query = environ.get("QUERY_STRING")
            path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            logger.info(
                '%s - - [%s] "%s %s %s" %s %s "%s" "%s" %dms',
                environ.get("REMOTE_ADDR", "-"),
                time.strftime("%d/%b/%Y:%H:%M:%S %z"),
                environ.get("REQUEST_METHOD", "-"),
                path,
                environ.get("SERVER_PROTOCOL", "-"),
                seen.get("status", "-"),
                seen.get("length", "-"),
                environ.get("HTTP_REFERER", "-"),
                environ.get("HTTP_USER_AGENT", "-"),
                (time.perf_counter() - seen["started"]) * 1000,
            )
