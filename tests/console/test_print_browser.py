"""The printed home page queues and ticket list, laid out by Chromium in print media at the
width of an A4 page: no column collapses, nothing is cut, buttons are gone, deadlines and the
count stay, and the list prints across the page.

The pages are rendered by the test client and laid out from their HTML with the stylesheet
inlined (no live server). Needs /usr/bin/chromium, like test_browser.py."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import hotline

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CSS = Path(hotline.__file__).parent / "static" / "hotline" / "app.css"
A4_PORTRAIT_PX = 718  # 210 mm less 2 × 12 mm margins, at 96 dpi


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: ./dev setup installs it (apt-get)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    def layout(html: str, check):
        """Lay ``html`` out for print at A4 width and call ``check(page)``. The database is
        not touched while the browser runs (its event loop owns the thread)."""
        css = CSS.read_text(encoding="utf-8")
        html = re.sub(r'<link rel="stylesheet"[^>]*>', lambda _m: f"<style>{css}</style>", html)
        html = re.sub(r"<script[^>]*></script>", "", html)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": A4_PORTRAIT_PX, "height": 1000})
                page.emulate_media(media="print")
                page.set_content(html)
                return check(page)
            finally:
                browser.close()

    return layout


CUT = """() => [...document.querySelectorAll('table.grid')].flatMap(table => {
  const right = document.documentElement.clientWidth;
  const out = [];
  if (table.getBoundingClientRect().right > right + 1) out.push('table wider than the page');
  for (const el of table.querySelectorAll('td, .snippet')) {
    if (el.offsetParent === null) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push('cut: ' + el.textContent.trim().slice(0, 30));
  }
  for (const td of table.querySelectorAll('td.wide')) {
    const width = td.getBoundingClientRect().width;
    if (width < 120) out.push('collapsed: ' + width);
  }
  return out;
})"""


def test_home_page_queues_print_whole_at_a4_width(build, login, chromium):
    build.returned(lead="411721", county="411721")  # a review with its 审核 link
    build.new(content="市民来电反映：" + "小区门口的道路坑洼不平，雨天积水严重，" * 4)
    supervisor = login("supervisor").get("/").content.decode()
    dispatcher = login("dispatcher").get("/").content.decode()
    assert "审核</a>" in supervisor

    def check(page):
        visible_buttons = page.eval_on_selector_all(
            "a.btn, button", "els => els.filter(e => e.offsetParent !== null).length"
        )
        clock_after = page.eval_on_selector(
            ".clock[title]", "el => getComputedStyle(el, '::after').content"
        )
        return page.evaluate(CUT), visible_buttons, clock_after

    problems, buttons, after = chromium(supervisor, check)
    assert problems == [] and buttons == 0
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", after), after
    problems, buttons, after = chromium(dispatcher, check)
    assert problems == [] and buttons == 0


def test_ticket_list_prints_landscape_with_its_count_and_filters(build, login, chromium):
    for _ in range(3):
        build.dispatched(lead="411702")
    html = login("dispatcher").get("/tickets/?status=in_handling").content.decode()

    def check(page):
        count = page.eval_on_selector(".table-tools .hint", "el => el.offsetParent !== null")
        filters = page.eval_on_selector(".print-filters", "el => el.offsetParent !== null")
        export = page.eval_on_selector(".table-tools a.btn", "el => el.offsetParent !== null")
        page.set_viewport_size({"width": 1030, "height": 700})  # A4 landscape less margins
        problems = page.evaluate(CUT)
        pdf = page.pdf(prefer_css_page_size=True)
        return count, filters, export, problems, pdf

    count, filters, export, problems, pdf = chromium(html, check)
    assert count and filters and not export
    assert problems == []
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    width, height = float(box[1]), float(box[2])
    assert width > height, "the ticket list prints on landscape pages"
