"""Each case as the document its instrument prints as (督办单, 协调会议纪要, 通报, 约谈记录,
移交督查函, 追责问责记录): Word, A4, the platform's header, the tickets concerned with their
history, the responses, assessments and accountability, and the case's own record."""

from __future__ import annotations

import io
from datetime import date, datetime
from urllib.parse import quote

from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from hotline.calendar.services import get_calendar
from hotline.core.text import strip_control
from hotline.orgs.models import User
from hotline.supervision.choices import DOCUMENT_TITLES, CaseEventType, CaseState, Instrument
from hotline.supervision.models import SupervisionCase
from hotline.tickets.choices import EventType, TicketStatus
from hotline.tickets.models import TicketEvent
from hotline.tickets.selectors import tickets_visible_to

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLATFORM = "驻马店市12345政务服务便民热线"
EMPTY = "—"
EVENTS_PER_TICKET = 40

# Section headings per document: (facts, reason, requirements, response)
HEADINGS = {
    Instrument.NOTICE: ("督办对象", "督办事由", "督办要求", "整改反馈"),
    Instrument.COORDINATION: ("协调事项", "协调事由", "议定事项", "落实情况"),
    Instrument.CIRCULAR: ("通报对象", "通报事由", "整改要求", "整改反馈"),
    Instrument.INTERVIEW: ("约谈对象", "约谈事由", "约谈要求", "整改反馈"),
    Instrument.ESCALATION: ("移交事项", "移交事由", "督查要求", "督查机构反馈"),
    Instrument.ACCOUNTABILITY: ("问责事项", "问责事由", "处理要求", "处理情况"),
}
NUMERALS = "一二三四五六七八九十"


def chinese_date(value: date | datetime | None) -> str:
    """2026年12月7日 (local date for a moment)."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        value = get_calendar().local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_time(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    local = get_calendar().local(value)
    return f"{chinese_date(local)} {local:%H:%M}"


def _text(value) -> str:
    return strip_control(str(value)) if value not in (None, "") else EMPTY


def new_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(26)
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return document


def masthead(document, title: str, number: str) -> None:
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(PLATFORM)
    run.bold = True
    run.font.size = Pt(20)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    ref = document.add_paragraph(number)
    ref.alignment = WD_ALIGN_PARAGRAPH.CENTER


def key_values(document, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (key, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text = key
        row.cells[0].width = Mm(38)
        row.cells[1].text = _text(value)


def grid(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = _text(text)


def disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode() or "document.docx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _org(org) -> str:
    return (org.name if org is not None else "") or EMPTY


def _user(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


def _tickets(document, case: SupervisionCase, user: User, heading: str) -> None:
    """The tickets concerned (only those the reader may see) and each one's history."""
    numbers = [t.number for t in case.tickets.all()]
    tickets = list(
        tickets_visible_to(user)
        .filter(number__in=numbers)
        .select_related("category", "county")
        .order_by("received_at")
    )
    document.add_heading(heading, level=2)
    if not tickets:
        document.add_paragraph("无（本事项不涉及具体工单）。")
        return
    status = dict(TicketStatus.choices)
    grid(
        document,
        ["工单编号", "受理时间", "诉求分类", "状态", "诉求内容"],
        [
            [
                t.number,
                chinese_time(t.received_at),
                t.category.name if t.category_id else "",
                str(status.get(t.status, t.status)),
                t.content[:120],
            ]
            for t in tickets
        ],
    )
    events = (
        TicketEvent.objects.filter(ticket__in=tickets)
        .select_related("org", "ticket")
        .order_by("ticket_id", "at", "id")
    )
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    for t in tickets:
        document.add_paragraph(f"工单 {t.number} 办理记录：")
        rows = by_ticket.get(t.pk, [])[-EVENTS_PER_TICKET:]
        grid(
            document,
            ["时间", "环节", "单位"],
            [[chinese_time(e.at), EventType.label_of(e.type), _org(e.org)] for e in rows],
        )


