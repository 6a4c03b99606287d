"""The staff console pages: one home page per role, intake, the ticket page and its action
forms, the list and its export. Given/when/then, through the Django test client."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest

from hotline.tickets.models import (
    Assignment,
    CitizenDataAccess,
    OutboxMessage,
    Review,
    Ticket,
    TicketEvent,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def rows() -> tuple[int, ...]:
    return (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        OutboxMessage.objects.count(),
        Assignment.objects.count(),
        Review.objects.count(),
    )


def intake_form(**changes) -> dict:
    form = {
        "citizen_phone": "13800138000",
        "citizen_name": "张三",
        "channel": "phone",
        "appeal_type": "complaint",
        "county": "411702",
        "address": "雪松路与开源大道交叉口",
        "occurred_at": "2026-09-29T20:00",
        "content": "驿城区雪松路路灯连续一周不亮，夜间出行不安全。",
        "category": "",
        "special_seat": "",
        "action": "dispatch",
    }
    form.update(changes)
    return form


# -- home pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sections", "text"),
    [
        ("agent", ["sec-intake", "sec-agent"], "受理登记"),
        ("dispatcher", ["sec-dispatcher"], "待派单（按派单时限）"),
        ("org.411702", ["sec-unit", "sec-county"], "待二次派单"),
        ("org.411702-01", ["sec-unit"], "待签收"),
        ("callback", ["sec-callback"], "待回访（按回访时限）"),
        ("supervisor", ["sec-supervisor"], "超期排行（按承办单位）"),
        ("analyst", ["sec-overview"], "按县区"),
        ("inspector", ["sec-overview"], "按县区"),
    ],
)
def test_each_role_lands_on_its_home_page_with_work(build, login, username, sections, text):
    build.one_of_each()
    page = login(username).get("/")
    html = page.content.decode()
    assert page.status_code == 200
    for section in sections:
        assert f'id="{section}"' in html
    assert text in html
    # a section of another role is not shown
    if username != "agent":
        assert 'id="sec-intake"' not in html


def test_home_queues_show_deadlines_with_remaining_time(build, login, sim):
    build.new()
    build.dispatched(lead="411702-01")
    sim.advance(hours=3)  # the new ticket has 9 h of its 12 h left; the sign is late
    html = login("dispatcher").get("/").content.decode()
    assert "剩余 9小时" in html
    html = login("org.411702-01").get("/").content.decode()
    assert "已超期 1小时" in html


def test_unit_sees_only_its_own_work(build, login):
    mine = build.dispatched(lead="411702-01")
    other = build.dispatched(lead="411721")
    html = login("org.411702-01").get("/").content.decode()
    assert mine.number in html
    assert other.number not in html


def test_queues_refresh_as_a_fragment_for_htmx(build, login):
    build.new()
    page = login("dispatcher").get("/?part=queues", **HTMX)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" not in html and 'id="sec-dispatcher"' in html


def test_anonymous_user_is_sent_to_login(client):
    assert client.get("/")["Location"].startswith("/login/")
    htmx = client.get("/tickets/", **HTMX)
    assert htmx.status_code == 401 and htmx["HX-Redirect"].startswith("/login/")


# -- intake -------------------------------------------------------------------------------------


def test_intake_saves_the_ticket_for_dispatch(login, sim):
    page = login("agent").post("/intake/", intake_form())
    assert page.status_code == 303
    ticket = Ticket.objects.get()
    assert ticket.status == "new" and ticket.citizen_phone == "13800138000"
    assert ticket.received_at == sim.now
    assert ticket.events.get().type == "intake"


def test_bad_intake_input_shows_messages_and_changes_nothing(login, sim):
    before = rows()
    page = login("agent").post(
        "/intake/", intake_form(citizen_phone="12", content="", county="", occurred_at="")
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "请输入有效的电话号码" in html
    assert "请填写发生时间" in html
    assert html.count('class="field-error"') >= 3
    assert 'value="12"' in html  # what the agent typed is kept
    assert rows() == before


def test_a_refused_finish_rolls_the_intake_back(login, sim):
    """The service refuses a transfer without the citizen's consent: no ticket is left."""
    before = rows()
    page = login("agent").post(
        "/intake/",
        intake_form(action="contact", contact_kind="three_way_call", party="市医保局"),
    )
    assert page.status_code == 422
    assert "须经诉求人同意" in page.content.decode()
    assert rows() == before


