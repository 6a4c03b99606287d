"""The routing API's refusal of an empty text goes through gettext and names the field as the
intake form does (诉求内容), not by its query parameter (``text``)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_empty_text_is_refused_naming_the_appeal_content(demo_orgs, english):
    from hotline.orgs.models import User

    english("%(field)s不能为空", "诉求内容")
    client = Client()
    client.force_login(User.objects.get(username="agent"))
    for language, message in (
        ("zh-hans", "诉求内容不能为空"),
        ("en", "[en] [en] 诉求内容不能为空"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get("/api/v1/routing/suggest", {"text": "   "})
        assert response.status_code == 422, response.content
        assert response.json()["error"] == {"code": "missing_field", "message": message}
