"""Template helpers of the knowledge pages (``{% clock %}`` and ``local_time`` are loaded from
the shared ``hotline_tags``; this adds what only knowledge entries have)."""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hotline.core.templatetags.hotline_tags import duration_text

register = template.Library()

# An expiry date this close is shown with the days left.
EXPIRY_WARNING_DAYS = 30


@register.simple_tag
def expiry_left(expires_on: date | None, today: date, within: int = EXPIRY_WARNING_DAYS) -> str:
    """``{% expiry_left entry.expires_on today %}``: the days left before an entry stops being
    in effect (it is in effect through its expiry date) when that is at most ``within`` days
    away; nothing otherwise (no expiry date, far off, or expired already)."""
    if expires_on is None or expires_on < today:
        return ""
    days = (expires_on - today).days
    if days > within:
        return ""
    if days == 0:
        text = _("今天是最后有效日")
    else:
        text = _("剩余 %(t)s") % {"t": duration_text(timedelta(days=days))}
    return format_html('<span class="clock clock-soon">{}</span>', text)
