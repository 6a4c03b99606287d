"""A ticket's full dossier as a Word document (RULES.md §7, Art 17: "a ticket's full dossier
can be exported").

The dossier is the archive of one ticket as the requesting user may see it: the header, the
citizen (masked or hidden exactly as ``selectors.citizen_view`` decides for that user), the
content, every assignment with its clocks, every review, every evaluation and the whole
event timeline in Asia/Shanghai time. Every export is logged as a citizen-data access with
purpose ``dossier_export`` (Art 25), whether the citizen was shown or masked.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Choices
from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from hotline.core.text import strip_control
from hotline.orgs.models import Organisation, User
from hotline.tickets import selectors
from hotline.tickets.choices import (
    AppealType,
    AssignmentRole,
    AssignmentStatus,
    CallbackOutcome,
    Channel,
    CloseReason,
    ContactKind,
    EmergencyLine,
    EventType,
    NotAcceptedReason,
    ReviewKind,
    ReviewState,
    SpecialSeat,
    SuddenEventKind,
    TicketStatus,
)
from hotline.tickets.models import (
    Assignment,
    CitizenDataAccess,
    Evaluation,
    Review,
    Ticket,
    TicketEvent,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from docx.document import Document as DocxDocument  # docx.Document is a factory

PURPOSE = "dossier_export"
TZ = ZoneInfo("Asia/Shanghai")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EMPTY = "—"

# Labels of the keys found in event data and review requests/decisions.
DATA_LABELS: dict[str, str] = {
    "channel": "来源渠道",
    "appeal_type": "诉求类型",
    "repeat_of": "重复诉求源工单",
    "incident": "并单事件",
    "answer": "答复内容",
    "knowledge_entries": "引用知识",
    "reason": "原因",
    "explanation": "解释引导",
    "transferred_to": "转交热线",
    "closed_ticket": "原办结工单",
    "party": "联动方",
    "consent": "诉求人同意",
    "kind": "类型",
    "recipients": "报告/通报对象",
    "lead": "主办单位",
    "assists": "协办单位",
    "coordinated": "协调派单",
    "note": "备注",
    "late": "超时",
    "assignments": "派单编号",
    "after_return": "退回后改派",
    "signed_at": "签收时间",
    "due_at": "办理时限",
    "old_due_at": "原办理时限",
    "basis": "依据",
    "suggested_org": "建议承办单位",
    "working_days": "延期工作日",
    "override": "审核员特批",
    "citizen_to_be_told": "须告知诉求人",
    "content": "内容",
    "expected_completion": "预计办结日期",
    "citizen_informed": "已告知诉求人",
    "first_response": "初步办理意见",
    "citizen_contacted": "已联系诉求人",
    "reply_via_center": "由中心答复诉求人",
    "callback_due_at": "回访时限",
    "outcome": "评价结果",
    "resolved": "已解决",
    "reasonable": "诉求合理",
    "close_reason": "办结方式",
    "redo_count": "重办次数",
    "dispatch_due_at": "派单时限",
    "org": "单位",
    "approved": "通过",
    "redispatched_to": "改派单位",
}

# Coded values shown by their Chinese label, per key.
DATA_CHOICES: dict[str, dict[str, StrOrPromise]] = {
    "channel": dict(Channel.choices),
    "appeal_type": dict(AppealType.choices),
    "outcome": dict(CallbackOutcome.choices),
    "close_reason": dict(CloseReason.choices),
    "transferred_to": dict(EmergencyLine.choices),
}
KIND_CHOICES = {**dict(SuddenEventKind.choices), **dict(ContactKind.choices)}
# Keys whose values are organisation codes, shown with the organisation's name.
ORG_KEYS = frozenset({"lead", "assists", "suggested_org", "org", "redispatched_to", "recipients"})


@dataclass(frozen=True)
class Dossier:
    filename: str
    content: bytes
    content_type: str = CONTENT_TYPE


# -- formatting ------------------------------------------------------------------------------


def local_time(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def yes_no(value: bool | None) -> str:
    if value is None:
        return EMPTY
    return "是" if value else "否"


def label(choices: type[Choices], value: str | None) -> str:
    if not value:
        return EMPTY
    return str(dict(choices.choices).get(value, value))


def event_label(code: str) -> str:
    """The event type in the center's words (``EventType``, the one label table): the dossier
    is a Chinese document whatever language the exporting user reads the pages in."""
    with translation.override(settings.LANGUAGE_CODE):
        return EventType.label_of(code)


def org_label(org: Organisation | None) -> str:
    return f"{org.name}（{org.code}）" if org is not None else EMPTY


def user_label(user: User | None) -> str:
    if user is None:
        return "系统"
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


def _value(key: str, value: Any, orgs: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v, orgs) for v in value)
    if isinstance(value, dict):
        return summarize(value, orgs)
    text = str(value)
    if key in ORG_KEYS and text in orgs:
        return f"{orgs[text]}（{text}）"
    if key in DATA_CHOICES:
        return str(DATA_CHOICES[key].get(text, text))
    if key == "kind":
        return str(KIND_CHOICES.get(text, text))
    if key == "reason" and text in NotAcceptedReason.values:
        return str(dict(NotAcceptedReason.choices)[text])
    if key.endswith("_at") and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return text
    return text


def summarize(data: dict[str, Any] | None, orgs: dict[str, str] | None = None) -> str:
    """The data of an event or review in Chinese: each key by its label, codes by their
    labels, organisation codes with the organisation's name (``orgs``: code → name)."""
    if not data:
        return ""
    orgs = orgs or {}
    return "；".join(f"{DATA_LABELS.get(k, k)}：{_value(k, v, orgs)}" for k, v in data.items())


