"""Supervision casework (Art 26–30, 33): every transition of API.md's table, who may act (another
unit: 404), the Art 30(3) escalation to the supervision office, accountability, attachments,
and the audit row every step writes."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document

from hotline.orgs.models import User
from hotline.supervision import proposals, services, timers
from hotline.supervision.choices import CaseEventType, CaseState, Instrument
from hotline.supervision.models import SupervisionCase, SupervisionEvent
from hotline.tickets.models import Ticket
from tests.tickets.flow import dispatched


def _case(demo_orgs, now, key="test-case", org="411702", tickets=()) -> SupervisionCase:
    return services.case_propose(
        instrument=Instrument.NOTICE,
        article="27(4)",
        org=demo_orgs[org],
        tickets=list(tickets),
        reason="当月超期办理 5 件",
        dedupe_key=key,
        now=now,
    )


def test_a_proposal_is_audited_and_confirming_it_opens_the_case(api, sim, demo_orgs):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)
    supervisor = User.objects.get(username="supervisor")

    services.case_decide(case=case, confirm=True, reason="限期整改", actor=supervisor, now=now)

    proposed, confirmed = SupervisionEvent.objects.filter(case=case)
    assert proposed.type == CaseEventType.PROPOSED and proposed.actor is None
    assert confirmed.type == CaseEventType.CONFIRMED
    assert (confirmed.actor, confirmed.actor_org_id, confirmed.at) == (
        supervisor,
        supervisor.organisation_id,
        now,
    )
    assert confirmed.before["state"] == CaseState.PROPOSED
    assert confirmed.after["state"] == CaseState.OPEN
    case.refresh_from_db()
    assert case.respond_by is not None and case.requirements == "限期整改"


def test_dismissing_through_the_api_records_who_why_and_the_states(api, sim, demo_orgs):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)

    done = api("supervisor").ok(
        f"/supervision/cases/{case.pk}/dismiss", {"reason": "特殊原因：已纳入专项整治"}
    )

    assert done["state"] == "dismissed"
    event = case.events.get(type=CaseEventType.DISMISSED)
    assert event.actor.username == "supervisor"
    assert event.note == "特殊原因：已纳入专项整治"
    assert (event.before, event.after) == ({"state": "proposed"}, {"state": "dismissed"})


def test_a_refused_decision_writes_no_audit_row(api, sim, demo_orgs):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)
    refused = api("supervisor").post(f"/supervision/cases/{case.pk}/dismiss", {"reason": ""})
    assert refused.status_code == 422
    assert list(case.events.values_list("type", flat=True)) == [CaseEventType.PROPOSED]


def test_the_whole_life_of_a_notice_through_the_api(api, intake, sim, demo_orgs):
    ticket = dispatched(api, intake, sim, lead="411702")
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now, tickets=Ticket.objects.filter(number=ticket["number"]))
    path = f"/supervision/cases/{case.pk}"

    opened = api("supervisor").ok(
        f"{path}/confirm", {"requirements": "10月15日前整改", "respond_by": "2026-10-15"}
    )
    assert (opened["state"], opened["respond_by"]) == ("open", "2026-10-15")
    assert opened["tickets"] == [ticket["number"]] and opened["created_by"] == "system"

    # another unit neither sees nor answers it
    assert api("org.411721").get(path).status_code == 404
    assert api("org.411721").post(f"{path}/respond", {"content": "x"}).status_code == 404
    # the unit does not assess its own case
    assert api("org.411702").post(f"{path}/assess", {"effective": True}).status_code == 403

    answered = api("org.411702").ok(
        f"{path}/respond", {"content": "已全部办结", "measures": "建立超期预警台账"}
    )
    assert answered["state"] == "responded"
    assert answered["responses"][0]["measures"] == "建立超期预警台账"
    # a second response waits for the assessment
    assert api("org.411702").post(f"{path}/respond", {"content": "再次"}).status_code == 409

    again = api("supervisor").ok(
        f"{path}/assess", {"effective": False, "comment": "仍有超期", "respond_by": "2026-10-22"}
    )
    assert (again["state"], again["respond_by"]) == ("open", "2026-10-22")
    api("org.411702").ok(f"{path}/respond", {"content": "已整改", "measures": "专人盯办"})
    closed = api("supervisor").ok(f"{path}/assess", {"effective": True, "comment": "整改到位"})
    assert closed["state"] == "closed"
    assert [a["effective"] for a in closed["assessments"]] == [False, True]
    types = list(case.events.values_list("type", flat=True))
    assert types == [
        CaseEventType.PROPOSED,
        CaseEventType.CONFIRMED,
        CaseEventType.RESPONDED,
        CaseEventType.ASSESSED_INEFFECTIVE,
        CaseEventType.RESPONDED,
        CaseEventType.ASSESSED_EFFECTIVE,
    ]
    assert api("supervisor").post(f"{path}/assess", {"effective": True}).status_code == 409


def test_assessing_without_a_comment_that_it_failed_is_refused(api, sim, demo_orgs):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)
    path = f"/supervision/cases/{case.pk}"
    api("supervisor").ok(f"{path}/confirm", {})
    api("org.411702").ok(f"{path}/respond", {"content": "已整改"})
    assert api("supervisor").post(f"{path}/assess", {"effective": False}).status_code == 422


def test_art30_3_an_ineffective_case_is_proposed_to_the_supervision_office(api, sim, demo_orgs):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)
    path = f"/supervision/cases/{case.pk}"
    api("supervisor").ok(f"{path}/confirm", {})
    api("org.411702").ok(f"{path}/respond", {"content": "已整改"})

    # not crossed: no assessment yet
    assert proposals.art30_3_no_effect(now=now) == 0
    api("supervisor").ok(f"{path}/assess", {"effective": False, "comment": "未见实效"})

    assert proposals.art30_3_no_effect(now=now) == 1
    assert proposals.art30_3_no_effect(now=now) == 0  # no duplicate
    escalation = SupervisionCase.objects.get(article="30(3)")
    assert escalation.instrument == Instrument.ESCALATION
    assert (escalation.org.code, escalation.subject_org.code) == ("inspection", "411702")
    assert escalation.parent == case and escalation.state == "proposed"

    # confirmed, the supervision office works it like a unit and reports back
    esc = f"/supervision/cases/{escalation.pk}"
    api("supervisor").ok(f"{esc}/confirm", {"requirements": "请督查室督办"})
    assert api("org.411702").post(f"{esc}/respond", {"content": "x"}).status_code == 404
    assert api("org.411702").get(esc).status_code == 200  # it is about them: they may read it
    api("inspector").ok(f"{esc}/respond", {"content": "已约谈分管领导", "measures": "挂牌督办"})
    reported = case.events.filter(type=CaseEventType.RESPONDED).last()
    assert reported.after == {"escalation": escalation.pk}
    assert "已约谈分管领导" in reported.note


def test_manual_cases_are_open_at_once_and_only_supervisors_create_them(api, sim, demo_orgs):
    sim.set("2026-10-08 09:00")
    body = {
        "instrument": "interview",
        "article": "29(6)",
        "org": "housing",
        "tickets": [],
        "reason": "物业投诉集中",
        "requirements": "分管领导到中心接受约谈",
        "respond_by": "2026-10-20",
    }
    created = api("supervisor").ok("/supervision/cases", body, status=201)
    assert (created["state"], created["created_by"], created["instrument"]) == (
        "open",
        "supervisor",
        "interview",
    )
    assert api("org.housing").get(f"/supervision/cases/{created['id']}").status_code == 200
    assert api("org.411702").post("/supervision/cases", body).status_code == 403
    unknown = api("supervisor").post("/supervision/cases", body | {"tickets": ["ZMD00000000"]})
    assert unknown.status_code == 422
    listed = api("supervisor").get("/supervision/cases", instrument="interview", org="housing")
    assert listed.json()["count"] == 1
    assert api("org.411702").get("/supervision/cases").json()["count"] == 0


def test_art33_accountability_is_recorded_against_its_case(api, sim, demo_orgs):
    sim.set("2026-10-08 09:00")
    created = api("supervisor").ok(
        "/supervision/cases",
        {
            "instrument": "accountability",
            "article": "33(1)",
            "org": "411702",
            "reason": "谎报办结",
            "respond_by": "2026-10-20",
        },
        status=201,
    )
    path = f"/supervision/cases/{created['id']}/accountability"
    body = {
        "finding": "未实际处理即答复已办结",
        "responsible_org": "411702",
        "responsible_person": "张某（承办人）",
        "measure": "通报批评",
        "outcome": "已作书面检查",
        "decided_by": "驿城区纪委监委",
        "ground": "33(1)",
    }
    assert api("org.411702").post(path, body).status_code == 403
    done = api("inspector").ok(path, body, status=201)
    [record] = done["accountability"]
    assert (record["responsible_person"], record["decided_by"]) == (
        "张某（承办人）",
        "驿城区纪委监委",
    )
    assert SupervisionEvent.objects.filter(type=CaseEventType.ACCOUNTABILITY).count() == 1
    nobody = body | {"responsible_org": None, "responsible_person": ""}
    assert api("inspector").post(path, nobody).status_code == 422


def _upload(caller, case_id: int, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return caller.client.post(
        f"/api/v1/supervision/cases/{case_id}/attachments",
        {"file": SimpleUploadedFile(name, data)},
        **caller.auth,
    )


def test_attachments_are_checked_stored_outside_the_web_root_and_scoped(
    api, sim, demo_orgs, settings
):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)
    api("supervisor").ok(f"/supervision/cases/{case.pk}/confirm", {})
    unit = api("org.411702")

    ok = _upload(unit, case.pk, "整改报告.pdf", b"%PDF-1.4 report")
    assert ok.status_code == 201, ok.content
    [item] = ok.json()["attachments"]
    assert _upload(unit, case.pk, "run.exe", b"MZ....").status_code == 422
    assert _upload(unit, case.pk, "fake.pdf", b"MZ not a pdf").status_code == 422
    assert _upload(api("org.411721"), case.pk, "a.pdf", b"%PDF-1").status_code == 404

    stored = services.attachment_path(case.attachments.get())
    assert str(stored).startswith(str(settings.DATA_DIR))
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    url = f"/supervision/cases/{case.pk}/attachments/{item['id']}"
    got = unit.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 report"
    assert api("org.411721").get(url).status_code == 404


def test_each_case_prints_as_its_word_document(api, intake, sim, demo_orgs):
    ticket = dispatched(api, intake, sim, lead="411702")
    now = sim.set("2026-12-07 09:00")
    case = _case(demo_orgs, now, tickets=Ticket.objects.filter(number=ticket["number"]))
    api("supervisor").ok(f"/supervision/cases/{case.pk}/confirm", {"requirements": "限期整改"})

    response = api("supervisor").get(f"/supervision/cases/{case.pk}/document")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    cells = " ".join(
        c.text
        for t in Document(io.BytesIO(response.content)).tables
        for r in t.rows
        for c in r.cells
    )
    assert "驻马店市12345政务服务便民热线" in text and "督办单" in text
    for heading in (
        "督办对象",
        "督办事由",
        "督办要求",
        "涉及工单及办理记录",
        "整改反馈",
        "成效评估",
        "办理过程",
    ):
        assert heading in text
    assert ticket["number"] in cells and "派单" in cells
    assert "2026年12月7日" in text
    assert api("org.411721").get(f"/supervision/cases/{case.pk}/document").status_code == 404

    coordination = services.case_propose(
        instrument=Instrument.COORDINATION,
        article="28(1)",
        org=demo_orgs["411702"],
        tickets=[],
        reason="退回两次",
        dedupe_key="c",
        now=now,
    )
    doc = api("supervisor").get(f"/supervision/cases/{coordination.pk}/document")
    assert "协调会议纪要" in "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)


def _lead_queries(queries) -> int:
    return sum('"tickets_assignment"' in q["sql"] for q in queries)


def test_the_art30_2_sweep_reads_the_lead_units_in_one_query(api, intake, sim):
    # given three tickets, dispatched to two units, sent back for redo too often
    leads = ["411702", "411702", "411721"]
    numbers = [dispatched(api, intake, sim, lead=lead)["number"] for lead in leads]
    Ticket.objects.filter(number__in=numbers).update(redo_total=9)

    # when the sweep runs
    with CaptureQueriesContext(connection) as queries:
        proposed = timers.art30_redo(now=sim.set("2026-10-09 09:00"))

    # then every ticket is proposed to the supervision office about its own lead unit, from
    # one read of the assignments
    assert proposed == 3
    assert _lead_queries(queries.captured_queries) == 1
    cases = SupervisionCase.objects.filter(article="30(2)").prefetch_related("tickets")
    assert {c.org.code for c in cases} == {"inspection"}
    assert sorted((c.tickets.get().number, c.subject_org.code) for c in cases) == sorted(
        zip(numbers, leads, strict=True)
    )


@pytest.mark.django_db
def test_the_case_list_page_and_the_case_page_are_scoped(api, sim, demo_orgs):
    now = sim.set("2026-10-08 09:00")
    case = _case(demo_orgs, now)
    client = Client()
    client.force_login(User.objects.get(username="org.411721"))
    assert client.get(f"/supervision/cases/{case.pk}/").status_code == 404
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get("/supervision/")
    assert page.status_code == 200 and "27(4)" in page.content.decode()
    assert client.get(f"/supervision/cases/{case.pk}/").status_code == 200
    xlsx = client.get("/supervision/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
