"""Entry bodies are Markdown written by units; they are rendered and then sanitised (nh3), so
nothing a unit types can run in an agent's or a citizen's browser."""

from __future__ import annotations

import difflib

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th",
    "td", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(body: str) -> SafeString:
    """Markdown → sanitised HTML. Headings start at h2 (the page title is h1)."""
    raw = markdown.markdown(body or "", extensions=["extra", "sane_lists"], output_format="html")
    raw = raw.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 — sanitised by nh3 just above


SNAPSHOT_LABELS = [
    ("title", gettext_lazy("标题")),
    ("category_code", gettext_lazy("分类代码")),
    ("category_name", gettext_lazy("分类名称")),
    ("org", gettext_lazy("责任单位")),
    ("keywords", gettext_lazy("关键词")),
    ("synonyms", gettext_lazy("同义词")),
    ("public", gettext_lazy("对公众公开")),
    ("effective_from", gettext_lazy("生效日期")),
    ("expires_on", gettext_lazy("失效日期")),
    ("status", gettext_lazy("状态")),
]


def snapshot_lines(snapshot: dict) -> list[str]:
    lines = []
    for key, label in SNAPSHOT_LABELS:
        value = snapshot.get(key)
        if isinstance(value, list):
            value = "、".join(value)
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        value = "" if value is None else value
        lines.append(_("%(label)s：%(value)s") % {"label": label, "value": value})
    lines.append(_("正文："))
    lines.extend((snapshot.get("body") or "").splitlines())
    return lines


def diff_html(old: dict, new: dict, *, old_label: str, new_label: str) -> SafeString:
    """Side-by-side difference of two version snapshots (difflib escapes the text)."""
    table = difflib.HtmlDiff(wrapcolumn=60).make_table(
        snapshot_lines(old), snapshot_lines(new), old_label, new_label, context=True, numlines=3
    )
    return mark_safe(table)  # noqa: S308 — difflib.HtmlDiff escapes &, < and >
