"""The row lock of a ticket action, and everything the action and its answer read under it,
in one statement (issue 14: at most 8 queries per state-changing request).

A transition must hold the ticket row while it checks and writes (ARCHITECTURE.md principle
5), and it reads the ticket's assignments (the one acted on, its parent, its siblings), the
pending reviews the rules ask about and, for the API's answer, the history. Read one query
per table, that is five round trips before the first write. Here it is one::

    UPDATE tickets_ticket SET outbox_seq = outbox_seq + <reserve>
    WHERE id IN (<the ticket, in the caller's scope>)
    RETURNING <the ticket>, <its county>, <its category>, <its assignments>, <its events> …

* **The UPDATE is the lock.** On PostgreSQL it takes the row lock a ``SELECT … FOR UPDATE``
  would (a second actor waits, then sees the first one's change and is refused by the
  guard: one success, one 409); on SQLite it takes the database's write lock at the start of
  the transaction, so two writers queue instead of failing to upgrade a read lock.
* **It reserves the outbox sequence.** Nearly every action appends exactly one outbox row
  (Art 21), so the lock advances ``outbox_seq`` by one (``reserve``) and the row needs no
  second UPDATE for it; ``archive._flush_seq`` writes the difference when an action appended
  another number of rows (or none).
* **Related rows come back as JSON** (``json_array``/``json_group_array`` on SQLite,
  ``json_build_array``/``json_agg`` on PostgreSQL: the two dialects differ only in those
  names) and are turned into model instances here, with the values converted the way the
  database backends convert them. Every concrete field is read, so nothing is deferred by
  accident; only the events' actor and organisation are partial (their user name and code,
  which is all the archive shows of them).
* **Scope by construction** still holds: the target is a selector's query of ticket ids the
  caller may see (``selectors.ticket_target`` and friends); a ticket outside it updates no
  row, hence a 404.
"""

# ruff: noqa: S608  the SQL here is built from model table and column names only
from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from hotline.orgs.models import Organisation
from hotline.tickets.choices import ReviewState
from hotline.tickets.models import Assignment, Category, Review, Ticket, TicketEvent

