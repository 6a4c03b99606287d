"""The HTTP API root: one NinjaAPI, the error contract, and the platform endpoints
(auth, simulation clock). Each bounded context adds its router in ``hotline.config.api``."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from pydantic import Field

from hotline.core import clock
from hotline.core.auth import api_auth, bearer, token_issue, token_revoke
from hotline.core.error_codes import CoreErrorCode
from hotline.core.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from hotline.core.timers import run_due_timers

logger = logging.getLogger(__name__)


# django-ninja's message when its CSRF check refuses a session caller (security/apikey.py)
CSRF_FAILED = "CSRF check Failed"


def error_body(code: str, message: str) -> dict:
    """The contract's error (API.md); ``message`` is text in the request's language (a lazy
    translation is resolved here, so the JSON always holds a string)."""
    return {"error": {"code": code, "message": str(message)}}


def has_nul(value: Any) -> bool:
    """Whether any string in a (nested) JSON-like value contains a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


class PlatformParser(Parser):
    """JSON bodies. Text with a NUL character is malformed input (422) on every database:
    PostgreSQL cannot store it (a 500 otherwise), SQLite silently would. Paths, query strings
    and forms are refused earlier, by ``MalformedRequestMiddleware``."""

    def parse_body(self, request: HttpRequest) -> dict:
        data = super().parse_body(request)
        if has_nul(data):
            raise ValueError("NUL character in the request body")  # ninja: HttpError 400
        return data


def too_large_message() -> str:
    """What a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is told (API and pages, issue 19 F5)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return _("请求内容过大：不能超过 %(size)s KB") % {"size": limit // 1024}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Django refuses to read a body over the limit; it is the client's input, not a 500
        return api.create_response(
            request, error_body(CoreErrorCode.PAYLOAD_TOO_LARGE, too_large_message()), status=413
        )

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request,
            error_body(CoreErrorCode.INVALID_INPUT, _("请求无法处理：格式不正确")),
            status=422,
        )

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, error_body(exc.code, exc.message), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = []
        for err in exc.errors[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            details.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
        body = error_body(
            "invalid_input", _("输入内容不正确：%(details)s") % {"details": "; ".join(details)}
        )
        body["error"]["fields"] = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors[:20]
        ]
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(CoreErrorCode.NOT_AUTHENTICATED, _("请先登录或提供有效的令牌")),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, error_body(CoreErrorCode.NOT_FOUND, _("对象不存在")), status=404
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: CoreErrorCode.BAD_REQUEST,
            401: CoreErrorCode.NOT_AUTHENTICATED,
            403: CoreErrorCode.FORBIDDEN,
            404: CoreErrorCode.NOT_FOUND,
            405: CoreErrorCode.METHOD_NOT_ALLOWED,
            409: CoreErrorCode.CONFLICT,
            413: CoreErrorCode.TOO_LARGE,
            422: CoreErrorCode.INVALID_INPUT,
            429: CoreErrorCode.TOO_MANY_REQUESTS,
        }.get(exc.status_code, CoreErrorCode.ERROR)
        status = exc.status_code if exc.status_code != 400 else 422
        message = str(exc)
        if message.startswith("Cannot parse request body"):
            message = _("请求正文无法解析：需要 UTF-8 编码的 JSON 对象，且不能含空字符")
        elif message == CSRF_FAILED:
            # django-ninja's own check for session callers (django_auth); the code stays
            message = _("页面已过期或会话已变更，请刷新页面后重试")
        return api.create_response(request, error_body(code, message), status=status)

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def value_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A value the database cannot hold (an id beyond 64 bits, NUL in a path parameter):
        # malformed input, not a server failure. Logged, in case a service built it itself.
        logger.warning("value refused on %s: %s: %s", request.path, type(exc).__name__, exc)
        return api.create_response(
            request,
            error_body(CoreErrorCode.INVALID_INPUT, _("输入的值超出允许范围或含有不允许的字符")),
            status=422,
        )

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled API error on %s", request.path)
        return api.create_response(
            request,
            error_body(CoreErrorCode.INTERNAL_ERROR, _("服务器内部错误，已记录，请稍后重试")),
            status=500,
        )


def require_role(request: HttpRequest, *roles: str) -> None:
    user = request.user
    if not user.is_authenticated:  # the API's auth answers 401 before an operation runs
        raise NotAuthenticated()
    if user.is_superuser:
        return
    if not user.has_role(*roles):
        raise PermissionDenied()


# -- auth -------------------------------------------------------------------------------------

auth_router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


@auth_router.post(
    "/token", response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut}, auth=None
)
def create_token(request: HttpRequest, payload: TokenIn) -> dict:
    """Exchange a username and password for a bearer token."""
    client = request.META.get("REMOTE_ADDR", "")
    key, token = token_issue(username=payload.username, password=payload.password, client=client)
    return {"token": key, "expires_at": token.expires_at}


@auth_router.delete("/token", response={204: None, 401: ErrorOut}, auth=bearer)
def revoke_token(request: HttpRequest):
    """Revoke the bearer token this request carries (sign out of the API); other tokens of the
    same user stay valid until they expire."""
    _scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    token_revoke(key=key.strip())
    return Status(204, None)


# -- simulation clock ---------------------------------------------------------------------------

simulation_router = Router(tags=["simulation"])


# Working-day arithmetic needs a calendar year table; beyond these years no office calendar
# exists and deadlines would be computed from weekends alone.
SIMULATION_YEARS = (2000, 2099)


def _require_simulation() -> None:
    if not settings.SIMULATION:
        raise NotFound()


class ClockOut(Schema):
    now: datetime


class ClockIn(Schema):
    now: datetime


class TimerSummaryOut(Schema):
    now: datetime
    timers: dict[str, int]


@simulation_router.get("/clock", response={200: ClockOut, 404: ErrorOut}, auth=None)
def get_clock(request: HttpRequest) -> dict:
    """The business now (only with HOTLINE_SIMULATION=1)."""
    _require_simulation()
    return {"now": clock.now()}


@simulation_router.put(
    "/clock",
    response={200: ClockOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=api_auth,
)
def put_clock(request: HttpRequest, payload: ClockIn) -> dict:
    """Set the business now for every process (administrators only)."""
    _require_simulation()
    require_role(request, *settings.HOTLINE_SIMULATION_ROLES)
    if payload.now.tzinfo is None:
        raise InvalidInput(_("时间必须带时区偏移，例如 2026-10-14T09:00:00+08:00"))
    first, last = SIMULATION_YEARS
    if not first <= payload.now.year <= last:
        raise InvalidInput(
            _("模拟时间须在 %(first)s 年至 %(last)s 年之间（工作日历的范围）")
            % {"first": first, "last": last}
        )
    return {"now": clock.set_simulated_now(payload.now)}


@simulation_router.post(
    "/run-timers",
    response={200: TimerSummaryOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def run_timers(request: HttpRequest) -> dict:
    """Run every due timer at the simulated now, synchronously (administrators only)."""
    _require_simulation()
    require_role(request, *settings.HOTLINE_SIMULATION_ROLES)
    now = clock.now()
    return {"now": now, "timers": run_due_timers(now=now, trigger="api")}
