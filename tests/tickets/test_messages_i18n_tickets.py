"""The refusals of the ticket API itself and of the category tree go through gettext like the
services' (test_messages_i18n.py): Chinese by default, the caller's language when chosen, and
never an API field name or Python's own error text."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from hotline.core.errors import InvalidInput
from hotline.tickets.categories import category_tree_load
from tests.tickets.flow import signed
from tests.tickets.test_messages_i18n import assert_message, in_language

pytestmark = pytest.mark.django_db


def test_rejecting_as_repeat_of_an_unknown_ticket_names_the_number(api, intake, sim, english):
    msgid = "未知的工单：%(number)s"
    english(msgid)
    sim.set("2026-09-30 09:00")
    ticket = intake()
    body = {
        "reason": "repeat_after_closure",
        "explanation": "已依法办结",
        "closed_ticket": "ZMD2099010100001",
    }
    for language in ("zh-hans", "en"):
        response = in_language(api, "agent", language).post(
            f"/tickets/{ticket['number']}/reject", body
        )
        assert_message(
            response,
            status=422,
            code="unknown_ticket",
            msgid=msgid,
            params={"number": "ZMD2099010100001"},
            language=language,
        )
    zh = in_language(api, "agent", "zh-hans").post(f"/tickets/{ticket['number']}/reject", body)
    assert zh.json()["error"]["message"] == "未知的工单：ZMD2099010100001"


def test_an_unknown_suggested_unit_is_named_by_its_label(api, intake, sim, english):
    msgid = "%(field)s：未知的承办单位 %(code)s"
    english(msgid, "建议承办单位")
    _ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    body = {"reason": "不属于本单位职责", "basis": "三定方案", "suggested_org": "no-such-unit"}
    path = f"/assignments/{assignment['id']}/return"
    for language in ("zh-hans", "en"):
        response = in_language(api, "org.411702", language).post(path, body)
        with translation.override(language):
            field = gettext("建议承办单位")
        assert_message(
            response,
            status=422,
            code="unknown_org",
            msgid=msgid,
            params={"field": field, "code": "no-such-unit"},
            language=language,
        )
    message = in_language(api, "org.411702", "zh-hans").post(path, body).json()["error"]
    assert message["message"] == "建议承办单位：未知的承办单位 no-such-unit"
    assert "suggested_org" not in message["message"]


BAD_TREES = [
    ([{"code": "x"}], "每个分类都需要代码和名称（code, name）", None),
    ([{"code": "x" * 81, "name": "太长"}], "分类 %(code)s 的代码或名称过长", {"code": "x" * 81}),
    (
        [{"code": "x", "name": "某类", "handling_days": 0}],
        "分类 %(code)s 的法定时限必须为正数",
        {"code": "x"},
    ),
    (
        [{"code": "x", "name": "某类", "handling_days": "abc"}],
        "分类 %(code)s 的法定时限必须为正数",
        {"code": "x"},
    ),
    (
        [{"code": "x", "name": "某类", "handling_days": [5]}],
        "分类 %(code)s 的法定时限必须为正数",
        {"code": "x"},
    ),
    ([{"code": "x", "name": "甲"}, {"code": "x", "name": "乙"}], "分类代码重复", None),
]


@pytest.mark.parametrize(("tree", "msgid", "params"), BAD_TREES)
def test_a_bad_category_tree_is_refused_in_the_active_language(english, tree, msgid, params):
    english(msgid)
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        with translation.override(language), pytest.raises(InvalidInput) as caught:
            category_tree_load(tree=tree)
        text = msgid % params if params else msgid
        assert caught.value.message == prefix + text
        assert caught.value.code == "invalid_category_tree"
    assert "invalid literal" not in caught.value.message
