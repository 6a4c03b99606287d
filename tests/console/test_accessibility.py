"""Accessibility of the console and the public knowledge search: every form control has an
accessible name, data tables mark their header cells, each page has a skip link, one <main>
and one <h1>, and the htmx regions that change while an agent types are announced politely.
Checked on the rendered HTML (html.parser), so no browser is needed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

CONTROLS = {"input", "select", "textarea"}
UNNAMED_OK = {"hidden", "submit", "button", "reset", "image"}


class Page(HTMLParser):
    """Collects what the checks need in one pass."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.ths: list[dict] = []
        self.thead_depth = 0
        self.tags: dict[str, list[dict]] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.tags.setdefault(tag, []).append(a)
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in CONTROLS:
            self.controls.append({**a, "_tag": tag, "_in_label": self.label_depth > 0})
        elif tag == "th":
            self.ths.append(a)

    def handle_endtag(self, tag):
        if tag == "label" and self.label_depth:
            self.label_depth -= 1


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def unnamed_controls(page: Page) -> list[str]:
    bad = []
    for c in page.controls:
        if c["_tag"] == "input" and c.get("type", "text") in UNNAMED_OK:
            continue
        named = (
            c["_in_label"]
            or (c.get("id") and c["id"] in page.label_for)
            or c.get("aria-label", "").strip()
            or c.get("aria-labelledby", "").strip()
            or c.get("title", "").strip()
        )
        if not named:
            bad.append(f"<{c['_tag']} name={c.get('name')!r} id={c.get('id')!r}>")
    return bad


def assert_accessible(html: str, *, staff: bool = True) -> Page:
    page = parse(html)
    assert unnamed_controls(page) == []
    assert [th for th in page.ths if th.get("scope") not in ("col", "row", "colgroup")] == []
    assert len(page.tags.get("main", [])) == 1
    main = page.tags["main"][0]
    assert main.get("id") == "content"
    skip = [a for a in page.tags.get("a", []) if "skip-link" in a.get("class", "")]
    assert skip and skip[0]["href"] == "#content"
    assert len(page.tags.get("h1", [])) == 1, "one <h1> a page"
    if staff:
        assert page.tags.get("nav"), "the main navigation landmark"
    return page


def by_id(page: Page, element_id: str) -> dict:
    found = [a for tag in page.tags.values() for a in tag if a.get("id") == element_id]
    assert found, element_id
    return found[0]


@pytest.mark.parametrize(
    "username", ["agent", "dispatcher", "supervisor", "org.411702-01", "org.411702"]
)
def test_home_pages_are_accessible(build, login, username):
    build.one_of_each()
    assert_accessible(login(username).get("/").content.decode())


def test_intake_live_regions_are_polite(build, login):
    build.new(phone="13800138000")
    page = assert_accessible(login("agent").get("/").content.decode())
    for region in ("caller-history", "routing-suggestions", "kb-suggestions"):
        assert by_id(page, region).get("aria-live") == "polite", region


def test_ticket_list_and_ticket_page_are_accessible(build, login):
    tickets = build.one_of_each()
    client = login("dispatcher")
    assert_accessible(client.get("/tickets/").content.decode())
    assert_accessible(client.get("/tickets/?q=路灯&status=new").content.decode())
    page = assert_accessible(client.get(f"/tickets/{tickets[0].number}/").content.decode())
    # the lazily loaded suggestions of the action forms are announced too
    boxes = [a for a in page.tags.get("div", []) if "kb-box" in a.get("class", "")]
    assert boxes and all(b.get("aria-live") == "polite" for b in boxes)


def test_unit_ticket_page_is_accessible(build, login):
    ticket = build.signed(lead="411702-01")
    assert_accessible(login("org.411702-01").get(f"/tickets/{ticket.number}/").content.decode())


def test_knowledge_list_is_accessible(build, login):
    assert_accessible(login("agent").get("/knowledge/").content.decode())


def test_public_knowledge_search_is_accessible(db):
    client = Client()
    assert_accessible(client.get("/public/knowledge/").content.decode(), staff=False)
    assert_accessible(client.get("/public/knowledge/?q=公积金").content.decode(), staff=False)


