"""The organisation API's refusals go through gettext: Chinese by default, English when the
caller chose it; the codes stay the same."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


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
