"""Turning stored codes into what a person reads: event details on the timeline, the
assignment tree of a ticket, and the summary columns of a list row. No queries here beyond
what the caller passes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.templatetags.hotline_tags import local_time
from hotline.tickets import rules
from hotline.tickets.choices import (
    CallbackOutcome,
    CloseReason,
    ContactKind,
    NotAcceptedReason,
    SuddenEventKind,
)
from hotline.tickets.models import Assignment, Ticket, TicketEvent

DETAIL_LABELS = {
    "reason": gettext_lazy("理由"),
    "basis": gettext_lazy("依据"),
    "explanation": gettext_lazy("解释引导"),
    "answer": gettext_lazy("答复"),
    "content": gettext_lazy("内容"),
    "note": gettext_lazy("说明"),
    "lead": gettext_lazy("主办单位"),
    "assists": gettext_lazy("协办单位"),
    "suggested_org": gettext_lazy("建议承办单位"),
    "outcome": gettext_lazy("评价"),
    "resolved": gettext_lazy("解决情况"),
    "reasonable": gettext_lazy("诉求合理"),
    "close_reason": gettext_lazy("办结方式"),
    "due_at": gettext_lazy("办理时限"),
    "old_due_at": gettext_lazy("原办理时限"),
    "callback_due_at": gettext_lazy("回访时限"),
    "dispatch_due_at": gettext_lazy("派单时限"),
    "signed_at": gettext_lazy("签收时间"),
    "working_days": gettext_lazy("延期（工作日）"),
    "expected_completion": gettext_lazy("预计办结"),
    "party": gettext_lazy("联系对象"),
    "transferred_to": gettext_lazy("转接热线"),
    "repeat_of": gettext_lazy("重复诉求源工单"),
    "closed_ticket": gettext_lazy("原工单"),
    "redo_count": gettext_lazy("重办次数"),
    "late": gettext_lazy("超时"),
    "coordinated": gettext_lazy("协调派单"),
    "citizen_contacted": gettext_lazy("已联系诉求人"),
    "citizen_informed": gettext_lazy("已告知诉求人"),
    "reply_via_center": gettext_lazy("由中心答复诉求人"),
    "override": gettext_lazy("超次数批准"),
    "kind": gettext_lazy("类型"),
    "recipients": gettext_lazy("报告/通知对象"),
    "knowledge_entries": gettext_lazy("采用知识条目"),
    "org": gettext_lazy("单位"),
}
TIME_KEYS = {"due_at", "old_due_at", "callback_due_at", "dispatch_due_at", "signed_at"}
ORG_KEYS = {"lead", "suggested_org", "org"}
CHOICE_LABELS = {
    "outcome": dict(CallbackOutcome.choices),
    "close_reason": dict(CloseReason.choices),
    "reason": dict(NotAcceptedReason.choices),
    "kind": {**dict(SuddenEventKind.choices), **dict(ContactKind.choices)},
}


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def event_details(event: TicketEvent, org_names: dict[str, str]) -> list[tuple[str, str]]:
    """(label, text) pairs for the facts recorded with an event, in a fixed order."""
    out: list[tuple[str, str]] = []
    data = event.data or {}
    for key, label in DETAIL_LABELS.items():
        if key not in data or data[key] in (None, "", []):
            continue
        value = data[key]
        if key == "late" and not value:
            continue
        if key in {"coordinated", "reply_via_center", "override"} and not value:
            continue
        if isinstance(value, bool):
            text = _yes_no(value)
        elif key in TIME_KEYS:
            moment = parse_datetime(str(value))
            text = local_time(moment, "Y-m-d H:i") if moment else str(value)
        elif key in ORG_KEYS:
            text = org_names.get(str(value), str(value))
        elif key == "assists" or key == "recipients":
            text = "、".join(org_names.get(c, c) for c in value)
        elif key == "knowledge_entries":
            text = "、".join(f"#{i}" for i in value)
        elif key in CHOICE_LABELS and str(value) in CHOICE_LABELS[key]:
            text = str(CHOICE_LABELS[key][str(value)])
        else:
            text = str(value)
        out.append((str(label), text))
    return out


@dataclass
class AssignmentView:
    assignment: Assignment
    depth: int
    actions: list = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.assignment.status in rules.OPEN_ASSIGNMENT_STATES


def assignment_tree(assignments: list[Assignment]) -> list[AssignmentView]:
    """Top-level assignments in dispatch order, each followed by its children (county
    re-dispatch), so the page reads like the chain of responsibility."""
    children: dict[int | None, list[Assignment]] = {}
    for a in assignments:
        children.setdefault(a.parent_id, []).append(a)
    out: list[AssignmentView] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for a in children.get(parent_id, []):
            out.append(AssignmentView(a, depth))
            walk(a.pk, depth + 1)

    walk(None, 0)
    return out


@dataclass
class TicketRow:
    """A list row: the ticket and what the list shows about its assignments."""

    ticket: Ticket
    leads: list[str]
    next_due: datetime | None
    overdue: bool

    @property
    def due(self) -> datetime | None:
        t = self.ticket
        if t.status == "new":
            return t.dispatch_due_at
        if t.status == "awaiting_callback":
            return t.callback_due_at
        if t.status == "in_handling":
            return self.next_due
        return None


def ticket_rows(tickets: list[Ticket]) -> list[TicketRow]:
    """Rows from tickets whose ``assignments`` (with ``org``) are prefetched."""
    rows = []
    for t in tickets:
        assignments = list(t.assignments.all())
        live_top = [a for a in assignments if a.parent_id is None and a.status != "returned"]
        leads = [a.org.short_name or a.org.name for a in live_top if a.role == "lead"]
        open_due = [
            a.due_at or a.sign_due_at
            for a in assignments
            if a.status in rules.OPEN_ASSIGNMENT_STATES and (a.due_at or a.sign_due_at)
        ]
        rows.append(
            TicketRow(
                ticket=t,
                leads=leads,
                next_due=min(open_due) if open_due else None,
                overdue=any(
                    a.overdue and a.status in rules.OPEN_ASSIGNMENT_STATES for a in assignments
                )
                or (t.status == "new" and t.dispatch_overdue),
            )
        )
    return rows
