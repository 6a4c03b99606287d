"""Bearer tokens for the API (stored hashed, with expiry) and the login throttle."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, django_auth

from hotline.core.clock import real_now
from hotline.core.errors import DomainError, NotAuthenticated
from hotline.core.models import ApiToken
from hotline.orgs.models import User

LOGIN_FAILURES_ALLOWED = 10
LOGIN_FAILURE_WINDOW_SECONDS = 300


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    default_message = _("登录失败次数过多，请稍后再试")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, username: str, password: str, client: str = "") -> tuple[str, ApiToken]:
    """Check credentials and issue a token; raise NotAuthenticated (401) when wrong."""
    # hashed: a username may hold any character, a cache key may not (memcached, warnings)
    throttle_key = f"login-fail:{_digest(f'{client}:{username}')}"
    if (cache.get(throttle_key) or 0) >= LOGIN_FAILURES_ALLOWED:
        raise TooManyAttempts()
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        try:
            cache.incr(throttle_key)
        except ValueError:
            cache.set(throttle_key, 1, LOGIN_FAILURE_WINDOW_SECONDS)
        raise NotAuthenticated(gettext("用户名或密码错误"), code="invalid_credentials")
    cache.delete(throttle_key)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        digest=_digest(key),
        user=user,
        expires_at=real_now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return key, token


def token_user(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=_digest(key), expires_at__gt=real_now(), user__is_active=True)
        .first()
    )
    return token.user if token else None


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


bearer = BearerAuth()
# Pages call the API with their session (django_auth enforces CSRF for unsafe methods).
api_auth = [bearer, django_auth]