# -- document helpers --------------------------------------------------------------------------


def _new_document() -> DocxDocument:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    # East Asian text needs its own font slot, or Word falls back to a Latin font.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return document


def _xml(text: str) -> str:
    """Text as Word can hold it: a control character stored before input refused them would
    make lxml fail the whole export."""
    return strip_control(text)


def _table(document, rows: Iterable[tuple[str, str]]) -> None:
    """A two-column key/value table."""
    rows = list(rows)
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (key, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text = key
        row.cells[1].text = _xml(value) if value not in (None, "") else EMPTY


def _grid(document, header: list[str], rows: list[list[str]]) -> None:
    """A table with a header row."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = _xml(text) if text not in (None, "") else EMPTY


# -- sections --------------------------------------------------------------------------------


def _header(document, ticket: Ticket, *, hide_links: bool = False) -> None:
    document.add_heading("一、工单信息", level=1)
    category = (
        f"{ticket.category.name}（{ticket.category.code}）"
        if ticket.category is not None
        else EMPTY
    )
    _table(
        document,
        [
            ("工单编号", ticket.number),
            ("状态", label(TicketStatus, ticket.status)),
            ("诉求类型", label(AppealType, ticket.appeal_type)),
            ("来源渠道", label(Channel, ticket.channel)),
            ("诉求分类", category),
            ("县区", f"{ticket.county.short_name or ticket.county.name}（{ticket.county.code}）"),
            ("地址", ticket.address),
            ("发生时间", local_time(ticket.occurred_at)),
            ("受理时间", local_time(ticket.received_at)),
            ("受理人", user_label(ticket.received_by) if ticket.received_by_id else EMPTY),
            ("派单时限", local_time(ticket.dispatch_due_at)),
            ("派单时间", local_time(ticket.dispatched_at)),
            ("派单超时", yes_no(ticket.dispatch_overdue)),
            ("重大诉求", yes_no(ticket.major_incident)),
            (
                "并单事件",
                ticket.incident.title if ticket.incident is not None and not hide_links else EMPTY,
            ),
            ("专席", label(SpecialSeat, ticket.special_seat)),
            ("协调派单", yes_no(ticket.coordinated)),
            ("结果回传时间", local_time(ticket.result_received_at)),
            ("回访时限", local_time(ticket.callback_due_at)),
            ("回访时间", local_time(ticket.evaluated_at)),
            ("评价", label(CallbackOutcome, ticket.evaluation_outcome)),
            ("已解决", yes_no(ticket.evaluation_resolved)),
            ("办结时间", local_time(ticket.closed_at)),
            ("办结方式", label(CloseReason, ticket.close_reason)),
            ("不予受理原因", label(NotAcceptedReason, ticket.not_accepted_reason)),
            ("解释引导", ticket.not_accepted_explanation),
            ("转交热线", label(EmergencyLine, ticket.transferred_to)),
            (
                "重复诉求源工单",
                ticket.repeat_of.number
                if ticket.repeat_of is not None and not hide_links
                else EMPTY,
            ),
            ("重复反映次数", str(ticket.repeat_count)),
            ("重办次数", str(ticket.redo_total)),
            ("外部编号", ticket.external_id or EMPTY),
        ],
    )


def _citizen(document, citizen: dict) -> None:
    document.add_heading("二、诉求人", level=1)
    hidden = "（保密诉求，不向承办单位显示）"
    if citizen["masked"] and not citizen["confidential"]:
        note = "已脱敏"
    elif citizen["masked"]:
        note = "保密，已隐藏"
    else:
        note = "完整显示（已记录查阅）"
    _table(
        document,
        [
            ("姓名", hidden if citizen["name"] is None else citizen["name"]),
            ("联系电话", hidden if citizen["phone"] is None else citizen["phone"]),
            ("保密", yes_no(citizen["confidential"])),
            ("显示方式", note),
        ],
    )


def _content(document, ticket: Ticket) -> None:
    document.add_heading("三、诉求内容", level=1)
    document.add_paragraph(_xml(ticket.content))
    if ticket.answer:
        document.add_heading("即时答复", level=2)
        document.add_paragraph(_xml(ticket.answer))


def _assignments(document, assignments: list[Assignment]) -> None:
    document.add_heading("四、派单与办理", level=1)
    if not assignments:
        document.add_paragraph("无派单记录。")
        return
    for a in assignments:
        document.add_heading(
            _xml(f"派单 {a.pk}：{a.org.name}（{label(AssignmentRole, a.role)}）"), level=2
        )
        _table(
            document,
            [
                ("承办单位", org_label(a.org)),
                ("主协办", label(AssignmentRole, a.role)),
                (
                    "上级派单",
                    f"{a.parent_id}（{a.parent.org.name}）" if a.parent is not None else EMPTY,
                ),
                ("状态", label(AssignmentStatus, a.status)),
                ("派单时间", local_time(a.dispatched_at)),
                ("签收时限", local_time(a.sign_due_at)),
                ("签收时间", local_time(a.signed_at)),
                ("首次签收时间", local_time(a.first_signed_at)),
                ("签收超时", yes_no(a.signed_late)),
                ("自动签收", yes_no(a.auto_signed)),
                ("办理时限", local_time(a.due_at)),
                ("超期", yes_no(a.overdue)),
                ("超期时间", local_time(a.overdue_at)),
                ("退回时限", local_time(a.return_window_ends_at)),
                ("超期退回", yes_no(a.returned_late)),
                ("延期次数", str(a.extension_count)),
                ("已批准延期（工作日）", str(a.extension_days)),
                ("重办次数", str(a.redo_count)),
                ("初步办理意见时限", local_time(a.first_response_due_at)),
                ("初步办理意见时间", local_time(a.first_response_at)),
                ("进度反馈缺失次数", str(a.progress_missed)),
                ("答复时间", local_time(a.replied_at)),
                ("已联系诉求人", yes_no(a.citizen_contacted)),
                ("办理结果", a.reply_content or EMPTY),
            ],
        )


def _decided(review: Review) -> str:
    text = f"{label(ReviewState, review.state)}；{org_label(review.reviewer_org)}"
    if review.decided_at:
        text += f"；{user_label(review.decided_by)} {local_time(review.decided_at)}"
    return text


def _reviews(document, reviews: list[Review], orgs: dict[str, str]) -> None:
    document.add_heading("五、审核记录（退回、延期、异议）", level=1)
    if not reviews:
        document.add_paragraph("无审核记录。")
        return
    _grid(
        document,
        ["编号", "类型", "派单", "申请单位/人", "申请时间", "申请内容", "审核", "审核意见"],
        [
            [
                str(r.pk),
                label(ReviewKind, r.kind),
                str(r.assignment_id) if r.assignment_id else EMPTY,
                f"{org_label(r.requested_org)} {user_label(r.requested_by)}",
                local_time(r.created_at),
                summarize(r.data, orgs),
                _decided(r),
                summarize(r.decision, orgs),
            ]
            for r in reviews
        ],
    )


def _evaluations(document, evaluations: list[Evaluation]) -> None:
    document.add_heading("六、回访评价", level=1)
    if not evaluations:
        document.add_paragraph("无回访评价。")
        return
    _grid(
        document,
        ["时间", "回访员", "评价", "已解决", "诉求合理", "异议成立不计入"],
        [
            [
                local_time(e.at),
                user_label(e.actor),
                label(CallbackOutcome, e.outcome),
                yes_no(e.resolved),
                yes_no(e.reasonable),
                "、".join(org_label(o) for o in e.excluded_org.all()) or EMPTY,
            ]
            for e in evaluations
        ],
    )


def _timeline(document, events: list[TicketEvent], orgs: dict[str, str]) -> None:
    document.add_heading("七、办理记录（全过程）", level=1)
    _grid(
        document,
        ["时间", "操作人", "单位", "事项", "内容"],
        [
            [
                local_time(e.at),
                user_label(e.actor),
                org_label(e.org),
                event_label(e.type),
                summarize(e.data, orgs),
            ]
            for e in events  # their data already without links when hidden (issue 19 F1)
        ],
    )


# -- entry points ------------------------------------------------------------------------------


def dossier_build(*, ticket: Ticket, citizen: dict, user: User, now: datetime) -> bytes:
    """The .docx bytes of ``ticket``'s archive; ``citizen`` as ``citizen_view`` returned it."""
    assignments = list(
        Assignment.objects.filter(ticket=ticket)
        .select_related("org", "parent__org")
        .order_by("dispatched_at", "id")
    )
    reviews = list(
        Review.objects.filter(ticket=ticket)
        .select_related("requested_by", "requested_org", "reviewer_org", "decided_by")
        .order_by("created_at", "id")
    )
    evaluations = list(
        Evaluation.objects.filter(ticket=ticket)
        .select_related("actor")
        .prefetch_related("excluded_org")
        .order_by("at", "id")
    )
    events = list(
        TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor", "org")
        .order_by("at", "id")
    )
    hide_links = selectors.links_hidden(user=user, ticket=ticket)  # issue 19 F1
    for e in events:
        e.data = selectors.event_data_for(user=user, ticket=ticket, data=e.data, hidden=hide_links)

    document = _new_document()
    document.core_properties.title = f"工单档案 {ticket.number}"
    document.core_properties.author = "驻马店市12345政务服务便民热线"
    title = document.add_heading(f"驻马店市12345政务服务便民热线 工单档案 {ticket.number}", 0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        f"导出时间：{local_time(now)}（北京时间）　导出人：{user_label(user)}"
        f"　单位：{org_label(user.organisation)}"
    )
    _header(document, ticket, hide_links=hide_links)
    _citizen(document, citizen)
    _content(document, ticket)
    _assignments(document, assignments)
    orgs = dict(Organisation.objects.values_list("code", "name"))
    _reviews(document, reviews, orgs)
    _evaluations(document, evaluations)
    _timeline(document, events, orgs)
    document.add_paragraph(
        "本档案由平台根据只增不改的办理记录生成（第十七条），诉求人信息按导出人权限显示，"
        "本次导出已记录（第二十五条）。"
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def dossier_export(*, user: User, number: str, now: datetime) -> Dossier:
    """Export the dossier of the ticket ``number`` for ``user``: 404 outside their scope
    (``selectors.ticket_get``), citizen masked as ``citizen_view`` decides, and the export
    logged as a citizen-data access with purpose ``dossier_export`` (Art 25)."""
    ticket = selectors.ticket_get(user=user, number=number)
    citizen = selectors.citizen_view(user=user, ticket=ticket, now=now, purpose=PURPOSE)
    if citizen["masked"]:
        # citizen_view logs unmasked reads only; an export is logged whatever it showed.
        CitizenDataAccess.objects.create(user=user, ticket=ticket, at=now, purpose=PURPOSE)
    content = dossier_build(ticket=ticket, citizen=citizen, user=user, now=now)
    day: date = now.astimezone(TZ).date()
    return Dossier(filename=f"{ticket.number}-dossier-{day:%Y%m%d}.docx", content=content)
