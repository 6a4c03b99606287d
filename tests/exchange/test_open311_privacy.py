"""The public Open311 GET (security finding F5, Art 25): what a citizen wrote about
themselves in the description or the address — phone and ID numbers, house and room
numbers — is masked in JSON and XML; the ticket keeps the full text for the staff."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from hotline.exchange.open311 import public_text
from hotline.tickets.models import Ticket

from .conftest import OPEN311_BASE as BASE
from .conftest import open311_params

pytestmark = pytest.mark.django_db

DESCRIPTION = "我叫李四，电话13912345678，身份证410102199001011234，住幸福小区3号楼2单元501"
SECRETS = ("13912345678", "410102199001011234", "3号楼2单元501", "2单元")


def test_listing_masks_phone_id_and_house_numbers_in_json_and_xml(open311):
    response = open311.post(
        f"{BASE}/requests.json",
        open311_params(description=DESCRIPTION, address_string="驿城区幸福小区3号楼2单元501室"),
    )
    assert response.status_code == 200, response.content
    number = response.json()[0]["service_request_id"]

    answers = [
        open311.get(f"{BASE}/requests.json").content.decode(),
        open311.get(f"{BASE}/requests.xml").content.decode(),
        open311.get(f"{BASE}/requests/{number}.json").content.decode(),
        open311.get(f"{BASE}/requests/{number}.xml").content.decode(),
    ]
    for text in answers:
        assert number in text
        for secret in SECRETS:
            assert secret not in text, (secret, text)
    [one] = open311.get(f"{BASE}/requests/{number}.json").json()
    assert one["description"].startswith("我叫李四，电话139******78，身份证410*")
    assert one["address"] == "驿城区幸福小区***"
    root = ET.fromstring(answers[3].encode())  # noqa: S314 — our own server's answer
    assert root.find("request/description").text == one["description"]

    # the staff keep the whole text
    ticket = Ticket.objects.get(number=number)
    assert ticket.content == DESCRIPTION
    assert ticket.address == "驿城区幸福小区3号楼2单元501室"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13912345678", "电话139******78"),
        ("身份证41010219900101123X", "身份证410*************3X"),
        ("15位身份证410102900101123", "15位身份证410**********23"),
        ("座机0396-2345678", "座机039*-*****78"),
        ("手机 139 1234 5678", "手机 139 **** **78"),
        ("人民路12号", "人民路***"),
        ("A座1203室门口", "***门口"),
        ("5-2-301室", "***室"),
        ("我住三楼", "我住***"),
        # what is not personal stays readable
        ("2026年11月27日下午3点路灯不亮", "2026年11月27日下午3点路灯不亮"),
        ("2026-11-27 发现", "2026-11-27 发现"),
        ("雪松路与开源大道交叉口", "雪松路与开源大道交叉口"),
        ("(32.97, 114.01)", "(32.97, 114.01)"),
    ],
)
def test_the_masking_rule(text, masked):
    assert public_text(text) == masked
