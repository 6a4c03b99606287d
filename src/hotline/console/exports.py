"""Excel exports of the console's lists (Art 25: citizen data masked, every export logged):
the filtered ticket list, and the home page tables (pending reviews, proposed supervision,
the overdue board, the overview by county).

Every row is written through ``hotline.core.exports.append_row`` (citizens' text stays text,
never a formula; see that module).

The log goes into ``tickets.CitizenDataAccess`` with purpose ``export``, one row per exported
ticket, written in the same request before the file is sent. The board and the overview are
counts with no ticket in them, so they log nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.console import queries
from hotline.console.presenters import ticket_rows
from hotline.console.templatetags.console import category_label, label
from hotline.core.exports import append_row, xlsx_response
from hotline.orgs.models import User
from hotline.tickets import selectors
from hotline.tickets.choices import AppealType, Channel, CloseReason, TicketStatus
from hotline.tickets.models import Assignment, Ticket

EXPORT_LIMIT = 20000
CHUNK = 1000


def log_export(*, user: User, ticket_ids: list[int], now: datetime) -> int:
    """Record who exported which tickets and when (purpose ``export``)."""
    selectors.log_citizen_access(user=user, ticket_ids=ticket_ids, now=now, purpose="export")
    return len(ticket_ids)


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ticket_list_xlsx(*, request: HttpRequest, queryset: QuerySet[Ticket], now: datetime):
    from openpyxl import Workbook

    user = request.user
    statuses = dict(TicketStatus.choices)
    types = dict(AppealType.choices)
    channels = dict(Channel.choices)
    closes = dict(CloseReason.choices)
    headers = [
        _("工单编号"),
        _("受理时间"),
        _("来源渠道"),
        _("诉求类型"),
        _("状态"),
        _("县区"),
        _("地址"),
        _("诉求分类"),
        _("诉求内容"),
        _("诉求人"),
        _("联系电话"),
        _("主办单位"),
        _("超期"),
        _("派单时限"),
        _("办理时限"),
        _("回访时限"),
        _("办结时间"),
        _("办结方式"),
    ]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("工单"))
    append_row(ws, headers)
    exported: list[int] = []
    qs = queryset.prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("org").order_by("id"))
    )[:EXPORT_LIMIT]
    batch: list[Ticket] = []

    def flush() -> None:
        for row in ticket_rows(batch):
            t = row.ticket
            citizen = selectors.citizen_masked(user=user, ticket=t)
            append_row(
                ws,
                [
                    t.number,
                    _local(t.received_at),
                    str(channels.get(t.channel, t.channel)),
                    str(types.get(t.appeal_type, t.appeal_type)),
                    str(statuses.get(t.status, t.status)),
                    t.county.short_name or t.county.name,
                    t.address,
                    category_label(t.category) if t.category_id else "",
                    t.content,
                    citizen["name"] or _("（保密）"),
                    citizen["phone"] or _("（保密）"),
                    "、".join(row.leads),
                    _("是") if row.overdue else "",
                    _local(t.dispatch_due_at),
                    _local(row.next_due),
                    _local(t.callback_due_at),
                    _local(t.closed_at),
                    str(closes.get(t.close_reason, t.close_reason)),
                ],
            )
            exported.append(t.pk)
        batch.clear()

    for ticket in qs.iterator(chunk_size=CHUNK):
        batch.append(ticket)
        if len(batch) >= CHUNK:
            flush()
    flush()
    if len(exported) >= EXPORT_LIMIT:
        append_row(ws, [_("仅导出前 %(n)s 条，请缩小筛选范围") % {"n": EXPORT_LIMIT}])
    log_export(user=user, ticket_ids=exported, now=now)
    return xlsx_response(wb, name="tickets", now=now)


# -- the home page tables ----------------------------------------------------------------------

# Which home section shows each table: a user may export a table only if the page shows it.
HOME_TABLES = {
    "reviews": {"county", "supervisor"},
    "cases": {"supervisor"},
    "overdue": {"supervisor"},
    "counties": {"overview"},
}


def _org_name(org) -> str:
    return (org.short_name or org.name) if org is not None else ""


def home_table_xlsx(*, request: HttpRequest, table: str, now: datetime) -> HttpResponse:
    """One table of the home page, scoped by the same query as the page but without its
    row limit; the tickets in it logged as exported."""
    from openpyxl import Workbook

    user = request.user
    wb = Workbook(write_only=True)
    exported: list[int] = []
    if table == "reviews":
        ws = wb.create_sheet(_("待审核申请"))
        append_row(
            ws,
            [
                _("类型"),
                _("工单编号"),
                _("申请单位"),
                _("理由"),
                _("延期（工作日）"),
                _("申请时间"),
                _("办理时限"),
            ],
        )
        reviews = queries.pending_reviews(user=user, limit=EXPORT_LIMIT)
        prefetch_related_objects(reviews, "requested_org")
        for r in reviews:
            data = r.data or {}
            append_row(
                ws,
                [
                    label(r.kind, "review_kind"),
                    r.ticket.number,
                    _org_name(r.requested_org),
                    data.get("reason", ""),
                    data.get("working_days") if r.kind == "extension" else None,
                    _local(r.created_at),
                    _local(r.assignment.due_at) if r.assignment_id else "",
                ],
            )
            exported.append(r.ticket_id)
    elif table == "cases":
        ws = wb.create_sheet(_("督办建议"))
        append_row(
            ws, [_("督办方式"), _("依据条款"), _("对象单位"), _("理由"), _("工单"), _("提出时间")]
        )
        cases, _count = queries.proposed_cases(user=user, limit=EXPORT_LIMIT)
        for case in cases:
            tickets = list(case.tickets.all())
            append_row(
                ws,
                [
                    case.get_instrument_display(),
                    case.article,
                    _org_name(case.org),
                    case.reason,
                    "、".join(t.number for t in tickets),
                    _local(case.created_at),
                ],
            )
            exported.extend(t.pk for t in tickets)
    elif table == "overdue":
        ws = wb.create_sheet(_("超期排行"))
        append_row(ws, [_("承办单位"), _("超期"), _("其中待签收")])
        for row in queries.overdue_board(user=user, limit=EXPORT_LIMIT):
            append_row(ws, [row["org__short_name"] or row["org__name"], row["n"], row["to_sign"]])
    elif table == "counties":
        overview = queries.overview(user=user)
        ws = wb.create_sheet(_("按县区"))
        append_row(
            ws, [_("县区"), _("合计"), *[str(text) for _s, text, _n in overview["by_status"]]]
        )
        for row in overview["by_county"]:
            append_row(
                ws,
                [
                    _org_name(row["county"]),
                    row["total"],
                    *[row.get(code, 0) for code, _t, _n in overview["by_status"]],
                ],
            )
    else:
        raise ValueError(table)
    log_export(user=user, ticket_ids=list(dict.fromkeys(exported)), now=now)
    return xlsx_response(wb, name=table, now=now)
