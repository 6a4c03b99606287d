"""Printed lists, the home page exports, English category names, the intake's finishing panels,
empty states and the filter that cannot be applied (the console audit of 2026-11-27)."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest

import hotline
from hotline.tickets.models import CitizenDataAccess, Review
from tests.console.test_pages import intake_form

STATIC = Path(hotline.__file__).parent / "static" / "hotline" / "app.css"
TEMPLATES = Path(hotline.__file__).parent / "console" / "templates" / "console"


def workbook(response) -> list[list]:
    from openpyxl import load_workbook

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def print_css() -> str:
    """The rules inside the stylesheet's ``@media print`` blocks."""
    css = STATIC.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"@media print\s*\{", css):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        blocks.append(css[match.end() : i - 1])
    return re.sub(r"/\*.*?\*/", "", "\n".join(blocks), flags=re.S)


def rule(css: str, selector: str) -> str:
    """The declarations of the rule whose selector list contains ``selector``."""
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            return body
    raise AssertionError(f"no print rule for {selector}")


# -- printing ---------------------------------------------------------------------------------


def test_print_undoes_the_fixed_columns_and_hides_every_button():
    css = print_css()
    assert "table-layout:auto" in rule(css, "table.grid.fixed")
    assert "overflow:visible" in rule(css, ".grid.fixed td")
    snippet = rule(css, ".grid .snippet")
    assert "white-space:normal" in snippet and "max-width:none" in snippet
    assert "white-space:normal" in rule(css, ".grid td.time")
    assert "display:none" in rule(css, "a.btn")
    # the list is printed across the page
    assert re.search(r"@page list\s*\{[^}]*landscape", css)


def test_print_keeps_the_count_and_the_deadline_and_hides_only_the_buttons():
    css = print_css()
    hidden = rule(css, ".topbar")
    assert "display:none" in hidden
    selectors = re.search(r"([^{}]+)\{" + re.escape(hidden), css)[1]
    listed = {s.strip() for s in selectors.split(",")}
    assert ".table-tools" not in listed and ".table-tools .btn" in listed
    assert 'content:" (" attr(title) ")"' in rule(css, ".clock[title]::after")
    assert "display:block" in rule(css, ".print-only")


def test_printed_list_names_its_filters_and_page(build, login):
    build.new()
    build.new()
    html = login("dispatcher").get("/tickets/?status=new&county=411702").content.decode()
    line = re.search(r'<p class="print-only print-filters">(.*?)</p>', html, re.S)
    assert line, "the printed list says how it was filtered"
    text = line[1]
    assert "状态 待派单" in text and "县区 驿城区" in text
    assert "第 1 / 1 页" in text
    assert "共 2 件" in html
    html = login("dispatcher").get("/tickets/").content.decode()
    assert "无（全部工单）" in html


def test_ticket_list_is_named_for_the_landscape_page(login):
    html = login("dispatcher").get("/tickets/").content.decode()
    assert 'class="panel page-list"' in html


# -- the return window on the ticket page -------------------------------------------------------


def _return_window_cell(html: str) -> str:
    row = re.search(r'<tr class="[^"]*" id="asg-\d+">(.*?)</tr>', html, re.S)[1]
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[5]


def test_a_closed_return_window_is_not_called_overdue(build, login, sim):
    ticket = build.signed(lead="411702")
    client = login("org.411702")
    cell = _return_window_cell(client.get(f"/tickets/{ticket.number}/").content.decode())
    assert "剩余" in cell and "已截止" not in cell
    sim.set("2026-10-09 10:00")  # 24 working hours after signing (the holiday not counted)
    cell = _return_window_cell(client.get(f"/tickets/{ticket.number}/").content.decode())
    assert "已超期" not in cell and "clock-late" not in cell
    assert "已截止" in cell and 'class="muted"' in cell


# -- a filter that cannot be applied ------------------------------------------------------------


def test_too_long_a_search_finds_nothing_and_says_why(build, login):
    ticket = build.new()
    client = login("dispatcher")
    html = client.get("/tickets/", {"q": "路" * 101}).content.decode()
    assert 'maxlength="100"' in html
    assert ticket.number not in html
    assert re.search(r'<p class="field-error" role="alert">[^<]*100', html)
    assert "has-error" in html


