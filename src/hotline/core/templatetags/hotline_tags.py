"""Template helpers every staff page uses (console and knowledge): countdowns, local times,
lookups and fast option lists. ``{% load hotline_tags %}``.

``{% clock due now %}`` renders the remaining time to a deadline ("剩余 3小时12分") or how
long it is past ("已超期 2天"), with a colour class, and the deadline itself (Asia/Shanghai)
as a tooltip. ``now`` is the business now the view took from ``hotline.core.clock``.

What only one context's pages need stays with it (``console``: labels of ticket codes;
``knowledge_tags``: entry expiry).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

SOON = timedelta(hours=4)


def duration_text(delta: timedelta, *, coarse: bool = False) -> str:
    """Days and hours, or hours and minutes, or minutes. ``coarse``: whole days only once
    past a day (how overdue time is spoken of)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and (coarse or not hours):
        return _("%(d)s天") % {"d": days}
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours and not mins:
        return _("%(h)s小时") % {"h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": mins}
    return _("%(m)s分") % {"m": max(mins, 1)}


def clock_parts(due: datetime | None, now: datetime, soon: timedelta = SOON) -> tuple[str, str]:
    """(css class, text) for a deadline."""
    if due is None:
        return "", ""
    delta = due - now
    if delta.total_seconds() > 0:
        return ("clock-soon" if delta <= soon else "clock-ok"), _("剩余 %(t)s") % {
            "t": duration_text(delta)
        }
    return "clock-late", _("已超期 %(t)s") % {"t": duration_text(-delta, coarse=True)}


@register.simple_tag
def clock(due: datetime | None, now: datetime, soon_hours: int = 4):
    if due is None:
        return ""
    css, text = clock_parts(due, now, timedelta(hours=soon_hours))
    return format_html(
        '<span class="clock {}" title="{}">{}</span>', css, local_time(due, "Y-m-d H:i"), text
    )


# The formats the pages use, as strftime patterns (Django's date_format is several times
# slower and these lists render hundreds of times per page).
STRFTIME = {"m-d H:i": "%m-%d %H:%M", "Y-m-d H:i": "%Y-%m-%d %H:%M", "Y-m-d": "%Y-%m-%d"}


@register.filter
def local_time(value: datetime | None, fmt: str = "m-d H:i") -> str:
    """A time in the platform's zone (Asia/Shanghai), short form by default."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    pattern = STRFTIME.get(fmt)
    return local.strftime(pattern) if pattern else date_format(local, fmt)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _option(value, text, selected: set[str]) -> str:
    value = "" if value is None else str(value)
    chosen = " selected" if value in selected else ""
    return f'<option value="{escape(value)}"{chosen}>{escape(text)}</option>'


@register.simple_tag
def select_options(bound) -> str:
    """The ``<option>``s (and ``<optgroup>``s) of a choice field, in one pass: Django's select
    widget renders every option through a template, which is slow for a 200-unit picker."""
    value = bound.value()
    values = value if isinstance(value, (list, tuple)) else [value]
    selected = {"" if v is None else str(v) for v in values}
    parts = []
    for value, text in bound.field.choices:
        if isinstance(text, (list, tuple)):
            inner = "".join(_option(v, t, selected) for v, t in text)
            parts.append(f'<optgroup label="{escape(value)}">{inner}</optgroup>')
        else:
            parts.append(_option(value, text, selected))
    # every value and label is escaped above
    return mark_safe("".join(parts))  # noqa: S308
