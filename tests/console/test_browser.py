"""The console clicked through in Debian's Chromium (Playwright, headless) against a live
server: the whole lifecycle agent → dispatcher → unit → callback, a return and an extension
decided by a supervisor, the 404 of another unit's ticket, and no JavaScript errors.

Needs /usr/bin/chromium (`apt-get install -y chromium`; ./dev setup installs it). Without it
the tests are skipped, except in CI (CI=true), where they must run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Demo#12345"


def _seed() -> None:
    from hotline.calendar.models import CalendarYear
    from hotline.calendar.services import calendar_seed_official, invalidate_cache
    from hotline.demo.orgs import seed_organisations, seed_users
    from hotline.orgs.models import Organisation

    if not CalendarYear.objects.exists():
        calendar_seed_official()
        invalidate_cache()
    if not Organisation.objects.exists():
        seed_users(seed_organisations())


@pytest.fixture(scope="module")
def browser(django_db_blocker):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: ./dev setup installs it (apt-get)")
        pytest.skip(
            "Chromium is not installed (apt-get install -y chromium): browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser is
    # open; the ORM calls the tests make between browser steps (and pytest-django's flush
    # after each test) are plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield launched
            launched.close()
    finally:
        # each transactional test ends with a flush: leave the session's demo data (see
        # tests/conftest.py) for whatever runs after this module
        with django_db_blocker.unblock():
            _seed()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def seeded(browser, transactional_db):
    """Transactional tests start from whatever the last one left (a flushed database after
    the first): seed the demo organisations, users and the official calendar when missing."""
    _seed()


class Session:
    """One signed-in user in their own browser context, collecting JavaScript errors."""

    def __init__(self, browser, base: str, username: str, errors: list[str]):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base
        self.expect_404 = False
        self.page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
        self.page.on("console", lambda msg: self._console(msg, username, errors))
        self.page.goto(f"{base}/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def _console(self, msg, username, errors):
        if msg.type != "error":
            return
        if self.expect_404 and "404" in msg.text:
            return
        errors.append(f"{username}: {msg.text}")

    def open_ticket(self, number: str):
        self.page.goto(f"{self.base}/tickets/{number}/")
        self.page.wait_for_selector("h1 .num")

    def action(self, summary: str):
        """Open an action form by its title and return the form."""
        details = self.page.locator(
            "details.action", has=self.page.locator(f"summary:text-is('{summary}')")
        )
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        return details.locator("form")

    def submit(self, form, message="已完成"):
        form.locator("button[type=submit]").click()
        self.page.wait_for_selector(f".msg-success:has-text('{message}')")

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, live_server):
    errors: list[str] = []
    opened: list[Session] = []

    def open_(username: str) -> Session:
        s = Session(browser, live_server.url, username, errors)
        opened.append(s)
        return s

    yield open_
    for s in opened:
        s.close()
    assert errors == [], errors


def test_whole_lifecycle_clicked_through(session, sim, build):
    from hotline.tickets.models import Ticket

    earlier = build.new(phone="13912345678")

    # the agent takes the call: the caller's history appears as the number is typed
    agent = session("agent").page
    agent.fill("input[name=citizen_phone]", "13912345678")
    agent.wait_for_selector(f"#caller-history >> text={earlier.number}")
    agent.fill("input[name=citizen_name]", "李四")
    agent.select_option("select[name=county]", "411702")
    agent.fill("input[name=address]", "驿城区解放路18号")
    agent.fill("input[name=occurred_at]", "2026-09-30T07:30")
    agent.select_option("select[name=appeal_type]", "complaint")
    agent.fill("textarea[name=content]", "解放路18号门前下水道堵塞，污水外溢，请尽快疏通。")
    agent.wait_for_selector("#kb-suggestions .kb-suggestions, #kb-suggestions .kb-empty")
    agent.press("textarea[name=content]", "Control+Enter")  # the keyboard shortcut submits
    agent.wait_for_selector(".msg-success:has-text('已受理')")
    ticket = Ticket.objects.exclude(pk=earlier.pk).get()
    assert ticket.status == "new" and ticket.citizen_name == "李四"

    # the dispatcher sees it in the queue with its countdown and dispatches it
    dispatcher = session("dispatcher")
    row = dispatcher.page.locator("#sec-dispatcher tr", has_text=ticket.number)
    assert "剩余" in row.inner_text()
    row.locator("a").first.click()
    form = dispatcher.action("派单")
    form.locator("select[name=lead]").select_option("411702-01")
    dispatcher.submit(form)

    # the unit signs and replies
    unit = session("org.411702-01")
    assert ticket.number in unit.page.locator("#q-to-sign + table").inner_text()
    unit.open_ticket(ticket.number)
    unit.submit(unit.action("签收"))
    sim.advance(hours=3)
    form = unit.action("答复 / 办理结果回传")
    form.locator("textarea[name=content]").fill("已组织人员疏通下水道，并电话告知诉求人。")
    form.locator("input[name=citizen_contacted]").check()
    unit.submit(form)
    ticket.refresh_from_db()
    assert ticket.status == "awaiting_callback"

    # the callback agent calls back: satisfied, closed
    callback = session("callback")
    assert ticket.number in callback.page.locator("#sec-callback").inner_text()
    callback.open_ticket(ticket.number)
    form = callback.action("回访")
    form.locator("input[name=outcome][value=satisfied]").check()
    form.locator("select[name=resolved]").select_option("yes")
    callback.submit(form)
    assert "已办结" in callback.page.locator("h1").inner_text()
    timeline = callback.page.locator(".timeline").inner_text()
    for label in ("受理", "派单", "签收", "答复 / 办理结果回传", "回访", "办结"):
        assert label in timeline

    # the list: typing a number swaps only the table (htmx) and keeps the URL in step
    page = callback.page
    page.goto(f"{callback.base}/tickets/")
    page.evaluate("window.marker = 1")  # survives only if the page is not reloaded
    page.fill("input[name=q]", ticket.number)
    page.wait_for_function(
        "n => document.querySelectorAll('#ticket-table tbody tr').length === 1 "
        "&& document.querySelector('#ticket-table').innerText.includes(n)",
        arg=ticket.number,
    )
    assert page.evaluate("window.marker") == 1
    assert f"q={ticket.number}" in page.url


def test_return_and_extension_reviewed_by_the_supervisor(session, sim, build):
    from hotline.tickets.models import Assignment

    wrong = build.signed(lead="411702-01")
    slow = build.signed(lead="411702-01")
    unit = session("org.411702-01")
    unit.open_ticket(wrong.number)
    form = unit.action("退回")
    form.locator("textarea[name=reason]").fill("该路段由西园街道负责。")
    form.locator("textarea[name=basis]").fill("驿城区街道管辖范围划分文件")
    form.locator("select[name=suggested_org]").select_option("411702-02")
    unit.submit(form)
    unit.open_ticket(slow.number)
    form = unit.action("延期申请")
    form.locator("input[name=working_days]").fill("3")
    form.locator("textarea[name=reason]").fill("需协调供电部门停电施工。")
    unit.submit(form)

    supervisor = session("supervisor")
    reviews = supervisor.page.locator("#sec-supervisor").inner_text()
    assert wrong.number in reviews and slow.number in reviews
    supervisor.page.locator("#sec-supervisor tr", has_text=wrong.number).get_by_role(
        "link", name="审核"
    ).click()
    form = supervisor.action("审核通过 · 退回审核")
    form.locator("select[name=lead]").select_option("411702-02")
    supervisor.submit(form)
    supervisor.open_ticket(slow.number)
    supervisor.submit(supervisor.action("审核通过 · 延期审核"))

    assert Assignment.objects.get(ticket=wrong, org__code="411702-01").status == "returned"
    assert Assignment.objects.get(ticket=wrong, org__code="411702-02").status == "awaiting_sign"
    assert Assignment.objects.get(ticket=slow).extension_count == 1
    # the new unit finds it on its home page
    assert wrong.number in session("org.411702-02").page.locator("#sec-unit").inner_text()


def test_a_unit_cannot_open_another_units_ticket(session, build):
    ticket = build.dispatched(lead="411702")
    other = session("org.411721")
    other.expect_404 = True
    response = other.page.goto(f"{other.base}/tickets/{ticket.number}/")
    assert response.status == 404
    assert "页面不存在" in other.page.inner_text("main")
    assert not re.search(ticket.number, other.page.inner_text("main"))


def test_grouping_ticks_survive_the_panel_refresh_and_are_saved(session, sim, build):
    """并单 at intake (Art 18): the similar open ticket offered in the routing panel is ticked,
    the agent goes on typing (the panel is swapped by htmx), the tick stays, and saving groups
    both tickets into a new incident record."""
    from hotline.tickets.models import Ticket

    text = (
        "市民来电反映：驿城区雪松路与开源大道交叉口的路灯连续一周都不亮，夜间出行很不安全，请维修。"
    )
    earlier = build.new(content=text, phone="13800000001")
    agent = session("agent").page
    agent.fill("input[name=citizen_phone]", "13800000002")
    agent.select_option("select[name=county]", "411702")
    agent.fill("input[name=address]", "雪松路与开源大道交叉口")
    agent.check("input[name=occurred_unknown]")
    agent.select_option("select[name=appeal_type]", "complaint")
    agent.fill("textarea[name=content]", text)
    tick = f"#routing-suggestions input[name=merge_with][value='{earlier.number}']"
    agent.wait_for_selector(tick)
    agent.check(tick)
    agent.evaluate(
        "window.swaps = 0; document.body.addEventListener('htmx:afterSwap', "
        "e => { if (e.detail.target.id === 'routing-suggestions') window.swaps++; })"
    )
    agent.locator("textarea[name=content]").press_sequentially("谢谢")
    # a function, not an expression string: Playwright evaluates a bare expression with eval,
    # which the pages' Content-Security-Policy refuses
    agent.wait_for_function("() => window.swaps > 0")
    assert agent.is_checked(tick)  # a fresh panel, the same choice
    agent.press("textarea[name=content]", "Control+Enter")
    agent.wait_for_selector(".msg-success:has-text('已受理')")
    new = Ticket.objects.exclude(pk=earlier.pk).get()
    earlier.refresh_from_db()
    assert new.incident_id is not None and earlier.incident_id == new.incident_id


def test_a_unit_drafts_an_entry_and_the_center_publishes_it(session):
    """Art 22: the owning unit writes an entry with the live preview and submits it; the
    center publishes it from the review queue; agents then find it."""
    from hotline.knowledge.models import Entry
    from hotline.tickets.categories import category_tree_load, default_tree

    category_tree_load(tree=default_tree(), update_existing=False)
    unit = session("org.medins")
    page = unit.page
    page.goto(f"{unit.base}/knowledge/new/")
    page.fill("input[name=title]", "异地就医备案怎么办理")
    page.select_option(
        "select[name=category_code]", "public-services.medical-insurance.reimbursement"
    )
    page.fill("input[name=keywords]", "异地就医、备案")
    page.fill("textarea[name=body]", "## 办理渠道\n\n- 国家医保服务平台APP\n- 医保经办窗口")
    page.wait_for_selector("#kb-preview h2:has-text('办理渠道')")  # htmx preview
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector(".msg-success:has-text('条目已保存为草稿')")
    page.click("#act-submit button[type=submit]")
    page.wait_for_selector(".msg-success")
    entry = Entry.objects.get(title="异地就医备案怎么办理")
    assert entry.status == "in_review" and entry.category_name == "医保报销"

    center = session("supervisor").page
    center.goto(f"{unit.base}/knowledge/review/")
    row = center.locator("tr", has_text="异地就医备案怎么办理")
    row.locator("button:has-text('发布')").click()
    center.wait_for_selector(".msg-success")
    entry.refresh_from_db()
    assert entry.status == "published"

    agent = session("agent").page
    agent.goto(f"{unit.base}/knowledge/?q=异地就医备案")
    agent.wait_for_selector("#kb-table mark")
    assert "异地就医备案怎么办理" in agent.locator("#kb-table").inner_text()