def test_export_with_an_invalid_filter_exports_nothing(build, login):
    build.new()
    client = login("dispatcher")
    values = workbook(client.get("/tickets/", {"q": "路" * 101, "format": "xlsx"}))
    assert values[0][0] == "工单编号" and len(values) == 1
    values = workbook(client.get("/tickets/", {"org": "no-such-unit", "format": "xlsx"}))
    assert len(values) == 1
    assert not CitizenDataAccess.objects.filter(purpose="export").exists()


def test_an_unknown_unit_shows_its_message(build, login):
    ticket = build.new()
    html = login("dispatcher").get("/tickets/?org=no-such-unit").content.decode()
    assert ticket.number not in html
    assert "field-error" in html


def test_a_bad_sort_is_not_a_filter(build, login):
    ticket = build.new()
    html = login("dispatcher").get("/tickets/?sort=bogus").content.decode()
    assert ticket.number in html


# -- the list export --------------------------------------------------------------------------


@pytest.fixture
def lighting(db):
    from hotline.tickets.models import Category

    return Category.objects.create(
        code="urban.street-lighting", name="路灯照明", name_en="Street lighting"
    )


def test_list_export_has_the_handling_deadline_and_english_categories(
    build, login, settings, lighting
):
    ticket = build.signed(lead="411702", category=lighting)
    due = ticket.assignments.get().due_at
    client = login("dispatcher")
    values = workbook(client.get("/tickets/?format=xlsx"))
    headers = values[0]
    row = dict(zip(headers, values[1], strict=True))
    from django.utils import timezone

    assert row["办理时限"] == timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    assert row["诉求分类"] == "路灯照明"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    values = workbook(client.get("/tickets/?format=xlsx"))
    assert "Street lighting" in values[1]


# -- the home page exports --------------------------------------------------------------------


def test_supervisor_exports_reviews_cases_and_the_overdue_board(build, login, sim, demo_orgs):
    from hotline.supervision.services import case_propose
    from hotline.tickets import timers

    returned = build.returned(lead="411721", county="411721")
    late = build.signed(lead="411702")
    case = case_propose(
        instrument="notice",
        article="Art 26",
        org=demo_orgs["411702"],
        tickets=[late],
        reason="超期未办结",
        dedupe_key="test-case",
        now=sim.now,
    )
    sim.set("2026-10-20 09:00")
    assert timers.handling_overdue(now=sim.now)
    client = login("supervisor")
    html = client.get("/").content.decode()
    for table in ("reviews", "cases", "overdue"):
        assert f"/console/export/{table}/" in html

    values = workbook(client.get("/console/export/reviews/"))
    assert values[0][:3] == ["类型", "工单编号", "申请单位"]
    review = Review.objects.get(ticket=returned)
    assert [v[1] for v in values[1:]] == [returned.number]
    assert values[1][3] == review.data["reason"]

    values = workbook(client.get("/console/export/cases/"))
    assert values[1][:5] == [
        "督办单",
        "Art 26",
        case.org.short_name or case.org.name,
        "超期未办结",
        late.number,
    ]

    values = workbook(client.get("/console/export/overdue/"))
    assert values[0] == ["承办单位", "超期", "其中待签收"]
    assert values[1][1] == 1

    logged = CitizenDataAccess.objects.filter(purpose="export", user__username="supervisor")
    assert {x.ticket_id for x in logged} == {returned.pk, late.pk}


def test_a_county_exports_only_its_own_reviews(build, login):
    from hotline.tickets import services

    ticket = build.redispatched(county="411702", child="411702-01")
    child = build.assignment(ticket, "411702-01")
    unit = build.users("org.411702-01")
    services.assignment_sign(assignment=child, actor=unit, now=build.sim.now)
    services.assignment_return(
        assignment=child, reason="非本街道辖区", basis="辖区划分", actor=unit, now=build.sim.now
    )
    center = build.returned(lead="411721", county="411721")  # the center decides this one
    county = login("org.411702")
    assert "/console/export/reviews/" in county.get("/").content.decode()
    numbers = [v[1] for v in workbook(county.get("/console/export/reviews/"))[1:]]
    assert numbers == [ticket.number] and center.number not in numbers
    # the supervisor's tables are not on a county's home page
    page = county.get("/console/export/cases/")
    assert page.status_code == 403
    assert "不能导出" in page.content.decode()


