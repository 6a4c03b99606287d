"""Reports as a government office expects them (Art 23): Word with the sections 总体情况,
诉求类型, 热点问题, 办理情况, 满意度, 超期与督办, 县区和部门排名, 意见建议, and the same figures
as an Excel workbook. The figures are ``selectors.figures`` of the period and scope — the
API's overview — so a report never disagrees with the dashboards."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation, User
from hotline.tickets.choices import AppealType, Channel
from hotline.tickets.models import Category

from . import charts
from .periods import chinese_date
from .rollups import day_start
from .scope import Scope, rollup_rows
from .selectors import _labelled, figures, overdue_by_unit

PLATFORM = "驻马店市12345政务服务便民热线"
SECTIONS = (
    "总体情况",
    "诉求类型",
    "热点问题",
    "办理情况",
    "满意度",
    "超期与督办",
    "县区和部门排名",
    "意见建议",
)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def collect(
    *, scope: Scope, date_from: date, date_to: date, now: datetime, user: User | None
) -> dict[str, Any]:
    """Everything a report shows, read once."""
    from .selectors import scope_tickets, scoped_tickets
    from .topics import topics_between

    main = figures(scope, date_from, date_to)
    span = (date_to - date_from).days + 1
    prev = figures(scope, date_from - timedelta(days=span), date_from - timedelta(days=1))
    rows = rollup_rows(scope).filter(day__gte=date_from, day__lte=date_to)
    counties = {
        o.code: o.short_name or o.name for o in Organisation.objects.filter(kind=OrgKind.COUNTY)
    }
    cats = {c.code: c.name for c in Category.objects.all()}
    tickets = scoped_tickets(user, scope) if user is not None else scope_tickets(scope)
    topics = topics_between(
        tickets, day_start(date_from), day_start(date_to + timedelta(days=1)), limit=10
    )
    return {
        "figures": main,
        "previous": prev,
        "by_appeal_type": _labelled(rows, "appeal_type", dict(AppealType.choices)),
        "by_channel": _labelled(rows, "channel", dict(Channel.choices)),
        "by_category": [
            {
                "code": r["category"],
                "name": cats.get(r["category"], _("未分类")),
                "count": r["count"],
            }
            for r in main["by_category"][:15]
        ],
        "by_county": [
            {
                "code": r["county"],
                "name": counties.get(r["county"], r["county"]),
                "count": r["count"],
            }
            for r in main["by_county"]
        ],
        "overdue_by_unit": overdue_by_unit(scope, date_from, date_to),
        "topics": topics,
    }


def _change(now_value: int, before: int) -> str:
    if not before:
        return _("上期无数据")
    delta = (now_value - before) / before * 100
    return _("环比%(sign)s%(value).1f%%") % {
        "sign": _("增长") if delta >= 0 else _("下降"),
        "value": abs(delta),
    }


def _docx(
    title: str, data: dict[str, Any], scope: Scope, date_from: date, date_to: date, now: datetime
) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold, run.font.size = True, Pt(18)
    meta = doc.add_paragraph(
        f"{PLATFORM}  {scope.label}  {chinese_date(date_from)}—{chinese_date(date_to)}"
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    f, p = data["figures"], data["previous"]

    def grid(header: list[str], rows: list[list[Any]]) -> None:
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
            for r in cell.paragraphs[0].runs:
                r.bold = True
        for values in rows:
            for cell, v in zip(table.add_row().cells, values, strict=True):
                cell.text = str(v)

    def picture(png: bytes) -> None:
        doc.add_picture(BytesIO(png), width=Cm(15.5))

    numbers = ["一", "二", "三", "四", "五", "六", "七", "八"]
    headings = iter(f"{n}、{s}" for n, s in zip(numbers, SECTIONS, strict=True))
    doc.add_heading(next(headings), level=1)
    doc.add_paragraph(
        _(
            "本期共受理群众诉求%(received)d件（%(change)s），其中即时答复%(intake)d件，派单%(dispatched)d件，"
            "办结%(closed)d件。"
        )
        % {
            "received": f["received"],
            "change": _change(f["received"], p["received"]),
            "intake": f["answered_at_intake"],
            "dispatched": f["dispatched"],
            "closed": f["closed"],
        }
    )
    days = [d["date"] for d in f["by_day"]]
    if len(days) > 1:
        picture(
            charts.line_chart(
                days,
                {
                    "受理量": [d["received"] for d in f["by_day"]],
                    "办结量": [d["closed"] for d in f["by_day"]],
                },
                {"受理量": "received", "办结量": "closed"},
            )
        )
    grid(
        ["日期", "受理", "办结"],
        [[d["date"], d["received"], d["closed"]] for d in f["by_day"]][-31:],
    )
    doc.add_heading(next(headings), level=1)
    grid(["诉求类型", "件数"], [[r["name"], r["count"]] for r in data["by_appeal_type"]])
    grid(["诉求分类", "件数"], [[r["name"], r["count"]] for r in data["by_category"]])
    if data["by_category"]:
        picture(
            charts.bar_chart(
                [r["name"] for r in data["by_category"][:10]],
                [r["count"] for r in data["by_category"][:10]],
                [r["code"][-12:] for r in data["by_category"][:10]],
            )
        )
    doc.add_heading(next(headings), level=1)
    if data["topics"]:
        grid(
            ["热点问题", "关键词", "件数", "热度"],
            [[t.title, "、".join(t.keywords), t.count, t.heat] for t in data["topics"]],
        )
    else:
        doc.add_paragraph(_("本期未发现集中反映的热点问题。"))
    doc.add_heading(next(headings), level=1)
    doc.add_paragraph(
        _("办结%(closed)d件，按期办结率%(rate)s，平均办理时长%(hours)s小时。")
        % {
            "closed": f["closed"],
            "rate": _pct(f["on_time_rate"]),
            "hours": f["avg_handling_hours"] if f["avg_handling_hours"] is not None else "—",
        }
    )
    doc.add_heading(next(headings), level=1)
    doc.add_paragraph(
        _("满意率%(rate)s（上期%(before)s）。")
        % {"rate": _pct(f["satisfaction_rate"]), "before": _pct(p["satisfaction_rate"])}
    )
    doc.add_heading(next(headings), level=1)
    doc.add_paragraph(_("超期工单%(overdue)d件。") % {"overdue": f["overdue"]})
    grid(
        ["承办单位", "派单", "超期", "超期率"],
        [
            [r["name"], r["dispatched"], r["overdue"], _pct(r["rate"])]
            for r in data["overdue_by_unit"]
        ],
    )
    doc.add_heading(next(headings), level=1)
    grid(
        ["排名", "县区", "受理量"],
        [[i + 1, r["name"], r["count"]] for i, r in enumerate(data["by_county"])],
    )
    if data["by_county"]:
        picture(
            charts.bar_chart(
                [r["name"] for r in data["by_county"]],
                [r["count"] for r in data["by_county"]],
                [r["code"] for r in data["by_county"]],
            )
        )
    doc.add_heading(next(headings), level=1)
    advice = []
    if data["topics"]:
        advice.append(
            _("对“%(title)s”等热点问题，建议相关单位主动排查、未诉先办。")
            % {"title": data["topics"][0].title}
        )
    if f["overdue"]:
        advice.append(_("超期工单较多的单位应压实责任，按期办结。"))
    advice.append(_("持续做好回访工作，提升群众满意度。"))
    for line in advice:
        doc.add_paragraph(line)
    doc.add_paragraph(_("生成时间：%(at)s") % {"at": chinese_date(timezone.localtime(now).date())})
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _xlsx(title: str, data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    from hotline.core.exports import append_row, harden_workbook

    wb = Workbook()
    f = data["figures"]
    ws = wb.active
    ws.title = "总体情况"
    append_row(ws, [title])
    for key, label in (
        ("received", "受理"),
        ("answered_at_intake", "即时答复"),
        ("dispatched", "派单"),
        ("closed", "办结"),
        ("overdue", "超期"),
        ("on_time_rate", "按期办结率"),
        ("satisfaction_rate", "满意率"),
    ):
        append_row(ws, [label, f[key]])
    sheets = {
        "按日": (
            ["日期", "受理", "办结"],
            [[d["date"], d["received"], d["closed"]] for d in f["by_day"]],
        ),
        "诉求类型": (
            ["诉求类型", "件数"],
            [[r["name"], r["count"]] for r in data["by_appeal_type"]],
        ),
        "诉求分类": (
            ["分类代码", "分类", "件数"],
            [[r["code"], r["name"], r["count"]] for r in data["by_category"]],
        ),
        "热点问题": (
            ["热点问题", "关键词", "件数", "热度", "工单"],
            [
                [
                    t.title,
                    "、".join(t.keywords),
                    t.count,
                    t.heat,
                    " ".join(i.number for i in t.items),
                ]
                for t in data["topics"]
            ],
        ),
        "超期与督办": (
            ["承办单位", "派单", "超期", "超期率"],
            [
                [r["name"], r["dispatched"], r["overdue"], r["rate"]]
                for r in data["overdue_by_unit"]
            ],
        ),
        "县区排名": (
            ["县区代码", "县区", "受理量"],
            [[r["code"], r["name"], r["count"]] for r in data["by_county"]],
        ),
    }
    for name, (header, rows) in sheets.items():
        sheet = wb.create_sheet(name)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
    harden_workbook(wb)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build_report(
    *,
    kind: str,
    title: str,
    date_from: date,
    date_to: date,
    scope: Scope,
    fmt: str,
    now: datetime,
    user: User | None,
) -> tuple[bytes, dict[str, Any]]:
    data = collect(scope=scope, date_from=date_from, date_to=date_to, now=now, user=user)
    content = (
        _docx(title, data, scope, date_from, date_to, now) if fmt == "docx" else _xlsx(title, data)
    )
    f = dict(data["figures"])
    f.pop("still_open", None)
    f.pop("avg_handling_hours", None)
    return content, f
