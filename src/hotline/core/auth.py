"""Bearer tokens for the API (stored hashed, with expiry) and the login throttle."""

from __future__ import annotations

import copy
import hashlib
import logging
import secrets
import threading
import time
from datetime import timedelta
from typing import Any, TypeAlias

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Aggregate, CharField, OuterRef, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth

from hotline.core.clock import real_now
from hotline.core.error_codes import CoreErrorCode
from hotline.core.errors import DomainError, NotAuthenticated
from hotline.core.models import ApiToken
from hotline.core.policy import policy

# core is the bottom layer: the user model (``orgs.User``) is named only as Django's
# AUTH_USER_MODEL, never imported.
User: TypeAlias = AbstractBaseUser

THROTTLE_CACHE = "throttle"  # settings.CACHES: shared by every process that serves

logger = logging.getLogger("hotline.auth")


class TooManyAttempts(DomainError):
    status = 429
    code = CoreErrorCode.TOO_MANY_ATTEMPTS
    default_message = _("登录失败次数过多，请稍后再试")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _store():
    return caches[THROTTLE_CACHE]


def _account_key(username: str) -> str:
    # hashed: a username may hold any character, a cache key may not (memcached, warnings);
    # case-folded, as the user name is looked up
    return f"login-account:{_digest(username.strip().casefold())}"


def _address_key(client: str) -> str:
    return f"login-address:{_digest(client)}"


def _now() -> float:
    return real_now().timestamp()  # real time: a simulated clock never unlocks an account


def login_check(*, username: str, client: str) -> None:
    """Refuse (429) before checking the password while the account is locked (Art 25; issue
    19 F7), or when this address failed more often than ``art25_login_address_failures`` in
    the window (password spraying; high enough for an office behind one NAT address). The
    same throttle guards the login page, the admin login and the API token."""
    store = _store()
    state = store.get(_account_key(username)) or {}
    if state.get("locked_until", 0) > _now():
        raise TooManyAttempts()
    if (store.get(_address_key(client)) or 0) >= policy("art25_login_address_failures"):
        raise TooManyAttempts()


def login_failed(*, username: str, client: str) -> None:
    """Count a failure: the account is locked after ``art25_login_account_failures`` in a
    row, for ``art25_login_lock_seconds``, doubled on every further failure (progressive
    delay, capped); the address counts within the window. Every lock is logged."""
    store, now = _store(), _now()
    window = policy("art25_login_window_seconds")
    key = _account_key(username)
    state = store.get(key) or {"failures": 0, "locked_until": 0}
    state["failures"] += 1
    allowed = policy("art25_login_account_failures")
    lock = 0
    if state["failures"] >= allowed:
        lock = min(
            policy("art25_login_lock_seconds") * 2 ** min(state["failures"] - allowed, 30),
            policy("art25_login_lock_max_seconds"),
        )
        state["locked_until"] = now + lock
    # kept while locked, and a window after, so the next failure doubles the lock
    store.set(key, state, int(max(window, lock + window)))
    address = _address_key(client)
    try:
        store.incr(address)
    except ValueError:
        store.set(address, 1, window)
    logger.warning("login failed: user name %r from %s", username[:150], client or "?")
    if lock:
        logger.warning(
            "login locked: user name %r for %s s after %s failures (last from %s)",
            username[:150],
            lock,
            state["failures"],
            client or "?",
        )


def login_succeeded(*, username: str, client: str) -> None:
    _store().delete(_account_key(username))


def login_locked_until(username: str) -> float | None:
    """The end of the account's lock (a POSIX time), or None when it is not locked."""
    until = (_store().get(_account_key(username)) or {}).get("locked_until", 0)
    return until if until > _now() else None


def login_unlock(*, username: str, by: str) -> bool:
    """An administrator ends an account's lock and its failure count (admin action, or
    ``hotline unlock USER``); logged. True when there was something to clear."""
    key = _account_key(username)
    had = _store().get(key) is not None
    _store().delete(key)
    logger.warning("login unlocked: user name %r by %s", username[:150], by)
    return had


def token_issue(*, username: str, password: str, client: str = "") -> tuple[str, ApiToken]:
    """Check credentials and issue a token; raise NotAuthenticated (401) when wrong."""
    login_check(username=username, client=client)
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        login_failed(username=username, client=client)
        raise NotAuthenticated(gettext("用户名或密码错误"), code=CoreErrorCode.INVALID_CREDENTIALS)
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
    _tokens.drop(_digest(key))
    return ApiToken.objects.filter(digest=_digest(key)).delete()[0] > 0


def tokens_revoke_for(user: User) -> int:
    """Revoke every token of a user (their password changed: ``orgs.services.user_set_password``,
    or an administrator asked)."""
    _tokens.drop_user(user.pk)
    return ApiToken.objects.filter(user_id=user.pk).delete()[0]


def tokens_prune(*, now=None) -> int:
    """Delete expired tokens (a timer); an expired token is refused anyway."""
    return ApiToken.objects.filter(expires_at__lte=now or real_now()).delete()[0]


