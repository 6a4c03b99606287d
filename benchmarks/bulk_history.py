"""The bulk-loaded history of ``benchmarks/lifecycle.py``: a million tickets and their
assignments written with ``INSERT … SELECT generate_series`` straight into the tables
(PostgreSQL), bypassing the services — for the benchmark only (no events, no outbox rows):
fine for measuring reads and timers, and the only way to build them in seconds. Every due
column is filled the way the services fill it and every index of the models is in place (the
load runs after ``migrate``)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
# The business "now" of the history: a Tuesday afternoon (a working day in the 2026 calendar).
NOW = datetime(2026, 6, 16, 15, 0, tzinfo=TZ)
DUE_WINDOW = timedelta(hours=1)  # the ~1,000 due items fall in (NOW, NOW + DUE_WINDOW]


def log(message: str) -> None:
    print(message, flush=True)


def _columns(model, given: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every concrete column of ``model`` but the id: the SQL given, else the field's default
    as a literal (Django defaults live in Python, not in the schema)."""
    from django.db import connection

    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        columns.append(connection.ops.quote_name(column))
        if column in given:
            exprs.append(given[column])
            continue
        if field.null:
            exprs.append("NULL")
            continue
        default = field.get_default()
        if isinstance(default, bool):
            exprs.append("TRUE" if default else "FALSE")
        elif isinstance(default, int | float):
            exprs.append(str(default))
        elif isinstance(default, dict | list):
            exprs.append(f"'{json.dumps(default)}'::jsonb")
        else:
            exprs.append("''" if default in (None, "") else f"'{default}'")
    return columns, exprs


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique indexes of ``tables``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [tables],
        )
        return cursor.fetchall()


def load_history(total: int, open_count: int) -> dict:
    """Load the history with the secondary indexes dropped, then rebuild them exactly as the
    migrations made them (the usual bulk-load practice: one sort per index, not a million
    index insertions)."""
    from django.db import connection

    from hotline.tickets.models import Assignment, Ticket

    indexes = _secondary_indexes([Ticket._meta.db_table, Assignment._meta.db_table])
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    due = _insert_history(total, open_count)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Assignment._meta.db_table}")
    elapsed = time.perf_counter() - started
    log(f"  {len(indexes)} secondary indexes rebuilt and vacuum analyze in {elapsed:.1f} s")
    return due


