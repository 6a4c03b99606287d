"""Labels of the ticket codes for the console pages (``{% load console hotline_tags %}``:
countdowns, local times and option lists are ``hotline_tags``, shared with the other pages).
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from hotline.tickets import choices

# Labels of the stored codes, looked up once per language: ``get_FOO_display`` rebuilds its
# dict and casts a lazy string on every call, which is most of a 50-row list's render time.
CHOICES = {
    "status": choices.TicketStatus,
    "assignment_status": choices.AssignmentStatus,
    "appeal_type": choices.AppealType,
    "channel": choices.Channel,
    "role": choices.AssignmentRole,
    "special_seat": choices.SpecialSeat,
    "review_kind": choices.ReviewKind,
}
_LABELS: dict[tuple[str, str], dict[str, str]] = {}

register = template.Library()


@register.filter
def label(code: str, kind: str) -> str:
    """``{{ t.status|label:"status" }}``: the translated label of a stored code."""
    key = (get_language() or "", kind)
    table = _LABELS.get(key)
    if table is None:
        table = {value: str(text) for value, text in CHOICES[kind].choices}
        _LABELS[key] = table
    return table.get(code, code)


@register.filter
def category_label(category) -> str:
    """A category's name in the page's language: ``name_en`` in English when it has one.
    Takes a ``Category`` or a routing suggestion (a dict with ``name`` and ``name_en``)."""
    if not category:
        return ""
    if isinstance(category, dict):
        name, name_en = category.get("name") or "", category.get("name_en") or ""
    else:
        name, name_en = category.name, category.name_en
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


@register.filter
def event_label(code: str) -> str:
    return choices.EventType.label_of(code)
