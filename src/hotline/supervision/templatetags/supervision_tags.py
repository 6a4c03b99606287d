"""Template pieces of supervision the console's home sections include: the cases a unit must
answer ("my cases"), the proposals a supervisor confirms or dismisses, a respond-by cell."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core import clock
from hotline.supervision import selectors
from hotline.supervision.choices import TERMINAL_STATES, CaseState

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.inclusion_tag("supervision/respond_by.html")
def respond_by_cell(case, today: date | None = None) -> dict:
    """The response date, the days left, or how long it is overdue (marked)."""
    today = today or get_calendar().local(clock.now()).date()
    open_ = case.state in (CaseState.OPEN,) and case.respond_by is not None
    days = (case.respond_by - today).days if case.respond_by else 0
    return {
        "case": case,
        "open": open_ and case.state not in TERMINAL_STATES,
        "late": open_ and days < 0,
        "days": days,
        "overdue_days": -days,
    }


@register.inclusion_tag("supervision/my_cases.html", takes_context=True)
def my_cases(context, title: str = "") -> dict:
    """The cases aimed at the user's organisation, with requirements and due dates."""
    user = context["user"]
    today = get_calendar().local(clock.now()).date()
    cases = selectors.my_cases(user=user)
    return {
        "user": user,
        "cases": cases,
        "today": today,
        "title": title or _("我的督办事项"),
        "overdue": any(c.respond_by and c.respond_by < today for c in cases),
        "evaluation": user.organisation_id is not None,
    }
