"""The published results (Art 31: "上报…通报各县区政府、市直各部门") as a Word circular and an
xlsx table for the government office. A4, the platform's header, dates in Chinese."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook

from hotline.calendar.services import get_calendar
from hotline.core.exports import append_row
from hotline.evaluation.choices import Grade
from hotline.evaluation.models import Result, Run
from hotline.evaluation.periods import parse_period

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLATFORM = "驻马店市12345政务服务便民热线"
GRADES = dict(Grade.choices)
APPLIES = {
    "unit": "承办单位",
    "county": "县区热线工作机构",
    "subcenter": "分中心热线",
    "center": "热线中心",
}


def chinese_date(moment: datetime) -> str:
    day = get_calendar().local(moment).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _value(value, is_count: bool) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if is_count else f"{value:.1%}"


def _rows(results: list[Result], snap: dict) -> tuple[list[str], list[list[str]]]:
    indicators = snap.get("indicators", [])
    header = ["名次", "单位", *(i["name"] for i in indicators), "得分", "等次"]
    rows = []
    for r in results:
        rows.append(
            [
                str(r.rank or "—"),
                r.org.name,
                *(
                    _value(
                        r.values.get(i["code"]), i["measure"] in ("knowledge_upkeep", "supervision")
                    )
                    for i in indicators
                ),
                f"{r.score:.1f}" if r.score is not None else "—",
                str(GRADES.get(r.grade, "数据不足")) if r.grade else "数据不足",
            ]
        )
    return header, rows


def _grouped(run: Run) -> list[tuple[dict, list[Result]]]:
    results = list(run.results.select_related("org").order_by("scheme_code", "rank", "org__path"))
    out = []
    for code, snap in sorted(run.schemes.items()):
        rows = [r for r in results if r.scheme_code == code]
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.org.path))
        out.append((snap, rows))
    return out


def circular_docx(*, run: Run, now: datetime) -> bytes:
    period = parse_period(run.period)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(297), Mm(210)  # A4 landscape: wide tables
    section.orientation = 1
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(9)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for text, size in (
        (PLATFORM, 18),
        (f"关于{period.label()}12345热线服务绩效考核评价结果的通报", 15),
    ):
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run_ = p.add_run(text)
        run_.bold = True
        run_.font.size = Pt(size)
    document.add_paragraph("各县区政府、市直各部门及有关单位：")
    document.add_paragraph(
        f"根据《驻马店市12345政务服务便民热线管理办法》第三十一条，{run.owner.name}对"
        f"{period.label()}分中心热线和承办单位的服务绩效进行了考核评价。现将结果通报如下。"
        "满意率已按第十六条第二款开展异议甄别；行政调解类、执法办案类事项不纳入满意率。"
    )
    for index, (snap, rows) in enumerate(_grouped(run), start=1):
        document.add_heading(
            f"{'一二三四五六七八'[index - 1]}、{snap['name']}（第{snap['version']}版，"
            f"考核对象：{APPLIES.get(snap['applies_to'], '')}）",
            level=2,
        )
        counts = {g: sum(1 for r in rows if r.grade == g) for g in GRADES}
        document.add_paragraph(
            "，".join(f"{GRADES[g]} {n} 个" for g, n in counts.items())
            + "。等次："
            + "、".join(f"{GRADES[g]}≥{m:g}" for g, m in snap["grades"][:-1])
            + f"，{GRADES['fail']}<{snap['grades'][-2][1]:g}。"
        )
        header, table_rows = _rows(rows, snap)
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for values in table_rows:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
        excellent = [r.org.name for r in rows if r.grade == Grade.EXCELLENT]
        if excellent:
            document.add_paragraph(
                "对考核评价结果为优秀等次的" + "、".join(excellent) + "予以表扬。"
            )
    state = "" if run.state == "published" else "（草稿，未发布）"
    sign = document.add_paragraph(
        f"\n{run.owner.name}\n{chinese_date(run.published_at or now)}{state}"
    )
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def results_workbook(*, run: Run) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for snap, rows in _grouped(run):
        ws = workbook.create_sheet(snap["name"][:31])
        header, table_rows = _rows(rows, snap)
        append_row(ws, [f"{parse_period(run.period).label()} {snap['name']} 第{snap['version']}版"])
        append_row(ws, header)
        for values in table_rows:
            append_row(ws, values)
    if not workbook.worksheets:
        workbook.create_sheet("考核结果")
    return workbook
