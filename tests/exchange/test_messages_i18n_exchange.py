"""The exchange's refusals go through gettext like every other (ARCHITECTURE.md: Chinese
first, English second): the partner API's signature and rule errors, and Open311's error
descriptions and notices. The codes — the contract's and Open311's HTTP codes — never change
with the language. ``signing`` itself stays free of Django: it only marks its messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from hotline.exchange import signing
from hotline.exchange.services import Replayed

from .conftest import LIGHTS, SECRET, SUB_SECRET, open311_params, partner_ticket
from .conftest import OPEN311_BASE as BASE

pytestmark = pytest.mark.django_db


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(msgid: str, params: dict | None, prefix: str = "") -> str:
    return prefix + (msgid % params if params else msgid)


# -- the partner API ----------------------------------------------------------------------------


SIGNATURE_REFUSALS = [
    (
        lambda h: h.update(HTTP_X_HOTLINE_SIGNATURE="sha256=" + "0" * 64),
        "bad_signature",
        "签名校验失败",
        None,
    ),
    (
        lambda h: h.update(HTTP_X_HOTLINE_PARTNER="nobody"),
        "unknown_partner",
        "未知的交换平台",
        None,
    ),
    (
        lambda h: h.pop("HTTP_X_HOTLINE_SIGNATURE"),
        "missing_signature",
        "缺少签名请求头：%(headers)s",
        {"headers": "X-Hotline-Signature"},
    ),
    (
        lambda h: h.update(HTTP_X_HOTLINE_MESSAGE_ID="x" * 101),
        "invalid_signature_headers",
        "请求头过长",
        None,
    ),
    (
        lambda h: h.update(HTTP_X_HOTLINE_TIMESTAMP="yesterday"),
        "invalid_signature_headers",
        "%(header)s 须为 Unix 时间（秒）",
        {"header": "X-Hotline-Timestamp"},
    ),
    (
        lambda h: h.update(HTTP_X_HOTLINE_TIMESTAMP=str(int(time.time()) - 301)),
        "stale_timestamp",
        "%(header)s 超出允许的时间窗口（±%(window)s 秒），请重新签名",
        {"header": "X-Hotline-Timestamp", "window": 300},
    ),
]


@pytest.mark.parametrize(
    ("tamper", "code", "msgid", "params"),
    SIGNATURE_REFUSALS,
    ids=[r[2] for r in SIGNATURE_REFUSALS],
)
def test_a_refused_signature_is_explained_in_the_callers_language(
    province, as_partner, english, tamper, code, msgid, params
):
    english(msgid)
    partner = as_partner("province", SECRET)
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        speaking(partner.client, language)
        response = partner.post("/tickets", partner_ticket("HN-1"), tamper=tamper)
        assert response.status_code == 401
        assert response.json()["error"] == {"code": code, "message": text(msgid, params, prefix)}


def test_the_signature_check_alone_says_it_in_chinese_without_django():
    # the reference receiver runs without Django: the marked message is the Chinese text
    with pytest.raises(signing.SignatureError) as caught:
        signing.read_headers({"X-Hotline-Partner": "p"}, require_message_id=True)
    error = caught.value
    assert error.code == "missing_signature"
    assert (
        error.message
        == str(error)
        == ("缺少签名请求头：X-Hotline-Timestamp, X-Hotline-Signature, X-Hotline-Message-Id")
    )
    assert error.template % error.params == error.message
    source = Path(signing.__file__).read_text(encoding="utf-8")
    assert "import django" not in source and "from django" not in source


def test_a_replayed_message_is_explained_in_the_callers_language(province, as_partner, english):
    msgid = "该消息编号已处理过（重放）；如需重试请使用新的消息编号"
    english(msgid)
    partner = as_partner("province", SECRET)
    assert partner.post("/tickets", partner_ticket("HN-4"), message_id="m-1").status_code == 201
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        speaking(partner.client, language)
        response = partner.post("/tickets", partner_ticket("HN-4"), message_id="m-1")
        assert response.status_code == 409
        assert response.json()["error"] == {"code": "replayed_message", "message": prefix + msgid}
    with translation.override("en"):
        assert Replayed().message == f"[en] {msgid}"


def test_a_blank_partner_id_is_named_by_its_label(province, as_partner, english):
    msgid = "%(field)s不能为空"
    english(msgid, "对方工单编号")
    partner = as_partner("province", SECRET)
    for language, expected in (
        ("zh-hans", "对方工单编号不能为空"),
        ("en", "[en] [en] 对方工单编号不能为空"),
    ):
        speaking(partner.client, language)
        response = partner.post("/tickets", partner_ticket("   "))
        assert response.status_code == 422
        assert response.json()["error"] == {"code": "missing_field", "message": expected}
        assert "external_id" not in expected


def test_a_result_for_a_ticket_not_dispatched_to_the_sub_center(subcenter, as_partner, english):
    msgid = "该工单当前没有派给本分中心的待办派单"
    english(msgid)
    client = as_partner("sub-12315", SUB_SECRET)
    assert client.post("/tickets", partner_ticket("12315-1")).status_code == 201
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        speaking(client.client, language)
        response = client.post("/tickets/12315-1/result", {"content": "已查处"})
        assert response.status_code == 409
        error = response.json()["error"]
        assert error == {"code": "not_assigned_to_partner", "message": prefix + msgid}


# -- Open311 ------------------------------------------------------------------------------------


OPEN311_REFUSALS = [
    ("post", "requests.json", open311_params(api_key="wrong"), 403, "api_key 缺失或无效", None),
    (
        "post",
        "requests.json",
        open311_params(service_code="no.such.service"),
        404,
        "service_code %(value)s 不存在",
        {"value": "no.such.service"},
    ),
    ("post", "requests.json", open311_params(description=None), 400, "缺少 description", None),
    (
        "post",
        "requests.json",
        open311_params(lat="north", long="114"),
        400,
        "%(name)s 必须是数字",
        {"name": "lat"},
    ),
    (
        "get",
        "requests.json",
        {"start_date": "2026-09-01"},
        400,
        "%(name)s 必须是带时区的 W3C 日期时间",
        {"name": "start_date"},
    ),
    (
        "get",
        "requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-09-01T00:00:00+08:00"},
        400,
        "start_date 与 end_date 相隔不能超过 %(days)s 天",
        {"days": 90},
    ),
    (
        "get",
        "requests/ZMD2099010100001.json",
        {},
        404,
        "service_request_id %(value)s 不存在",
        {"value": "ZMD2099010100001"},
    ),
    ("get", "nowhere.json", {}, 404, "没有这个 Open311 资源", None),
]


@pytest.mark.parametrize(
    ("method", "path", "params", "status", "msgid", "values"),
    OPEN311_REFUSALS,
    ids=[f"{r[0]}-{r[3]}-{r[4][:12]}" for r in OPEN311_REFUSALS],
)
def test_an_open311_error_keeps_its_code_and_speaks_the_requests_language(
    open311, english, method, path, params, status, msgid, values
):
    english(msgid)
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        response = getattr(speaking(open311, language), method)(f"{BASE}/{path}", params)
        assert response.status_code == status
        assert response.json() == [{"code": status, "description": text(msgid, values, prefix)}]


def test_open311_texts_for_people_follow_the_language(open311, english):
    notice = "已受理，工单编号 %(number)s；热线中心将在办理后回访。"
    english(notice, "诉求类型 (appeal type)", "驻马店市12345政务服务便民热线中心（电话 12345）")
    created = speaking(open311, "en").post(f"{BASE}/requests.json", open311_params()).json()[0]
    number = created["service_request_id"]
    assert created["service_notice"] == "[en] " + notice % {"number": number}
    definition = open311.get(f"{BASE}/services/{LIGHTS}.json").json()
    assert definition["attributes"][0]["description"] == "[en] 诉求类型 (appeal type)"
    discovery = open311.get(f"{BASE}/discovery.json").json()
    assert discovery["contact"] == "[en] 驻马店市12345政务服务便民热线中心（电话 12345）"
    chinese = speaking(open311, "zh-hans").get(f"{BASE}/discovery.json").json()
    assert chinese["contact"] == "驻马店市12345政务服务便民热线中心（电话 12345）"


def test_an_open311_client_without_a_cookie_is_answered_in_its_accept_language(open311, english):
    # given a client program that sends no language cookie, only Accept-Language
    msgid = "没有这个 Open311 资源"
    english(msgid)
    asked = {
        "en-US,en;q=0.9": "[en] " + msgid,
        "zh-CN,zh;q=0.9": msgid,
        "": msgid,  # nothing asked: Chinese, like the rest of the platform
    }
    for header, expected in asked.items():
        extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
        response = open311.get(f"{BASE}/nowhere.json", **extra)
        # then its errors come in that language
        assert response.json() == [{"code": 404, "description": expected}]
    english("service_request_id %(value)s 不存在")
    unknown = open311.get(
        f"{BASE}/requests/ZMD2099010100001.json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    assert unknown.json()[0]["description"].startswith("[en] service_request_id")