def test_a_service_validation_error_lands_on_its_field(login, sim):
    future = (sim.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    before = rows()
    page = login("agent").post("/intake/", intake_form(occurred_at=future))
    assert page.status_code == 422
    assert "不能晚于受理时间" in page.content.decode()
    assert rows() == before


def test_not_accepted_emergency_needs_the_line(login, sim):
    form = intake_form(action="reject", reason="emergency", explanation="已告知拨打119")
    before = rows()
    page = login("agent").post("/intake/", form)
    assert page.status_code == 422 and "紧急诉求须选择转接的热线" in page.content.decode()
    assert rows() == before
    page = login("agent").post("/intake/", {**form, "transferred_to": "119"})
    assert page.status_code == 303
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.not_accepted_reason, ticket.transferred_to) == (
        "not_accepted",
        "emergency",
        "119",
    )


def test_intake_form_offers_guidance_for_every_reason(login):
    html = login("agent").get("/").content.decode()
    for code in ("litigation_or_procedure", "emergency", "repeat_after_closure", "other_legal"):
        assert f'data-guidance-for="{code}"' in html
    assert "110 · 119 · 120 · 122" in html
    assert "autofocus" in html and "Ctrl+Enter" in html


def _published_entry(users, demo_orgs, now):
    from hotline.knowledge import services as kb

    entry = kb.entry_create(
        actor=users("org.medins"),
        org=demo_orgs["medins"],
        title="职工医保住院费用怎么报销",
        body="出院时直接结算。",
        category_code="public-services.medical-insurance",
        category_name="医保报销",
        keywords=[],
        synonyms=[],
        public=True,
        now=now,
    )
    kb.entry_submit(entry=entry, actor=users("org.medins"), now=now)
    kb.entry_publish(entry=entry, actor=users("supervisor"), now=now)
    return entry


def test_answer_at_once_records_the_knowledge_used(login, sim, users, demo_orgs):
    from hotline.knowledge.models import KnowledgeUsage

    entry = _published_entry(users, demo_orgs, sim.now)
    page = login("agent").post(
        "/intake/",
        intake_form(
            action="answer",
            appeal_type="consultation",
            content="医保住院怎么报销",
            answer="出院时直接结算。",
            knowledge_entries=str(entry.pk),
        ),
    )
    assert page.status_code == 303
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.close_reason) == ("closed", "answered_at_intake")
    assert KnowledgeUsage.objects.filter(entry=entry, ticket_number=ticket.number).exists()


def test_answer_on_the_ticket_page_records_the_knowledge_used(login, sim, users, demo_orgs, build):
    """Art 22: the answer service tells the knowledge context (hook ``ticket_answered``); the
    page itself records nothing, and the usage is there all the same."""
    from hotline.knowledge.models import KnowledgeUsage

    entry = _published_entry(users, demo_orgs, sim.now)
    ticket = build.new(appeal_type="consultation", content="市民咨询：职工医保住院费用怎么报销？")
    page = login("agent").post(
        f"/tickets/{ticket.number}/act/answer/",
        {"answer": "出院时直接结算。", "knowledge_entries": str(entry.pk)},
    )
    assert page.status_code == 303
    ticket.refresh_from_db()
    assert (ticket.status, ticket.close_reason) == ("closed", "answered_at_intake")
    usage = KnowledgeUsage.objects.get(entry=entry, ticket_number=ticket.number)
    assert usage.actor == users("agent")


def test_caller_history_appears_when_the_phone_is_typed(build, login):
    from hotline.tickets.models import CitizenDataAccess

    earlier = build.new(phone="13912345678")
    page = login("agent").get("/console/caller-history/?citizen_phone=13912345678", **HTMX)
    assert earlier.number in page.content.decode()
    # the lookup by phone is a read of that citizen's data, logged (Art 25)
    logged = CitizenDataAccess.objects.get(purpose="caller_history")
    assert (logged.user.username, logged.ticket_id) == ("agent", earlier.pk)
    # a unit may not look up a phone number (and nothing more is logged)
    page = login("org.411702").get("/console/caller-history/?citizen_phone=13912345678")
    assert earlier.number not in page.content.decode()
    assert CitizenDataAccess.objects.filter(purpose="caller_history").count() == 1


# -- the ticket page ------------------------------------------------------------------------------


def action_forms(html: str) -> set[str]:
    import re

    return set(re.findall(r'/act/([a-z_]+)/"', html))