def test_overview_by_county_exports_for_the_analyst(build, login):
    build.new(county="411702")
    build.new(county="411702")
    build.dispatched(county="411721", lead="411721")
    client = login("analyst")
    assert "/console/export/counties/" in client.get("/").content.decode()
    values = workbook(client.get("/console/export/counties/"))
    assert values[0][:3] == ["县区", "合计", "待派单"]
    totals = {v[0]: v[1] for v in values[1:]}
    assert sum(totals.values()) == 3 and sorted(totals.values()) == [1, 2]
    assert login("agent").get("/console/export/counties/").status_code == 403
    assert client.get("/console/export/nothing/").status_code == 404


def test_county_section_leads_to_the_filtered_list(login):
    html = login("org.411702").get("/").content.decode()
    assert '/tickets/?status=in_handling"' in html


# -- English category names ---------------------------------------------------------------------


def test_category_label_follows_the_language(lighting):
    from django.utils import translation

    from hotline.console.templatetags.console import category_label

    suggestion = {"code": lighting.code, "name": "路灯照明", "name_en": "Street lighting"}
    with translation.override("zh-hans"):
        assert category_label(lighting) == "路灯照明" == category_label(suggestion)
    with translation.override("en"):
        assert category_label(lighting) == "Street lighting" == category_label(suggestion)
        lighting.name_en = ""
        assert category_label(lighting) == "路灯照明"
        assert category_label(None) == ""


def test_ticket_page_shows_the_english_category(build, login, settings, lighting):
    ticket = build.new(category=lighting)
    client = login("dispatcher")
    assert "路灯照明" in client.get(f"/tickets/{ticket.number}/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Street lighting" in html and "路灯照明" not in html


def test_routing_suggestions_show_english_category_names(login, settings, lighting, monkeypatch):
    from hotline.console.views import routing as routing_views

    def suggest(**kwargs):
        return {
            "categories": [{"code": lighting.code, "name": lighting.name, "confidence": 0.9}],
            "model_version": "t",
            "message": "",
            "place": {"county": "", "county_name": "", "township_name": "", "evidence": []},
            "units": [],
            "duplicates": [],
            "repeat": None,
        }

    monkeypatch.setattr(routing_views.routing_selectors, "suggest", suggest)
    client = login("agent")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/console/routing/intake/", {"content": "雪松路路灯不亮很久了"}).content
    assert "Street lighting" in html.decode()


# -- intake -----------------------------------------------------------------------------------


def _panel(html: str, name: str) -> str:
    start = html.index(f'class="panel-{name} finish-panel"')
    end = html.find("finish-panel", start + 30)
    return html[start : end if end > 0 else None]


def test_refused_intake_shows_messages_only_in_the_chosen_panel(login, sim):
    page = login("agent").post("/intake/", intake_form(action="reject", explanation=""))
    assert page.status_code == 422
    html = page.content.decode()
    assert "field-error" in _panel(html, "reject")
    for other in ("answer", "contact"):
        assert "field-error" not in _panel(html, other), other


def test_intake_by_a_role_without_the_form_is_forbidden_with_a_message(login, sim):
    page = login("analyst").post("/intake/", intake_form())
    assert page.status_code == 403
    assert "只有话务员和嘉宾坐席可以受理登记诉求" in page.content.decode()


# -- empty states and colons ------------------------------------------------------------------


def test_empty_tables_say_what_will_appear(login):
    html = login("supervisor").get("/").content.decode()
    assert "暂无督办建议：系统按超期、重办等情况自动提出" in html
    assert "暂无待您审核的申请。" in html
    assert "暂无超期工单。" in html
    html = login("org.411702").get("/").content.decode()
    assert "暂无下级单位在办的工单。" in html
    assert "暂无工单。受理登记后" in login("analyst").get("/").content.decode()
    assert "还没有工单。" in login("dispatcher").get("/tickets/").content.decode()


def test_ticket_page_says_what_dispatch_will_show(build, login):
    ticket = build.new()
    html = login("dispatcher").get(f"/tickets/{ticket.number}/").content.decode()
    assert "派单员派单后，这里显示承办单位和办理时限。" in html


def test_no_colon_is_left_outside_a_message():
    """A full-width colon after ``{% translate %}`` stays Chinese in English: it belongs in
    the message id."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"%\}\s*：", line)
    ]
    assert offenders == []
