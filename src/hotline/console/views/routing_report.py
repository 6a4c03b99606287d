"""The report of how often the routing suggestions were taken (智能推荐采纳情况,
``/console/routing/report/``), for the people who oversee the center: per week or month, per
source of the unit suggestions and per county; on the page or as a workbook."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hotline.console.views.common import forbidden
from hotline.core import clock
from hotline.core.exports import xlsx_response
from hotline.core.views import staff_required
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import Organisation
from hotline.routing import selectors as routing_selectors

# The roles that oversee the center's work (the home page link shows for the same roles).
REPORT_ROLES = frozenset(
    {RoleCode.SUPERVISOR, RoleCode.ANALYST, RoleCode.ADMINISTRATOR, RoleCode.DISPATCHER}
)
REPORT_PERIODS = 12  # the default range: this week (month) and the 11 before
MAX_PERIODS = 160  # rows of one report (three years of weeks, thirteen of months)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
SOURCE_LABELS = {
    "catalogue": gettext_lazy("派单目录"),
    "precedent": gettext_lazy("先例（协调派单）"),
    "model": gettext_lazy("同类派单统计"),
    "neighbours": gettext_lazy("相似工单模型"),
}
KIND_LABELS = {
    "category": gettext_lazy("诉求分类推荐（受理）"),
    "unit": gettext_lazy("承办单位推荐（派单）"),
}


def may_see_acceptance_report(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*REPORT_ROLES)))


class AcceptanceReportForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("统计周期"),
        choices=[("week", gettext_lazy("按周")), ("month", gettext_lazy("按月"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("from", gettext_lazy("起始日期")), ("to", gettext_lazy("截止日期"))):
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": _("请按“年-月-日”填写日期，例如 2026-09-30")},
            )
        self.order_fields(["from", "to", "period"])

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        first, last, period = d.get("from"), d.get("to"), d.get("period")
        if first is None or last is None or period is None:
            return d
        if first > last:
            raise forms.ValidationError(_("起始日期不能晚于截止日期"), code="order")
        if first < FIRST_DAY or last > LAST_DAY:
            raise forms.ValidationError(
                _("日期须在 %(a)s 至 %(b)s 之间") % {"a": FIRST_DAY, "b": LAST_DAY}, code="range"
            )
        d["periods"] = routing_selectors.report_periods(first=first, last=last, period=period)
        if len(d["periods"]) > MAX_PERIODS:
            raise forms.ValidationError(
                _("时间范围过长（最多 %(n)s 个统计周期），请缩短时间范围或按月统计")
                % {"n": MAX_PERIODS},
                code="too_long",
            )
        return d


def _report_data(request: HttpRequest) -> dict[str, str]:
    """The query with the defaults filled in: by week, up to today (the business date), the
    12 weeks that end with the last day (by month: the 12 months)."""
    data = {key: request.GET.get(key, "").strip()[:20] for key in ("from", "to", "period")}
    data["period"] = data["period"] or "week"
    if not data["to"]:
        data["to"] = timezone.localtime(clock.now()).date().isoformat()
    if not data["from"]:
        try:
            last = date.fromisoformat(data["to"])
        except ValueError:
            return data  # the form says what is wrong with the last day
        if data["period"] == "month":
            month = last.replace(day=1)
            for _step in range(REPORT_PERIODS - 1):
                month = (month - timedelta(days=1)).replace(day=1)
            data["from"] = month.isoformat()
        else:
            monday = last - timedelta(days=last.weekday())
            data["from"] = (monday - timedelta(weeks=REPORT_PERIODS - 1)).isoformat()
    return data


def _pct(stats: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Beside each rate (0–1, or None when nothing was shown): ``<key>_text`` ("62.5%" or
    "—") and ``<key>_width`` (the bar's width in percent, "62.5"; "0" without a rate)."""
    out = dict(stats)
    for key in keys:
        value = stats.get(key)
        out[f"{key}_text"] = "—" if value is None else f"{value * 100:.1f}%"
        out[f"{key}_width"] = "0" if value is None else f"{value * 100:.1f}"
    return out


