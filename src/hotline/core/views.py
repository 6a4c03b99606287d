from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hotline.core.api import error_body, too_large_message
from hotline.core.error_codes import CoreErrorCode


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST, the browser GETs the next page."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def list_query(request: HttpRequest) -> str:
    """The list's filters as a query string, without its page and export format: what the
    pager, sort and export links add theirs to."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


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


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# -- error pages (handler400/403/404/500, CSRF_FAILURE_VIEW) ---------------------------------
#
# One template (core/error.html) for the pages, the contract's JSON (API.md) under /api/. The
# messages are translated when the page is rendered, in the request's language. A citizen on
# the public pages (/public/, no login) is sent back to the public knowledge search, not to "/"
# (which is the staff login).

PUBLIC_PREFIX = "/public/"
PUBLIC_HOME = "/public/knowledge/"


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def home_url_for(request: HttpRequest) -> str:
    """Where the error page's "返回首页" leads (and, through ``core/error.html``, the header's
    brand link): the public search for a citizen on /public/,
    the role home page ("/") for staff, wherever they are."""
    user = getattr(request, "user", None)  # not yet set when MalformedRequestMiddleware refuses
    staff = user is not None and user.is_authenticated
    return PUBLIC_HOME if request.path.startswith(PUBLIC_PREFIX) and not staff else "/"


def error_page(request: HttpRequest, *, status: int, message: str) -> HttpResponse:
    context = {"status": status, "message": message, "home_url": home_url_for(request)}
    return render(request, "core/error.html", context, status=status)


def error_json(code: str, message: str, *, status: int) -> JsonResponse:
    return JsonResponse(
        error_body(code, str(message)), status=status, json_dumps_params={"ensure_ascii": False}
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return error_json(CoreErrorCode.NOT_FOUND, _("对象不存在"), status=404)
    if request.path.startswith(PUBLIC_PREFIX):
        message = _("该条目已停用或不存在，请重新查询或拨打 12345")
    else:
        message = _("页面不存在")
    return error_page(request, status=404, message=message)


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("服务器内部错误，已记录")
    if is_api_path(request.path):
        return error_json(CoreErrorCode.INTERNAL_ERROR, message, status=500)
    return error_page(request, status=500, message=message)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return error_json(CoreErrorCode.FORBIDDEN, _("当前角色无权执行此操作"), status=403)
    return error_page(request, status=403, message=_("您无权访问此页面"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):  # a body over the limit: 413 (issue 19 F5)
        if is_api_path(request.path):
            return error_json(CoreErrorCode.PAYLOAD_TOO_LARGE, too_large_message(), status=413)
        return error_page(request, status=413, message=too_large_message())
    # API.md: malformed input is 422 with code invalid_input; a page keeps the 400
    if is_api_path(request.path):
        return error_json(CoreErrorCode.INVALID_INPUT, _("请求无法处理：格式不正确"), status=422)
    return error_page(request, status=400, message=_("请求无法处理：格式不正确"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an expired form (session ended, token rotated at login, page left
    open) is told what to do, not shown Django's page about DEBUG. The API checks CSRF for
    session callers itself (django-ninja, answering 403 in the contract's format); this JSON
    is for any other path under /api/ reaching Django's middleware."""
    message = _("页面已过期或会话已变更，请返回上一页刷新后重新提交")
    if is_api_path(request.path):
        return error_json(CoreErrorCode.FORBIDDEN, message, status=403)
    return error_page(request, status=403, message=message)
