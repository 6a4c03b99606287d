"""The staff login forms (the page and the admin site), behind the same throttle as the API
token (hotline.core.auth): too many failures from one address are refused before the password
is checked, and every failure is logged."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from hotline.core.auth import (
    TooManyAttempts,
    login_check,
    login_failed,
    login_locked_until,
    login_succeeded,
)
from hotline.core.clock import real_now

if TYPE_CHECKING:
    # what the mixin is mixed into (its cleaned_data, request and clean), for the type checker
    _LoginForm = AuthenticationForm
else:
    _LoginForm = object


class ThrottledLoginMixin(_LoginForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        client = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        try:
            login_check(username=username, client=client)
        except TooManyAttempts as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(username=username, client=client)
            raise
        login_succeeded(username=username, client=client)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    """The staff login page: a refusal by the throttle is HTTP 429 (issue 19 F7), with the
    page and its message, and a ``Retry-After`` when the account's lock ends."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, TooManyAttempts.code):
            response.status_code = 429
            until = login_locked_until(form.data.get("username", ""))
            if until is not None:
                response["Retry-After"] = str(max(1, math.ceil(until - real_now().timestamp())))
        return response
