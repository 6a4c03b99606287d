"""Bulk maintenance of entries as xlsx workbooks (what government offices exchange).

Rows are written through ``core.exports.append_row``: a text starting with ``=`` is a
string cell, never a formula, and is read back as exactly that text.

Import checks every row first and writes nothing if any row is wrong, reporting the row
numbers as Excel shows them (the header is row 1). Rows with an ``id`` update that entry
(through the same services and guards as the API); rows without one create a draft.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from hotline.core.errors import DomainError, InvalidInput
from hotline.core.exports import append_row
from hotline.knowledge import rules, services
from hotline.knowledge.choices import EntryAction, EntryStatus
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import Entry
from hotline.knowledge.selectors import feedback_is_overdue
from hotline.orgs.models import Organisation, User

COLUMNS: list[tuple[str, str, int]] = [
    ("id", "编号", 8),
    ("title", "标题", 36),
    ("body", "正文", 80),
    ("category_code", "分类代码", 28),
    ("category_name", "分类名称", 14),
    ("org", "责任单位代码", 14),
    ("keywords", "关键词", 24),
    ("synonyms", "同义词", 20),
    ("public", "对公众公开", 10),
    ("effective_from", "生效日期", 12),
    ("expires_on", "失效日期", 12),
    ("status", "状态", 10),
    ("version", "版本", 6),
    ("reviewed_at", "最近复核", 18),
]
READ_ONLY = {"status", "reviewed_at"}
MAX_ROWS = 5000
TRUE_WORDS = {"1", "true", "yes", "y", "是", "公开", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "不公开", ""}


class ImportRejected(InvalidInput):
    """At least one row is wrong; nothing was written."""

    code = KnowledgeErrorCode.IMPORT_REJECTED

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        lines = [
            _("第%(row)s行：%(message)s") % {"row": row, "message": message}
            for row, message in errors[:50]
        ]
        if len(errors) > 50:
            lines.append(_("……另有%(n)s处错误") % {"n": len(errors) - 50})
        super().__init__(_("导入未执行，以下行有错误：") + "\n" + "\n".join(lines))


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    published: list[int] = field(default_factory=list)


def _fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def export_entries(entries: Iterable[Entry]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "知识条目"
    append_row(ws, [label for _key, label, _w in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, (_key, _label, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    for e in entries:
        append_row(
            ws,
            [
                e.pk,
                e.title,
                e.body,
                e.category_code,
                e.category_name,
                e.org.code,
                "、".join(e.keywords),
                "、".join(e.synonyms),
                "是" if e.public else "否",
                _fmt_date(e.effective_from),
                _fmt_date(e.expires_on),
                str(EntryStatus(e.status).label),
                e.version,
                timezone.localtime(e.reviewed_at).strftime("%Y-%m-%d %H:%M")
                if e.reviewed_at
                else "",
            ],
        )
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- the staff pages' lists (read-only reports, in the user's language) --------------------------


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _report(title: str, columns: list[tuple[str, int]], rows: Iterable[list], limit: int | None):
    """A one-sheet workbook with a bold header; ``limit``: the rows were cut at that many
    (a last line says so, as the console's exports do)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    append_row(ws, [label for label, _w in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, (_label, width) in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    for row in rows:
        append_row(ws, row)
    if limit is not None:
        append_row(ws, [_("仅导出前 %(n)s 条，请缩小筛选范围") % {"n": limit}])
    ws.freeze_panes = "A2"
    return wb


def export_feedback(items: Iterable, *, now: datetime, limit: int | None = None):
    """The corrections and questions of ``/knowledge/feedback/`` (filtered as on the page):
    due times in local time, the overdue flag as the page shows it."""
    columns = [
        (_("编号"), 8),
        (_("类型"), 10),
        (_("条目或主题"), 32),
        (_("内容"), 48),
        (_("答复单位"), 20),
        (_("提出人"), 12),
        (_("提出时间"), 17),
        (_("答复时限"), 17),
        (_("状态"), 10),
        (_("超期"), 6),
        (_("答复内容"), 48),
        (_("答复时间"), 17),
    ]
    rows = (
        [
            f.pk,
            f.get_kind_display(),
            f.entry.title if f.entry_id else f.topic,
            f.content,
            f.org.name,
            _person(f.raised_by),
            _local(f.raised_at),
            _local(f.due_at),
            f.get_state_display(),
            _("是") if feedback_is_overdue(f, now=now) else _("否"),
            f.response,
            _local(f.responded_at),
        ]
        for f in items
    )
    return _report(str(_("纠错与提问")), columns, rows, limit)


def export_review_queue(
    entries: Iterable[Entry], *, now: datetime, category_names: dict[str, str], limit=None
):
    """The entries of ``/knowledge/review/``, oldest submission first."""
    from hotline.core.templatetags.hotline_tags import duration_text

    columns = [
        (_("编号"), 8),
        (_("标题"), 40),
        (_("责任单位"), 20),
        (_("分类"), 20),
        (_("对公众公开"), 10),
        (_("提交时间"), 17),
        (_("已等待"), 10),
        (_("版本"), 6),
    ]
    rows = (
        [
            e.pk,
            e.title,
            e.org.name,
            category_names.get(e.category_code) or e.category_name or e.category_code,
            _("是") if e.public else _("否"),
            _local(e.updated_at),
            duration_text(now - e.updated_at, coarse=True),
            e.version,
        ]
        for e in entries
    )
    return _report(str(_("审核队列")), columns, rows, limit)


# -- import ---------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    entry: Entry | None
    org: Organisation | None
    fields: dict[str, Any]
    version: int | None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("「%(text)s」不是 是/否") % {"text": text})