def case_document(*, case: SupervisionCase, user: User, now: datetime) -> tuple[bytes, str]:
    """The Word file of one case and its file name. Chinese whatever the reader's language:
    an official document is issued in one language."""
    with translation.override("zh-hans"):
        return _build(case, user, now)


def _build(case: SupervisionCase, user: User, now: datetime) -> tuple[bytes, str]:
    instrument = Instrument(case.instrument)
    title = str(DOCUMENT_TITLES[instrument])
    facts, why, asks, answer = HEADINGS[instrument]
    year = get_calendar().local(case.created_at).year
    number = f"驻热线督〔{year}〕{case.pk}号"
    document = new_document()
    masthead(document, title, number)
    if case.org_id:
        document.add_paragraph(f"{_org(case.org)}：")
    n = iter(NUMERALS)

    document.add_heading(f"{next(n)}、{facts}", level=2)
    rows = [
        ("督办方式", str(instrument.label)),
        ("依据条款", f"《驻马店市12345政务服务便民热线管理办法》第{case.article}项"),
        ("对象单位", _org(case.org)),
    ]
    if case.subject_org_id:
        rows.append(("涉及单位", _org(case.subject_org)))
    rows += [
        ("状态", str(CaseState(case.state).label)),
        ("提出时间", chinese_date(case.created_at)),
        (
            "提出方式",
            "系统依据事实提出"
            if case.created_by_id is None
            else f"人工立项（{_user(case.created_by)}）",
        ),
        ("反馈期限", chinese_date(case.respond_by)),
    ]
    if case.parent_id:
        rows.append(("原督办事项", f"#{case.parent_id}"))
    key_values(document, rows)

    document.add_heading(f"{next(n)}、{why}", level=2)
    document.add_paragraph(_text(case.reason))
    document.add_heading(f"{next(n)}、{asks}", level=2)
    document.add_paragraph(
        _text(case.requirements)
        if case.requirements
        else "请于反馈期限前核查整改，并通过12345热线平台反馈整改情况和措施。"
    )
    _tickets(document, case, user, f"{next(n)}、涉及工单及办理记录")

    document.add_heading(f"{next(n)}、{answer}", level=2)
    responses = list(case.responses.all())
    if responses:
        grid(
            document,
            ["反馈时间", "反馈人", "整改情况", "整改措施"],
            [[chinese_time(r.at), _user(r.by), r.content, r.measures] for r in responses],
        )
    else:
        document.add_paragraph("尚未反馈。")
    document.add_heading(f"{next(n)}、成效评估", level=2)
    assessments = list(case.assessments.all())
    if assessments:
        grid(
            document,
            ["评估时间", "评估人", "结论", "意见"],
            [
                [chinese_time(a.at), _user(a.by), "有效" if a.effective else "无效", a.comment]
                for a in assessments
            ],
        )
    else:
        document.add_paragraph("尚未评估。")
    records = list(case.accountability.all())
    if records:
        document.add_heading(f"{next(n)}、追责问责（第三十三条）", level=2)
        grid(
            document,
            ["查实问题", "责任单位/责任人", "问责措施", "处理结果", "决定机关"],
            [
                [
                    r.finding,
                    "；".join(
                        x
                        for x in (
                            _org(r.responsible_org) if r.responsible_org_id else "",
                            r.responsible_person,
                        )
                        if x
                    ),
                    r.measure,
                    r.outcome,
                    r.decided_by,
                ]
                for r in records
            ],
        )
    document.add_heading(f"{next(n)}、办理过程", level=2)
    grid(
        document,
        ["时间", "事项", "操作人", "说明"],
        [
            [chinese_time(e.at), str(CaseEventType(e.type).label), _user(e.actor), e.note[:200]]
            for e in case.events.all()
        ],
    )
    sign = document.add_paragraph(f"\n{PLATFORM}中心\n{chinese_date(now)}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), f"{title}-{case.pk}.docx"
