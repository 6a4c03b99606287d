"""How the work-order aggregate tells higher contexts about its changes (ARCHITECTURE.md,
Layers, row 4).

``tickets`` sits below ``routing``, ``knowledge``, ``notify``, ``analytics``…: it may not import
them. A higher context registers a handler at start-up (in its ``AppConfig.ready``), the way
timers register with ``hotline.core.timers``; the services call :func:`emit` at the point of
the change, inside the transaction that makes it, so a handler's writes commit or roll back
with the change itself. Work that can wait belongs in ``transaction.on_commit`` inside the
handler.

A *provider* is the one function a higher context supplies for a question the rules ask
(e.g. Art 11(7) "is this the same matter?"): :func:`provide` installs it, :func:`provided`
returns it and raises when no context installed one, because a missing provider is a wiring
error, not a case to paper over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]

_handlers: dict[str, list[Handler]] = defaultdict(list)
_providers: dict[str, Handler] = {}


def register(hook: str) -> Callable[[Handler], Handler]:
    """Decorator: ``@hooks.register("ticket_dispatching")`` runs the function on that change.
    Registering the same function twice (a re-run ``ready()``) keeps one registration."""

    def decorator(fn: Handler) -> Handler:
        if fn not in _handlers[hook]:
            _handlers[hook].append(fn)
        return fn

    return decorator


def emit(hook: str, **kwargs: Any) -> None:
    """Call every handler registered for ``hook`` with keyword arguments, in registration
    order. An exception propagates: the caller's transaction rolls back with it."""
    for fn in _handlers.get(hook, ()):
        fn(**kwargs)


def provide(name: str) -> Callable[[Handler], Handler]:
    """Decorator: install the one provider of ``name`` (the last one installed wins)."""

    def decorator(fn: Handler) -> Handler:
        _providers[name] = fn
        return fn

    return decorator


def provided(name: str) -> Handler:
    try:
        return _providers[name]
    except KeyError:
        raise LookupError(f"no context provides the ticket hook {name!r}") from None


def handlers(hook: str) -> list[Handler]:
    """The handlers registered for ``hook`` (for tests and the architecture doc)."""
    return list(_handlers.get(hook, ()))
