"""The knowledge base's staff pages: the home list (search, filters, scope, Excel), the
create/edit form (errors on the form, nothing saved, version conflicts), the workflow buttons
of the entry page, the center's review queue, and corrections and questions (Art 22)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from hotline.knowledge import services
from hotline.knowledge.choices import EntryStatus, FeedbackState
from hotline.knowledge.models import Entry, EntryVersion, Feedback, KnowledgeEvent

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def category_tree(db):
    """The entry form picks its category from the appeal category tree."""
    from hotline.tickets.categories import category_tree_load, default_tree

    category_tree_load(tree=default_tree(), update_existing=False)


CATEGORY = "public-services.medical-insurance.reimbursement"


def form_data(**overrides) -> dict:
    data = {
        "title": "异地就医备案怎么办",
        "category_code": CATEGORY,
        "category_name": "医保报销",
        "keywords": "异地就医、备案",
        "synonyms": "异地医保 转外就医",
        "public": "on",
        "effective_from": "2026-03-01",
        "expires_on": "",
        "body": "## 办理方式\n\n- 国家医保服务平台APP\n- 医保经办窗口",
    }
    data.update(overrides)
    return data


@pytest.fixture
def login(client, users):
    def as_user(username: str) -> Client:
        client.force_login(users[username])
        return client

    return as_user


# -- the knowledge home ---------------------------------------------------------------------------


def test_home_searches_highlights_and_scopes_like_the_api(login, make_entry, business_now):
    make_entry(title="职工医保住院费用怎么报销", body="医保住院报销在出院时直接结算。")
    make_entry(title="医保新规草稿", body="医保草稿。", status=EntryStatus.DRAFT)
    make_entry(org="hrss", title="社保卡补办", body="社保卡。")
    agent = login("agent")
    page = agent.get("/knowledge/", {"q": "医保"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "<mark>医保</mark>" in text and "住院费用怎么报销" in text
    assert "医保新规草稿" not in text  # another unit's draft does not exist for an agent
    assert "新建条目" not in text  # agents do not author
    # the owning unit lists its own drafts by status; another unit does not see them
    medins = login("org.medins")
    drafts = medins.get("/knowledge/", {"status": "draft"}).content.decode()
    assert "医保新规草稿" in drafts and "新建条目" in drafts
    hrss = login("org.hrss")
    assert "医保新规草稿" not in hrss.get("/knowledge/", {"status": "all"}).content.decode()
    # filters: unit and public flag
    by_unit = login("supervisor").get("/knowledge/", {"org": "hrss"}).content.decode()
    assert "社保卡补办" in by_unit and "住院费用怎么报销" not in by_unit


def test_home_htmx_partial_pagination_and_empty_state(login, make_entry, business_now):
    for n in range(23):
        make_entry(title=f"医保问题{n:02d}", body=f"医保第{n}种情况。")
    agent = login("agent")
    first = agent.get("/knowledge/", HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    text = first.content.decode()
    assert "<html" not in text and "第 1 / 2 页" in text and "共 23 条" in text
    second = agent.get("/knowledge/", {"page": 2}).content.decode()
    assert second.count('class="kb-title"') == 3
    empty = agent.get("/knowledge/", {"q": "火星移民"}).content.decode()
    assert "没有找到与「火星移民」相关的条目" in empty
    assert "/knowledge/feedback/new/?topic=" in empty  # what to do next: ask the unit
    too_long = agent.get("/knowledge/", {"q": "问" * 201})
    assert too_long.status_code == 422 and "查询内容不超过200字" in too_long.content.decode()
    swapped = agent.get("/knowledge/", {"q": "问" * 201}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and "查询内容不超过200字" in swapped.content.decode()


def test_home_exports_the_current_list_to_xlsx(login, make_entry, business_now):
    make_entry(title="职工医保住院费用怎么报销", body="医保住院报销。")
    make_entry(title="居民医保门诊报销", body="医保门诊报销。", public=False)
    make_entry(org="hrss", title="社保卡补办", body="社保卡。")
    response = login("agent").get(
        "/knowledge/", {"q": "医保", "public": "1", "org": "medins", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "标题", "正文")
    titles = {row[1] for row in rows[1:]}
    assert titles == {"职工医保住院费用怎么报销"}
    assert rows[1][5] == "medins" and rows[1][11] == "已发布"
    # Art 25: the export is logged with who, through what, which entries and the filters
    logged = KnowledgeEvent.objects.get(type="entries.exported")
    assert logged.actor.username == "agent" and logged.data["via"] == "page"
    assert logged.data["count"] == 1 and logged.data["filters"]["org"] == "medins"


# -- create and edit ------------------------------------------------------------------------------


def test_unit_creates_a_draft_through_the_form(login, users, business_now):
    medins = login("org.medins")
    page = medins.get("/knowledge/new/")
    assert page.status_code == 200
    assert 'name="org"' not in page.content.decode()  # a unit writes for itself only
    response = medins.post("/knowledge/new/", form_data())
    assert response.status_code == 303
    entry = Entry.objects.get(title="异地就医备案怎么办")
    assert response["Location"] == f"/knowledge/{entry.pk}/"
    assert entry.status == EntryStatus.DRAFT and entry.org.code == "medins"
    assert entry.keywords == ["异地就医", "备案"] and entry.synonyms == ["异地医保", "转外就医"]
    assert entry.public and str(entry.effective_from) == "2026-03-01"
    # the category is picked from the tree; its name comes with it
    assert entry.category_code == CATEGORY and entry.category_name == "医保报销"
    follow = medins.get(response["Location"]).content.decode()
    assert "条目已保存为草稿" in follow and "<h2>办理方式</h2>" in follow


def test_bad_input_shows_errors_on_the_form_and_saves_nothing(login, business_now):
    medins = login("org.medins")
    before = (Entry.objects.count(), EntryVersion.objects.count())
    bad = medins.post(
        "/knowledge/new/",
        form_data(
            title="",
            category_code="医保/报销",
            effective_from="2026-13-40",
            keywords="、".join(f"词{n}" for n in range(31)),
        ),
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "这个字段是必填项" in text
    assert "请从诉求分类中选择" in text  # picked from the category tree, not typed
    assert "日期格式应为 YYYY-MM-DD" in text
    assert "关键词最多30个" in text
    assert 'value="异地就医、备案' not in text and "词30" in text  # the input is kept
    dates = medins.post(
        "/knowledge/new/", form_data(effective_from="2026-05-01", expires_on="2026-04-01")
    )
    assert dates.status_code == 422
    assert "失效日期不能早于生效日期" in dates.content.decode()
    assert (Entry.objects.count(), EntryVersion.objects.count()) == before


def test_preview_renders_sanitised_markdown_and_saves_nothing(login, business_now):
    medins = login("org.medins")
    body = "## 标题\n\n<script>alert(1)</script>[x](javascript:alert(2)) **粗体**"
    fragment = medins.post("/knowledge/preview/", {"body": body}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<h2>标题</h2>" in text and "<strong>粗体</strong>" in text
    assert "<script>" not in text and "javascript:" not in text
    count = Entry.objects.count()
    page = medins.post("/knowledge/new/", form_data(body=body, preview="1"))
    assert page.status_code == 200 and "<strong>粗体</strong>" in page.content.decode()
    assert Entry.objects.count() == count


def test_edit_published_entry_goes_back_to_draft_with_a_new_version(
    login, make_entry, business_now
):
    entry = make_entry(keywords=["住院"])
    medins = login("org.medins")
    page = medins.get(f"/knowledge/{entry.pk}/edit/").content.decode()
    assert "保存修改后条目回到草稿状态" in page and f'value="{entry.version}"' in page
    response = medins.post(
        f"/knowledge/{entry.pk}/edit/",
        form_data(title="职工医保住院费用报销（2026版）", version=entry.version, note="更新标题"),
    )
    assert response.status_code == 303
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT and entry.title.endswith("（2026版）")
    last = entry.versions.order_by("-number").first()
    assert last.note == "更新标题" and last.actor.username == "org.medins"


def test_an_entry_with_a_category_outside_the_tree_stays_editable(login, make_entry, business_now):
    entry = make_entry(category_code="legacy.import", category_name="旧分类", status="draft")
    medins = login("org.medins")
    page = medins.get(f"/knowledge/{entry.pk}/edit/").content.decode()
    assert 'value="legacy.import" selected' in page and "旧分类（legacy.import）" in page
    response = medins.post(
        f"/knowledge/{entry.pk}/edit/",
        form_data(category_code="legacy.import", version=entry.version, title="改了标题"),
    )
    assert response.status_code == 303
    entry.refresh_from_db()
    assert (entry.title, entry.category_code, entry.category_name) == (
        "改了标题",
        "legacy.import",
        "旧分类",
    )
    # but nobody types a new code that the tree does not have
    other = medins.post(
        f"/knowledge/{entry.pk}/edit/",
        form_data(category_code="made.up", version=entry.version),
    )
    assert other.status_code == 422 and "请从诉求分类中选择" in other.content.decode()


def test_edit_with_a_stale_version_is_a_conflict_on_the_form(login, make_entry, users, now):
    entry = make_entry(status=EntryStatus.DRAFT)
    read_at = entry.version
    services.entry_update(
        entry=entry, actor=users["supervisor"], changes={"title": "中心先改了"}, now=now
    )
    response = login("org.medins").post(
        f"/knowledge/{entry.pk}/edit/", form_data(title="单位后改", version=read_at)
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "条目已被他人修改，请刷新后重试" in text
    assert f"?from={read_at}&amp;to={read_at + 1}" in text
    entry.refresh_from_db()
    assert entry.title == "中心先改了"


def test_a_unit_cannot_edit_another_units_entry(login, make_entry, business_now):
    published = make_entry()
    draft = make_entry(title="医保草稿", status=EntryStatus.DRAFT)
    hrss = login("org.hrss")
    assert hrss.get(f"/knowledge/{published.pk}/edit/").status_code == 403
    refused = hrss.post(f"/knowledge/{published.pk}/edit/", form_data(title="别人改的"))
    assert refused.status_code == 403
    assert hrss.get(f"/knowledge/{draft.pk}/").status_code == 404  # does not exist for them
    assert hrss.post(f"/knowledge/{draft.pk}/edit/", form_data()).status_code == 404
    assert hrss.post(f"/knowledge/{published.pk}/retire/", {}).status_code == 403
    page = hrss.get(f"/knowledge/{published.pk}/").content.decode()
    assert f"/knowledge/{published.pk}/edit/" not in page and "停用" not in page
    published.refresh_from_db()
    assert published.title == "职工医保住院费用怎么报销"
    assert published.status == EntryStatus.PUBLISHED and published.version == 3
    # the agent may not author at all
    assert login("agent").get("/knowledge/new/").status_code == 403


def test_reviewer_picks_the_owning_unit(login, business_now):
    supervisor = login("supervisor")
    assert 'name="org"' in supervisor.get("/knowledge/new/").content.decode()
    missing = supervisor.post("/knowledge/new/", form_data())
    assert missing.status_code == 422 and not Entry.objects.exists()
    done = supervisor.post("/knowledge/new/", form_data(org="hrss"))
    assert done.status_code == 303
    assert Entry.objects.get().org.code == "hrss"


# -- workflow buttons and the review queue --------------------------------------------------------


def test_workflow_buttons_follow_the_guard_and_move_the_status(
    login, make_entry, users, business_now
):
    entry = make_entry(status=EntryStatus.DRAFT)
    medins = login("org.medins")
    page = medins.get(f"/knowledge/{entry.pk}/").content.decode()
    assert (
        f"/knowledge/{entry.pk}/submit/" in page and f"/knowledge/{entry.pk}/publish/" not in page
    )
    assert medins.post(f"/knowledge/{entry.pk}/publish/", {}).status_code == 403
    submitted = medins.post(f"/knowledge/{entry.pk}/submit/", {"submit-note": "请审核"})
    assert submitted.status_code == 303
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    assert "已完成：提交审核" in medins.get(submitted["Location"]).content.decode()

    supervisor = login("supervisor")
    queue = supervisor.get("/knowledge/review/").content.decode()
    assert entry.title in queue and f"/knowledge/{entry.pk}/publish/" in queue
    # return needs a reason: shown on the form, nothing changed
    no_reason = supervisor.post(f"/knowledge/{entry.pk}/return/", {"return-note": ""})
    assert no_reason.status_code == 422
    assert "退回修改需要说明理由" in no_reason.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW
    returned = supervisor.post(f"/knowledge/{entry.pk}/return/", {"return-note": "请补充依据"})
    assert returned.status_code == 303
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    assert entry.versions.order_by("-number").first().note == "请补充依据"

    services.entry_submit(entry=entry, actor=users["org.medins"], now=NOW)
    supervisor = login("supervisor")
    published = supervisor.post(f"/knowledge/{entry.pk}/publish/", {"next": "/knowledge/review/"})
    assert published.status_code == 303 and published["Location"] == "/knowledge/review/"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    # publishing twice: refused with a message, nothing changed
    again = supervisor.post(f"/knowledge/{entry.pk}/publish/", {})
    assert again.status_code == 422 and "不能执行此操作" in again.content.decode()
    reviewed = login("org.medins").post(f"/knowledge/{entry.pk}/review/", {})
    assert reviewed.status_code == 303
    retired = login("org.medins").post(
        f"/knowledge/{entry.pk}/retire/", {"retire-note": "政策废止"}
    )
    assert retired.status_code == 303
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETIRED
    actions = list(entry.versions.order_by("number").values_list("action", flat=True))
    assert actions == ["create", "submit", "return", "submit", "publish", "review", "retire"]


def test_review_queue_oldest_first_and_scoped(login, make_entry, now, business_now):
    newer = make_entry(title="医保新条目", status=EntryStatus.IN_REVIEW, at=now)
    older = make_entry(title="医保旧条目", status=EntryStatus.IN_REVIEW, at=now - timedelta(days=3))
    other = make_entry(org="hrss", title="社保待审", status=EntryStatus.IN_REVIEW)
    queue = login("supervisor").get("/knowledge/review/").content.decode()
    assert queue.index(older.title) < queue.index(newer.title) and other.title in queue
    own = login("org.medins").get("/knowledge/review/").content.decode()
    assert older.title in own and other.title not in own
    assert f"/knowledge/{older.pk}/publish/" not in own
    assert login("agent").get("/knowledge/review/").status_code == 403


def test_csrf_is_enforced_on_the_workflow_buttons(make_entry, users, business_now):
    entry = make_entry(status=EntryStatus.DRAFT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["org.medins"])
    refused = client.post(f"/knowledge/{entry.pk}/submit/", {})
    assert refused.status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    page = client.get(f"/knowledge/{entry.pk}/")
    token = page.cookies["csrftoken"].value
    accepted = client.post(f"/knowledge/{entry.pk}/submit/", {"csrfmiddlewaretoken": token})
    assert accepted.status_code == 303
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_REVIEW


# -- corrections and questions --------------------------------------------------------------------


def test_agent_raises_a_correction_and_the_unit_answers(login, make_entry, business_now):
    entry = make_entry()
    agent = login("agent")
    page = agent.get(f"/knowledge/{entry.pk}/").content.decode()
    assert f"/knowledge/{entry.pk}/feedback/" in page and "纠错/提问" in page
    empty = agent.post(f"/knowledge/{entry.pk}/feedback/", {"fb-kind": "correction"})
    assert empty.status_code == 422 and not Feedback.objects.exists()
    raised = agent.post(
        f"/knowledge/{entry.pk}/feedback/",
        {"fb-kind": "correction", "fb-content": "报销比例已调整为90%"},
    )
    assert raised.status_code == 303
    item = Feedback.objects.get()
    assert item.org.code == "medins" and item.state == FeedbackState.OPEN
    assert "已提交知识纠错" in agent.get(raised["Location"]).content.decode()

    medins = login("org.medins")
    listing = medins.get("/knowledge/feedback/").content.decode()
    assert "报销比例已调整为90%" in listing and "剩余" in listing  # remaining time shown
    for action in ("answer", "accept", "reject"):
        assert f"/knowledge/feedback/{item.pk}/{action}/" in listing
    # another unit neither sees nor answers it
    hrss = login("org.hrss")
    assert "报销比例" not in hrss.get("/knowledge/feedback/").content.decode()
    assert (
        hrss.post(f"/knowledge/feedback/{item.pk}/accept/", {f"fb{item.pk}-response": "x"})
    ).status_code == 404
    # the agent (center) sees it but may not answer
    assert (
        f"/knowledge/feedback/{item.pk}/accept/"
        not in login("agent").get("/knowledge/feedback/").content.decode()
    )
    medins = login("org.medins")
    blank = medins.post(f"/knowledge/feedback/{item.pk}/accept/", {f"fb{item.pk}-response": ""})
    assert blank.status_code == 422
    item.refresh_from_db()
    assert item.state == FeedbackState.OPEN
    accepted = medins.post(
        f"/knowledge/feedback/{item.pk}/accept/",
        {f"fb{item.pk}-response": "已核实，将修改条目", "next": "/knowledge/feedback/"},
    )
    assert accepted.status_code == 303
    item.refresh_from_db()
    assert item.state == FeedbackState.ACCEPTED and item.responded_by.username == "org.medins"
    answered = medins.get("/knowledge/feedback/", {"state": ""}).content.decode()
    assert "已核实，将修改条目" in answered


def test_overdue_feedback_is_highlighted_and_topic_questions(
    login, late_question, users, now, business_now
):
    late = late_question
    medins = login("org.medins")
    text = medins.get("/knowledge/feedback/", {"overdue": "on"}).content.decode()
    assert f'id="fb-{late.pk}"' in text and "row-late" in text and "已超期" in text
    # a question is answered, not accepted
    assert f"/knowledge/feedback/{late.pk}/accept/" not in text
    assert f"/knowledge/feedback/{late.pk}/answer/" in text

    agent = login("agent")
    form = agent.get("/knowledge/feedback/new/", {"topic": "电动车上牌"})
    assert form.status_code == 200 and 'value="电动车上牌"' in form.content.decode()
    missing = agent.post(
        "/knowledge/feedback/new/", {"kind": "question", "topic": "电动车上牌", "content": "?"}
    )
    assert missing.status_code == 422 and Feedback.objects.count() == 1
    done = agent.post(
        "/knowledge/feedback/new/",
        {"kind": "question", "topic": "电动车上牌", "org": "police", "content": "在哪里上牌？"},
    )
    assert done.status_code == 303
    topic = Feedback.objects.get(topic="电动车上牌")
    assert topic.entry is None and topic.org.code == "police"
    assert login("org.medins").get("/knowledge/feedback/new/").status_code == 403


def test_nav_links_to_the_staff_home_and_pages_render_per_role(login, make_entry, business_now):
    entry = make_entry()
    for username in ("agent", "supervisor", "org.medins", "analyst", "inspector"):
        client = login(username)
        home = client.get("/knowledge/")
        assert home.status_code == 200, username
        text = home.content.decode()
        assert 'href="/knowledge/" aria-current="page"' in text
        assert "/public/knowledge/" in text  # the public page stays reachable
        assert client.get(f"/knowledge/{entry.pk}/").status_code == 200
        assert client.get("/knowledge/feedback/").status_code == 200


def test_pages_need_a_login(client, db):
    for url in ("/knowledge/", "/knowledge/new/", "/knowledge/review/", "/knowledge/feedback/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_lists_cost_the_same_number_of_queries_for_n_and_3n_rows(
    login, make_entry, users, now, business_now
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            entry = make_entry(title=f"医保问题{i}", body=f"医保第{i}种情况。")
            make_entry(title=f"医保待审{i}", status=EntryStatus.IN_REVIEW)
            services.feedback_raise(
                actor=users["agent"],
                kind="correction",
                content=f"第{i}条有误",
                entry=entry,
                now=now,
            )

    def counts() -> list[int]:
        out = []
        for username, url in (
            ("org.medins", "/knowledge/"),
            ("supervisor", "/knowledge/review/"),
            ("org.medins", "/knowledge/feedback/"),
        ):
            client = login(username)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    add(2, 0)
    few = counts()
    add(4, 2)
    assert counts() == few
    assert max(few) <= 10


def test_the_category_choice_speaks_the_users_language(login, make_entry, business_now):
    medins = login("org.medins")
    chinese = medins.get("/knowledge/new/").content.decode()
    assert "医保报销" in chinese and "Medical insurance reimbursement" not in chinese
    medins.cookies["django_language"] = "en"
    english = medins.get("/knowledge/new/").content.decode()
    assert "Medical insurance reimbursement" in english
    # what is stored with the entry stays the tree's own (Chinese) name
    medins.post("/knowledge/new/", form_data())
    entry = Entry.objects.get(title="异地就医备案怎么办")
    assert entry.category_name == "医保报销"
    # and the list's category filter reads in English too
    make_entry(title="职工医保住院费用怎么报销")
    listing = medins.get("/knowledge/").content.decode()
    assert "Medical insurance reimbursement（" in listing
