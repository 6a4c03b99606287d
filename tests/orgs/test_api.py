"""Organisation reference data over HTTP (API.md): unknown codes are 404 / 422, with the message
in the caller's language (gettext) and the same code in every language."""

from __future__ import annotations

import pytest
from django.conf import settings

from hotline.orgs.error_codes import OrgsErrorCode

pytestmark = pytest.mark.django_db


def test_unknown_org_code_is_404_in_the_error_format(client):
    # given an organisation code that does not exist
    # when it is looked up
    response = client.get("/api/v1/orgs/nope")
    # then the answer is 404 with the error body of API.md
    assert response.status_code == 404
    error = response.json()["error"]
    assert set(error) >= {"code", "message"}
    assert error["code"] == OrgsErrorCode.UNKNOWN_ORG and "nope" in error["message"]


def test_unknown_parent_filter_is_422(client):
    # given a parent filter that names no organisation
    # when the list is asked for
    response = client.get("/api/v1/orgs", {"parent": "nope"})
    # then the answer is 422 unknown_org, not an empty list
    assert response.status_code == 422
    assert response.json()["error"]["code"] == OrgsErrorCode.UNKNOWN_ORG


def test_unknown_kind_filter_is_422(client):
    response = client.get("/api/v1/orgs", {"kind": "planet"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == OrgsErrorCode.UNKNOWN_KIND


def test_known_org_code_and_parent_filter_answer_the_tree(client):
    # given the demo tree
    # when a county body and its children are asked for
    county = client.get("/api/v1/orgs/411702").json()
    children = client.get("/api/v1/orgs", {"parent": "411702"}).json()
    # then the county sits under the center and its units under it
    assert county == {
        "code": "411702",
        "name": county["name"],
        "kind": "county",
        "parent": "city",
    }
    assert "驿城区" in county["name"]
    assert {"411702-01", "411702-02"} <= {o["code"] for o in children}
    assert {o["parent"] for o in children} == {"411702"}


# -- the refusals speak the caller's language; the codes stay the same -------------------------


REFUSALS = [
    ("/api/v1/orgs/nope", {}, 404, "unknown_org", "未知的组织代码：%(code)s", {"code": "nope"}),
    (
        "/api/v1/orgs",
        {"parent": "nope"},
        422,
        "unknown_org",
        "未知的组织代码：%(code)s",
        {"code": "nope"},
    ),
    (
        "/api/v1/orgs",
        {"kind": "planet"},
        422,
        "unknown_kind",
        "未知的组织类型：%(kind)s",
        {"kind": "planet"},
    ),
]


@pytest.mark.parametrize(("path", "query", "status", "code", "msgid", "params"), REFUSALS)
def test_an_unknown_org_or_kind_is_refused_in_the_callers_language(
    client, english, path, query, status, code, msgid, params
):
    english(msgid)
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(path, query)
        assert response.status_code == status
        assert response.json()["error"] == {"code": code, "message": prefix + msgid % params}