# -- JSON rows -------------------------------------------------------------------------------


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _concrete(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column of the model, not a reverse relation
    return field


def _column(field: models.Field) -> str:
    assert field.column is not None  # typed optional: set once the model class is built
    return field.column


def _array(parts: Sequence[str]) -> str:
    fn = "json_build_array" if connection.vendor == "postgresql" else "json_array"
    return f"{fn}({', '.join(parts)})"


def _agg(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"COALESCE(json_agg({expr}), '[]'::json)"
    return f"json_group_array({expr})"


def _columns(model: type[models.Model], alias: str, fields: Sequence[str] | None = None) -> list:
    out = []
    for field in _fields(model) if fields is None else [_concrete(model, f) for f in fields]:
        column = f"{alias}.{_q(_column(field))}"
        if isinstance(field, models.JSONField) and connection.vendor != "postgresql":
            column = f"json({column})"  # SQLite keeps JSON as text: embed it as JSON
        out.append(column)
    return out


def json_value(field: models.Field, raw: Any) -> Any:
    """A JSON value as the database backend would have converted the column."""
    if raw is None:
        return None
    if isinstance(field, models.DateTimeField):
        value = parse_datetime(raw) if isinstance(raw, str) else raw
        assert value is not None  # the database's own text of a timestamp
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if isinstance(field, models.DateField):
        return parse_date(raw) if isinstance(raw, str) else raw
    if isinstance(field, models.BooleanField):
        return bool(raw)
    if isinstance(field, models.UUIDField):
        return uuid.UUID(raw) if isinstance(raw, str) else raw
    return raw


def _instance(
    model: type[models.Model], values: Sequence[Any], fields: Sequence[str] | None = None
) -> Any:
    chosen = _fields(model) if fields is None else [_concrete(model, f) for f in fields]
    return model.from_db(
        connection.alias,
        [f.attname for f in chosen],
        [json_value(f, v) for f, v in zip(chosen, values, strict=True)],
    )


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


def prefetched(instance: models.Model, name: str, rows: list) -> None:
    """Hand ``instance.<name>.all()`` these rows, the way ``prefetch_related`` does."""
    qs = getattr(instance, name).get_queryset()
    qs._result_cache = rows
    qs._prefetch_done = True
    # Model._prefetched_objects_cache is Django's own (not in django-stubs)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    instance._prefetched_objects_cache[name] = qs  # type: ignore[attr-defined]


# -- the statement ---------------------------------------------------------------------------

_ORG_SHORT = ("id", "code")
_REPEAT_OF = ("id", "number", "status", "confidential")
_PENDING = ("id", "kind", "assignment_id", "requested_org_id")
# where outbox_seq is in a ticket's row (its concrete fields in order; id is the first)
_SEQ = [f.name for f in Ticket._meta.concrete_fields].index("outbox_seq")


@cache
def _returning(vendor: str, events: bool, review: bool) -> str:
    """The RETURNING list (the vendor is part of the cache key: its JSON function names)."""
    del vendor
    t = _q(Ticket._meta.db_table)
    org, cat = _q(Organisation._meta.db_table), _q(Category._meta.db_table)
    asg, rev = _q(Assignment._meta.db_table), _q(Review._meta.db_table)
    parts = [
        _array(_columns(Ticket, t)),
        f"(SELECT {_array(_columns(Organisation, 'o'))} FROM {org} o WHERE o.id = {t}.county_id)",
        f"(SELECT {_array(_columns(Category, 'c'))} FROM {cat} c WHERE c.id = {t}.category_id)",
        f"(SELECT {_array(_columns(Ticket, 'r', _REPEAT_OF))} FROM {t} r"
        f" WHERE r.id = {t}.repeat_of_id)",
        f"(SELECT {_agg(_array(_columns(Assignment, 'a') + _columns(Organisation, 'ao')))}"
        f" FROM {asg} a JOIN {org} ao ON ao.id = a.org_id WHERE a.ticket_id = {t}.id)",
        f"(SELECT {_agg(_array(_columns(Review, 'pr', _PENDING)))} FROM {rev} pr"
        f" WHERE pr.ticket_id = {t}.id AND pr.state = %s)",
    ]
    if events:
        user = _q(get_user_model()._meta.db_table)
        event = _q(TicketEvent._meta.db_table)
        columns = [*_columns(TicketEvent, "e"), "u.username", "eo.code"]
        parts.append(
            f"(SELECT {_agg(_array(columns))} FROM {event} e"
            f" LEFT JOIN {user} u ON u.id = e.actor_id LEFT JOIN {org} eo ON eo.id = e.org_id"
            f" WHERE e.ticket_id = {t}.id)"
        )
    if review:
        columns = (
            _columns(Review, "rv") + _columns(Organisation, "ro") + _columns(Organisation, "qo")
        )
        parts.append(
            f"(SELECT {_array(columns)} FROM {rev} rv JOIN {org} ro ON ro.id = rv.reviewer_org_id"
            f" LEFT JOIN {org} qo ON qo.id = rv.requested_org_id"
            f" WHERE rv.id = %s AND rv.ticket_id = {t}.id)"
        )
    return ", ".join(parts)


def lock_ticket(
    target: QuerySet | int,
    *,
    reserve: int = 1,
    events: bool = False,
    review_id: int | None = None,
) -> Ticket | None:
    """Lock the ticket ``target`` selects (a query of one ticket id, or the id), reserve ``reserve``
    outbox sequence numbers, and read it with its county, category, ``repeat_of`` (number and
    status), every assignment (with its organisation), its pending reviews and, with
    ``events``, its history; with ``review_id``, that review of the ticket (with its
    organisations). ``None`` when ``target`` selects nothing."""
    if isinstance(target, int):  # by primary key: nothing to compile
        sql, params = "%s", (target,)
    else:
        try:
            sql, params = target.order_by().query.sql_with_params()
        except EmptyResultSet:  # the caller's scope (or an id beyond any row) selects nothing
            return None
    t = _q(Ticket._meta.db_table)
    seq = _q(_column(_concrete(Ticket, "outbox_seq")))
    returning = _returning(connection.vendor, events, review_id is not None)
    extra = [ReviewState.PENDING.value] + ([review_id] if review_id is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t} SET {seq} = {seq} + %s WHERE {t}.id IN ({sql}) "
            f"RETURNING (SELECT s.{seq} FROM {t} s WHERE s.id = {t}.id), {returning}",
            [reserve, *params, *extra],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        seen, row = row[0], row[1:]
        values = _json(row[0])
        if connection.vendor == "postgresql" and seen != values[_SEQ] - reserve:
            # READ COMMITTED: the lock waited for a transaction that changed the ticket; the
            # row came back as that one left it, but the subqueries read the snapshot taken
            # before the wait. They are read again, now under the lock. (SQLite: one writer
            # at a time, and its subquery reads the row as this statement left it.)
            cursor.execute(f"SELECT {returning} FROM {t} WHERE {t}.id = %s", [*extra, values[0]])
            row = cursor.fetchone()
    return _build(row, reserve=reserve, events=events, review=review_id is not None)


def _build(row: Sequence[Any], *, reserve: int, events: bool, review: bool) -> Ticket:
    ticket = _instance(Ticket, _json(row[0]))
    stored = ticket.outbox_seq
    ticket.outbox_seq = stored - reserve  # the actions's own rows count up from here
    ticket._seq_stored = stored
    county = _json(row[1])
    ticket.county = _instance(Organisation, county) if county is not None else None
    category = _json(row[2])
    ticket.category = _instance(Category, category) if category is not None else None
    repeat_of = _json(row[3])
    ticket.repeat_of = _instance(Ticket, repeat_of, _REPEAT_OF) if repeat_of else None

    n_asg = len(_fields(Assignment))
    rows: list[Assignment] = []
    for values in _json(row[4]):
        assignment = _instance(Assignment, values[:n_asg])
        assignment.org = _instance(Organisation, values[n_asg:])
        assignment.ticket = ticket
        rows.append(assignment)
    rows.sort(key=lambda a: (a.dispatched_at, a.pk))
    by_pk = {a.pk: a for a in rows}
    for assignment in rows:
        if assignment.parent_id is not None and assignment.parent_id in by_pk:
            assignment.parent = by_pk[assignment.parent_id]
    ticket._locked_assignments = rows
    prefetched(ticket, "assignments", list(rows))
    ticket._pending_reviews = [tuple(values) for values in _json(row[5])]

    column = 6
    if events:
        n_ev = len(_fields(TicketEvent))
        history: list[TicketEvent] = []
        user_model = get_user_model()
        for values in _json(row[column]):
            event = _instance(TicketEvent, values[:n_ev])
            username, org_code = values[n_ev:]
            event.ticket = ticket
            event.actor = (
                _instance(user_model, [event.actor_id, username], ("id", "username"))
                if event.actor_id
                else None
            )
            event.org = (
                _instance(Organisation, [event.org_id, org_code], _ORG_SHORT)
                if event.org_id
                else None
            )
            history.append(event)
        history.sort(key=lambda e: (e.at, e.pk))
        prefetched(ticket, "events", history)
        column += 1
    if review:
        values = _json(row[column])
        n_rev, n_org = len(_fields(Review)), len(_fields(Organisation))
        held = _instance(Review, values[:n_rev])
        held.reviewer_org = _instance(Organisation, values[n_rev : n_rev + n_org])
        requested = values[n_rev + n_org :]
        held.requested_org = _instance(Organisation, requested) if requested[0] else None
        held.ticket = ticket
        if held.assignment_id is not None:
            held.assignment = by_pk.get(held.assignment_id)
        ticket._locked_review = held
    return ticket


# -- what the lock read, for the callers ------------------------------------------------------


def locked_assignment(ticket: Ticket, assignment_id: int | None) -> Assignment | None:
    """The assignment of a locked ticket (``lock_ticket``) with this id."""
    return next((a for a in ticket._locked_assignments if a.pk == assignment_id), None)


def locked_review(ticket: Ticket) -> Review | None:
    """The review ``lock_ticket`` read with the ticket (``review_id``)."""
    return getattr(ticket, "_locked_review", None)


# -- row updates -------------------------------------------------------------------------------


@cache
def _update_sql(model: type[models.Model], fields: tuple[str, ...], vendor: str) -> str:
    del vendor  # part of the cache key: the quoting
    meta = model._meta
    sets = ", ".join(f"{_q(_column(_concrete(model, name)))} = %s" for name in fields)
    assert meta.pk is not None
    return f"UPDATE {_q(meta.db_table)} SET {sets} WHERE {_q(_column(meta.pk))} = %s"


def save_row(instance: models.Model, fields: Sequence[str]) -> None:
    """``instance.save(update_fields=fields)`` for the write path's own rows (tickets,
    assignments, reviews: no signal is connected to them), in one statement compiled once
    per model and field list instead of once per call (issue 14: the demo history saves
    tens of thousands of them). ``auto_now`` fields get the time, as ``save`` gives it."""
    model = type(instance)
    values = []
    for name in fields:
        field = _concrete(model, name)
        if getattr(field, "auto_now", False):
            setattr(instance, field.attname, timezone.now())
        values.append(field.get_db_prep_save(getattr(instance, field.attname), connection))
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, tuple(fields), connection.vendor), [*values, instance.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{model.__name__} {instance.pk}: {cursor.rowcount} rows updated")
