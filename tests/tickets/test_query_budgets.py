"""Exact query budgets per state-changing API request (issue 14: at most 8), as Zulip counts
them: every query the request makes, with the transaction's own BEGIN/COMMIT (here, inside the
test's transaction: SAVEPOINT/RELEASE). A change in the count fails with the queries listed,
so a new query on the write path is a decision, not an accident. SQLite and PostgreSQL make
the same queries.

What a request costs (docs/performance.md): the token is read once and then kept for a few
seconds per process (0); BEGIN (1); one ``UPDATE … RETURNING`` locks the ticket in the
caller's scope, reserves its outbox sequence number and reads what the action and its answer
need (1, ``tickets.services.locking``); the action's own writes; the event and the outbox row
(1 + 1); COMMIT (1); the Art 25 access-log row of the unmasked citizen in the answer (1).
Organisations and categories by code come from the per-process caches.

The answer of each action is rendered from the objects the service holds (no re-read of the
ticket): it must equal what a fresh ``GET /tickets/{number}`` answers right after.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

BUDGET = {
    # the load of /work/shared/bench/hotline_load.py: intake → dispatch → sign → reply → callback
    "create": 8,  # number + repeat candidates, ticket, telephony's call link, event, outbox
    "dispatch": 8,  # lock, assignments, ticket
    "sign": 7,  # lock, assignment
    "reply": 8,  # lock, assignment, ticket (the last reply: awaiting callback)
    "callback": 8,  # lock, evaluation, ticket (closed)
    # the rest of the handling (Art 15) and the reviews
    "progress": 6,  # lock
    "extension": 7,  # lock, review
    "approve_extension": 8,  # lock, assignment, review
    "return": 8,  # lock, assignment, review
    "reject_return": 8,  # lock, assignment, review
    # the one above 8: the returned assignment, the new one and the review are three writes
    # of two tables (an upsert of the assignments would need a statement per dialect)
    "approve_return": 9,  # lock, assignment, new assignment, review
    "redispatch": 7,  # lock, child assignments (a county body to its own units, Art 7)
}

BODY = {
    "channel": "phone",
    "appeal_type": "complaint",
    "content": "市民来电反映：解放路与中华路交叉口附近小区楼道灯长期不亮，夜间出行存在安全隐患。",
    "citizen": {"name": "压测", "phone": "13900000001", "confidential": False},
    "location": {"county": "411702", "address": "驿城区解放路与中华路交叉口"},
    "occurred_at": "2026-01-05T08:00:00+08:00",
}


@pytest.fixture
def call(demo_orgs):
    from hotline.core.auth import token_issue

    tokens = {}
    client = Client()

    def post(
        user: str, path: str, body: dict, name: str, status: int = 200, count: bool = True
    ) -> dict:
        if user not in tokens:
            tokens[user] = token_issue(username=user, password="Demo#12345")[0]
        auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user]}"}
        with CaptureQueriesContext(connection) as queries:
            r = client.post(
                f"/api/v1{path}", json.dumps(body), content_type="application/json", **auth
            )
        assert r.status_code == status, r.content.decode()
        made = len(queries.captured_queries)
        listed = "\n".join(f"  {i}. {q['sql'][:200]}" for i, q in enumerate(queries, 1))
        assert made == BUDGET[name] or not count, (
            f"{name}: {made} queries, budget {BUDGET[name]}\n{listed}"
        )
        answer = r.json()
        fresh = client.get(f"/api/v1/tickets/{answer['number']}", **auth)
        assert fresh.json() == answer, f"{name}: the answer differs from a fresh read"
        return answer

    return post


def _new(call, phone: str, *, count: bool, lead: str = "housing") -> tuple[str, int]:
    body = {**BODY, "citizen": {**BODY["citizen"], "phone": phone}}
    number = call("agent", "/tickets", body, "create", status=201, count=count)["number"]
    ticket = call(
        "dispatcher", f"/tickets/{number}/dispatch", {"lead": lead}, "dispatch", count=count
    )
    return number, ticket["assignments"][0]["id"]


def _cycle(call, phone: str, *, count: bool) -> dict:
    number, aid = _new(call, phone, count=count)
    call("org.housing", f"/assignments/{aid}/sign", {}, "sign", count=count)
    reply = {"content": "已现场核查并处理完毕。", "citizen_contacted": True}
    ticket = call("org.housing", f"/assignments/{aid}/reply", reply, "reply", count=count)
    assert ticket["status"] == "awaiting_callback"
    outcome = {"outcome": "satisfied"}
    return call("callback", f"/tickets/{number}/callback", outcome, "callback", count=count)


def _review_id(aid: int) -> int:
    from hotline.tickets.models import Review

    return Review.objects.filter(assignment_id=aid).latest("pk").pk


def _handling(call, phone: str, *, count: bool) -> None:
    """Progress, an extension approved; a return rejected, another approved with a new lead;
    a county body's re-dispatch."""
    _number, aid = _new(call, phone, count=count)
    unit = "org.housing"
    call(unit, f"/assignments/{aid}/sign", {}, "sign", count=count)
    call(unit, f"/assignments/{aid}/progress", {"content": "正在协调物业"}, "progress", count=count)
    ask = {"working_days": 2, "reason": "需协调供电部门"}
    call(unit, f"/assignments/{aid}/extension", ask, "extension", count=count)
    path = f"/reviews/{_review_id(aid)}/approve"
    call("supervisor", path, {}, "approve_extension", count=count)

    _number, aid = _new(call, phone[:-1] + "8", count=count)
    call(unit, f"/assignments/{aid}/sign", {}, "sign", count=count)
    back = {"reason": "非本单位职责", "basis": "三定方案"}
    call(unit, f"/assignments/{aid}/return", back, "return", count=count)
    path = f"/reviews/{_review_id(aid)}/reject"
    call("supervisor", path, {"reason": "属于本单位职责"}, "reject_return", count=count)
    call(unit, f"/assignments/{aid}/return", back, "return", count=count)
    path = f"/reviews/{_review_id(aid)}/approve"
    ticket = call("supervisor", path, {"lead": "411702"}, "approve_return", count=count)
    county = next(a for a in ticket["assignments"] if a["org"] == "411702")["id"]
    call("org.411702", f"/assignments/{county}/sign", {}, "sign", count=False)
    down = {"lead": "411702-01"}
    call("org.411702", f"/assignments/{county}/dispatch", down, "redispatch", count=count)


