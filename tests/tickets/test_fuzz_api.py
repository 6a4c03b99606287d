"""Fuzz the whole API from its own OpenAPI document (schemathesis, in-process over WSGI).

Given every operation of ``/api/v1/openapi.json``, when schemathesis generates requests for
it, valid and deliberately malformed, sent as the administrator, an agent, a dispatcher, the
callback agent, a supervisor, a handling unit or nobody, then no response is a 5xx and every
4xx body follows API.md: ``{"error": {"code": <snake_case>, "message": <text>}}``.

Half of the examples aim at real tickets, assignments and reviews (in every state) and real
organisation codes, so the generated bodies reach the services and their rules, not only the
404 of an unknown number. Simulation mode is on, so the clock and timer endpoints are fuzzed
too. Bounded (``FUZZ_EXAMPLES`` per operation, default 15, derandomized); ``pytest -m fuzz``
runs it alone, ``FUZZ_RANDOM=1 FUZZ_EXAMPLES=200`` explores further.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from tests.tickets.conftest import INTAKE

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
USERS = ("admin", "agent", "dispatcher", "callback", "supervisor", "org.411702", None)
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
REAL = 8  # picks below this aim at real objects and codes
ORG_CODES = ("411702", "411702-01", "housing", "city", "no-such-org")


@functools.cache
def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


def _operations() -> list[tuple[str, str]]:
    document = _schema().raw_schema
    return [
        (method.upper(), path)
        for path, methods in document["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    ]


@pytest.fixture
def _wsgi_in_test_transaction():
    """Django's test client keeps the test's connection across requests; a bare WSGI handler
    would close it at every request (close_old_connections) and lose the test transaction,
    so do what the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_objects(db, demo_orgs) -> dict[str, list]:
    """Tickets, assignments and reviews in every state, for path parameters."""
    from django.utils import timezone

    from hotline.orgs.models import User
    from hotline.tickets import services
    from hotline.tickets.models import Review

    now = timezone.now() - timedelta(hours=1)
    users = {u.username: u for u in User.objects.filter(username__in=USERS[:-1])}
    unit_user = users["org.411702"]
    unit = demo_orgs["411702"]

    def new(**extra):
        return services.ticket_intake(
            channel="phone",
            appeal_type="complaint",
            content="市民反映驿城区雪松路路灯不亮，夜间出行不便。",
            citizen_name="张三",
            citizen_phone="13800138000",
            county=unit,
            address="雪松路",
            actor=users["agent"],
            now=now,
            **extra,
        ).ticket

    def dispatched(*, sign=True, **extra):
        ticket = new(**extra)
        services.ticket_dispatch(ticket=ticket, lead=unit, actor=users["dispatcher"], now=now)
        assignment = ticket.assignments.get()
        if sign:
            services.assignment_sign(assignment=assignment, actor=unit_user, now=now)
        return ticket, assignment

    tickets = [new(), new(confidential=True)]
    assignments = []
    t, a = dispatched(sign=False)  # awaiting sign
    tickets.append(t)
    assignments.append(a)
    t, a = dispatched(major_incident=True)  # in progress, major incident
    tickets.append(t)
    assignments.append(a)
    t, a = dispatched()  # return requested
    services.assignment_return(
        assignment=a, reason="不属本单位职责", basis="三定方案", actor=unit_user, now=now
    )
    tickets.append(t)
    assignments.append(a)
    t, a = dispatched()  # extension requested
    services.assignment_request_extension(
        assignment=a, working_days=3, reason="需现场勘查", actor=unit_user, now=now
    )
    tickets.append(t)
    assignments.append(a)
    t, a = dispatched()  # awaiting callback
    services.assignment_reply(assignment=a, content="已修复", actor=unit_user, now=now)
    tickets.append(t)
    assignments.append(a)
    t, a = dispatched()  # closed, evaluation disputed
    services.assignment_reply(assignment=a, content="已修复", actor=unit_user, now=now)
    services.ticket_callback(
        ticket=t, outcome="unsatisfied", reasonable=False, actor=users["callback"], now=now
    )
    services.ticket_dispute(ticket=t, reason="评价不实", actor=unit_user, now=now)
    tickets.append(t)
    assignments.append(a)
    return {
        "number": [t.number for t in tickets],
        "assignment_id": [a.pk for a in assignments],
        "review_id": list(Review.objects.values_list("pk", flat=True)),
    }


