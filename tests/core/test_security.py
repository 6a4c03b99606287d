"""Sign-in and session security: the login throttle on every way in (page, admin, API token),
revocable API tokens, and the Content-Security-Policy on every answer."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client

from hotline.core.auth import token_issue, tokens_prune
from hotline.core.clock import real_now
from hotline.core.models import ApiToken
from hotline.core.policy import DEFINITIONS, policy_set

pytestmark = pytest.mark.django_db
PASSWORD = "Demo#12345"
# policy values since issue 19 F7 (per account; per address, lowered in the test below)
LOGIN_FAILURES_ALLOWED = DEFINITIONS["art25_login_account_failures"].default
LOGIN_FAILURES_PER_CLIENT = 50


def sign_in(client: Client, username: str, password: str, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_refuses_after_too_many_failures_even_the_right_password(demo_orgs, caplog):
    client = Client()
    # given too many wrong passwords for one user from one address
    with caplog.at_level(logging.WARNING, logger="hotline.auth"):
        for _ in range(LOGIN_FAILURES_ALLOWED):
            assert sign_in(client, "callback", "wrong").status_code == 200
    # then every failure was logged with the user name, never the password
    failures = [r for r in caplog.records if "login failed" in r.getMessage()]
    assert len(failures) == LOGIN_FAILURES_ALLOWED
    assert "callback" in failures[0].getMessage() and "wrong" not in failures[0].getMessage()
    # when the right password comes next
    page = sign_in(client, "callback", PASSWORD)
    # then it is refused with the throttle's message, before the password is checked
    assert not signed_in(client)
    assert "登录失败次数过多" in page.content.decode()
    # and another user from the same address is not locked out
    sign_in(client, "agent", PASSWORD)
    assert signed_in(client)


def test_one_address_trying_many_user_names_is_stopped(demo_orgs, settings):
    policy_set(key="art25_login_address_failures", value=LOGIN_FAILURES_PER_CLIENT)
    client = Client()
    # given one address spraying a password across many user names
    for n in range(LOGIN_FAILURES_PER_CLIENT):
        sign_in(client, f"nobody{n}", "Summer2026!")
    # then even a real user's right password from there is refused for a while
    sign_in(client, "agent", PASSWORD)
    assert not signed_in(client)
    # while another address is not affected
    other = Client(REMOTE_ADDR="10.1.2.3")
    sign_in(other, "agent", PASSWORD)
    assert signed_in(other)


def test_the_admin_login_shares_the_throttle(demo_orgs):
    client = Client()
    for _ in range(LOGIN_FAILURES_ALLOWED):
        sign_in(client, "admin", "wrong", path="/admin/login/")
    page = sign_in(client, "admin", PASSWORD, path="/admin/login/")
    assert not signed_in(client)
    assert "登录失败次数过多" in page.content.decode()
    # and the API token of that user from that address too (one counter for every way in)
    with pytest.raises(Exception, match="登录失败次数过多"):
        token_issue(username="admin", password=PASSWORD, client="127.0.0.1")


def test_an_api_token_can_be_revoked_by_its_holder(demo_orgs):
    key, _token = token_issue(username="agent", password=PASSWORD)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/tickets").status_code == 200
    # when the holder signs out of the API
    assert client.delete("/api/v1/auth/token").status_code == 204
    # then the token no longer works
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["error"]["code"]


def test_a_new_password_ends_the_tokens_issued_with_the_old_one(demo_orgs):
    from hotline.orgs.models import User
    from hotline.orgs.services import user_set_password

    key, _token = token_issue(username="dispatcher", password=PASSWORD)
    other, _ = token_issue(username="agent", password=PASSWORD)
    user = User.objects.get(username="dispatcher")
    user.display_name = "改名不改密码"
    user.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/tickets").status_code == 200
    user_set_password(user=user, password="Another#Passw0rd", actor=None, now=real_now())
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/tickets").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other}").get("/api/v1/tickets").status_code == 200


def test_expired_tokens_are_pruned(demo_orgs):
    _key, token = token_issue(username="agent", password=PASSWORD)
    _key2, live = token_issue(username="agent", password=PASSWORD)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=real_now() - timedelta(minutes=1))
    assert tokens_prune() == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [live.pk]


@pytest.mark.parametrize("path", ["/login/", "/public/knowledge/", "/api/v1/orgs"])
def test_every_answer_carries_a_same_origin_content_security_policy(db, path):
    policy = Client().get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy  # no third-party origin is allowed anywhere


def test_an_administrator_sees_and_revokes_tokens_in_the_admin(demo_orgs):
    key, token = token_issue(username="agent", password=PASSWORD)
    admin = Client()
    admin.post("/login/", {"username": "admin", "password": PASSWORD})
    listing = admin.get("/admin/core/apitoken/")
    assert listing.status_code == 200 and str(token.user) in listing.content.decode()
    assert token.digest not in listing.content.decode()  # only digests are stored, never shown
    response = admin.post(f"/admin/core/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/tickets").status_code == 401
