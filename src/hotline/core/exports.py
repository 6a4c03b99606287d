"""Excel downloads every page shares (the console's lists, the knowledge base's exports).

Every cell goes through ``xlsx_row`` (or, for a workbook built elsewhere, ``harden_workbook``
at ``xlsx_response``): citizens' text is written as text, never as a formula — an address or a
content starting with ``=`` stays the string it is (no ``=HYPERLINK(…)`` comes alive in the
reader's Excel) — and control characters XML cannot hold are dropped.

What is exported and who may export it is each context's own (``console.exports``,
``knowledge.xlsx``); this module only writes cells and answers with the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from hotline.core.text import strip_control

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet could read as the start of a formula (CSV-injection triggers): such text
# is stored with the string type, so Excel shows it and never evaluates it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_value(value: Any) -> Any:
    """A value as a cell may hold it: text without the control characters XML cannot hold
    (rows stored before input refused them)."""
    if isinstance(value, str):
        return strip_control(value)
    return value


def _as_text(cell) -> None:
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl made it a formula ("f") on assignment: text it is


def xlsx_row(ws, values: Iterable[Any]) -> list[Any]:
    """``values`` ready for ``ws.append`` (a write-only sheet or an ordinary one): text that
    could start a formula becomes a cell forced to the string type, kept exactly as typed."""
    from openpyxl.cell import WriteOnlyCell  # a Cell: ``append`` takes it in either mode

    row: list[Any] = []
    for value in values:
        value = xlsx_value(value)
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell = WriteOnlyCell(ws, value)
            _as_text(cell)
            value = cell
        row.append(value)
    return row


def append_row(ws, values: Iterable[Any]) -> None:
    """``ws.append`` through ``xlsx_row``: how every export writes a row."""
    ws.append(xlsx_row(ws, values))


def harden_workbook(workbook) -> None:
    """Every text cell of an ordinary (not write-only) workbook made safe as ``xlsx_row``
    makes a row: for workbooks whose rows were appended without it."""
    if getattr(workbook, "write_only", False):
        return  # its rows are written already, each through xlsx_row
    for ws in workbook.worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cleaned = strip_control(cell.value)
                    if cleaned != cell.value:
                        cell.value = cleaned
                    _as_text(cell)


def xlsx_response(workbook, *, name: str, now: datetime) -> HttpResponse:
    """A download of ``workbook`` (an openpyxl Workbook, or the bytes of one) named
    ``<name>-<local time>.xlsx`` — every list's "导出 Excel" answers with this. A workbook is
    hardened first (``harden_workbook``); bytes come from ``knowledge.xlsx``, built through
    ``xlsx_row``."""
    if not isinstance(workbook, bytes | bytearray):
        harden_workbook(workbook)
        buffer = BytesIO()
        workbook.save(buffer)
        workbook = buffer.getvalue()
    response = HttpResponse(workbook, content_type=XLSX)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response