def test_login_page_is_accessible(db):
    assert_accessible(Client().get("/login/").content.decode(), staff=False)


# -- the style sheet ---------------------------------------------------------------------------

CSS = Path(__file__).resolve().parents[2] / "src/hotline/static/hotline/app.css"


def luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(ch * 2 for ch in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def css_vars() -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", CSS.read_text()))


def colour(value: str, names: dict[str, str]) -> str:
    value = value.strip()
    m = re.fullmatch(r"var\(--([\w-]+)\)", value)
    return names[m.group(1)] if m else value


def test_state_badges_and_tags_meet_aa_contrast():
    names = css_vars()
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", CSS.read_text().split("@media print")[0])
    checked = 0
    for selector, body in rules:
        if not re.search(r"\.(st|tag)-", selector):
            continue
        for decl in re.split(r"(?<=\})", body):
            bg = re.search(r"background:\s*([^;]+);", decl)
            fg = re.search(r"(?<![-\w])color:\s*([^;]+);", decl)
            if bg and fg:
                ratio = contrast(colour(fg.group(1), names), colour(bg.group(1), names))
                assert ratio >= 4.5, f"{selector.strip()}: {ratio:.2f}"
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("fg", "bg"),
    [
        ("muted", "card"),  # hints, empty queues, meta on white
        ("muted", "bg"),  # the page's own grey
        ("muted", "grey-bg"),
        ("amber", "amber-bg"),
        ("red", "red-bg"),
        ("blue", "blue-bg"),
        ("violet", "violet-bg"),
        ("green", "green-bg"),
        ("warn", "card"),
    ],
)
def test_text_colours_meet_aa_contrast(fg, bg):
    names = css_vars()
    assert contrast(names[fg], names[bg]) >= 4.5


def test_muted_text_on_light_rows_meets_aa_contrast():
    names = css_vars()
    for row_bg in ("#f9fafb", "#fafafa", "#fff8f8", "#fef3c7"):
        assert contrast(names["muted"], row_bg) >= 4.5, row_bg


def test_focus_is_visible_and_the_skip_link_appears_on_focus():
    css = CSS.read_text()
    assert re.search(r"\.skip-link:focus", css)
    for target in (
        "a:focus-visible",
        "button:focus-visible",
        "summary:focus-visible",
        "input:focus-visible",
    ):
        assert target in css, target


# -- in Chromium: the first Tab reaches the skip link, which shows itself and moves focus ------


@pytest.mark.browser
def test_skip_link_is_the_first_tab_stop_and_visible_on_focus(login):
    import os

    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: ./dev setup installs it (apt-get)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # the dispatcher's page: the agent's intake form puts the cursor in the phone box itself
    html = login("dispatcher").get("/").content.decode()
    css = CSS.read_text(encoding="utf-8")
    html = re.sub(r'<link rel="stylesheet"[^>]*>', lambda _m: f"<style>{css}</style>", html)
    html = re.sub(r"<script[^>]*></script>", "", html)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_content(html)
            hidden_box = page.locator(".skip-link").bounding_box()
            assert hidden_box["y"] + hidden_box["height"] <= 0  # off screen until focused
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => { const a = document.activeElement; const s = getComputedStyle(a);"
                " const r = a.getBoundingClientRect();"
                " return {cls: a.className, top: r.top, outline: s.outlineStyle}; }"
            )
            assert focused["cls"] == "skip-link"
            assert focused["top"] >= 0 and focused["outline"] != "none"
            page.keyboard.press("Enter")
            assert page.evaluate("() => document.activeElement.id") == "content"
            # the next Tab goes on inside <main>, and the focused element shows a ring
            page.keyboard.press("Tab")
            inside = page.evaluate(
                "() => [document.querySelector('main').contains(document.activeElement),"
                " getComputedStyle(document.activeElement).outlineStyle]"
            )
            assert inside[0] and inside[1] != "none"
        finally:
            browser.close()
