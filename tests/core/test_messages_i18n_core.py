"""The error page's way back (base.html, core/error.html): a citizen on a missing /public/
page is sent back to the public search by the header's brand link as well as by "返回首页";
the staff menu's link to the console home no longer overwrites the page's ``home_url``."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

PUBLIC_HOME = "/public/knowledge/"


def brand_link(html: str) -> str:
    found = re.search(r'<a class="brand" href="([^"]*)"', html)
    assert found, html
    return found.group(1)


def home_link(html: str) -> str:
    found = re.search(r'<a href="([^"]*)" data-home-link>', html)
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
