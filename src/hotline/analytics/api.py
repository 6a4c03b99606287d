"""``/api/v1/analytics/*`` and ``/api/v1/reports`` (API.md, Monitoring, analysis and reports)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import NotFound, PermissionDenied

from . import alerts, selectors, services
from .models import AlertState, ReportKind
from .rollups import local_day
from .scope import may_report
from .topics import hot_topic_list

router = Router(tags=["analytics"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
DEFAULT_DAYS = 30


class PeriodQuery(Schema):
    from_: date | None = Field(None, alias="from")
    to: date | None = None


class OverviewQuery(PeriodQuery):
    county: str | None = None
    category: str | None = None
    org: str | None = None


def period(q: PeriodQuery) -> tuple[date, date]:
    to = q.to or local_day(clock.now())
    return (q.from_ or to - timedelta(days=DEFAULT_DAYS - 1)), to


class DayOut(Schema):
    date: str
    received: int
    closed: int


class CategoryCount(Schema):
    category: str
    count: int


class CountyCount(Schema):
    county: str
    count: int


class OverviewOut(Schema):
    received: int
    answered_at_intake: int
    dispatched: int
    closed: int
    overdue: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    by_day: list[DayOut]
    by_category: list[CategoryCount]
    by_county: list[CountyCount]


@router.get("/analytics/overview", response={200: OverviewOut, **ERRORS})
def overview(request: HttpRequest, q: Query[OverviewQuery]):
    lo, hi = period(q)
    return selectors.overview(
        user=request.user, date_from=lo, date_to=hi, county=q.county, category=q.category, org=q.org
    )


class HotTopicQuery(PeriodQuery):
    limit: int = Field(20, ge=1, le=100)


class HotTopicOut(Schema):
    id: str
    title: str
    keywords: list[str]
    count: int
    heat: float
    tickets: list[str]
    counties: list[str]
    first_at: datetime | None
    last_at: datetime | None


@router.get("/analytics/hot-topics", response={200: list[HotTopicOut], **ERRORS})
def hot_topics(request: HttpRequest, q: Query[HotTopicQuery]):
    lo, hi = period(q)
    return hot_topic_list(user=request.user, date_from=lo, date_to=hi, limit=q.limit)


class AlertQuery(Schema):
    state: AlertState | None = None


class AlertOut(Schema):
    id: int
    kind: str
    scope: str
    title: str
    value: float
    baseline: float
    detected_at: datetime
    state: str
    note: str
    closed_at: datetime | None


@router.get("/analytics/alerts", response={200: list[AlertOut], **ERRORS})
def alert_list(request: HttpRequest, q: Query[AlertQuery]):
    return [
        alerts.alert_dict(a) for a in selectors.alert_list(user=request.user, state=q.state)[:500]
    ]


class CloseIn(Schema):
    note: str = Field(..., min_length=1, max_length=2000)


@router.post("/analytics/alerts/{alert_id}/close", response={200: AlertOut, **ERRORS})
def alert_close(request: HttpRequest, alert_id: int, body: CloseIn):
    alert = selectors.alert_get(user=request.user, alert_id=alert_id)
    closed = services.alert_close(alert=alert, note=body.note, actor=request.user, now=clock.now())
    return alerts.alert_dict(closed)


class UnresolvedQuery(Schema):
    min_days: int | None = Field(None, ge=0, le=3650)
    min_repeats: int | None = Field(None, ge=0, le=1000)


@router.get("/analytics/unresolved", response={200: list[dict[str, Any]], **ERRORS})
def unresolved(request: HttpRequest, q: Query[UnresolvedQuery]):
    return selectors.unresolved(
        user=request.user, now=clock.now(), min_days=q.min_days, min_repeats=q.min_repeats
    )


class ReportIn(Schema):
    kind: ReportKind
    period: str = Field(..., max_length=24)
    format: str = Field("docx", pattern="^(docx|xlsx)$")
    title: str = Field("", max_length=200)


class ReportOut(Schema):
    id: int
    kind: str
    period: str
    format: str
    title: str
    created_at: datetime
    file: str


def report_out(report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "kind": report.kind,
        "period": report.period,
        "format": report.format,
        "title": report.title,
        "created_at": report.created_at,
        "file": f"/api/v1/reports/{report.pk}/file",
    }


@router.post("/reports", response={201: ReportOut, **ERRORS})
def report_create(request: HttpRequest, body: ReportIn):
    if not may_report(request.user):
        raise PermissionDenied(_("仅数据分析员和审核督办员可生成报告"))
    report = services.report_create(
        kind=body.kind,
        period=body.period,
        fmt=body.format,
        title=body.title,
        actor=request.user,
        now=clock.now(),
    )
    return Status(201, report_out(report))


class ReportQuery(Schema):
    kind: ReportKind | None = None


@router.get("/reports", response={200: list[ReportOut], **ERRORS})
def report_list(request: HttpRequest, q: Query[ReportQuery]):
    return [report_out(r) for r in selectors.report_list(user=request.user, kind=q.kind)[:500]]


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/reports/{report_id}/file", response={200: None, **ERRORS})
def report_file(request: HttpRequest, report_id: int):
    report = selectors.report_get(user=request.user, report_id=report_id)
    path = services.report_path(report)
    if not path.exists():
        raise NotFound(_("报告文件不存在"))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type=CONTENT_TYPES[report.format],
    )