def test_the_load_cycle_stays_within_its_exact_budget(call):
    # first as a running server has done it already: the caches of tokens, organisations,
    # policy and calendar loaded, today's number row created
    _cycle(call, "13900000002", count=False)
    ticket = _cycle(call, "13900000001", count=True)
    assert ticket["status"] == "closed"
    assert [e["type"] for e in ticket["events"]] == [
        "intake",
        "dispatched",
        "signed",
        "replied",
        "awaiting_callback",
        "callback",
        "closed",
    ]


def test_handling_and_reviews_stay_within_their_exact_budgets(call):
    _handling(call, "13900000012", count=False)
    _handling(call, "13900000022", count=True)


def test_every_budget_is_at_most_eight_but_the_approved_return():
    assert {k: v for k, v in BUDGET.items() if v > 8} == {"approve_return": 9}


def test_answers_with_assists_progress_and_redo_equal_a_fresh_read(api, demo_orgs):
    """Several assignments, an interim reply, an unsatisfied callback that sends the ticket
    back: each answer is the fresh read's."""
    agent, disp = api("agent"), api("dispatcher")
    unit, assist, cb = api("org.housing"), api("org.411702"), api("callback")

    def same(caller, answer):
        fresh = caller.get(f"/tickets/{answer['number']}").json()
        assert fresh == answer
        return answer

    t = same(agent, agent.ok("/tickets", BODY, status=201))
    n = t["number"]
    t = same(disp, disp.ok(f"/tickets/{n}/dispatch", {"lead": "housing", "assists": ["411702"]}))
    lead = next(a for a in t["assignments"] if a["org"] == "housing")["id"]
    helper = next(a for a in t["assignments"] if a["org"] == "411702")["id"]
    same(unit, unit.ok(f"/assignments/{lead}/sign"))
    same(assist, assist.ok(f"/assignments/{helper}/sign"))
    same(unit, unit.ok(f"/assignments/{lead}/progress", {"content": "正在协调物业"}))
    same(assist, assist.ok(f"/assignments/{helper}/reply", {"content": "已配合"}))
    t = same(unit, unit.ok(f"/assignments/{lead}/reply", {"content": "已修复"}))
    assert t["status"] == "awaiting_callback"
    t = same(
        cb,
        cb.ok(f"/tickets/{n}/callback", {"outcome": "unsatisfied", "reasonable": True}),
    )
    assert t["status"] == "in_handling" and t["redo_count"] == 1


def test_other_answers_equal_a_fresh_read(api, demo_orgs):
    """Answer at once, not accepted, a three-way call, a sudden-event report, a dispute."""
    agent, disp, cb = api("agent"), api("dispatcher"), api("callback")

    def same(caller, answer):
        assert caller.get(f"/tickets/{answer['number']}").json() == answer
        return answer

    def new(phone):
        body = {**BODY, "citizen": {**BODY["citizen"], "phone": phone}}
        return agent.ok("/tickets", body, status=201)["number"]

    same(agent, agent.ok(f"/tickets/{new('13900000031')}/answer", {"answer": "已答复政策"}))
    refusal = {"reason": "emergency", "explanation": "火情", "transferred_to": "119"}
    same(agent, agent.ok(f"/tickets/{new('13900000032')}/reject", refusal))
    n = new("13900000033")
    call = {"kind": "three_way_call", "party": "供电公司", "consent": True}
    same(agent, agent.ok(f"/tickets/{n}/contact", call))
    report = {"kind": "accident", "recipients": ["411702"], "note": "燃气泄漏"}
    same(disp, disp.ok(f"/tickets/{n}/sudden-report", report))
    t = disp.ok(f"/tickets/{n}/dispatch", {"lead": "housing"})
    aid = t["assignments"][0]["id"]
    unit = api("org.housing")
    unit.ok(f"/assignments/{aid}/sign")
    unit.ok(f"/assignments/{aid}/reply", {"content": "已处理"})
    cb.ok(f"/tickets/{n}/callback", {"outcome": "unsatisfied", "reasonable": False})
    same(unit, unit.ok(f"/tickets/{n}/dispute", {"reason": "诉求人反映的问题已依法处理"}))


def test_a_contested_lock_reads_what_the_winner_left(api, demo_orgs):
    """The lock's subqueries read the state the other transaction committed (PostgreSQL's
    READ COMMITTED would hand back the snapshot of before the wait: ``locking.lock_ticket``
    reads again). Here, one after the other: the second sign is refused by the guard."""
    agent, disp, unit = api("agent"), api("dispatcher"), api("org.housing")
    n = agent.ok("/tickets", BODY, status=201)["number"]
    aid = disp.ok(f"/tickets/{n}/dispatch", {"lead": "housing"})["assignments"][0]["id"]
    unit.ok(f"/assignments/{aid}/sign")
    again = unit.post(f"/assignments/{aid}/sign")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
