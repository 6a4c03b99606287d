"""The supervision API's refusals go through gettext (Chinese first, English when chosen);
the reasons stored on a case are records, written once in Chinese, and are not translated."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from hotline.supervision import services
from hotline.supervision.models import SupervisionCase

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REASON = "工单已退回重办 3 次（超过 2 次）"


@pytest.fixture
def case(demo_orgs) -> SupervisionCase:
    return services.case_propose(
        instrument=SupervisionCase.Instrument.NOTICE,
        article="Art 29",
        org=demo_orgs["411702"],
        tickets=[],
        reason=REASON,
        dedupe_key="test-case",
        now=NOW,
    )


def supervisor(language: str) -> Client:
    from hotline.orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def post(language: str, path: str, body: dict | None = None):
    return supervisor(language).post(path, body or {}, "application/json")


def refusal(response) -> dict:
    return response.json()["error"] | {"status": response.status_code}


def test_an_unknown_case_is_a_404_in_the_callers_language(case, english):
    english("督办事项不存在")
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        response = post(language, f"/api/v1/supervision/cases/{case.pk + 999}/confirm")
        assert refusal(response) == {
            "status": 404,
            "code": "not_found",
            "message": f"{prefix}督办事项不存在",
        }


def test_a_dismissal_without_a_reason_is_refused_in_the_callers_language(case, english):
    english("驳回须说明理由")
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        response = post(language, f"/api/v1/supervision/cases/{case.pk}/dismiss", {"reason": " "})
        assert refusal(response) == {
            "status": 422,
            "code": "missing_field",
            "message": f"{prefix}驳回须说明理由",
        }


def test_a_case_decided_already_is_refused_and_its_reason_stays_chinese(case, english):
    english("该督办事项已处理", REASON)
    path = f"/api/v1/supervision/cases/{case.pk}/confirm"
    assert post("zh-hans", path).status_code == 200
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        response = post(language, path)
        assert refusal(response) == {
            "status": 409,
            "code": "already_decided",
            "message": f"{prefix}该督办事项已处理",
        }
    # the case's reason is the record the timer wrote, the same in every language
    listed = supervisor("en").get("/api/v1/supervision/cases").json()["items"]
    assert [c["reason"] for c in listed] == [REASON]
