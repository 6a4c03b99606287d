"""Issue 19, finding 5: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 — in the contract's
error format on the API, the platform's error page elsewhere — never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.core.error_codes import CoreErrorCode

pytestmark = pytest.mark.django_db

BIG = 3 * 1024 * 1024


def _token() -> str:
    from hotline.core.auth import token_issue

    return token_issue(username="agent", password="Demo#12345")[0]


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/knowledge/usage"])
def test_finding5_a_3mb_api_body_is_413_in_the_error_format(demo_orgs, path):
    body = json.dumps({"content": "长" * BIG})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {_token()}")
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == CoreErrorCode.PAYLOAD_TOO_LARGE and error["message"]


def test_finding5_a_3mb_session_api_body_is_413(demo_orgs):
    client = Client()
    client.login(username="agent", password="Demo#12345")
    response = client.post(
        "/api/v1/tickets", json.dumps({"content": "x" * BIG}), content_type="application/json"
    )
    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"]["code"] == CoreErrorCode.PAYLOAD_TOO_LARGE


@pytest.mark.parametrize("path", ["/login/", "/portal/", "/knowledge/suggest/"])
def test_finding5_a_3mb_form_on_a_page_is_the_413_error_page(demo_orgs, path):
    client = Client()
    response = client.post(path, {"content": "x" * BIG})
    assert response.status_code == 413, response.content[:300]
    assert "text/html" in response["Content-Type"]
    assert "413" in response.content.decode()