def _acceptance_report(periods: list) -> dict[str, Any]:
    since, until = periods[0].since, periods[-1].until
    by_period = routing_selectors.acceptance_by_period(periods=periods)
    kinds = []
    for kind in routing_selectors.KINDS:
        kinds.append(
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "rows": [
                    {"period": r["period"], **_pct(r[kind], "rate", "first_rate")}
                    for r in by_period["rows"]
                ],
                "total": _pct(by_period["total"][kind], "rate", "first_rate"),
            }
        )
    report: dict[str, Any] = {
        "kinds": kinds,
        "empty": not any(k["total"]["shown"] for k in kinds),
        "sources": [],
        "counties": [],
    }
    if report["empty"]:
        return report
    by_source = routing_selectors.unit_acceptance_by_source(since=since, until=until)
    report["sources"] = [
        {**_pct(r, "hit_rate", "top_rate"), "label": SOURCE_LABELS[r["source"]]}
        for r in by_source["rows"]
    ]
    counties = routing_selectors.acceptance_by_county(since=since, until=until)
    names = {
        pk: short or name
        for pk, short, name in Organisation.objects.filter(
            pk__in=[c["county_id"] for c in counties]
        ).values_list("pk", "short_name", "name")
    }
    report["counties"] = [
        {
            "name": names.get(c["county_id"], "—"),
            "category": _pct(c["category"], "rate", "first_rate"),
            "unit": _pct(c["unit"], "rate", "first_rate"),
        }
        for c in counties
    ]
    return report


def _period_label(period) -> str:
    if period.first == period.last:
        return period.first.isoformat()
    return f"{period.first.isoformat()} – {period.last.isoformat()}"


def _acceptance_xlsx(*, report: dict[str, Any], first: date, last: date, now) -> HttpResponse:
    """The page's tables as one workbook (rates as Excel percentages)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    percent = "0.0%"

    def sheet(title: str, headers: list[str], rows: list[list], rate_columns: set[int]):
        ws = wb.create_sheet(title)
        ws.append([_("智能推荐采纳情况"), f"{first.isoformat()} – {last.isoformat()}"])
        ws.append(headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for column in rate_columns:
                ws.cell(row=ws.max_row, column=column).number_format = percent
        ws.column_dimensions["A"].width = 26
        ws.freeze_panes = "B3"

    source_columns = ("offered", "hit", "hit_rate", "top", "top_hit", "top_rate")
    stats_headers = [_("推荐次数"), _("采纳次数"), _("采纳率"), _("采纳第一项"), _("首选采纳率")]

    def stats(s: dict[str, Any]) -> list:
        return [s["shown"], s["accepted"], s["rate"], s["first"], s["first_rate"]]

    for kind in report["kinds"]:
        rows = [[_period_label(r["period"]), *stats(r)] for r in kind["rows"]]
        rows.append([_("合计"), *stats(kind["total"])])
        sheet(str(kind["label"])[:31], [_("统计周期"), *stats_headers], rows, {4, 6})
    sheet(
        _("承办单位推荐按来源"),
        [
            _("推荐来源"),
            _("给出推荐的派单"),
            _("选中该来源推荐"),
            _("命中率"),
            _("排在首位"),
            _("首位被采纳"),
            _("首位采纳率"),
        ],
        [[str(r["label"]), *(r[k] for k in source_columns)] for r in report["sources"]],
        {4, 7},
    )
    sheet(
        _("按县区"),
        [
            _("县区"),
            *[f"{_('诉求分类')}·{h}" for h in stats_headers],
            *[f"{_('承办单位')}·{h}" for h in stats_headers],
        ],
        [[c["name"], *stats(c["category"]), *stats(c["unit"])] for c in report["counties"]],
        {4, 6, 9, 11},
    )
    return xlsx_response(wb, name="routing-acceptance", now=now)


@require_GET
@staff_required
def acceptance_report(request: HttpRequest) -> HttpResponse:
    """``GET /console/routing/report/?from=YYYY-MM-DD&to=YYYY-MM-DD&period=week|month``
    (``&format=xlsx`` for the workbook): how often the category and unit suggestions were
    taken, per week or month, per source of the unit suggestions and per county."""
    if not may_see_acceptance_report(request.user):
        return forbidden(
            request, _("只有派单员、中心审核督办员、数据分析员和系统管理员可以查看推荐采纳情况")
        )
    now = clock.now()
    data = _report_data(request)
    form = AcceptanceReportForm(data)
    ctx: dict[str, Any] = {"form": form, "now": now}
    if not form.is_valid():
        return render(request, "console/routing_report.html", ctx, status=422)
    d = form.cleaned_data
    report = _acceptance_report(d["periods"])
    if request.GET.get("format") == "xlsx":
        return _acceptance_xlsx(report=report, first=d["from"], last=d["to"], now=now)
    ctx.update(
        report=report,
        first=d["from"],
        last=d["to"],
        period=d["period"],
        query=urlencode(data),
    )
    return render(request, "console/routing_report.html", ctx)
