"""Issue 19: the authorization matrix, generated from the OpenAPI document — every operation
× every demo role (and no token) — with the expected outcome in a table here. ``deny`` is a
401 (no token) or 403 (the role may not); ``pass`` is anything else the guard lets through to
the input checks (404 for the dummy object, 422 for the empty body, 200…); a 500 always
fails. An operation without a row fails the test: a new endpoint needs its expectation.

Objects are dummies (a number and an id that do not exist): scope on real own / foreign /
confidential objects is covered by the tickets' scope tests and issue 19 F1's test."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",
    "agent",
    "dispatcher",
    "callback",
    "supervisor",
    "analyst",
    "inspector",
    "org.411702",
    "org.medins",
)
ANON = "anonymous"
CENTER = {"admin", "agent", "analyst", "callback", "dispatcher", "inspector", "supervisor"}
DUMMY = {"number": "ZMD0000000000", "id": "999999999"}

# Expected: operation -> the identities let through (all others: 401 without a token, 403).
# "*" every signed-in role; "public" also the anonymous caller.
# Generated once with HOTLINE_MATRIX_PRINT=1 and reviewed. Most POSTs read as "*": with an
# empty body the input check (422) answers before the role check. The exchange operations
# need a partner's signature: no token lets them through.
MATRIX = """
DELETE /api/v1/auth/token => *
GET /api/v1/analytics/alerts => *
GET /api/v1/analytics/hot-topics => *
GET /api/v1/analytics/overview => *
GET /api/v1/analytics/unresolved => *
GET /api/v1/calendar/days => public
GET /api/v1/calendar/deadline => public
GET /api/v1/evaluation => *
GET /api/v1/evaluation/drill => *
GET /api/v1/evaluation/runs/{period}/document => *
GET /api/v1/evaluation/schemes => *
GET /api/v1/exchange/metrics => admin
GET /api/v1/exchange/tickets/{external_id} => nobody
GET /api/v1/incidents => *
GET /api/v1/knowledge/art27 => center
GET /api/v1/knowledge/entries/export.xlsx => admin org.411702 org.medins supervisor
GET /api/v1/knowledge/entries/{entry_id} => *
GET /api/v1/knowledge/entries/{entry_id}/diff => *
GET /api/v1/knowledge/entries/{entry_id}/versions => *
GET /api/v1/knowledge/feedback => *
GET /api/v1/knowledge/feedback/{feedback_id} => *
GET /api/v1/knowledge/search => *
GET /api/v1/knowledge/synonyms => *
GET /api/v1/knowledge/usage/stats => *
GET /api/v1/orgs => public
GET /api/v1/orgs/{code} => public
GET /api/v1/reports => *
GET /api/v1/reports/{report_id}/file => *
GET /api/v1/reviews => *
GET /api/v1/routing/suggest => *
GET /api/v1/simulation/clock => public
GET /api/v1/supervision/cases => *
GET /api/v1/supervision/cases/{case_id} => *
GET /api/v1/supervision/cases/{case_id}/attachments/{attachment_id} => *
GET /api/v1/supervision/cases/{case_id}/document => *
GET /api/v1/telephony/callbacks => admin agent analyst callback dispatcher supervisor
GET /api/v1/telephony/calls => center
GET /api/v1/telephony/calls/{call_id} => center
GET /api/v1/telephony/connection-rate => center
GET /api/v1/telephony/connection-rate/orgs => center
GET /api/v1/telephony/coverage => admin analyst inspector supervisor
GET /api/v1/telephony/experts => admin agent analyst callback inspector supervisor
GET /api/v1/telephony/restrictions => center
GET /api/v1/telephony/restrictions/check => *
GET /api/v1/telephony/staffing => admin analyst inspector supervisor
GET /api/v1/telephony/wallboard => admin agent analyst callback inspector supervisor
GET /api/v1/tickets => *
GET /api/v1/tickets/{number} => *
GET /api/v1/tickets/{number}/dossier.docx => *
PATCH /api/v1/knowledge/entries/{entry_id} => *
POST /api/v1/analytics/alerts/{alert_id}/close => *
POST /api/v1/assignments/{assignment_id}/dispatch => *
POST /api/v1/assignments/{assignment_id}/extension => *
POST /api/v1/assignments/{assignment_id}/progress => *
POST /api/v1/assignments/{assignment_id}/reply => *
POST /api/v1/assignments/{assignment_id}/return => *
POST /api/v1/assignments/{assignment_id}/sign => *
POST /api/v1/auth/token => public
POST /api/v1/evaluation/runs => *
POST /api/v1/evaluation/runs/{period}/publish => *
POST /api/v1/exchange/tickets => nobody
POST /api/v1/exchange/tickets/{external_id}/result => nobody
POST /api/v1/incidents/{incident_id}/close => *
POST /api/v1/knowledge/entries => *
POST /api/v1/knowledge/entries/{entry_id}/feedback => *
POST /api/v1/knowledge/entries/{entry_id}/publish => *
POST /api/v1/knowledge/entries/{entry_id}/retire => *
POST /api/v1/knowledge/entries/{entry_id}/return => *
POST /api/v1/knowledge/entries/{entry_id}/review => *
POST /api/v1/knowledge/entries/{entry_id}/submit => *
POST /api/v1/knowledge/feedback => *
POST /api/v1/knowledge/feedback/{feedback_id}/accept => *
POST /api/v1/knowledge/feedback/{feedback_id}/answer => *
POST /api/v1/knowledge/feedback/{feedback_id}/reject => *
POST /api/v1/knowledge/synonyms => *
POST /api/v1/knowledge/usage => *
POST /api/v1/reports => *
POST /api/v1/reviews/{review_id}/approve => *
POST /api/v1/reviews/{review_id}/reject => *
POST /api/v1/simulation/run-timers => *
POST /api/v1/supervision/cases => *
POST /api/v1/supervision/cases/{case_id}/accountability => *
POST /api/v1/supervision/cases/{case_id}/assess => *
POST /api/v1/supervision/cases/{case_id}/attachments => *
POST /api/v1/supervision/cases/{case_id}/confirm => *
POST /api/v1/supervision/cases/{case_id}/dismiss => *
POST /api/v1/supervision/cases/{case_id}/respond => *
POST /api/v1/telephony/agent-states => *
POST /api/v1/telephony/callbacks/{task_id}/attempt => *
POST /api/v1/telephony/calls/{call_id}/legs => *
POST /api/v1/telephony/events => *
POST /api/v1/telephony/restrictions => *
POST /api/v1/telephony/restrictions/{restriction_id}/approve => center
POST /api/v1/telephony/restrictions/{restriction_id}/lift => *
POST /api/v1/telephony/restrictions/{restriction_id}/police => *
POST /api/v1/tickets => *
POST /api/v1/tickets/{number}/answer => *
POST /api/v1/tickets/{number}/callback => *
POST /api/v1/tickets/{number}/contact => *
POST /api/v1/tickets/{number}/dispatch => *
POST /api/v1/tickets/{number}/dispute => *
POST /api/v1/tickets/{number}/reject => *
POST /api/v1/tickets/{number}/sudden-report => *
PUT /api/v1/simulation/clock => *
"""
# Known defects, not yet fixed: a 500 where a 4xx is due (none today; an entry must name why).
KNOWN_500: set[str] = set()


def _parse(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in text.strip().splitlines():
        op, _sep, who = line.partition(" => ")
        names = set(who.split()) if who.strip() else set()
        if "center" in names:  # every role of the center and the oversight bodies
            names = (names - {"center"}) | CENTER
        names.discard("nobody")
        if "public" in names:
            names = {*ROLES, ANON}
        elif "*" in names:
            names = set(ROLES)
        out[op.strip()] = names
    return out


def _operations(client: Client) -> list[tuple[str, str]]:
    doc = client.get("/api/v1/openapi.json").json()
    ops = []
    for path, item in doc["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                ops.append((method.upper(), path))
    # revoking the token last: the calls after it would all be 401
    return sorted(ops, key=lambda op: (op == ("DELETE", "/api/v1/auth/token"), op))


def _url(path: str) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: DUMMY["id"] if "id" in m.group(1) else DUMMY["number"], path
    )


def _clients() -> dict[str, Client]:
    from hotline.core.auth import token_issue

    out = {ANON: Client()}
    for username in ROLES:
        key, _token = token_issue(username=username, password="Demo#12345")
        out[username] = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    return out


def _call(client: Client, method: str, path: str) -> int:
    url = _url(path)
    if method == "GET":
        return client.get(url).status_code
    return client.generic(method, url, json.dumps({}), content_type="application/json").status_code


def test_every_operation_has_an_expectation_per_role(demo_orgs):
    clients = _clients()
    expected = _parse(MATRIX)
    observed: dict[str, set[str]] = {}
    errors: list[str] = []
    for method, path in _operations(clients[ANON]):
        op = f"{method} {path}"
        let_through = set()
        for who, client in clients.items():
            status = _call(client, method, path)
            if status >= 500 and op not in KNOWN_500:
                errors.append(f"{op} as {who}: {status}")
            elif status < 500 and status not in (401, 403):
                let_through.add(who)
        observed[op] = let_through
    if os.environ.get("HOTLINE_MATRIX_PRINT"):
        for op, names in observed.items():
            if names >= {*ROLES, ANON}:
                who = "public"
            elif names == set(ROLES):
                who = "*"
            elif names == CENTER:
                who = "center"
            else:
                who = " ".join(sorted(names)) or "nobody"
            print(f"{op} => {who}")
    assert not errors, errors
    missing = sorted(set(observed) - set(expected))
    assert not missing, f"operations without an expected row in MATRIX: {missing}"
    wrong = {
        op: (sorted(expected[op]), sorted(got))
        for op, got in observed.items()
        if expected[op] != got
    }
    assert not wrong, wrong
