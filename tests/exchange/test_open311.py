"""Open311 GeoReport v2 (API.md): discovery, services from the category tree, service
definitions, POST requests with an API key creating tickets, GET requests with the spec's
filters, both formats, the spec's error format in the request's language (cookie or
Accept-Language; the HTTP codes never change); never citizen data in a GET.

The request format is checked in-process here; ``test_open311_client.py`` drives a live
server with the ``georeport`` client from PyPI."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.test import Client

from hotline.exchange.models import Open311Request
from hotline.tickets.models import Ticket

from .conftest import LIGHTS, open311_params
from .conftest import OPEN311_BASE as BASE
from .conftest import OPEN311_KEY as KEY

pytestmark = pytest.mark.django_db

ROADS = "public-services.municipal.roads"


def xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 — our own server's answer, in a test


def post(client, **params):
    form = open311_params(first_name="三", last_name="张", **params)
    return client.post(f"{BASE}/requests.json", form)


def test_discovery_names_the_endpoint_and_formats(open311):
    body = open311.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "text/xml" in endpoint["formats"]
    root = xml(open311.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None


def test_services_are_the_leaves_of_the_category_tree(open311):
    from hotline.tickets.models import Category

    services = open311.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert LIGHTS in codes
    parents = set(Category.objects.filter(children__isnull=False).values_list("code", flat=True))
    assert not codes & parents
    lights = next(s for s in services if s["service_code"] == LIGHTS)
    assert set(lights) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert lights["metadata"] is True and lights["type"] == "realtime"
    response = open311.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = xml(response.content)
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    assert root.find("service/metadata").text == "true"


def test_a_service_definition_lists_its_attributes(open311):
    body = open311.get(f"{BASE}/services/{LIGHTS}.json").json()
    assert body["service_code"] == LIGHTS
    attributes = {a["code"]: a for a in body["attributes"]}
    assert attributes["appeal_type"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attributes["county"]["values"]} >= {"411702", "411729"}
    root = xml(open311.get(f"{BASE}/services/{LIGHTS}.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = open311.get(f"{BASE}/services/no-such.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_post_creates_a_ticket_and_answers_with_its_number(open311):
    response = post(open311, **{"attribute[appeal_type]": "complaint", "lat": "32.98"})
    assert response.status_code == 200, response.content
    [created] = response.json()
    ticket = Ticket.objects.get(number=created["service_request_id"])
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert ticket.channel == "web" and ticket.appeal_type == "complaint"
    assert ticket.category.code == LIGHTS and ticket.county.code == "411702"
    assert ticket.citizen_name == "张三" and ticket.received_by.username == "open311.demo"
    assert ticket.outbox.get().type == "intake"  # pushed to the province like any ticket


def test_get_requests_hides_the_citizen_and_follows_the_ticket_to_closed(open311, changes):
    number = post(open311).json()[0]["service_request_id"]
    one = open311.get(f"{BASE}/requests/{number}.json").json()
    assert len(one) == 1 and one[0]["status"] == "open"
    text = open311.get(f"{BASE}/requests/{number}.json").content.decode()
    assert "13800138000" not in text and "张三" not in text
    assert {"service_request_id", "status", "requested_datetime", "address", "lat", "long"} <= set(
        one[0]
    )
    # when the ticket is handled and closed
    changes.close(changes.sign_and_reply(changes.dispatch(Ticket.objects.get(number=number))))
    closed = open311.get(f"{BASE}/requests/{number}.json").json()[0]
    assert closed["status"] == "closed" and closed["agency_responsible"]
    root = xml(open311.get(f"{BASE}/requests/{number}.xml").content)
    assert root.tag == "service_requests" and root.find("request/status").text == "closed"


def test_get_requests_filters_as_the_spec_says(open311, changes):
    from hotline.core import clock

    first = post(open311).json()[0]["service_request_id"]
    second = post(open311, service_code=ROADS, description="路面塌陷").json()[0][
        "service_request_id"
    ]
    changes.close(changes.sign_and_reply(changes.dispatch(Ticket.objects.get(number=first))))

    def ids(**params):
        rows = open311.get(f"{BASE}/requests.json", params).json()
        return {r["service_request_id"] for r in rows}

    assert ids() == {first, second}
    assert ids(service_code=ROADS) == {second}
    assert ids(status="closed") == {first} and ids(status="open") == {second}
    assert ids(service_request_id=f"{first},{second}", status="open") == {first, second}
    now = clock.now()
    assert ids(start_date=(now.replace(year=now.year + 1)).isoformat()) == set()
    too_long = open311.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
    )
    assert too_long.status_code == 400 and too_long.json()[0]["code"] == 400
    # a ticket typed in by an agent is not public through Open311
    other = changes.intake()
    assert open311.get(f"{BASE}/requests/{other.number}.json").status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"api_key": None}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "no-such"}, 404),
        ({"description": None}, 400),
        ({"phone": None}, 400),
        ({"phone": "call me"}, 400),
        ({"address_string": None}, 400),
        ({"lat": "north"}, 400),
        ({"attribute[appeal_type]": "praise"}, 400),
        ({"attribute[county]": "999999"}, 400),
        ({"jurisdiction_id": "elsewhere.gov"}, 404),
    ],
)
def test_bad_posts_get_the_spec_error_format_and_create_nothing(open311, params, status):
    response = post(open311, **params)
    assert response.status_code == status, response.content
    [problem] = response.json()
    assert set(problem) == {"code", "description"} and problem["code"] == status
    assert not Ticket.objects.exists() and not Open311Request.objects.exists()


def test_errors_in_xml(open311):
    response = open311.post(f"{BASE}/requests.xml", {"api_key": "wrong"})
    root = xml(response.content)
    assert response.status_code == 403 and root.tag == "errors"
    assert root.find("error/code").text == "403" and root.find("error/description").text


@pytest.mark.parametrize(
    ("params", "county"),
    [
        ({"attribute[county]": "411729"}, "411729"),  # explicit
        ({"address_string": "西平县人民路与西平大道交叉口"}, "411721"),  # named in the address
        ({"address_string": None, "lat": "32.76", "long": "114.97"}, "411729"),  # 新蔡 nearest
        ({"address_string": None, "lat": "39.9", "long": "116.4"}, "411702"),  # outside: default
        ({"address_string": "某路口"}, "411702"),  # nothing to go by: default
    ],
)
def test_the_county_of_a_request(open311, params, county):
    response = post(open311, **params)
    assert response.status_code == 200, response.content
    assert Ticket.objects.get().county.code == county


def test_json_bodies_and_other_methods(open311):
    response = open311.post(
        f"{BASE}/requests.json",
        {
            "api_key": KEY,
            "service_code": LIGHTS,
            "address_string": "驿城区",
            "description": "路灯不亮",
            "phone": "13800138000",
            "attribute": {"appeal_type": "help"},
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert open311.delete(f"{BASE}/requests.json").status_code == 405
    assert open311.get(f"{BASE}/nothing.json").status_code == 404


# -- errors and notices in the request's language (the HTTP codes never change) ----------------


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(msgid: str, params: dict | None, prefix: str = "") -> str:
    return prefix + (msgid % params if params else msgid)


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
