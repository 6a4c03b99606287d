"""Smaller console behaviour: the Art 18 sudden-event report on the ticket page, the unit
filter as a scoped select, the export of every list, and empty states that say what to do."""

from __future__ import annotations

import re
from io import BytesIO

from hotline.tickets.models import SuddenEventReport, TicketEvent


def act(client, ticket, action, **data):
    return client.post(f"/tickets/{ticket.number}/act/{action}/", data)


# -- Art 18: sudden events ----------------------------------------------------------------------


def test_sudden_event_report_records_each_recipient_with_its_time(build, login, sim):
    ticket = build.new(content="某路段发生交通事故，多车追尾，有人员受伤。")
    dispatcher = login("dispatcher")
    page = act(
        dispatcher,
        ticket,
        "sudden_report",
        kind="accident",
        recipients=["gov-office", "411702"],
        others="市应急管理局、市交警支队",
        note="已电话报告，书面材料随后报送。",
    )
    assert page.status_code == 303
    reports = list(SuddenEventReport.objects.filter(ticket=ticket).order_by("id"))
    assert [r.recipient_org.code if r.recipient_org else r.recipient for r in reports] == [
        "gov-office",
        "411702",
        "市应急管理局",
        "市交警支队",
    ]
    assert {r.reported_at for r in reports} == {sim.now}
    assert TicketEvent.objects.filter(ticket=ticket, type="sudden_event_reported").count() == 1
    html = dispatcher.get(f"/tickets/{ticket.number}/").content.decode()
    section = html[html.index('id="sudden-reports"') :]
    for text in ("事故灾难", "市应急管理局", "市交警支队", "已电话报告"):
        assert text in section
    assert sim.now.strftime("%Y-%m-%d %H:%M") in section


def test_sudden_event_report_needs_a_recipient_and_changes_nothing_without(build, login):
    ticket = build.new()
    page = act(login("agent"), ticket, "sudden_report", kind="disaster", others=" 、 ")
    assert page.status_code == 422
    assert "至少需要一个报告或通知对象" in page.content.decode()
    assert not SuddenEventReport.objects.filter(ticket=ticket).exists()


def test_units_may_not_report_sudden_events(build, login):
    ticket = build.signed(lead="411702")
    unit = login("org.411702")
    assert "/act/sudden_report/" not in unit.get(f"/tickets/{ticket.number}/").content.decode()
    page = act(unit, ticket, "sudden_report", kind="disaster", others="市政府")
    assert page.status_code == 422
    assert not SuddenEventReport.objects.filter(ticket=ticket).exists()


# -- the unit filter --------------------------------------------------------------------------


def _org_options(html: str) -> set[str]:
    select = re.search(r'<select name="org".*?</select>', html, re.S)
    assert select, "the unit filter is a select"
    return set(re.findall(r'<option value="([^"]+)"', select[0]))


def test_unit_filter_is_a_select_of_the_units_the_user_may_see(build, login):
    center = _org_options(login("dispatcher").get("/tickets/").content.decode())
    assert {"411702", "411702-01", "411721", "housing"} <= center
    county = _org_options(login("org.411702").get("/tickets/").content.decode())
    assert "411702" in county and "411702-01" in county
    assert "411721" not in county and "housing" not in county
    township = _org_options(login("org.411702-01").get("/tickets/").content.decode())
    assert township == {"411702-01"}


def test_unit_filter_narrows_and_a_stale_code_finds_nothing(build, login):
    county_work = build.dispatched(lead="411702")
    township_work = build.signed(lead="411702")
    from hotline.tickets import services

    services.assignment_redispatch(
        assignment=build.assignment(township_work, "411702"),
        lead=services.handling_org("411702-01"),
        assists=[],
        actor=build.users("org.411702"),
        now=build.sim.now,
    )
    client = login("dispatcher")
    html = client.get("/tickets/?org=411702-01").content.decode()
    assert township_work.number in html and county_work.number not in html
    html = client.get("/tickets/?org=no-such-unit&status=new").content.decode()
    assert "no-such-unit" not in _org_options(html)
    # a unit code that cannot be applied says so and finds nothing (dropping it would list,
    # and export, more than was asked for)
    assert county_work.number not in html and township_work.number not in html
    assert 'class="field-error"' in html


# -- exports and empty states ---------------------------------------------------------------


def test_a_units_list_exports_what_it_shows(build, login):
    from openpyxl import load_workbook

    mine = build.dispatched(lead="411702")
    other = build.dispatched(lead="411721")
    client = login("org.411702")
    html = client.get("/tickets/").content.decode()
    assert "format=xlsx" in html
    page = client.get("/tickets/?format=xlsx")
    assert page.status_code == 200
    numbers = {row[0].value for row in load_workbook(BytesIO(page.content)).active.iter_rows()}
    assert mine.number in numbers and other.number not in numbers


def test_empty_list_says_what_to_do_next(build, login):
    build.new()
    html = login("dispatcher").get("/tickets/?overdue=1").content.decode()
    assert "没有符合条件的工单" in html
    assert "重置" in html[html.index("没有符合条件的工单") :]