def test_ticket_page_shows_only_the_actions_the_guard_allows(build, login):
    new = build.new()
    assert action_forms(login("agent").get(f"/tickets/{new.number}/").content.decode()) == {
        "answer",
        "reject",
        "contact",
        "sudden_report",
    }
    assert action_forms(login("dispatcher").get(f"/tickets/{new.number}/").content.decode()) == {
        "dispatch",
        "sudden_report",
    }
    signed = build.signed(lead="411702")
    html = login("org.411702").get(f"/tickets/{signed.number}/").content.decode()
    assert action_forms(html) == {"redispatch", "progress", "reply", "extension", "return"}
    assert (
        action_forms(login("callback").get(f"/tickets/{signed.number}/").content.decode()) == set()
    )


def test_another_units_ticket_is_a_404_page(build, login):
    ticket = build.dispatched(lead="411702")
    page = login("org.411721").get(f"/tickets/{ticket.number}/")
    assert page.status_code == 404
    assert "页面不存在" in page.content.decode()
    assert login("org.411721").post(f"/tickets/{ticket.number}/act/sign/").status_code == 404


def test_ticket_page_reads_the_citizen_through_the_selector(build, login):
    ticket = build.dispatched(lead="411702", confidential=True)
    html = login("dispatcher").get(f"/tickets/{ticket.number}/").content.decode()
    assert "13800130001" in html
    assert CitizenDataAccess.objects.filter(ticket=ticket, purpose="view").count() == 1
    html = login("org.411702").get(f"/tickets/{ticket.number}/").content.decode()
    assert "13800130001" not in html and "诉求人要求保密" in html


def test_timeline_speaks_chinese(build, login):
    ticket = build.replied(lead="411702")
    html = login("supervisor").get(f"/tickets/{ticket.number}/").content.decode()
    for label in ("受理", "派单", "签收", "答复 / 办理结果回传", "待回访"):
        assert f"<b>{label}</b>" in html
    assert "dispatched</b>" not in html


def act(client, ticket, action, **data):
    return client.post(f"/tickets/{ticket.number}/act/{action}/", data)


def test_lifecycle_through_the_action_forms(build, login, sim):
    ticket = build.new()
    assert act(login("dispatcher"), ticket, "dispatch", lead="411702-01").status_code == 303
    a = Assignment.objects.get(ticket=ticket)
    unit = login("org.411702-01")
    assert act(unit, ticket, "sign", assignment=a.pk).status_code == 303
    sim.advance(hours=2)
    page = act(unit, ticket, "reply", assignment=a.pk, content="已修复", citizen_contacted="on")
    assert page.status_code == 303
    ticket.refresh_from_db()
    assert ticket.status == "awaiting_callback"
    page = act(login("callback"), ticket, "callback", outcome="satisfied", resolved="yes")
    assert page.status_code == 303
    ticket.refresh_from_db()
    assert (ticket.status, ticket.close_reason) == ("closed", "satisfied")
    assert "已完成" in login("callback").get(f"/tickets/{ticket.number}/").content.decode()


def test_return_and_extension_reviews(build, login, sim):
    ticket = build.signed(lead="411702-01")
    a = Assignment.objects.get(ticket=ticket)
    unit = login("org.411702-01")
    page = act(unit, ticket, "return", assignment=a.pk, reason="非本单位职责", basis="三定方案")
    assert page.status_code == 303
    review = Review.objects.get(kind="return")
    # dispatched by the center, so the center's supervisor decides (Art 15(1))
    html = login("supervisor").get("/").content.decode()
    assert ticket.number in html
    page = act(login("supervisor"), ticket, "review_approve", review=review.pk, lead="411702-02")
    assert page.status_code == 303
    new = Assignment.objects.get(ticket=ticket, org__code="411702-02")
    other = build.signed(lead="411702-02")
    b = Assignment.objects.get(ticket=other)
    page = act(
        login("org.411702-02"), other, "extension", assignment=b.pk, working_days=3, reason="需协调"
    )
    assert page.status_code == 303
    ext = Review.objects.get(kind="extension")
    page = act(login("supervisor"), other, "review_approve", review=ext.pk)
    assert page.status_code == 303
    b.refresh_from_db()
    assert b.extension_count == 1
    assert new.status == "awaiting_sign"