@pytest.fixture
def tokens(db, demo_orgs) -> dict[str | None, dict[str, str]]:
    from hotline.core.auth import token_issue

    headers: dict[str | None, dict[str, str]] = {None: {}}
    for name in USERS:
        if name:
            key, _token = token_issue(username=name, password="Demo#12345")
            headers[name] = {"Authorization": f"Bearer {key}"}
    return headers


def _aim_at_real(case, real_objects: dict[str, list], pick: int) -> None:
    """Swap generated identifiers and codes for real ones, keeping everything else."""
    for name, pool in real_objects.items():
        if pool and name in (case.path_parameters or {}):
            case.path_parameters[name] = pool[pick % len(pool)]
    body = case.body
    if not isinstance(body, dict):
        return
    org = ORG_CODES[pick % len(ORG_CODES)]
    if isinstance(body.get("location"), dict):
        body["location"]["county"] = "411702" if pick % 3 else org
    if isinstance(body.get("citizen"), dict):
        body["citizen"]["phone"] = "13800138000"
    if "lead" in body:
        body["lead"] = org
    if isinstance(body.get("assists"), list):
        body["assists"] = ["urban"] if pick % 2 else []
    if "suggested_org" in body:
        body["suggested_org"] = org
    if "category" in body:
        body["category"] = None
    if "reason" in body and "explanation" in body:  # not accepted (Art 11)
        body["reason"] = ("no_substance", "emergency", "repeat_after_closure")[pick % 3]


def _check_contract(case, response) -> None:
    if response.status_code < 400:
        return
    where = f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, where
    body = response.json()
    assert isinstance(body, dict), where
    assert set(body) == {"error"}, where
    error = body["error"]
    assert isinstance(error, dict), where
    assert isinstance(error.get("code"), str), where
    assert SNAKE.match(error["code"]), where
    assert isinstance(error.get("message"), str), where
    assert error["message"], where


def _fuzz(method: str, path: str, *, tokens, real_objects) -> None:
    operation = _schema()[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases, user=st.sampled_from(USERS), pick=st.integers(0, 2 * REAL - 1))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case, user, pick):
        if pick < REAL:
            _aim_at_real(case, real_objects, pick)
        # Each request is undone after it: every example starts from the same objects, and a
        # request that broke the transaction (PostgreSQL) cannot poison the next one.
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=tokens[user])
        finally:
            transaction.savepoint_rollback(savepoint)
        _check_contract(case, response)

    check()


@pytest.mark.django_db
def test_api_never_fails_and_errors_follow_the_contract(
    tokens, real_objects, _wsgi_in_test_transaction
):
    operations = _operations()
    only = os.environ.get("FUZZ_ONLY", "")
    failures = []
    with override_settings(SIMULATION=True):
        for method, path in operations:
            if only and only not in f"{method} {path}":
                continue
            started = time.perf_counter()
            try:
                _fuzz(method, path, tokens=tokens, real_objects=real_objects)
            except Exception as exc:  # report every operation, not only the first failure
                failures.append(f"{method} {path}: {type(exc).__name__}: {exc}")
            print(f"{time.perf_counter() - started:6.2f}s {method} {path}")
    assert len(operations) >= 30
    assert not failures, "\n\n".join(failures)


# -- what the fuzzer found, pinned -----------------------------------------------------------


def _error(response, *statuses: int) -> dict:
    assert response.status_code in statuses, response.content[:300]
    error = response.json()["error"]
    assert SNAKE.match(error["code"]) and error["message"]
    return error


def test_text_with_a_nul_character_is_malformed_input_on_every_database(api, client):
    """PostgreSQL cannot store NUL (it was a 500 there); SQLite silently stored it."""
    body = json.loads(json.dumps(INTAKE))
    body["content"] = "路灯\x00不亮"
    _error(api("agent").post("/tickets", body), 422)
    _error(api("agent").get("/tickets", q="13800\x00138000"), 422)
    token = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": "agent\x00", "password": "x"}),
        content_type="application/json",
    )
    _error(token, 422)


def test_identifiers_beyond_64_bits_are_not_server_errors(api):
    _error(api("org.411702").post(f"/assignments/{2**70}/sign"), 404, 422)
    _error(api("supervisor").post(f"/reviews/{2**64}/approve", {}), 404, 422)
    _error(api("agent").get("/tickets/ZMD%00"), 404, 422)