def _parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        raise ValueError(_("「%(text)s」不是日期（YYYY-MM-DD）") % {"text": text})
    return date(*(int(x) for x in match.groups()))


def _header_map(header: tuple) -> dict[str, int]:
    lookup = {}
    for key, label, _w in COLUMNS:
        lookup[key] = key
        lookup[label] = key
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _text(cell)
        if name in lookup:
            mapping[lookup[name]] = index
    return mapping


def read_workbook(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidInput(
            _("不是有效的 xlsx 文件：%(error)s") % {"error": exc},
            code=KnowledgeErrorCode.INVALID_FILE,
        ) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise InvalidInput(_("工作表为空"), code=KnowledgeErrorCode.INVALID_FILE)
    columns = _header_map(header)
    missing = {"title", "body", "category_code"} - set(columns)
    if missing:
        raise InvalidInput(
            _("缺少必需的列：%(columns)s") % {"columns": "、".join(sorted(missing))},
            code=KnowledgeErrorCode.INVALID_FILE,
        )
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        record = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        out.append((number, record))
        if len(out) > MAX_ROWS:
            raise InvalidInput(
                _("一次最多导入%(n)s行") % {"n": MAX_ROWS}, code=KnowledgeErrorCode.TOO_MANY_ROWS
            )
    wb.close()
    return out


def _validate(records: list[tuple[int, dict[str, Any]]], actor: User) -> list[_Row]:
    errors: list[tuple[int, str]] = []
    rows: list[_Row] = []
    orgs = {o.code: o for o in Organisation.objects.all()}
    ids = [int(_text(r["id"])) for _n, r in records if _text(r.get("id")).isdigit()]
    existing = Entry.objects.select_related("org").in_bulk(ids)
    seen_ids: set[int] = set()
    for number, record in records:
        try:
            raw_id = _text(record.get("id"))
            entry = None
            if raw_id:
                if not raw_id.isdigit() or int(raw_id) not in existing:
                    raise ValueError(_("编号 %(id)s 的条目不存在") % {"id": raw_id})
                entry = existing[int(raw_id)]
                if entry.pk in seen_ids:
                    raise ValueError(_("编号 %(id)s 重复出现") % {"id": raw_id})
                seen_ids.add(entry.pk)
            org_code = _text(record.get("org"))
            org = orgs.get(org_code) if org_code else None
            if org_code and org is None:
                raise ValueError(_("未知的组织代码：%(code)s") % {"code": org_code})
            if entry is None and org is None:
                org = actor.organisation
                if org is None:
                    raise ValueError(_("缺少责任单位代码"))
            data: dict[str, Any] = {
                "title": _text(record.get("title")),
                "body": _text(record.get("body")),
                "category_code": _text(record.get("category_code")),
            }
            for key in ("category_name", "keywords", "synonyms"):
                if key in record:
                    data[key] = _text(record.get(key))
            if "public" in record:
                data["public"] = _parse_bool(record.get("public"))
            for key in ("effective_from", "expires_on"):
                if key in record:
                    data[key] = _parse_date(record.get(key))
            fields = services.clean_content(data)
            start, end = fields.get("effective_from"), fields.get("expires_on")
            if start and end and end < start:
                raise ValueError(_("失效日期不能早于生效日期"))
            version_text = _text(record.get("version"))
            version = int(version_text) if version_text.isdigit() else None
            if entry is not None:
                rules.entry_check(actor, entry, EntryAction.UPDATE)
                if version is not None and version != entry.version:
                    raise ValueError(
                        _("条目已被修改（表中版本 %(old)s，当前版本 %(new)s），请重新导出")
                        % {"old": version, "new": entry.version}
                    )
                if org is not None and org.pk != entry.org_id and not rules.is_reviewer(actor):
                    raise ValueError(_("只有中心审核人员可以变更责任单位"))
            else:
                if not rules.can_author(actor):
                    raise ValueError(_("当前角色不能编写知识条目"))
                if not rules.is_reviewer(actor) and org.pk != actor.organisation_id:
                    raise ValueError(_("只能导入本单位的条目"))
                if org.kind not in services.OWNING_KINDS:
                    raise ValueError(_("%(code)s 不是承办单位") % {"code": org.code})
            rows.append(_Row(number, entry, org, fields, version))
        except (ValueError, DomainError) as exc:
            errors.append((number, getattr(exc, "message", None) or str(exc)))
    if errors:
        raise ImportRejected(errors)
    return rows


def import_entries(
    *,
    data: bytes,
    actor: User,
    now: datetime,
    publish: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a workbook (all rows or none). ``publish``: the center publishes at once.
    ``progress(done, total)`` is told after each row is written."""
    if publish and not rules.is_reviewer(actor):
        raise InvalidInput(
            _("只有中心审核人员可以导入即发布"), code=KnowledgeErrorCode.PUBLISH_NOT_ALLOWED
        )
    rows = _validate(read_workbook(data), actor)
    result = ImportResult()
    current: _Row | None = None
    try:
        with transaction.atomic():
            for done, row in enumerate(rows):
                if progress is not None:
                    progress(done, len(rows))
                current = row
                if row.entry is None:
                    entry = services.entry_create(
                        actor=actor, org=row.org, now=now, source_key="import", **row.fields
                    )
                    result.created.append(entry.pk)
                else:
                    before = row.entry.version
                    changes = dict(row.fields)
                    if row.org is not None:
                        changes["org"] = row.org
                    entry = services.entry_update(
                        entry=row.entry, actor=actor, changes=changes, now=now, note="xlsx导入"
                    )
                    (result.updated if entry.version != before else result.unchanged).append(
                        entry.pk
                    )
                if publish:
                    if entry.status == EntryStatus.DRAFT:
                        entry = services.entry_submit(entry=entry, actor=actor, now=now)
                    if entry.status == EntryStatus.IN_REVIEW:
                        services.entry_publish(entry=entry, actor=actor, now=now)
                        result.published.append(entry.pk)
            if progress is not None:
                progress(len(rows), len(rows))
            services.record_import(
                actor=actor,
                now=now,
                data={
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "published": len(result.published),
                },
            )
    except DomainError as exc:
        raise ImportRejected([(current.number if current else 0, exc.message)]) from exc
    return result
