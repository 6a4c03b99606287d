"""Excel export of a filtered ticket list (Art 25: citizen data masked, every export logged).

The log goes into ``tickets.CitizenDataAccess`` with purpose ``export``, one row per exported
ticket, written in the same request before the file is sent.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.console.presenters import ticket_rows
from hotline.orgs.models import User
from hotline.tickets import selectors
from hotline.tickets.choices import AppealType, Channel, CloseReason, TicketStatus
from hotline.tickets.models import Assignment, CitizenDataAccess, Ticket

EXPORT_LIMIT = 20000
CHUNK = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(workbook, *, name: str, now: datetime) -> HttpResponse:
    """A download of ``workbook`` (an openpyxl Workbook, or the bytes of one) named
    ``<name>-<local time>.xlsx`` — every list's "导出 Excel" answers with this."""
    if not isinstance(workbook, bytes | bytearray):
        buffer = BytesIO()
        workbook.save(buffer)
        workbook = buffer.getvalue()
    response = HttpResponse(workbook, content_type=XLSX)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def log_export(*, user: User, ticket_ids: list[int], now: datetime) -> int:
    """Record who exported which tickets and when (purpose ``export``)."""
    CitizenDataAccess.objects.bulk_create(
        [CitizenDataAccess(user=user, ticket_id=i, at=now, purpose="export") for i in ticket_ids],
        batch_size=CHUNK,
    )
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
        _("回访时限"),
        _("办结时间"),
        _("办结方式"),
    ]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("工单"))
    ws.append(headers)
    exported: list[int] = []
    qs = queryset.prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("org").order_by("id"))
    )[:EXPORT_LIMIT]
    batch: list[Ticket] = []

    def flush() -> None:
        for row in ticket_rows(batch):
            t = row.ticket
            citizen = selectors.citizen_masked(user=user, ticket=t)
            ws.append(
                [
                    t.number,
                    _local(t.received_at),
                    str(channels.get(t.channel, t.channel)),
                    str(types.get(t.appeal_type, t.appeal_type)),
                    str(statuses.get(t.status, t.status)),
                    t.county.short_name or t.county.name,
                    t.address,
                    t.category.name if t.category_id else "",
                    t.content,
                    citizen["name"] or _("（保密）"),
                    citizen["phone"] or _("（保密）"),
                    "、".join(row.leads),
                    _("是") if row.overdue else "",
                    _local(t.dispatch_due_at),
                    _local(t.callback_due_at),
                    _local(t.closed_at),
                    str(closes.get(t.close_reason, t.close_reason)),
                ]
            )
            exported.append(t.pk)
        batch.clear()

    for ticket in qs.iterator(chunk_size=CHUNK):
        batch.append(ticket)
        if len(batch) >= CHUNK:
            flush()
    flush()
    if len(exported) >= EXPORT_LIMIT:
        ws.append([_("仅导出前 %(n)s 条，请缩小筛选范围") % {"n": EXPORT_LIMIT}])
    log_export(user=user, ticket_ids=exported, now=now)
    return xlsx_response(wb, name="tickets", now=now)
