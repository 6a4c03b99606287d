"""Domain errors with stable codes (API.md). One handler maps them to HTTP."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.core.error_codes import CoreErrorCode


class DomainError(Exception):
    """A rule refused the action. ``code`` is part of the public contract."""

    status = 409
    code: str = CoreErrorCode.CONFLICT
    default_message = _("操作与当前状态或规则冲突")

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None) -> None:
        # Kept as given: a lazy message (gettext_lazy, the class default) is translated when it
        # is read, in the language active then (the request's); a message formatted at raise
        # time (``gettext(...) % {...}``) already is. ``message`` is always a plain str, so the
        # API's JSON body and the forms get text, never a proxy.
        self._message = message or self.default_message
        if code:
            self.code = code
        super().__init__(str(self._message))

    @property
    def message(self) -> str:
        return str(self._message)

    @message.setter
    def message(self, value: str | Promise) -> None:
        self._message = value

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    status = 422
    code: str = CoreErrorCode.INVALID_INPUT
    default_message = _("输入内容不正确")


class NotFound(DomainError):
    status = 404
    code: str = CoreErrorCode.NOT_FOUND
    default_message = _("对象不存在")


class PermissionDenied(DomainError):
    status = 403
    code: str = CoreErrorCode.FORBIDDEN
    default_message = _("当前角色无权执行此操作")


class NotAuthenticated(DomainError):
    status = 401
    code: str = CoreErrorCode.NOT_AUTHENTICATED
    default_message = _("请先登录")


class InvalidTransition(DomainError):
    status = 409
    code: str = CoreErrorCode.INVALID_TRANSITION
    default_message = _("当前状态不允许此操作")
