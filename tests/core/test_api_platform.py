"""API skeleton: token auth, error contract, orgs, simulation clock (API.md)."""

import json

import pytest
from django.test import override_settings

from hotline.core.error_codes import CoreErrorCode
from hotline.core.models import ApiToken

pytestmark = pytest.mark.django_db


def post(client, path, body, **extra):
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def token_for(client, username="admin"):
    response = post(client, "/api/v1/auth/token", {"username": username, "password": "Demo#12345"})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_issued_for_right_credentials_and_stored_hashed(client, demo_orgs):
    response = post(client, "/api/v1/auth/token", {"username": "agent", "password": "Demo#12345"})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_at"].endswith("+08:00")
    stored = ApiToken.objects.get()
    assert body["token"] not in stored.digest and len(stored.digest) == 64


def test_wrong_credentials_are_401_in_the_error_format(client, demo_orgs):
    response = post(client, "/api/v1/auth/token", {"username": "agent", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == CoreErrorCode.INVALID_CREDENTIALS
    assert ApiToken.objects.count() == 0


def test_missing_fields_are_422(client, db):
    response = post(client, "/api/v1/auth/token", {"username": "agent"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == CoreErrorCode.INVALID_INPUT


def test_repeated_failures_are_throttled(client, demo_orgs):
    for _ in range(10):
        post(client, "/api/v1/auth/token", {"username": "agent", "password": "bad"})
    response = post(client, "/api/v1/auth/token", {"username": "agent", "password": "Demo#12345"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == CoreErrorCode.TOO_MANY_ATTEMPTS


def test_expired_token_is_rejected(client, demo_orgs):
    token = token_for(client, "admin")
    ApiToken.objects.update(expires_at="2000-01-01T00:00:00Z")
    with override_settings(SIMULATION=True):
        response = client.post(
            "/api/v1/simulation/run-timers", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == CoreErrorCode.NOT_AUTHENTICATED


def test_orgs_lists_the_tree_with_contract_fields(client, demo_orgs):
    response = client.get("/api/v1/orgs")
    assert response.status_code == 200
    orgs = {o["code"]: o for o in response.json()}
    assert orgs["city"] == {
        "code": "city",
        "name": "驻马店市12345政务服务便民热线中心",
        "kind": "center",
        "parent": "gov-office",
    }
    assert orgs["411702-01"]["parent"] == "411702"
    assert orgs["sub-12315"]["kind"] == "subcenter"


def test_unknown_org_code_is_404_and_unknown_parent_filter_422(client, demo_orgs):
    assert client.get("/api/v1/orgs/nowhere").status_code == 404
    response = client.get("/api/v1/orgs?parent=nowhere")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_org"


def test_simulation_endpoints_are_404_when_simulation_is_off(client, demo_orgs):
    token = token_for(client)
    assert client.get("/api/v1/simulation/clock").status_code == 404
    response = client.put(
        "/api/v1/simulation/clock",
        data=json.dumps({"now": "2026-10-01T09:00:00+08:00"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 404


@override_settings(SIMULATION=True)
def test_simulation_clock_set_by_admin_is_the_business_now(client, demo_orgs):
    from hotline.core import clock

    token = token_for(client)
    response = client.put(
        "/api/v1/simulation/clock",
        data=json.dumps({"now": "2026-10-01T09:00:00+08:00"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response.json()["now"] == "2026-10-01T09:00:00+08:00"
    assert client.get("/api/v1/simulation/clock").json()["now"] == "2026-10-01T09:00:00+08:00"
    assert clock.now().isoformat() == "2026-10-01T01:00:00+00:00"
    run = client.post("/api/v1/simulation/run-timers", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert run.status_code == 200
    assert run.json()["now"] == "2026-10-01T09:00:00+08:00"


@override_settings(SIMULATION=True)
def test_only_an_administrator_moves_the_clock(client, demo_orgs):
    token = token_for(client, "agent")
    response = client.put(
        "/api/v1/simulation/clock",
        data=json.dumps({"now": "2026-10-01T09:00:00+08:00"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == CoreErrorCode.FORBIDDEN
    assert (
        client.post(
            "/api/v1/simulation/run-timers", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 403
    )


def test_openapi_document_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/calendar/deadline" in response.json()["paths"]


@override_settings(SIMULATION=True)
@pytest.mark.parametrize("when", ["9999-01-01T09:00:00+08:00", "1899-12-31T09:00:00+08:00"])
def test_simulation_clock_outside_the_calendar_years_is_422_and_unchanged(client, demo_orgs, when):
    from hotline.core import clock

    before = clock.now()
    token = token_for(client)
    response = client.put(
        "/api/v1/simulation/clock",
        data=json.dumps({"now": when}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == CoreErrorCode.INVALID_INPUT
    assert "年" in response.json()["error"]["message"]
    assert abs((clock.now() - before).total_seconds()) < 60


def test_unparseable_body_is_422_with_a_chinese_message(client, db):
    response = client.post("/api/v1/auth/token", data=b"{not json", content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == CoreErrorCode.BAD_REQUEST  # the platform's code for an unparsable body
    assert "JSON" in error["message"] and "Cannot" not in error["message"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/tickets/ZMD%00", "/api/v1/tickets?q=a%00b", "/tickets/ZMD%0012/", "/login/?next=%00"],
)
def test_nul_in_path_or_query_is_refused_before_any_view(client, demo_orgs, path):
    from hotline.orgs.models import User

    client.force_login(User.objects.get(username="dispatcher"))
    response = client.get(path)
    assert response.status_code in (400, 422)
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == CoreErrorCode.INVALID_INPUT


def test_nul_in_a_form_field_is_400_and_changes_nothing(client, demo_orgs):
    from hotline.tickets.models import Ticket

    before = Ticket.objects.count()
    response = client.post("/login/", {"username": "agent\x00", "password": "x"})
    assert response.status_code == 400
    assert Ticket.objects.count() == before