class _Codes(Aggregate):
    """The role codes of one user, comma-separated (GROUP_CONCAT / STRING_AGG)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
        )


def _role_codes_subquery() -> Subquery | None:
    """The user's role codes, read in the token's own query (issue 14: one query to
    authenticate, no second one for the roles). Only for a user model with a ``roles`` many-
    to-many whose targets have a ``code`` (orgs.User, named through AUTH_USER_MODEL)."""
    try:
        through = get_user_model()._meta.get_field("roles").remote_field.through
    except FieldDoesNotExist:
        return None
    if through is None:  # not a many-to-many
        return None
    return Subquery(
        through._default_manager.filter(user_id=OuterRef("user_id"))
        .values("user_id")
        .annotate(codes=_Codes("role__code"))
        .values("codes")[:1]
    )


def _token_user_read(digest: str) -> tuple[User, Any] | None:
    """The token's active user (with organisation and role codes) and its expiry, from the
    database: one read, no write (no last-used stamp)."""
    query = ApiToken.objects.select_related("user", "user__organisation").filter(
        digest=digest, expires_at__gt=real_now(), user__is_active=True
    )
    codes = _role_codes_subquery()
    if codes is None:
        token = query.first()
        return (token.user, token.expires_at) if token is not None else None
    annotated = query.annotate(role_codes=codes).first()
    if annotated is None:
        return None
    # the cache orgs.User.role_codes() fills on first use
    annotated.user._role_codes = frozenset(filter(None, (annotated.role_codes or "").split(",")))
    return annotated.user, annotated.expires_at


class _TokenCache:
    """The users of recently used tokens, per process (issue 14: an API request authenticates
    without a query). An entry is trusted for ``API_TOKEN_CACHE_SECONDS`` (default: the
    ``HOTLINE_CACHE_CHECK_SECONDS`` of the other per-process caches) and never past the
    token's expiry; then the token is read again. Revoking a token, ending a user's tokens,
    and saving or deleting a user, their roles or organisations drop the entries in this
    process at once; another process notices within those seconds. Each request gets its own
    copy of the user and organisation (a request may set attributes on them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[User, Any, float]] = {}
        self._connected = False

    @staticmethod
    def ttl() -> float:
        return float(
            getattr(settings, "API_TOKEN_CACHE_SECONDS", settings.HOTLINE_CACHE_CHECK_SECONDS)
        )

    def get(self, digest: str) -> User | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        user, expires_at, loaded = entry
        if time.monotonic() - loaded >= self.ttl() or real_now() >= expires_at:
            self.drop(digest)
            return None
        fresh: Any = copy.copy(user)  # AUTH_USER_MODEL: an organisation only if it has one
        organisation = getattr(user, "organisation", None)
        if organisation is not None:
            fresh.organisation = copy.copy(organisation)
        return fresh

    def put(self, digest: str, user: User, expires_at: Any) -> None:
        self._connect()
        stored: Any = copy.copy(user)  # AUTH_USER_MODEL: an organisation only if it has one
        organisation = getattr(user, "organisation", None)
        if organisation is not None:
            stored.organisation = copy.copy(organisation)
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: forget the oldest half
                for old in list(self._entries)[:5_000]:
                    self._entries.pop(old, None)
            self._entries[digest] = (stored, expires_at, time.monotonic())

    def drop(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def drop_user(self, user_id: Any) -> None:
        with self._lock:
            for digest in [d for d, (u, _e, _t) in self._entries.items() if u.pk == user_id]:
                del self._entries[digest]

    def clear(self, **_kwargs: Any) -> None:
        with self._lock:
            self._entries.clear()

    def _user_changed(self, instance: Any = None, **_kwargs: Any) -> None:
        if instance is not None:
            self.drop_user(instance.pk)

    def _connect(self) -> None:
        """Drop entries when what they hold is edited (connected on first use)."""
        if self._connected:
            return
        from django.db.models.signals import m2m_changed, post_delete, post_save

        user_model = get_user_model()
        for signal in (post_save, post_delete):
            signal.connect(self._user_changed, sender=user_model, dispatch_uid="token-cache-u")
        try:
            roles = user_model._meta.get_field("roles").remote_field.through
            m2m_changed.connect(self._user_changed, sender=roles, dispatch_uid="token-cache-r")
        except FieldDoesNotExist:
            pass
        try:
            org_model = user_model._meta.get_field("organisation").related_model
            for signal in (post_save, post_delete):
                signal.connect(self.clear, sender=org_model, dispatch_uid="token-cache-o")
        except FieldDoesNotExist:
            pass
        self._connected = True


_tokens = _TokenCache()


def token_user(key: str) -> User | None:
    """The active user of an unexpired token: read once, then from the per-process token
    cache (``_TokenCache``) for a few seconds; no write (no last-used stamp). An API request
    costs no query to authenticate once its token was seen."""
    digest = _digest(key)
    user = _tokens.get(digest)
    if user is not None:
        return user
    found = _token_user_read(digest)
    if found is None:
        return None
    user, expires_at = found
    _tokens.put(digest, user, expires_at)
    return user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]  # AUTH_USER_MODEL, not imported here
        return user


class PageSessionAuth(SessionAuth):
    """Pages call the API with their session (CSRF is enforced for unsafe methods). A request
    that carries an ``Authorization`` header is a token client: it is judged by its token
    alone, so a bad, expired or revoked token is 401 ``not_authenticated`` whatever the method,
    never the CSRF page a client could not recover from (API.md, Authentication)."""

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        return super().__call__(request)


bearer = BearerAuth()
api_auth = [bearer, PageSessionAuth()]
