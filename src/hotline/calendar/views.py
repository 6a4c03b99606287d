"""The calendar's page: today's working-day status and whether next year's official holidays
are entered (RULES.md, working days; the warning the calendar admin shows too).

It lives with the calendar, not in core, because core is the bottom layer and must not read
the calendar (ARCHITECTURE.md, Layers). Its URL ("/", name "home") is included after the
console's, whose role home pages answer "/" first.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.calendar.services import get_calendar
from hotline.core import clock


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert user.is_authenticated  # login_required; narrows AnonymousUser away for mypy
    now = clock.now()
    cal = get_calendar()
    today = cal.local(now).date()
    context = {
        "now": now,
        "today_working": cal.is_working_day(today),
        "today_note": cal.note(today),
        "year_confirmed": cal.is_confirmed(today.year),
        "next_year_confirmed": cal.is_confirmed(today.year + 1),
        "next_year": today.year + 1,
        "roles": sorted(user.roles.all(), key=lambda r: r.code),
    }
    return render(request, "core/home.html", context)
