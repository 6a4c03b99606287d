"""``/analytics/``: the dashboards (ECharts, each chart also a table and an xlsx), the alerts
panel the home pages poll, hot topics, long-unresolved and the report archive (Art 23–24)."""

from __future__ import annotations

import functools
import importlib.util
from datetime import date, timedelta
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.exports import append_row, xlsx_response
from hotline.core.views import staff_required

from . import selectors, services
from .rollups import local_day
from .scope import may_report, scope_for
from .topics import hot_topic_list


@functools.cache
def echarts_path() -> Path:
    """ECharts as the vizly wheel ships it (Apache-2.0 build, served by us: no CDN)."""
    spec = importlib.util.find_spec("vizly")
    if spec is None or not spec.submodule_search_locations:
        raise Http404()
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "echarts.min.js"


@require_GET
def echarts(request: HttpRequest) -> FileResponse:
    response = FileResponse(echarts_path().open("rb"), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=604800"
    return response


def _period(request: HttpRequest) -> tuple[date, date]:
    today = local_day(clock.now())
    try:
        hi = date.fromisoformat(request.GET.get("to") or today.isoformat())
        lo = date.fromisoformat(request.GET.get("from") or (hi - timedelta(days=29)).isoformat())
    except ValueError:
        hi, lo = today, today - timedelta(days=29)
    return lo, hi


TABLES = {
    "volume": (
        ["日期", "受理", "办结", "上期受理"],
        lambda d: [[r["date"], r["received"], r["closed"], r["previous"]] for r in d["volume"]],
    ),
    "channel": (["渠道", "件数"], lambda d: [[r["name"], r["count"]] for r in d["by_channel"]]),
    "appeal_type": (
        ["诉求类型", "件数"],
        lambda d: [[r["name"], r["count"]] for r in d["by_appeal_type"]],
    ),
    "category": (
        ["一级分类", "二级分类", "件数"],
        lambda d: [
            [t["name"], c["name"], c["count"]]
            for t in d["category_tree"]
            for c in (t["children"] or [{"name": "", "count": t["count"]}])
        ],
    ),
    "county": (["县区", "件数"], lambda d: [[r["name"], r["count"]] for r in d["by_county"]]),
    "overdue": (
        ["承办单位", "派单", "超期", "超期率"],
        lambda d: [
            [r["name"], r["dispatched"], r["overdue"], r["rate"]] for r in d["overdue_by_unit"]
        ],
    ),
}


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        found = selectors.resolve_filters(
            county=request.GET.get("county") or None,
            category=request.GET.get("category") or None,
            org=request.GET.get("org") or None,
        )
        lo, hi = _period(request)
        data = selectors.dashboard(user=user, date_from=lo, date_to=hi, now=clock.now(), **found)
    except DomainError as exc:
        return render(request, "analytics/error.html", {"message": exc.message}, status=exc.status)
    table = request.GET.get("export")
    if table in TABLES:
        from openpyxl import Workbook

        header, rows = TABLES[table]
        wb = Workbook()
        append_row(wb.active, header)
        for row in rows(data):
            append_row(wb.active, row)
        return xlsx_response(wb, name=f"analytics-{table}", now=clock.now())
    charts = {
        "volume": data["volume"],
        "channel": data["by_channel"],
        "appeal_type": data["by_appeal_type"],
        "category": data["category_tree"],
        "county": data["by_county"],
        "overdue": data["overdue_by_unit"],
    }
    tables = {name: (h, rows(data)) for name, (h, rows) in TABLES.items()}
    return render(
        request,
        "analytics/dashboard.html",
        {
            "d": data,
            "f": data["figures"],
            "p": data["previous"],
            "charts": charts,
            "tables": tables,
            "date_from": lo,
            "date_to": hi,
            "filters": request.GET,
            "scope": data["scope"],
            "may_report": may_report(user),
            "counties": [(r["code"], r["name"]) for r in data["by_county"]],
        },
    )


@require_GET
@staff_required
def alerts_panel(request: HttpRequest) -> HttpResponse:
    items = list(selectors.alert_list(user=request.user, state="open")[:20])
    return render(
        request,
        "analytics/alerts_panel.html",
        {"alerts": items, "may_close": may_report(request.user)},
    )


@require_POST
@staff_required
def alert_close(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = selectors.alert_get(user=request.user, alert_id=alert_id)
        services.alert_close(
            alert=alert, note=request.POST.get("note", ""), actor=request.user, now=clock.now()
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return alerts_panel(_as_get(request))


def _as_get(request: HttpRequest) -> HttpRequest:
    request.method = "GET"
    return request


@require_GET
@staff_required
def topics(request: HttpRequest) -> HttpResponse:
    lo, hi = _period(request)
    scope_for(request.user)
    items = hot_topic_list(user=request.user, date_from=lo, date_to=hi, limit=30)
    items.sort(key=lambda t: -t["heat"])
    return render(
        request, "analytics/topics.html", {"topics": items, "date_from": lo, "date_to": hi}
    )


@require_GET
@staff_required
def unresolved(request: HttpRequest) -> HttpResponse:
    rows = selectors.unresolved(user=request.user, now=clock.now())
    return render(request, "analytics/unresolved.html", {"rows": rows})


@staff_required
def reports(request: HttpRequest) -> HttpResponse:
    message = ""
    if request.method == "POST":
        try:
            services.report_create(
                kind=request.POST.get("kind", ""),
                period=request.POST.get("period", ""),
                fmt=request.POST.get("format", "docx"),
                title=request.POST.get("title", ""),
                actor=request.user,
                now=clock.now(),
            )
            message = _("报告已生成")
        except DomainError as exc:
            message = exc.message
    items = list(selectors.report_list(user=request.user)[:100])
    return render(
        request,
        "analytics/reports.html",
        {"reports": items, "message": message, "may_report": may_report(request.user)},
    )


@require_GET
@staff_required
def report_file(request: HttpRequest, report_id: int) -> FileResponse:
    try:
        report = selectors.report_get(user=request.user, report_id=report_id)
    except DomainError as exc:
        raise Http404() from exc
    path = services.report_path(report)
    if not path.exists():
        raise Http404()
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