def test_a_refused_action_shows_its_message_and_changes_nothing(build, login):
    ticket = build.signed(lead="411702")
    a = Assignment.objects.get(ticket=ticket)
    before = rows()
    page = act(
        login("org.411702"), ticket, "extension", assignment=a.pk, working_days=30, reason="需协调"
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "延期不得超过该类诉求的办理时限" in html
    assert 'id="act-extension-' in html and " open" in html
    assert rows() == before
    page = act(login("org.411702"), ticket, "reply", assignment=a.pk, content="")
    assert page.status_code == 422 and rows() == before


def test_an_action_the_role_may_not_take_is_refused(build, login):
    ticket = build.new()
    before = rows()
    page = act(login("agent"), ticket, "dispatch", lead="411702")
    assert page.status_code == 422
    assert "当前角色无权执行此操作" in page.content.decode()
    assert rows() == before


# -- the list ------------------------------------------------------------------------------------


def test_list_filters_search_and_htmx_table(build, login):
    new = build.new()
    handled = build.signed(lead="411721", county="411721", appeal_type="consultation")
    client = login("dispatcher")
    html = client.get("/tickets/?status=new").content.decode()
    assert new.number in html and handled.number not in html
    html = client.get("/tickets/?county=411721&appeal_type=consultation").content.decode()
    assert handled.number in html and new.number not in html
    html = client.get(f"/tickets/?q={handled.number}", **HTMX).content.decode()
    assert "<html" not in html and handled.number in html and new.number not in html
    html = client.get("/tickets/?q=13800130001").content.decode()
    assert new.number in html
    html = client.get("/tickets/?overdue=1").content.decode()
    assert "没有符合条件的工单" in html
    assert client.get("/tickets/?sort=dispatch_due&page=9").status_code == 200


def test_list_is_scoped_and_masks_the_citizen(build, login):
    mine = build.dispatched(lead="411702")
    other = build.dispatched(lead="411721")
    html = login("org.411702").get("/tickets/").content.decode()
    assert mine.number in html and other.number not in html
    assert "138****0001" in html and "13800130001" not in html


def test_excel_export_is_masked_and_logged(build, login, sim):
    from openpyxl import load_workbook

    tickets = [build.new(), build.dispatched(lead="411702")]
    page = login("dispatcher").get("/tickets/?format=xlsx")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(page.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "工单编号"
    assert {v[0] for v in values[1:]} == {t.number for t in tickets}
    flat = " ".join(str(v) for row in values for v in row)
    assert "13800130001" not in flat and "138****0001" in flat
    logged = CitizenDataAccess.objects.filter(purpose="export")
    assert {x.ticket_id for x in logged} == {t.pk for t in tickets}
    assert {x.user.username for x in logged} == {"dispatcher"}


# -- language ---------------------------------------------------------------------------------


def test_pages_in_english(build, login, settings):
    ticket = build.signed(lead="411702")
    client = login("org.411702")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert "Workbench" in html and "To sign" in html and "工作台" not in html
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Timeline" in html and "Reply / result upload" in html
    assert "left" in html  # the countdown


def test_county_body_redispatches_and_decides_its_units_return(build, login):
    ticket = build.signed(lead="411702")
    parent = Assignment.objects.get(ticket=ticket)
    county = login("org.411702")
    assert ticket.number in county.get("/").content.decode()  # waiting to be re-dispatched
    page = act(county, ticket, "redispatch", assignment=parent.pk, lead="411702-01")
    assert page.status_code == 303
    child = Assignment.objects.get(ticket=ticket, parent=parent)
    unit = login("org.411702-01")
    act(unit, ticket, "sign", assignment=child.pk)
    act(unit, ticket, "return", assignment=child.pk, reason="非本街道辖区", basis="辖区划分")
    review = Review.objects.get(kind="return")
    html = county.get("/").content.decode()
    assert f"#review-{review.pk}" in html
    assert "/act/review_approve/" in county.get(f"/tickets/{ticket.number}/").content.decode()
    # a county's own review is not the center's: it is not in the supervisors' queue at
    # all (404), and nothing changes
    before = rows()
    page = act(login("supervisor"), ticket, "review_approve", review=review.pk)
    assert page.status_code == 404
    assert rows() == before
    page = act(county, ticket, "review_approve", review=review.pk, lead="411702-02")
    assert page.status_code == 303
    assert Assignment.objects.get(ticket=ticket, org__code="411702-02").parent_id == parent.pk
