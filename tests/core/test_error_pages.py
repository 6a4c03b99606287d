"""Error pages (ARCHITECTURE.md principle 7: a user never sees a stack trace or Django's own
pages): one template for 400/403/404/500 and an expired form (CSRF), the contract's JSON under
/api/ (API.md), in the user's language; a citizen on /public/ is sent back to the public
search, not to the staff login. The API docs are served without a CDN."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from hotline.config import urls as root_urls
from hotline.core import views
from hotline.core.error_codes import CoreErrorCode

pytestmark = pytest.mark.django_db

EXPIRED = "页面已过期或会话已变更，请返回上一页刷新后重新提交"
PUBLIC_GONE = "该条目已停用或不存在，请重新查询或拨打 12345"


def english_client(**kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def home_link(html: str) -> str:
    found = re.search(r'<a href="([^"]*)" data-home-link>', html)
    assert found, html
    return found.group(1)


def logged_in(username: str = "agent", **kwargs) -> Client:
    from hotline.orgs.models import User

    client = Client(**kwargs)
    client.force_login(User.objects.get(username=username))
    return client


# -- 404 ----------------------------------------------------------------------------------------


def test_a_staff_page_that_does_not_exist_is_the_404_page(demo_orgs, english):
    english("页面不存在")
    page = logged_in().get("/no/such/page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "页面不存在" in html and home_link(html) == "/"
    assert "Traceback" not in html


def test_the_404_page_is_in_the_users_language(db, english):
    english("页面不存在", "返回首页")
    html = english_client().get("/no/such/page/").content.decode()
    with translation.override("en"):
        assert gettext("页面不存在") in html and gettext("返回首页") in html
    assert "[en] 页面不存在" in html


def test_a_missing_public_entry_sends_the_citizen_back_to_the_public_search(db):
    citizen = Client()
    for path in ("/public/knowledge/987654/", "/public/no-such-page/"):
        page = citizen.get(path)
        assert page.status_code == 404
        html = page.content.decode()
        assert PUBLIC_GONE in html, path
        # not "/": that is the staff console, which redirects a citizen to the login
        assert home_link(html) == "/public/knowledge/"


def test_staff_on_a_missing_public_page_go_back_to_their_own_home(demo_orgs):
    html = logged_in().get("/public/knowledge/987654/").content.decode()
    assert PUBLIC_GONE in html and home_link(html) == "/"


def test_the_public_404_message_is_translated(db, english):
    english(PUBLIC_GONE)
    html = english_client().get("/public/knowledge/987654/").content.decode()
    assert f"[en] {PUBLIC_GONE}" in html


def test_an_api_404_stays_in_the_contracts_format(db, english):
    english("对象不存在")
    response = Client().get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "对象不存在"}}
    response = english_client().get("/api/no-such-endpoint")
    assert response.json()["error"]["message"] == "[en] 对象不存在"


# -- 500, 403, 400 --------------------------------------------------------------------------------


def test_the_500_page_and_json_are_translated(db, english):
    english("服务器内部错误，已记录")
    factory = RequestFactory()
    with translation.override("zh-hans"):
        page = views.server_error(factory.get("/tickets/"))
        assert page.status_code == 500
        assert "服务器内部错误，已记录" in page.content.decode()
    with translation.override("en"):
        page = views.server_error(factory.get("/public/knowledge/"))
        html = page.content.decode()
        assert gettext("服务器内部错误，已记录") in html and "[en] " in html
        assert home_link(html) == "/public/knowledge/"
        api = views.server_error(factory.get("/api/v1/tickets"))
    assert api.status_code == 500
    assert b'"code": "internal_error"' in api.content
    assert "[en] 服务器内部错误，已记录" in api.content.decode()


def test_every_error_handler_renders_the_platform_page():
    assert root_urls.handler400 == "hotline.core.views.bad_request"
    assert root_urls.handler403 == "hotline.core.views.permission_denied"
    assert root_urls.handler404 == "hotline.core.views.page_not_found"
    assert root_urls.handler500 == "hotline.core.views.server_error"
    factory = RequestFactory()
    with translation.override("zh-hans"):
        forbidden = views.permission_denied(factory.get("/tickets/"), Exception())
        bad = views.bad_request(factory.get("/tickets/"), Exception())
        api_bad = views.bad_request(factory.get("/api/v1/orgs"), Exception())
    assert forbidden.status_code == 403 and "您无权访问此页面" in forbidden.content.decode()
    assert bad.status_code == 400 and 'class="card narrow"' in bad.content.decode()
    assert api_bad.status_code == 422
    assert b'"code": "invalid_input"' in api_bad.content


# -- CSRF -----------------------------------------------------------------------------------------


def test_an_expired_form_gets_the_platform_page_not_djangos(demo_orgs):
    assert settings.CSRF_FAILURE_VIEW == "hotline.core.views.csrf_failure"
    client = logged_in(enforce_csrf_checks=True)
    page = client.post("/intake/", {"content": "路灯不亮"})  # no token: the form expired
    assert page.status_code == 403
    html = page.content.decode()
    assert EXPIRED in html
    assert "DEBUG" not in html and "CSRF verification failed" not in html
    assert home_link(html) == "/"


def test_the_expired_form_page_is_translated(demo_orgs, english):
    english(EXPIRED)
    client = logged_in(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post("/intake/", {"content": "x"}).content.decode()
    assert f"[en] {EXPIRED}" in html


def test_a_public_form_without_its_token_points_back_to_the_public_search(db):
    request = RequestFactory().post("/public/knowledge/1/feedback/")
    with translation.override("zh-hans"):
        page = views.csrf_failure(request, reason="CSRF cookie not set.")
    assert page.status_code == 403
    assert home_link(page.content.decode()) == "/public/knowledge/"


def test_an_api_session_call_without_its_token_is_403_in_the_contracts_format(demo_orgs):
    """The API checks CSRF for session callers itself (django-ninja, before the endpoint)."""
    client = logged_in("admin", enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/simulation/run-timers", data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["error"]["code"] == CoreErrorCode.FORBIDDEN
    assert isinstance(body["error"]["message"], str) and "CSRF check Failed" not in str(body)
    # a bearer caller needs no CSRF token
    from hotline.core.auth import token_issue

    key, _token = token_issue(username="admin", password="Demo#12345")
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/simulation/run-timers",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code in (200, 404)  # 404 without HOTLINE_SIMULATION
    assert response.status_code != 403


def test_the_csrf_view_answers_json_under_api(db):
    with translation.override("zh-hans"):
        response = views.csrf_failure(RequestFactory().post("/api/v1/tickets"), reason="x")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "页面已过期" in response.content.decode()


# -- malformed requests (NUL) ----------------------------------------------------------------------


def test_a_nul_character_on_a_page_is_the_400_error_page(demo_orgs, english):
    page = logged_in().get("/tickets/?q=a%00b")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "请求中含有不允许的空字符（NUL）" in html and 'class="card narrow"' in html
    assert "\x00" not in html
    english("请求中含有不允许的空字符（NUL）")
    client = logged_in()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post("/intake/", {"content": "a\x00b"}).content.decode()
    assert "[en] 请求中含有不允许的空字符（NUL）" in html


def test_a_nul_character_in_the_api_is_422_json(db):
    response = Client().get("/api/v1/orgs?q=a%00b")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == CoreErrorCode.INVALID_INPUT


@pytest.mark.parametrize("multipart", [True, False])
def test_a_form_body_posted_to_the_api_is_refused_in_the_contracts_format(demo_orgs, multipart):
    # given a caller that posts a form (multipart or urlencoded) where the API takes JSON
    client = logged_in("agent")
    if multipart:
        response = client.post("/api/v1/tickets", {"content": "路灯不亮"})
    else:
        response = client.post(
            "/api/v1/tickets",
            "content=%E8%B7%AF",
            content_type="application/x-www-form-urlencoded",
        )
    # then it is a 4xx in the contract's format, not a 500 from a body read twice
    assert 400 <= response.status_code < 500
    assert "code" in response.json()["error"]


def test_a_public_page_with_a_nul_points_back_to_the_public_search(db):
    page = Client().get("/public/knowledge/?q=%00")
    assert page.status_code == 400
    assert home_link(page.content.decode()) == "/public/knowledge/"


# -- the API docs without a CDN ------------------------------------------------------------------


def test_the_api_docs_use_only_the_platforms_own_assets(demo_orgs):
    page = logged_in("admin").get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn.jsdelivr" not in html
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in a for a in assets) and any(".css" in a for a in assets)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), asset
        response = Client().get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, asset


# -- the way back from an error page (base.html, core/error.html) ------------------------------


PUBLIC_HOME = "/public/knowledge/"


def brand_link(html: str) -> str:
    found = re.search(r'<a class="brand" href="([^"]*)"', html)
    assert found, html
    return found.group(1)


def test_a_citizen_on_a_missing_public_entry_is_led_back_to_the_public_search(demo_orgs):
    response = Client().get("/public/knowledge/987654/")
    assert response.status_code == 404
    html = response.content.decode()
    assert brand_link(html) == PUBLIC_HOME
    assert home_link(html) == PUBLIC_HOME
    assert "返回首页" in html


def test_staff_on_a_missing_page_keep_their_own_home(demo_orgs):
    from hotline.orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username="agent"))
    html = client.get("/no-such-page/").content.decode()
    assert brand_link(html) == "/" and home_link(html) == "/"


def test_the_staff_menu_does_not_overwrite_the_pages_home_url(demo_orgs):
    # given a logged-in user and an error page whose view chose where "home" is
    from django.urls import reverse

    from hotline.orgs.models import User

    request = RequestFactory().get("/public/knowledge/987654/")
    request.user = User.objects.get(username="agent")
    context = {"status": 404, "message": "x", "home_url": PUBLIC_HOME}
    # when it is rendered with the staff menu
    html = render_to_string("core/error.html", context, request=request)
    # then both links keep the view's value, and the menu still leads to the console home
    assert 'class="mainnav"' in html
    assert brand_link(html) == PUBLIC_HOME and home_link(html) == PUBLIC_HOME
    assert f'<a href="{reverse("console:home")}"' in html
