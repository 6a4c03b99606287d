"""Knowledge exports and text (security findings F2, F3): a title, a body, a feedback's
content starting with ``=`` is exported as a string cell and imported back as the same text;
control characters are refused at the input and dropped from exports of rows stored before."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from hotline.core.errors import InvalidInput
from hotline.knowledge import services, xlsx
from hotline.knowledge.models import Entry, Feedback

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/","查看政策原文")'


def _cells(content: bytes):
    ws = load_workbook(io.BytesIO(content)).active
    return {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}


def _no_formula(content: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    return not any(b"<f>" in s or b"<f " in s for s in sheets)


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_entries_export_formulas_as_text_and_import_them_back_unchanged(make_entry, users, now):
    entry = make_entry(title=LINK, body="+86 0396 12345 热线\n=SUM(A1:A9)")
    data = xlsx.export_entries(Entry.objects.filter(pk=entry.pk))
    found = _cells(data)
    assert found[LINK].data_type == "s"
    assert found["+86 0396 12345 热线\n=SUM(A1:A9)"].data_type == "s"
    assert _no_formula(data)
    # the export is also the import format: the round trip keeps the text as typed
    result = xlsx.import_entries(data=data, actor=users["supervisor"], now=now)
    assert result.unchanged == [entry.pk] and not result.updated
    entry.refresh_from_db()
    assert entry.title == LINK


def test_feedback_export_writes_a_formula_as_text(make_entry, users, now):
    entry = make_entry()
    item = services.feedback_raise(
        actor=users["agent"], kind="correction", content="@SUM(1+1)*cmd", entry=entry, now=now
    )
    services.feedback_answer(feedback=item, actor=users["org.medins"], response="=1+1", now=now)
    data = _saved(xlsx.export_feedback(Feedback.objects.filter(pk=item.pk), now=now))
    found = _cells(data)
    assert found["@SUM(1+1)*cmd"].data_type == "s" and found["=1+1"].data_type == "s"
    assert _no_formula(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "医保\x0b报销"), ("body", "正文\x01"), ("category_name", "医\x1f保")],
)
def test_entry_text_with_a_control_character_is_refused(make_entry, field, value):
    with pytest.raises(InvalidInput, match="控制字符"):
        make_entry(**{field: value})
    assert not Entry.objects.exists()


def test_feedback_with_a_control_character_is_refused(make_entry, users, now):
    entry = make_entry()
    with pytest.raises(InvalidInput, match="控制字符"):
        services.feedback_raise(
            actor=users["agent"], kind="question", content="怎么\x0b报销", entry=entry, now=now
        )
    assert not Feedback.objects.exists()
    # tab and line breaks are text
    services.feedback_raise(
        actor=users["agent"], kind="question", content="第一行\r\n\t第二行", entry=entry, now=now
    )


def test_rows_stored_with_control_characters_still_export(make_entry, users, now):
    entry = make_entry()
    item = services.feedback_raise(
        actor=users["agent"], kind="question", content="怎么报销", entry=entry, now=now
    )
    Entry.objects.filter(pk=entry.pk).update(title="医保\x0b报销", body="正文\x01")
    Feedback.objects.filter(pk=item.pk).update(content="怎么\x08报销")
    assert "医保报销" in _cells(xlsx.export_entries(Entry.objects.all()))
    feedback = _saved(xlsx.export_feedback(Feedback.objects.all(), now=now))
    assert "怎么报销" in _cells(feedback)
