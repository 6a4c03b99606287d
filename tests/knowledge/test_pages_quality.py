"""Quality of the knowledge pages: messages from rules, selectors and services in the user's
language, Excel exports of the corrections/questions list and the review queue (scoped,
filtered, logged), category names in English, review and expiry deadlines with the time left,
empty states that say what to do next, and the public pages' punctuation."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from hotline.core.errors import DomainError, InvalidTransition, PermissionDenied
from hotline.knowledge import rules, selectors, services
from hotline.knowledge.choices import EntryAction, EntryStatus
from hotline.knowledge.models import Feedback, KnowledgeEvent
from hotline.knowledge.services import VersionConflict

from .conftest import NOW

pytestmark = pytest.mark.django_db

CATEGORY = "public-services.medical-insurance.reimbursement"
CATEGORY_EN = "Medical insurance reimbursement"

# The English of the msgids these tests read (also in /tmp/i18n-knowledge.json for the
# catalogue). Installed into the English catalogue for the test, so a message that does not
# go through gettext stays Chinese and fails.
ENGLISH = {
    "只有责任单位可以答复知识纠错或提问": (
        "Only the owning unit may answer a correction or question"
    ),
    "条目当前状态为「%(status)s」，不能执行此操作": (
        "The entry is “%(status)s”; this action is not possible"
    ),
    "条目已被他人修改，请刷新后重试": "Someone else changed the entry; reload it and try again",
    "查询内容不超过200字": "The query may not exceed 200 characters",
    "知识提问只能答复，不能采纳或不采纳": (
        "A question can only be answered, not accepted or rejected"
    ),
    "责任单位：%(org)s": "Owning unit: %(org)s",
    "复核期限": "Review due",
}


@pytest.fixture
def english():
    """The msgids above in the English catalogue for the duration of a test."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation("en")._catalog
    saved = {key: catalog.get(key) for key in ENGLISH}
    for key, value in ENGLISH.items():
        catalog[key] = value
    yield ENGLISH
    for key, value in saved.items():
        if value is None:
            del catalog._catalogs[0][key]
        else:
            catalog[key] = value


@pytest.fixture(autouse=True)
def category_tree(db):
    from hotline.tickets.categories import category_tree_load, default_tree

    category_tree_load(tree=default_tree(), update_existing=False)


@pytest.fixture
def login(client, users):
    def as_user(username: str, language: str = "zh-hans"):
        client.force_login(users[username])
        client.cookies["django_language"] = language
        return client

    return as_user


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# -- 1. messages of rules, selectors and services -------------------------------------------------


def test_refusals_of_the_rules_and_services_speak_english(english, make_entry, users, now):
    entry = make_entry()
    question = services.feedback_raise(
        actor=users["agent"], kind="question", content="怎么报销？", entry=entry, now=now
    )
    with translation.override("en"):
        with pytest.raises(PermissionDenied) as denied:
            rules.feedback_check(users["agent"], question, "answer")
        assert denied.value.message == gettext("只有责任单位可以答复知识纠错或提问")
        assert denied.value.message.startswith("Only the owning unit")
        with pytest.raises(InvalidTransition) as refused:
            rules.feedback_check(users["org.medins"], question, "accept")
        assert refused.value.message.startswith("A question can only be answered")
        with pytest.raises(InvalidTransition) as wrong_state:
            rules.entry_check(users["org.medins"], entry, EntryAction.SUBMIT)
        status = str(EntryStatus(entry.status).label)
        assert wrong_state.value.message == (
            gettext("条目当前状态为「%(status)s」，不能执行此操作") % {"status": status}
        )
        assert "this action is not possible" in wrong_state.value.message
        assert VersionConflict().message.startswith("Someone else changed the entry")
        with pytest.raises(DomainError) as too_long:
            selectors.public_search(q="问" * 201, now=now)
        assert too_long.value.message == "The query may not exceed 200 characters"
    # and Chinese by default
    with pytest.raises(VersionConflict) as conflict:
        services.entry_update(
            entry=entry,
            actor=users["org.medins"],
            changes={"title": "新标题"},
            now=now,
            expected_version=entry.version - 1,
        )
    assert conflict.value.message == "条目已被他人修改，请刷新后重试"


def test_the_api_and_the_public_page_give_those_messages_in_english(
    english, api, make_entry, users, now, business_now, client
):
    entry = make_entry()
    item = services.feedback_raise(
        actor=users["agent"], kind="correction", content="比例有误", entry=entry, now=now
    )
    client.cookies["django_language"] = "en"
    response = api.post(f"/feedback/{item.pk}/accept", {"response": "好"}, as_user="agent")
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("Only the owning unit")
    public = client.get("/public/knowledge/", {"q": "问" * 201})
    assert public.status_code == 422
    assert "The query may not exceed 200 characters" in public.content.decode()


