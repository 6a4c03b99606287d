"""The staff login forms (the page and the admin site), behind the same throttle as the API
token (hotline.core.auth): too many failures from one address are refused before the password
is checked, and every failure is logged."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hotline.core.auth import TooManyAttempts, login_check, login_failed, login_succeeded


class ThrottledLoginMixin:
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