def _insert_history(total: int, open_count: int) -> dict:
    """``total`` tickets over two years, the newest ``open_count`` still open, and their
    assignments (a county lead re-dispatched to one of its units two times out of three)."""
    from django.db import connection

    from hotline.orgs.choices import OrgKind
    from hotline.orgs.models import Organisation
    from hotline.tickets.models import Assignment, Ticket

    counties = list(
        Organisation.objects.filter(kind=OrgKind.COUNTY)
        .order_by("code")
        .values_list("id", flat=True)
    )
    city_units = list(
        Organisation.objects.filter(kind=OrgKind.UNIT, parent__kind=OrgKind.CENTER)
        .order_by("code")
        .values_list("id", flat=True)
    )
    closed = total - open_count
    due = {"sign": 250, "handling": 250, "callback": 250, "dispatch": 250}
    # Ticket i (1…total), oldest first. Open ones: i > closed; their state by (i % 100):
    # 0–3 new, 4–79 in handling, 80–99 awaiting callback. Closed: 3% not accepted, 20%
    # answered at intake, the rest dispatched and closed after a callback.
    # Literals only (no query parameters), so "%" is SQL's modulo.
    now = f"'{NOW.isoformat()}'::timestamptz"
    county_array = f"ARRAY[{','.join(map(str, counties))}]::bigint[]"
    unit_array = f"ARRAY[{','.join(map(str, city_units))}]::bigint[]"
    state = (
        f"CASE WHEN i > {closed} THEN CASE WHEN i % 100 < 4 THEN 'new' "
        "WHEN i % 100 < 80 THEN 'in_handling' ELSE 'awaiting_callback' END "
        "WHEN i % 100 < 3 THEN 'not_accepted' ELSE 'closed' END"
    )
    span = 730 * 86400
    received = f"{now} - make_interval(secs => ({total} - i) * {span}.0 / {total})"
    # the open tickets' due times lie after NOW + DUE_WINDOW, except the chosen due ones
    later = f"{now} + interval '2 hours' + make_interval(mins => (i % 7000)::int)"
    soon = f"{now} + make_interval(secs => 1 + i % 3000)"
    n_new_due = due["dispatch"]
    n_cb_due = due["callback"]
    given = {
        "number": "'B' || lpad(i::text, 10, '0')",
        "status": "s",
        "channel": "(ARRAY['phone','phone','phone','phone','web','mobile','provincial'])"
        "[1 + i % 7]",
        "appeal_type": "(ARRAY['consultation','consultation','complaint','complaint','help',"
        "'suggestion','report','consultation','complaint','consultation'])[1 + i % 10]",
        "content": "'市民来电反映：小区门口路灯不亮、道路破损，夜间出行不便，希望尽快处理。第' "
        "|| i || '号'",
        "citizen_name": "'市民' || (i % 997)",
        "citizen_phone": "'13' || lpad((i::bigint * 7919 % 1000000000)::text, 9, '0')",
        "confidential": "(i % 50 = 0)",
        "county_id": f"({county_array})[1 + i % {len(counties)}]",
        "address": "'驿城区雪松路' || (i % 500) || '号'",
        "received_at": received,
        "dispatch_due_at": (
            f"CASE WHEN s = 'new' AND i % 100 = 0 AND i <= {closed} + {n_new_due * 100} "
            f"THEN {soon} WHEN s = 'new' THEN {later} "
            f"ELSE {received} + interval '12 hours' END"
        ),
        "dispatched_at": f"CASE WHEN s IN ('new', 'not_accepted') OR (s = 'closed' AND i % 5 = 0)"
        f" THEN NULL ELSE {received} + interval '1 hour' END",
        "major_incident": "(i % 1000 = 7)",
        "result_received_at": f"CASE WHEN s = 'awaiting_callback' OR (s = 'closed' AND "
        f"i % 5 <> 0) THEN {received} + interval '4 days' END",
        "callback_due_at": (
            f"CASE WHEN s = 'awaiting_callback' AND i % 100 = 80 AND i <= {closed} + "
            f"{n_cb_due * 100} THEN {soon} WHEN s = 'awaiting_callback' THEN {later} "
            f"WHEN s = 'closed' AND i % 5 <> 0 THEN {received} + interval '7 days' END"
        ),
        "evaluation_outcome": "CASE WHEN s = 'closed' AND i % 5 <> 0 THEN (ARRAY['satisfied',"
        "'satisfied','satisfied','basically_satisfied','unsatisfied'])[1 + i % 5] ELSE '' END",
        "closed_at": f"CASE WHEN s IN ('closed', 'not_accepted') THEN {received} "
        "+ interval '5 days' END",
        "close_reason": "CASE WHEN s = 'closed' AND i % 5 = 0 THEN 'answered_at_intake' "
        "WHEN s = 'closed' THEN 'satisfied' ELSE '' END",
        "not_accepted_reason": "CASE WHEN s = 'not_accepted' THEN 'no_substance' ELSE '' END",
        "updated_at": received,
        "external_id": "NULL",
    }
    columns, exprs = _columns(Ticket, given)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Ticket._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(exprs)} FROM (SELECT i, {state} AS s "
            f"FROM generate_series(1, {total}) AS i) AS g"
        )
    log(f"  {total:,} tickets in {time.perf_counter() - started:.1f} s")

    # Lead assignments: every dispatched ticket. 60% to a county body, 40% to a city unit.
    # Open tickets in handling: 5% awaiting sign, 2% return requested, the rest in progress;
    # 3% of those in progress already flagged overdue.
    t = "t"
    number_i = f"substr({t}.number, 2)::bigint"
    a_state = (
        f"CASE WHEN {t}.status IN ('closed', 'awaiting_callback') THEN 'replied' "
        f"WHEN {number_i} % 100 BETWEEN 4 AND 8 THEN 'awaiting_sign' "
        f"WHEN {number_i} % 100 BETWEEN 9 AND 10 THEN 'return_requested' ELSE 'in_progress' END"
    )
    n_sign_due, n_handling_due = due["sign"], due["handling"]
    sign_due = (
        f"CASE WHEN st = 'awaiting_sign' AND rn <= {n_sign_due} THEN {soon.replace('i %', 'n %')}"
        f" WHEN st = 'awaiting_sign' THEN {later.replace('i %', 'n %')} "
        "ELSE dispatched_at + interval '2 hours' END"
    )
    due_at = (
        f"CASE WHEN st = 'awaiting_sign' THEN NULL "
        f"WHEN st = 'in_progress' AND rn <= {n_handling_due} THEN {soon.replace('i %', 'n %')} "
        f"WHEN st = 'in_progress' AND n % 33 = 0 THEN {now} - interval '3 days' "
        f"WHEN st IN ('in_progress', 'return_requested') "
        f"THEN date_trunc('day', {later.replace('i %', 'n %')}) + interval '5 days 23:59:59' "
        "ELSE dispatched_at + interval '7 days' END"
    )
    lead_org = (
        f"CASE WHEN n % 10 < 6 THEN ({county_array})[1 + n % {len(counties)}] "
        f"ELSE ({unit_array})[1 + n % {len(city_units)}] END"
    )
    given = {
        "ticket_id": "id",
        "org_id": "org",
        "role": "'lead'",
        "parent_id": "NULL",
        "status": "st",
        "dispatched_at": "dispatched_at",
        "sign_due_at": "sign_due",
        "signed_at": "CASE WHEN st <> 'awaiting_sign' THEN dispatched_at + interval '30 minutes'"
        " END",
        "first_signed_at": "CASE WHEN st <> 'awaiting_sign' THEN dispatched_at "
        "+ interval '30 minutes' END",
        "due_at": "due",
        "overdue": f"(st = 'in_progress' AND n % 33 = 0 AND rn > {n_handling_due})",
        "overdue_at": f"CASE WHEN st = 'in_progress' AND n % 33 = 0 AND rn > {n_handling_due} "
        "THEN due + interval '1 second' END",
        "return_window_ends_at": "CASE WHEN st <> 'awaiting_sign' THEN dispatched_at "
        "+ interval '1 day' END",
        "replied_at": "CASE WHEN st = 'replied' THEN dispatched_at + interval '4 days' END",
        "reply_content": "CASE WHEN st = 'replied' THEN '已处理完毕' ELSE '' END",
    }
    columns, exprs = _columns(Assignment, given)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Assignment._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(exprs)} FROM ("
            f"  SELECT x.*, {sign_due} AS sign_due, {due_at} AS due FROM ("
            f"    SELECT b.*, {lead_org} AS org, "
            "      row_number() OVER (PARTITION BY b.st ORDER BY b.id) AS rn FROM ("
            f"      SELECT {t}.id, {t}.dispatched_at, {number_i} AS n, {a_state} AS st"
            f"      FROM {Ticket._meta.db_table} {t}"
            f"      WHERE {t}.dispatched_at IS NOT NULL AND {t}.number LIKE 'B%%'"
            "    ) AS b"
            "  ) AS x"
            ") AS y"
        )
        leads = cursor.rowcount
        # Two county leads out of three are re-dispatched to one of the county's units; the
        # child carries the parent's clocks (it is never due later than its parent).
        cursor.execute(
            "CREATE TEMP TABLE bench_units AS SELECT p.id AS county_id, c.id AS unit_id, "
            "row_number() OVER (PARTITION BY p.id ORDER BY c.code) - 1 AS k, "
            "count(*) OVER (PARTITION BY p.id) AS n "
            f"FROM {Organisation._meta.db_table} c JOIN {Organisation._meta.db_table} p "
            "ON c.parent_id = p.id WHERE p.kind = 'county' AND c.kind = 'unit'"
        )
        child_given = {
            "ticket_id": "a.ticket_id",
            "org_id": "u.unit_id",
            "role": "'lead'",
            "parent_id": "a.id",
        }
        copy = [
            f.column
            for f in Assignment._meta.concrete_fields
            if not f.primary_key and f.column not in child_given
        ]
        cols = [*child_given, *copy]
        exprs = [*child_given.values(), *(f"a.{c}" for c in copy)]
        cursor.execute(
            f"INSERT INTO {Assignment._meta.db_table} ({', '.join(cols)}) "
            f"SELECT {', '.join(exprs)} FROM {Assignment._meta.db_table} a "
            "JOIN bench_units u ON u.county_id = a.org_id AND u.k = a.ticket_id % u.n "
            "WHERE a.ticket_id % 3 <> 0 AND a.status <> 'awaiting_sign' "
            # the chosen due items stay ~1,000: their children would be due with them
            f"AND (a.due_at IS NULL OR a.due_at NOT BETWEEN {now} AND {now} + interval '1 hour')"
        )
        children = cursor.rowcount
        cursor.execute("DROP TABLE bench_units")
    log(
        f"  {leads:,} lead and {children:,} child assignments in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return due