# -- 2. Excel exports of the feedback list and the review queue -----------------------------------


def test_feedback_list_exports_the_filtered_list_with_due_times_and_overdue(
    login, late_question, users, now, business_now
):
    late = late_question
    entry = late.entry
    fresh = services.feedback_raise(
        actor=users["agent"], kind="correction", content="报销比例已调整", entry=entry, now=now
    )
    other = services.feedback_raise(
        actor=users["agent"],
        kind="question",
        content="社保卡怎么补办？",
        topic="社保卡补办",
        org=users["org.hrss"].organisation,
        now=now,
    )
    medins = login("org.medins")
    page = medins.get("/knowledge/feedback/").content.decode()
    assert 'class="table-tools"' in page and "format=xlsx" in page

    rows = sheet_rows(medins.get("/knowledge/feedback/", {"format": "xlsx"}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("编号", "类型", "条目或主题") and "答复时限" in header
    assert {r[0] for r in body} == {late.pk, fresh.pk}  # the unit's own, not hrss's
    by_id = {r[0]: dict(zip(header, r, strict=False)) for r in body}
    assert by_id[late.pk]["超期"] == "是" and by_id[fresh.pk]["超期"] == "否"
    due = timezone.localtime(fresh.due_at).strftime("%Y-%m-%d %H:%M")
    assert by_id[fresh.pk]["答复时限"] == due
    assert by_id[late.pk]["条目或主题"] == entry.title and by_id[late.pk]["状态"] == "待答复"
    # Art 25: logged with who, which rows and the filters
    logged = KnowledgeEvent.objects.get(type="feedback.exported")
    assert logged.actor == users["org.medins"]
    assert sorted(logged.data["feedback"]) == sorted([late.pk, fresh.pk])
    assert logged.data["filters"]["state"] == "open"

    # the same filters as the page: overdue only, and the center's unit filter
    overdue = sheet_rows(medins.get("/knowledge/feedback/", {"overdue": "on", "format": "xlsx"}))
    assert [r[0] for r in overdue[1:]] == [late.pk]
    center = login("supervisor")
    hrss_only = sheet_rows(center.get("/knowledge/feedback/", {"org": "hrss", "format": "xlsx"}))
    assert [r[0] for r in hrss_only[1:]] == [other.pk]
    # headers in the user's language
    english = login("org.medins", "en")
    header = sheet_rows(english.get("/knowledge/feedback/", {"format": "xlsx"}))[0]
    assert header[1] == gettext_en("类型") and "Answer due" in header


def gettext_en(msgid: str) -> str:
    with translation.override("en"):
        return gettext(msgid)


def test_exports_say_when_they_were_cut(login, make_entry, users, now, business_now, monkeypatch):
    entry = make_entry()
    for n in range(3):
        services.feedback_raise(
            actor=users["agent"], kind="question", content=f"问题{n}", entry=entry, now=now
        )
    monkeypatch.setattr(selectors, "EXPORT_MAX", 2)
    rows = sheet_rows(login("org.medins").get("/knowledge/feedback/", {"format": "xlsx"}))
    assert len(rows) == 4 and "仅导出前 2 条" in rows[-1][0]
    assert len(KnowledgeEvent.objects.get(type="feedback.exported").data["feedback"]) == 2


def test_review_queue_exports_its_scope_and_is_logged(login, make_entry, users, business_now):
    mine = make_entry(title="医保待审", status=EntryStatus.IN_REVIEW)
    theirs = make_entry(org="hrss", title="社保待审", status=EntryStatus.IN_REVIEW)
    make_entry(title="已发布的")
    page = login("supervisor").get("/knowledge/review/").content.decode()
    assert 'class="table-tools"' in page and "/knowledge/review/?format=xlsx" in page
    rows = sheet_rows(login("supervisor").get("/knowledge/review/", {"format": "xlsx"}))
    assert rows[0][:4] == ("编号", "标题", "责任单位", "分类")
    assert {r[1] for r in rows[1:]} == {"医保待审", "社保待审"}
    assert rows[1][3] == "医保报销"
    unit = sheet_rows(login("org.medins").get("/knowledge/review/", {"format": "xlsx"}))
    assert [r[0] for r in unit[1:]] == [mine.pk]
    logged = KnowledgeEvent.objects.filter(type="entries.exported").order_by("pk")
    assert [e.data["via"] for e in logged] == ["review", "review"]
    assert sorted(logged[0].data["entries"]) == sorted([mine.pk, theirs.pk])
    assert login("agent").get("/knowledge/review/", {"format": "xlsx"}).status_code == 403
    # in English the category is the tree's English name
    english = sheet_rows(login("supervisor", "en").get("/knowledge/review/", {"format": "xlsx"}))
    assert CATEGORY_EN in {r[3] for r in english[1:]}


# -- 3. category names in English -----------------------------------------------------------------


def test_category_names_follow_the_language_on_the_staff_pages(login, make_entry, business_now):
    published = make_entry(title="职工医保住院费用怎么报销")
    make_entry(title="医保待审", status=EntryStatus.IN_REVIEW)
    supervisor = login("supervisor")
    for url in ("/knowledge/", f"/knowledge/{published.pk}/", "/knowledge/review/"):
        chinese = supervisor.get(url).content.decode()
        assert "医保报销" in chinese and CATEGORY_EN not in chinese, url
    supervisor = login("supervisor", "en")
    for url in ("/knowledge/", f"/knowledge/{published.pk}/", "/knowledge/review/"):
        english = supervisor.get(url).content.decode()
        assert f"<td>{CATEGORY_EN}</td>" in english or f"<dd>{CATEGORY_EN} " in english, url


# -- 4. deadlines with the time left --------------------------------------------------------------


def test_entry_page_shows_the_review_deadline_with_the_time_left(
    english, login, make_entry, business_now
):
    entry = make_entry()
    period = selectors.review_period_days()
    due = NOW + timedelta(days=period)
    assert selectors.entry_review_due(entry) == due
    page = login("org.medins").get(f"/knowledge/{entry.pk}/").content.decode()
    assert "复核期限" in page and due.strftime("%Y-%m-%d") in page
    assert f"剩余 {period}天" in page and "超过复核期限" not in page
    english_page = login("org.medins", "en").get(f"/knowledge/{entry.pk}/").content.decode()
    assert "Review due" in english_page
    # an entry past its review date: the tag and how long overdue
    stale = make_entry(title="过期未复核", at=NOW - timedelta(days=period + 5))
    page = login("org.medins").get(f"/knowledge/{stale.pk}/").content.decode()
    assert "超过复核期限" in page and "已超期 5天" in page
    # not published: no review deadline
    draft = make_entry(title="草稿", status=EntryStatus.DRAFT)
    assert selectors.entry_review_due(draft) is None
    assert "复核期限" not in login("org.medins").get(f"/knowledge/{draft.pk}/").content.decode()


def test_expiry_dates_within_30_days_show_the_days_left(login, make_entry, business_now):
    today = timezone.localdate(NOW)
    soon = make_entry(title="即将失效的政策", expires_on=today + timedelta(days=10))
    later = make_entry(title="长期有效的政策", expires_on=today + timedelta(days=40))
    last = make_entry(title="今天到期的政策", expires_on=today)
    agent = login("agent")
    page = agent.get(f"/knowledge/{soon.pk}/").content.decode()
    assert (today + timedelta(days=10)).isoformat() in page and "剩余 10天" in page
    later_page = agent.get(f"/knowledge/{later.pk}/").content.decode()
    expiry = later_page.split("失效日期</dt>", 1)[1].split("</dd>", 1)[0]
    assert (today + timedelta(days=40)).isoformat() in expiry and "剩余" not in expiry
    assert "今天是最后有效日" in agent.get(f"/knowledge/{last.pk}/").content.decode()
    listing = agent.get("/knowledge/", {"q": "政策"}).content.decode()
    assert "剩余 10天" in listing and "今天是最后有效日" in listing
    assert listing.count('class="clock clock-soon"') == 2


# -- 5. empty states ------------------------------------------------------------------------------


def test_empty_review_and_feedback_lists_say_what_to_do_next(login, business_now):
    review = login("supervisor").get("/knowledge/review/").content.decode()
    assert "没有等待审核的条目" in review and "/knowledge/?status=draft" in review
    assert "format=xlsx" not in review  # nothing to export
    unit = login("org.medins").get("/knowledge/review/").content.decode()
    assert "提交审核" in unit and "/knowledge/?status=draft" in unit and "/knowledge/new/" in unit
    feedback = login("org.medins").get("/knowledge/feedback/").content.decode()
    assert "没有待答复的纠错或提问" in feedback and "/knowledge/feedback/?state=" in feedback


# -- 6. public pages ------------------------------------------------------------------------------


def test_public_pages_keep_the_colon_inside_the_message(english, client, make_entry, db):
    entry = make_entry()
    chinese = client.get(f"/public/knowledge/{entry.pk}/").content.decode()
    assert f"责任单位：{entry.org.name}" in chinese
    client.cookies["django_language"] = "en"
    pages = ((f"/public/knowledge/{entry.pk}/", {}), ("/public/knowledge/", {"q": "医保"}))
    for url, params in pages:
        text = client.get(url, params).content.decode()
        assert f"Owning unit: {entry.org.name}" in text, url
        assert "：" not in text.split("kb-meta", 1)[1].split("</div>", 1)[0], url
    assert not Feedback.objects.exists()
