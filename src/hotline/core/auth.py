"""Bearer tokens for the API (stored hashed, with expiry) and the login throttle."""

from __future__ import annotations

import hashlib
import logging
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

LOGIN_FAILURES_ALLOWED = 10  # per client address and user name, in the window
LOGIN_FAILURES_PER_CLIENT = 50  # per client address, any user names (password spraying)
LOGIN_FAILURE_WINDOW_SECONDS = 300

logger = logging.getLogger("hotline.auth")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    default_message = _("登录失败次数过多，请稍后再试")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _throttle_keys(username: str, client: str) -> list[tuple[str, int]]:
    # hashed: a username may hold any character, a cache key may not (memcached, warnings)
    return [
        (f"login-fail:{_digest(f'{client}:{username}')}", LOGIN_FAILURES_ALLOWED),
        (f"login-fail-client:{_digest(client)}", LOGIN_FAILURES_PER_CLIENT),
    ]


def login_check(*, username: str, client: str) -> None:
    """Refuse (429) before checking the password when this address has failed too often, for
    this user name or for any. The same throttle guards the login page, the admin login and
    the API token."""
    for key, limit in _throttle_keys(username, client):
        if (cache.get(key) or 0) >= limit:
            raise TooManyAttempts()


def login_failed(*, username: str, client: str) -> None:
    for key, _limit in _throttle_keys(username, client):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOGIN_FAILURE_WINDOW_SECONDS)
    logger.warning("login failed: user name %r from %s", username[:150], client or "?")


def login_succeeded(*, username: str, client: str) -> None:
    cache.delete(_throttle_keys(username, client)[0][0])


def token_issue(*, username: str, password: str, client: str = "") -> tuple[str, ApiToken]:
    """Check credentials and issue a token; raise NotAuthenticated (401) when wrong."""
    login_check(username=username, client=client)
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        login_failed(username=username, client=client)
        raise NotAuthenticated(gettext("用户名或密码错误"), code="invalid_credentials")
    login_succeeded(username=username, client=client)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        digest=_digest(key),
        user=user,
        expires_at=real_now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return key, token


def token_revoke(*, key: str) -> bool:
    """Revoke one token (the caller's own: ``DELETE /api/v1/auth/token``)."""
    return ApiToken.objects.filter(digest=_digest(key)).delete()[0] > 0


def tokens_revoke_for(user: User) -> int:
    """Revoke every token of a user (their password changed, or an administrator asked)."""
    return ApiToken.objects.filter(user=user).delete()[0]


def tokens_prune(*, now=None) -> int:
    """Delete expired tokens (a timer); an expired token is refused anyway."""
    return ApiToken.objects.filter(expires_at__lte=now or real_now()).delete()[0]


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
