from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render

from hotline.calendar.services import get_calendar
from hotline.core import clock


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST, the browser GETs the next page."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def staff_required(view):
    """Login required for a staff page; an htmx request gets 401 with HX-Redirect rather than
    a login page swapped into a fragment."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = f"/login/?next={request.get_full_path()}"
                return response
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def home(request: HttpRequest) -> HttpResponse:
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
        "roles": sorted(request.user.roles.all(), key=lambda r: r.code),
    }
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "对象不存在"}}, status=404)
    return render(request, "core/error.html", {"status": 404, "message": "页面不存在"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "internal_error", "message": "服务器内部错误，已记录"}}, status=500
        )
    return render(
        request, "core/error.html", {"status": 500, "message": "服务器内部错误，已记录"}, status=500
    )
