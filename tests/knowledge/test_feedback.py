"""Corrections and questions (Art 22), their due dates in working days, the overdue timer and
the Art 27(1) evidence."""

from datetime import datetime, timedelta

import pytest

from hotline.core.error_codes import CoreErrorCode
from hotline.core.policy import DEFINITIONS, policy_set
from hotline.core.timers import registered
from hotline.knowledge import services
from hotline.knowledge.choices import EntryStatus, FeedbackState
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import Feedback, KnowledgeEvent
from hotline.knowledge.policy import DEFAULTS, response_working_days, review_period_days
from hotline.knowledge.selectors import knowledge_art27_evidence

from .conftest import NOW, TZ

pytestmark = pytest.mark.django_db


def test_agent_raises_a_correction_due_in_three_working_days(api, make_entry, business_now):
    entry = make_entry(org="housing", title="租房可以提取公积金吗")
    response = api.post(
        f"/entries/{entry.pk}/feedback",
        {"kind": "correction", "content": "租房提取额度已调整，请更新"},
        as_user="agent",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # Tue 2026-03-10 counts as day 1: due at the end of Thu 2026-03-12
    assert body["due_at"] == "2026-03-12T23:59:59+08:00"
    assert body["org"] == "housing" and body["state"] == "open" and body["overdue"] is False
    assert body["topic"] == entry.title
    assert KnowledgeEvent.objects.filter(type="feedback.correction.raised").count() == 1


def test_due_date_skips_holidays_and_is_a_policy_value(users, make_entry):
    entry = make_entry()
    friday = datetime(2026, 2, 13, 16, 0, tzinfo=TZ)  # then 调休 Sat 2/14, Spring Festival
    item = services.feedback_raise(
        actor=users["agent"], kind="question", content="问", now=friday, entry=entry
    )
    assert item.due_at == datetime(2026, 2, 24, 23, 59, 59, tzinfo=TZ)
    assert DEFAULTS["KNOWLEDGE_RESPONSE_WORKING_DAYS"] == response_working_days() == 3
    assert review_period_days() == 180
    # the values live in the central policy table, keyed by article, editable by an administrator
    assert DEFINITIONS["art22_knowledge_response_working_days"].article == "Art 22, Art 27(1)"
    policy_set(key="art22_knowledge_response_working_days", value=1)
    assert response_working_days() == 1
    item = services.feedback_raise(
        actor=users["agent"], kind="question", content="问", now=NOW, entry=entry
    )
    assert item.due_at == datetime(2026, 3, 10, 23, 59, 59, tzinfo=TZ)


def test_topic_question_goes_to_the_named_unit(api, business_now):
    response = api.post(
        "/feedback",
        {
            "kind": "question",
            "topic": "燃气报警器是否强制安装",
            "content": "市民问燃气公司要求装报警器是否收费",
            "org": "util-gas",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["entry"] is None and response.json()["org"] == "util-gas"
    assert api.post("/feedback", {"kind": "question", "content": "x"}).status_code == 422
    bad_kind = api.post(
        "/feedback", {"kind": "praise", "topic": "t", "content": "x", "org": "util-gas"}
    )
    assert bad_kind.status_code == 422
    center = api.post(
        "/feedback", {"kind": "question", "topic": "t", "content": "x", "org": "city"}
    )
    assert (
        center.status_code == 422
        and center.json()["error"]["code"] == KnowledgeErrorCode.INVALID_ORG
    )


def test_only_hotline_roles_raise_and_only_the_owner_answers(api, make_entry, business_now):
    entry = make_entry(org="medins")
    for username in ("org.hrss", "inspector"):
        response = api.post(
            f"/entries/{entry.pk}/feedback", {"kind": "question", "content": "?"}, as_user=username
        )
        assert response.status_code == 403, username
    fid = api.post(
        f"/entries/{entry.pk}/feedback", {"kind": "question", "content": "起付线多少？"}
    ).json()["id"]
    assert (
        api.post(f"/feedback/{fid}/answer", {"response": "答"}, as_user="agent").status_code == 403
    )
    assert (
        api.post(f"/feedback/{fid}/answer", {"response": "答"}, as_user="supervisor").status_code
        == 403
    )
    # another unit does not even see it
    assert api.get(f"/feedback/{fid}", as_user="org.hrss").status_code == 404
    answered = api.post(
        f"/feedback/{fid}/answer", {"response": "以当年公布为准"}, as_user="org.medins"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "answered"
    assert answered.json()["responded_by"] == "org.medins"
    again = api.post(f"/feedback/{fid}/answer", {"response": "再答"}, as_user="org.medins")
    assert (
        again.status_code == 409
        and again.json()["error"]["code"] == CoreErrorCode.INVALID_TRANSITION
    )


def test_corrections_are_accepted_or_rejected_questions_only_answered(
    api, make_entry, business_now
):
    entry = make_entry(org="medins")
    correction = api.post(
        f"/entries/{entry.pk}/feedback", {"kind": "correction", "content": "电话已变更"}
    ).json()["id"]
    question = api.post(
        f"/entries/{entry.pk}/feedback", {"kind": "question", "content": "要带户口本吗"}
    ).json()["id"]
    rejected = api.post(
        f"/feedback/{correction}/reject",
        {"response": "电话未变更，经核实无误"},
        as_user="org.medins",
    )
    assert rejected.json()["state"] == "rejected"
    wrong_kind = api.post(f"/feedback/{question}/accept", {"response": "x"}, as_user="org.medins")
    assert wrong_kind.status_code == 409
    assert api.post(
        f"/feedback/{question}/answer", {"response": ""}, as_user="org.medins"
    ).status_code == (422)
    listing = api.get("/feedback", as_user="org.medins", state="open").json()
    assert [i["id"] for i in listing["items"]] == [question]
    assert api.get("/feedback", as_user="agent").json()["count"] == 2


def test_overdue_timer_is_registered_idempotent_and_never_clears(users, make_entry):
    timer = {t.name: t for t in registered()}["knowledge.overdue_feedback"]
    entry = make_entry(org="medins")
    item = services.feedback_raise(
        actor=users["agent"], kind="correction", content="有误", now=NOW, entry=entry
    )
    before_due = datetime(2026, 3, 12, 23, 0, tzinfo=TZ)
    assert timer.fn(now=before_due) == 0
    after_due = datetime(2026, 3, 13, 0, 30, tzinfo=TZ)
    assert timer.fn(now=after_due) == 1
    assert timer.fn(now=after_due + timedelta(hours=1)) == 0
    item.refresh_from_db()
    assert item.overdue and item.overdue_marked_at == after_due
    assert KnowledgeEvent.objects.filter(type="feedback.overdue", feedback=item).count() == 1
    # a late answer closes it but it stays overdue
    services.feedback_accept(
        feedback=item, actor=users["org.medins"], response="已修改", now=after_due
    )
    item.refresh_from_db()
    assert item.state == FeedbackState.ACCEPTED and item.overdue


def test_late_answer_without_timer_is_marked_overdue(users, make_entry):
    entry = make_entry(org="medins")
    item = services.feedback_raise(
        actor=users["agent"], kind="question", content="?", now=NOW, entry=entry
    )
    services.feedback_answer(
        feedback=item, actor=users["org.medins"], response="答", now=NOW + timedelta(days=10)
    )
    assert Feedback.objects.get(pk=item.pk).overdue


def test_art27_evidence_lists_overdue_feedback_and_stale_entries_per_unit(
    api, users, make_entry, business_now
):
    fresh = make_entry(org="medins", title="新条目", at=NOW - timedelta(days=10))
    stale = make_entry(org="medins", title="旧条目", at=NOW - timedelta(days=200))
    reviewed = make_entry(org="hrss", title="复核过", at=NOW - timedelta(days=300))
    services.entry_review(entry=reviewed, actor=users["org.hrss"], now=NOW - timedelta(days=5))
    make_entry(org="police", title="旧草稿", status=EntryStatus.DRAFT, at=NOW - timedelta(days=400))
    overdue = services.feedback_raise(
        actor=users["agent"],
        kind="question",
        content="?",
        now=NOW - timedelta(days=8),
        entry=fresh,
    )
    services.feedback_raise(  # not yet due
        actor=users["agent"], kind="question", content="?", now=NOW, entry=fresh
    )
    late = services.feedback_raise(
        actor=users["agent"],
        kind="correction",
        content="!",
        now=NOW - timedelta(days=30),
        topic="拖欠工资投诉渠道",
        org=users["org.hrss"].organisation,
    )
    services.feedback_reject(
        feedback=late, actor=users["org.hrss"], response="无误", now=NOW - timedelta(days=20)
    )

    evidence = {e.org.code: e for e in knowledge_art27_evidence(now=NOW)}
    assert set(evidence) == {"medins", "hrss"}
    assert [f.pk for f in evidence["medins"].overdue_feedback] == [overdue.pk]
    assert [e.pk for e in evidence["medins"].stale_entries] == [stale.pk]
    assert evidence["hrss"].stale_entries == [] and evidence["hrss"].overdue_feedback == []
    assert [f.pk for f in evidence["hrss"].late_feedback] == [late.pk]

    response = api.get("/art27", as_user="supervisor")
    assert response.status_code == 200
    body = response.json()
    assert body["article"] == "27(1)" and body["count"] == 2
    assert api.get("/art27", as_user="inspector").status_code == 200
    assert api.get("/art27", as_user="org.medins").status_code == 403


def test_art27_1_overdue_feedback_and_stale_entries_become_proposed_supervision_notices(
    users, make_entry
):
    """Art 27(1): knowledge not updated in time, or corrections/questions not answered in time,
    are a supervision-notice trigger: the timer proposes one notice per item to the owning unit,
    once (a second sweep adds nothing), for a supervisor to confirm or dismiss."""
    from hotline.supervision.models import SupervisionCase
    from hotline.supervision.services import case_decide

    fresh = make_entry(org="medins", title="新条目", at=NOW - timedelta(days=10))
    stale = make_entry(org="medins", title="旧条目", at=NOW - timedelta(days=200))
    overdue = services.feedback_raise(
        actor=users["agent"], kind="question", content="?", now=NOW - timedelta(days=8), entry=fresh
    )
    services.feedback_raise(  # not yet due
        actor=users["agent"], kind="question", content="?", now=NOW, entry=fresh
    )
    late = services.feedback_raise(
        actor=users["agent"],
        kind="correction",
        content="!",
        now=NOW - timedelta(days=30),
        topic="拖欠工资投诉渠道",
        org=users["org.hrss"].organisation,
    )
    services.feedback_reject(
        feedback=late, actor=users["org.hrss"], response="无误", now=NOW - timedelta(days=20)
    )

    timer = {t.name: t for t in registered()}["knowledge.art27_notices"]
    assert timer.fn(now=NOW) == 3
    cases = {c.dedupe_key: c for c in SupervisionCase.objects.filter(article="27(1)")}
    assert set(cases) == {
        services.art27_dedupe_key(overdue),
        services.art27_dedupe_key(late),
        services.art27_dedupe_key(stale),
    }
    for case in cases.values():
        assert case.state == SupervisionCase.State.PROPOSED
        assert case.instrument == SupervisionCase.Instrument.NOTICE
        assert case.created_at == NOW and not case.tickets.exists()
    assert cases[services.art27_dedupe_key(overdue)].org.code == "medins"
    assert cases[services.art27_dedupe_key(late)].org.code == "hrss"
    assert "旧条目" in cases[services.art27_dedupe_key(stale)].reason
    assert KnowledgeEvent.objects.filter(type="art27.proposed").count() == 3

    # idempotent: the next sweeps propose nothing new, even after a supervisor decided
    assert timer.fn(now=NOW + timedelta(hours=1)) == 0
    case_decide(
        case=cases[services.art27_dedupe_key(late)],
        confirm=False,
        reason="已整改",
        actor=users["supervisor"],
        now=NOW,
    )
    assert timer.fn(now=NOW + timedelta(days=1)) == 0
    assert SupervisionCase.objects.filter(article="27(1)").count() == 3

    # reviewed, the entry is current again; stale again a period later, it is a new item
    services.entry_review(entry=stale, actor=users["org.medins"], now=NOW)
    later = NOW + timedelta(days=200)
    before = SupervisionCase.objects.filter(dedupe_key__startswith="art27-1:entry:").count()
    timer.fn(now=later)
    assert SupervisionCase.objects.filter(dedupe_key__startswith="art27-1:entry:").count() > before


def test_the_feedback_list_refuses_a_page_beyond_any_database_offset(api):
    # a page number whose offset no database can take (SQLite: "datatype mismatch", a 500)
    response = api.get("/feedback", as_user="agent", page=10**18)
    assert response.status_code == 422
    assert response.json()["error"]["code"]
    assert api.get("/feedback", as_user="agent", page=2, page_size=200).status_code == 200
