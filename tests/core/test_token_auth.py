"""API.md, Authentication: a request that carries ``Authorization`` is judged by its token
alone. A bad, expired or revoked bearer token is 401 ``not_authenticated`` on every method —
never the CSRF page, which a client cannot recover from by signing in again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from hotline.core.auth import token_issue
from hotline.core.clock import real_now
from hotline.core.error_codes import CoreErrorCode
from hotline.core.models import ApiToken

pytestmark = pytest.mark.django_db
PASSWORD = "Demo#12345"


def _client(key: str) -> Client:
    # a real client sends no CSRF token; the test client must check it as a browser would
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")


def _assert_401(response) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == CoreErrorCode.NOT_AUTHENTICATED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tickets"),
        ("post", "/api/v1/tickets"),
        ("put", "/api/v1/simulation/clock"),
        ("patch", "/api/v1/knowledge/entries/1"),
        ("delete", "/api/v1/auth/token"),
    ],
)
def test_an_invalid_token_is_401_on_every_method(demo_orgs, method, path):
    call = getattr(_client("not-a-token"), method)
    kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    _assert_401(call(path, **kwargs))


def test_an_expired_token_is_401_on_a_write(demo_orgs):
    key, token = token_issue(username="agent", password=PASSWORD)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=real_now() - timedelta(seconds=1))
    _assert_401(_client(key).post("/api/v1/tickets", data="{}", content_type="application/json"))


def test_a_revoked_token_is_401_on_a_write_and_the_client_can_sign_in_again(demo_orgs):
    key, _token = token_issue(username="agent", password=PASSWORD)
    assert _client(key).delete("/api/v1/auth/token").status_code == 204
    _assert_401(_client(key).post("/api/v1/tickets", data="{}", content_type="application/json"))
    # then signing in again gives a working token (no CSRF cookie dance needed)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/auth/token",
        data={"username": "agent", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert _client(response.json()["token"]).get("/api/v1/tickets").status_code == 200


def test_a_bad_token_with_a_valid_session_is_still_401(demo_orgs):
    # a browser session does not rescue a request that chose token authentication
    client = _client("stale")
    client.login(username="agent", password=PASSWORD)
    _assert_401(client.post("/api/v1/tickets", data="{}", content_type="application/json"))


def test_a_session_write_without_csrf_is_still_refused(demo_orgs):
    client = Client(enforce_csrf_checks=True)
    client.login(username="agent", password=PASSWORD)
    response = client.post("/api/v1/tickets", data="{}", content_type="application/json")
    assert response.status_code == 403
