"""Issue 19, finding 7: the login throttle locks an account (not an address) with a growing
delay, bounds an address much higher (an office NAT must not lock everyone), answers 429 on
the page too, keeps its counters in a store every process shares, and an administrator can
unlock an account; every lock and unlock is logged."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from hotline.core import auth
from hotline.core.policy import DEFINITIONS, policy_set

pytestmark = pytest.mark.django_db
PASSWORD = "Demo#12345"
ALLOWED = DEFINITIONS["art25_login_account_failures"].default


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(username: str, times: int, addresses=("10.0.0.1",)) -> None:
    for n in range(times):
        sign_in(Client(REMOTE_ADDR=addresses[n % len(addresses)]), username, "wrong")


def test_finding7_an_office_nat_does_not_lock_its_colleagues(demo_orgs):
    # 60 failures from one address across user names (more than the old bound of 50)
    for n in range(60):
        sign_in(Client(), f"typo{n % 5}", "wrong")
    client = Client()
    sign_in(client, "agent", PASSWORD)
    assert signed_in(client)


def test_finding7_the_account_is_locked_from_every_address_and_says_429(demo_orgs, caplog):
    with caplog.at_level(logging.WARNING, logger="hotline.auth"):
        _fail("callback", ALLOWED, addresses=("10.0.0.1", "10.0.0.2", "10.0.0.3"))
    assert any("login locked" in r.getMessage() for r in caplog.records)
    client = Client(REMOTE_ADDR="10.9.9.9")
    page = sign_in(client, "callback", PASSWORD)
    assert page.status_code == 429
    assert "登录失败次数过多" in page.content.decode() and int(page["Retry-After"]) > 0
    assert not signed_in(client)
    with pytest.raises(auth.TooManyAttempts):
        auth.token_issue(username="callback", password=PASSWORD, client="10.9.9.9")
    # another account from the same addresses is not affected
    other = Client(REMOTE_ADDR="10.0.0.1")
    sign_in(other, "agent", PASSWORD)
    assert signed_in(other)


def test_finding7_the_lock_grows_with_every_further_failure(demo_orgs, monkeypatch):
    _fail("callback", ALLOWED)
    first = auth.login_locked_until("callback")
    assert first is not None
    now = auth._now()
    base = DEFINITIONS["art25_login_lock_seconds"].default
    assert first - now == pytest.approx(base, abs=5)
    # after the lock ends, the next failure locks twice as long
    monkeypatch.setattr(auth, "_now", lambda: first + 1)
    auth.login_failed(username="callback", client="10.0.0.1")
    second = auth.login_locked_until("callback")
    assert second - (first + 1) == pytest.approx(2 * base, abs=1)


def test_finding7_the_address_bound_still_stops_spraying(demo_orgs):
    policy_set(key="art25_login_address_failures", value=20)
    for n in range(20):
        sign_in(Client(REMOTE_ADDR="10.5.5.5"), f"spray{n}", "Summer2026!")
    client = Client(REMOTE_ADDR="10.5.5.5")
    assert sign_in(client, "agent", PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.5.5.6")
    sign_in(elsewhere, "agent", PASSWORD)
    assert signed_in(elsewhere)


def test_finding7_an_administrator_unlocks_with_the_command(demo_orgs, caplog):
    _fail("callback", ALLOWED)
    assert auth.login_locked_until("callback") is not None
    out = StringIO()
    with caplog.at_level(logging.WARNING, logger="hotline.auth"):
        call_command("unlock", "callback", stdout=out)
    assert "unlocked" in out.getvalue()
    assert any("login unlocked" in r.getMessage() for r in caplog.records)
    client = Client(REMOTE_ADDR="10.0.0.1")
    sign_in(client, "callback", PASSWORD)
    assert signed_in(client)


def test_finding7_the_counters_live_in_a_shared_store_when_several_processes_serve():
    throttle = settings.CACHES["throttle"]["BACKEND"]
    engine = settings.DATABASES["default"]["ENGINE"]
    if settings.REDIS_URL:
        assert throttle.endswith("RedisCache")
    elif engine != "django.db.backends.sqlite3":
        assert throttle.endswith("DatabaseCache")
        from django.core.cache import caches

        caches["throttle"].set("probe", 1)  # the table exists (post_migrate createcachetable)
        assert caches["throttle"].get("probe") == 1
    else:
        assert throttle.endswith("LocMemCache")
