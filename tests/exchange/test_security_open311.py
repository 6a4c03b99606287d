"""Issue 19, findings 2, 3 and 6 on the public Open311 interface: every phone-like sequence is
masked in the listing whatever its separators or numerals; impossible dates are a 400 in the
GeoReport error format; a form body that is not UTF-8 is refused and stores nothing."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.exchange.models import Open311Request
from hotline.exchange.open311 import public_text
from hotline.tickets.models import Ticket

from .conftest import OPEN311_BASE as BASE
from .conftest import open311_params

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = str.maketrans("0123456789", "〇一二三四五六七八九")
SEPARATORS = ["", " ", "-", ".", "/", "_", "－", "　", " - ", "．", "／"]


def _formats(digits: str, sep: str) -> list[str]:
    """One number written the ways citizens write it."""
    groups = [digits[:3], digits[3:7], digits[7:]]
    plain = sep.join(groups)
    return [
        plain,
        plain.translate(FULL_WIDTH),
        plain.translate(CHINESE),
        f"({groups[0]}){groups[1]}{groups[2]}",
        f"（{groups[0]}）{sep}{groups[1]}{sep}{groups[2]}",
        f"+86 {plain}",
        f"+86{sep}{plain}",
        f"＋86{plain}",
    ]


def _digits_of(text: str) -> str:
    table = {ord(c): str(i) for i, c in enumerate("〇一二三四五六七八九")}
    table.update({ord(c): str(i) for i, c in enumerate("０１２３４５６７８９")})
    return re.sub(r"\D", "", text.translate(table))


def _assert_hidden(phone: str, masked: str) -> None:
    """At most 5 of the 11 digits remain readable (first 3, last 2), the 6 others are "*"."""
    readable = _digits_of(masked)
    assert len(readable) <= 5 + 2, (phone, masked)  # + the "86" of a prefix
    assert masked.count("*") >= 6, (phone, masked)


PHONES = ["13912345670", "13912345671", "13912345676", "13912345673", "13912345672"]


@pytest.mark.parametrize("sep", SEPARATORS)
@pytest.mark.parametrize("phone", PHONES)
def test_finding2_every_phone_format_is_masked(phone, sep):
    for written in _formats(phone, sep):
        for text in (written, f"我的电话是{written}，请回电", f"电话:{written}。"):
            _assert_hidden(phone, public_text(text))


@pytest.mark.parametrize(
    "written",
    ["139.1234.5670", "139/1234/5671", "139_1234_5676", "一三九一二三四五六七三", "(139)12345672"],
)
def test_finding2_the_probes_formats(written):
    masked = public_text(f"联系{written}")
    assert written not in masked
    assert "1234" not in _digits_of(masked) and masked.count("*") == 6


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    seps=st.lists(st.sampled_from(SEPARATORS), min_size=2, max_size=2),
    form=st.sampled_from(["ascii", "full", "chinese", "mixed"]),
    before=st.sampled_from(["", "电话", "手机：", "tel ", "（"]),
    after=st.sampled_from(["", "。", "，谢谢", "）", " 李先生"]),
)
def test_finding2_generated_phone_corpus(phone, seps, form, before, after):
    written = f"{phone[:3]}{seps[0]}{phone[3:7]}{seps[1]}{phone[7:]}"
    if form == "full":
        written = written.translate(FULL_WIDTH)
    elif form == "chinese":
        written = written.translate(CHINESE)
    elif form == "mixed":
        written = written[:6] + written[6:].translate(CHINESE)
    _assert_hidden(phone, public_text(f"{before}{written}{after}"))


# Ordinary text keeps what it showed before the fix (the masking of house numbers aside).
ORDINARY = {
    "12月3号下午停水": "12月***下午停水",
    "2026-03-10停电，2026.03.12恢复": "2026-03-10停电，2026.03.12恢复",
    "2026/03/15复查": "2026/03/15复查",
    "共花费12345.50元，补贴300元": "共花费12345.50元，补贴300元",
    "共1,234,567元": "共1,234,567元",
    "上午10:30到11:30之间": "上午10:30到11:30之间",
    "第一二三次反映": "第一二三次反映",
    "一三五七九路公交": "一三五七九路公交",
    "今年第3次，已等待15天": "今年第3次，已等待15天",
    "3月10日、11日、12日": "3月10日、11日、12日",
    "PM2.5 超标": "PM2.5 超标",
}


@pytest.mark.parametrize("text", sorted(ORDINARY))
def test_finding2_ordinary_text_is_not_destroyed(text):
    assert public_text(text) == ORDINARY[text]


@pytest.mark.django_db
def test_finding2_the_public_listing_masks_the_probes_formats(open311):
    description = (
        "电话139.1234.5670或139/1234/5671或139_1234_5676或一三九一二三四五六七三或(139)12345672"
    )
    response = open311.post(f"{BASE}/requests.json", open311_params(description=description))
    assert response.status_code == 200, response.content
    for fmt in ("json", "xml"):
        text = open311.get(f"{BASE}/requests.{fmt}").content.decode()
        for secret in ("1234.5670", "1234/5671", "1234_5676", "一二三四五六", "12345672"):
            assert secret not in text, (secret, text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "9999-12-31T23:59:59-12:00"},
        {"end_date": "0001-01-01T00:00:00+14:00"},
        {"start_date": "0001-01-01T00:00:00+14:00", "end_date": "0001-01-02T00:00:00+14:00"},
        {"start_date": "9999-12-30T00:00:00+00:00"},
        {"start_date": "2026-02-30T00:00:00+08:00"},
    ],
)
def test_finding3_impossible_dates_are_a_georeport_400(open311, params):
    for fmt in ("json", "xml"):
        response = open311.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 400, response.content
        if fmt == "json":
            [err] = response.json()
            assert err["code"] == 400 and err["description"]
        else:
            assert b"<errors>" in response.content


@pytest.mark.django_db
def test_finding6_a_form_body_that_is_not_utf8_is_refused_and_stores_nothing(open311):
    before = (Ticket.objects.count(), Open311Request.objects.count())
    body = (
        "api_key=demo-open311-key&service_code=public-services.municipal.street-lights"
        "&address_string=%E9%A9%BF%E5%9F%8E%E5%8C%BA&description=%FF%FE%E8%B7%AF%E7%81%AF"
    )
    response = open311.post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400, response.content
    assert response.json()[0]["code"] == 400
    raw = b"api_key=demo-open311-key&description=\xff\xfe&service_code=x"
    response = open311.generic(
        "POST", f"{BASE}/requests.json", raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400, response.content
    assert (Ticket.objects.count(), Open311Request.objects.count()) == before
