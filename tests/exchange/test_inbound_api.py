"""Art 21: tickets assigned by the province and national platforms, or mirrored by
sub-centers, arrive through one signed interface, idempotent on the partner's id; bad input
is a 4xx in the contract's error format and never creates anything (twice). The refusals go
through gettext (Chinese first, English when chosen) and their codes never change with the
language; ``signing`` itself stays free of Django: it only marks its messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from hotline.exchange import signing
from hotline.exchange.error_codes import ExchangeErrorCode
from hotline.exchange.models import InboundMessage, InboundTicket
from hotline.exchange.services import Replayed
from hotline.tickets.models import Ticket

from .conftest import NATIONAL_SECRET, SECRET, SUB_SECRET, partner_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def prov(province, as_partner):
    return as_partner("province", SECRET)


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) >= {"code", "message"}
    return body["error"]["code"]


def test_the_province_assigns_a_ticket_to_the_city(prov):
    response = prov.post("/tickets", partner_ticket("HN-2026-000001"))
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    # through ticket_intake: channel provincial, the partner's system account, the archive
    assert ticket.channel == "provincial" and ticket.external_id == "HN-2026-000001"
    assert ticket.received_by.username == "partner.province"
    assert ticket.events.get().type == "intake" and ticket.outbox.count() == 1
    assert body["external_id"] == "HN-2026-000001" and body["status"] == "new"
    assert body["working_days"] == 7  # a complaint: the base time (Art 15(2))


def test_the_same_partner_id_again_answers_with_the_first_ticket(prov):
    first = prov.post("/tickets", partner_ticket("HN-1"))
    again = prov.post("/tickets", partner_ticket("HN-1", content="同一工单的重复推送"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1 and InboundTicket.objects.count() == 1


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda h: h.update(HTTP_X_HOTLINE_SIGNATURE="sha256=" + "0" * 64), "bad_signature"),
        (lambda h: h.update(HTTP_X_HOTLINE_PARTNER="nobody"), "unknown_partner"),
        (lambda h: h.pop("HTTP_X_HOTLINE_SIGNATURE"), "missing_signature"),
        (lambda h: h.pop("HTTP_X_HOTLINE_MESSAGE_ID"), "missing_signature"),
        (lambda h: h.update(HTTP_X_HOTLINE_TIMESTAMP="yesterday"), "invalid_signature_headers"),
        (lambda h: h.update(HTTP_X_HOTLINE_MESSAGE_ID="other-id"), "bad_signature"),
    ],
)
def test_a_request_that_is_not_the_partners_is_refused(prov, tamper, code):
    response = prov.post("/tickets", partner_ticket("HN-2"), tamper=tamper)
    assert response.status_code == 401 and error_code(response) == code
    assert not Ticket.objects.exists() and not InboundMessage.objects.exists()


def test_a_stale_or_future_timestamp_is_refused(prov):
    for skew in (-301, 301):
        response = prov.post("/tickets", partner_ticket("HN-3"), now=time.time() + skew)
        assert response.status_code == 401 and error_code(response) == "stale_timestamp"
    assert not Ticket.objects.exists()


def test_a_replayed_message_id_is_refused(prov):
    assert prov.post("/tickets", partner_ticket("HN-4"), message_id="m-1").status_code == 201
    # the same signed message again (or a new ticket under an old id)
    for body in (partner_ticket("HN-4"), partner_ticket("HN-5")):
        response = prov.post("/tickets", body, message_id="m-1")
        assert response.status_code == 409 and error_code(response) == "replayed_message"
    assert Ticket.objects.count() == 1


def test_a_wrong_secret_for_a_known_partner_is_refused(province, as_partner):
    response = as_partner("province", "guessed").post("/tickets", partner_ticket("HN-6"))
    assert response.status_code == 401 and error_code(response) == "bad_signature"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "bad_request"),  # the platform's code for unparsable JSON
        (b"[]", "invalid_input"),
        (None, "invalid_input"),  # a required field missing
    ],
)
def test_a_malformed_body_is_a_422_and_uses_no_message_id(prov, raw, code):
    body = partner_ticket("HN-7")
    del body["content"]
    response = prov.post("/tickets", body, raw=raw, message_id="m-7")
    assert response.status_code == 422 and error_code(response) == code
    assert not Ticket.objects.exists()
    # the id was not used up: the corrected message goes through
    assert prov.post("/tickets", partner_ticket("HN-7"), message_id="m-7").status_code == 201


def test_rule_errors_of_the_intake_come_back_with_their_codes(prov):
    response = prov.post(
        "/tickets", partner_ticket("HN-8", location={"county": "x", "address": "a"})
    )
    assert response.status_code == 422 and error_code(response) == "unknown_county"
    response = prov.post(
        "/tickets",
        partner_ticket(
            "HN-8", citizen={"name": "李四", "phone": "no phone", "confidential": False}
        ),
    )
    assert response.status_code == 422 and error_code(response) == "invalid_phone"
    assert not Ticket.objects.exists() and not InboundMessage.objects.exists()


def test_a_partner_sees_the_status_of_its_own_tickets_only(prov, national, as_partner, changes):
    number = prov.post("/tickets", partner_ticket("HN-9")).json()["number"]
    ticket = changes.sign_and_reply(changes.dispatch(Ticket.objects.get(number=number)))
    response = prov.get("/tickets/HN-9")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "awaiting_callback" and body["assignments"][0]["org"] == "411702"
    assert body["assignments"][0]["reply"] == "已修复" and body["last_seq"] == ticket.outbox_seq
    other = as_partner("gov-cn", NATIONAL_SECRET).get("/tickets/HN-9")
    assert other.status_code == 404 and error_code(other) == "not_found"
    unsigned = prov.client.get("/api/v1/exchange/tickets/HN-9")
    assert unsigned.status_code == 401


def test_national_tickets_keep_the_national_time_limit(national, as_partner):
    from hotline.tickets.models import SourceDeadline

    SourceDeadline.objects.create(channel="national", appeal_type="", working_days=5)
    client = as_partner("gov-cn", NATIONAL_SECRET)
    body = client.post("/tickets", partner_ticket("GOV-1", working_days=5)).json()
    assert body["channel"] == "national"
    assert body["working_days"] == 5 and body["partner_working_days"] == 5


def test_two_partners_of_one_channel_may_use_the_same_id(national, as_partner, demo_orgs):
    from hotline.exchange import services

    services.partner_save(code="gov-app", name="国务院客户端", kind="national", secret="s2")
    a = as_partner("gov-cn", NATIONAL_SECRET).post("/tickets", partner_ticket("42"))
    b = as_partner("gov-app", "s2").post("/tickets", partner_ticket("42"))
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["number"] != b.json()["number"]


def test_a_sub_center_mirrors_a_ticket_and_reports_its_result(subcenter, as_partner, changes):
    client = as_partner("sub-12315", SUB_SECRET)
    created = client.post("/tickets", partner_ticket("12315-77", appeal_type="report"))
    assert created.status_code == 201 and created.json()["channel"] == "subcenter"
    # not yet dispatched to the sub-center: nothing to report on
    early = client.post("/tickets/12315-77/result", {"content": "已查处"})
    assert early.status_code == 409 and error_code(early) == "not_assigned_to_partner"
    ticket = Ticket.objects.get(number=created.json()["number"])
    changes.dispatch(ticket, lead="sub-12315")
    done = client.post("/tickets/12315-77/result", {"content": "已查处并回复诉求人"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "awaiting_callback"
    assert [e.type for e in ticket.events.all()][-3:] == ["signed", "replied", "awaiting_callback"]


def test_only_administrators_see_the_exchange_metrics(province, api_token, changes):
    changes.intake()
    response = api_token("admin").get("/api/v1/exchange/metrics")
    assert response.status_code == 200, response.content
    stream = response.json()["streams"][0]
    assert stream["partner"] == "province" and stream["pending"] == 1
    assert stream["current_lag_seconds"] > 0
    denied = api_token("agent").get("/api/v1/exchange/metrics")
    assert denied.status_code == 403


def test_the_signature_helpers_agree_with_the_documented_recipe():
    import hashlib
    import hmac

    body = b'{"a":1}'
    expected = hmac.new(b"k", b"1700000000.m-1." + body, hashlib.sha256).hexdigest()
    assert signing.signature("k", timestamp="1700000000", message_id="m-1", body=body) == (
        "sha256=" + expected
    )


# -- the partner API's refusals speak the caller's language (the codes never change) -----------


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(msgid: str, params: dict | None, prefix: str = "") -> str:
    return prefix + (msgid % params if params else msgid)


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
    assert error.code == ExchangeErrorCode.MISSING_SIGNATURE
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
