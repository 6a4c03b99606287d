"""Art 22 usage statistics from answered tickets: ``POST /tickets/{n}/answer`` records the
knowledge entries it cites as usage, like the intake page (issue 13, item 7): one service,
reached through the tickets hook ``ticket_answered`` that knowledge registers at start-up."""

from __future__ import annotations

import json
from datetime import timedelta

from hotline.knowledge.models import KnowledgeUsage
from hotline.knowledge.services import on_ticket_answered
from hotline.tickets import hooks

INTAKE = {
    "channel": "phone",
    "appeal_type": "consultation",
    "content": "市民来电咨询：职工医保住院费用怎么报销，需要带哪些材料？",
    "citizen": {"name": "张三", "phone": "13800138000", "confidential": False},
    "location": {"county": "411702", "address": "雪松路"},
    "major_incident": False,
}


def _post(client, token: str, path: str, body: dict):
    return client.post(
        "/api/v1" + path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_knowledge_registers_the_ticket_answered_hook():
    assert on_ticket_answered in hooks.handlers("ticket_answered")


def test_an_answer_through_the_api_records_the_entries_used(client, api, make_entry, business_now):
    # given two published entries and a ticket received by an agent
    first = make_entry()
    second = make_entry(title="门诊慢特病怎么申请", body="携带诊断证明到医保窗口申请。")
    token = api.token("agent")
    body = {**INTAKE, "occurred_at": (business_now - timedelta(hours=2)).isoformat()}
    created = _post(client, token, "/tickets", body)
    assert created.status_code == 201, created.content.decode()
    number = created.json()["number"]

    # when the agent answers it through the API, citing both entries
    answered = _post(
        client,
        token,
        f"/tickets/{number}/answer",
        {
            "answer": "按职工医保规定在定点医院直接结算。",
            "knowledge_entries": [first.pk, second.pk],
        },
    )

    # then both entries count one use for this ticket, by that agent, at that moment
    assert answered.status_code == 200, answered.content.decode()
    rows = KnowledgeUsage.objects.filter(ticket_number=number).order_by("entry_id")
    assert [(r.entry_id, r.actor.username, r.used_at) for r in rows] == [
        (first.pk, "agent", business_now),
        (second.pk, "agent", business_now),
    ]
    assert api.get(f"/entries/{first.pk}").json()["usage_count"] == 1
    stats = api.get("/usage/stats", as_user="supervisor").json()
    assert sorted((i["entry"], i["uses"]) for i in stats["items"]) == [
        (first.pk, 1),
        (second.pk, 1),
    ]


def test_an_answer_without_entries_records_no_usage(client, api, business_now):
    token = api.token("agent")
    body = {**INTAKE, "occurred_at": (business_now - timedelta(hours=2)).isoformat()}
    number = _post(client, token, "/tickets", body).json()["number"]
    answered = _post(client, token, f"/tickets/{number}/answer", {"answer": "已当场答复。"})
    assert answered.status_code == 200, answered.content.decode()
    assert not KnowledgeUsage.objects.filter(ticket_number=number).exists()
