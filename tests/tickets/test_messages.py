"""The messages of refused actions go through gettext (ARCHITECTURE.md: the UI speaks Chinese,
English second): the forms and the API show them in the request's language, formatted there,
and never name an API field.

Given a refusal, when it is asked for in Chinese (no language chosen) then the message is the
Chinese text; when asked for in English then it is ``gettext(msgid)`` in English. The English
catalogue is filled in separately, so the tests put a marked entry for each msgid into it
(``english`` fixture): an English answer that equals the marked text can only come from
gettext.

The ticket API's own refusals (a repeat of an unknown ticket, an unknown suggested unit) and
those of the category tree follow the same rule, and never show Python's own error text.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from hotline.core.errors import DomainError, InvalidInput, NotFound
from hotline.tickets import rules, selectors, services
from hotline.tickets.categories import category_tree_load
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Review
from hotline.tickets.services import validation
from tests.tickets.conftest import INTAKE
from tests.tickets.flow import error_code, replied, signed

pytestmark = pytest.mark.django_db


def in_language(api, username: str, language: str):
    caller = api(username)
    caller.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return caller


def expected(msgid: str, params: dict | None, language: str) -> str:
    with translation.override(language):
        text = gettext(msgid)
        return text % params if params else text


def assert_message(response, *, status: int, code: str, msgid: str, params=None, language):
    assert response.status_code == status, response.content.decode()
    assert error_code(response) == code
    message = response.json()["error"]["message"]
    assert isinstance(message, str)
    assert message == expected(msgid, params, language)


# -- each refusal: (make the situation) -> (who, path, body), msgid, params --------------------


def _expected_completion_in_the_past(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    body = {"content": "正在施工", "expected_completion": "2026-09-01"}
    return "org.411702", f"/assignments/{assignment['id']}/progress", body


def _unsatisfied_without_reasonable(api, intake, sim):
    ticket = replied(api, intake, sim, sign_at="2026-09-30 10:00", reply_at="2026-10-08 10:00")
    return "callback", f"/tickets/{ticket['number']}/callback", {"outcome": "unsatisfied"}


def _lead_also_assists(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    body = {"lead": "urban", "assists": ["urban"]}
    return "dispatcher", f"/tickets/{ticket['number']}/dispatch", body


def _extension_too_long(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    body = {"working_days": 8, "reason": "工程量大"}
    return "org.411702", f"/assignments/{assignment['id']}/extension", body


def _extension_too_late(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")  # due 10/14 24:00
    sim.set("2026-10-13 00:00")
    body = {"working_days": 3, "reason": "需现场勘查"}
    return "org.411702", f"/assignments/{assignment['id']}/extension", body


def _no_consent(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    body = {"kind": "three_way_call", "party": "12333", "consent": False}
    return "agent", f"/tickets/{ticket['number']}/contact", body


def _repeat_without_closed_ticket(api, intake, sim):
    sim.set("2026-09-30 09:00")
    ticket = intake()
    body = {"reason": "repeat_after_closure", "explanation": "已依法办结"}
    return "agent", f"/tickets/{ticket['number']}/reject", body


def _occurred_after_intake(api, intake, sim):
    sim.set("2026-09-30 09:00")
    return "agent", "/tickets", {**INTAKE, "occurred_at": "2099-01-01T00:00:00+08:00"}


def _unknown_incident(api, intake, sim):
    sim.set("2026-09-30 09:00")
    return "agent", "/tickets", {**INTAKE, "occurred_at": None, "incident": 987654}


def _unknown_ticket_to_merge(api, intake, sim):
    sim.set("2026-09-30 09:00")
    body = {**INTAKE, "occurred_at": None, "merge_with": ["ZMD2099010100001"]}
    return "agent", "/tickets", body


def _second_extension_without_override(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    path = f"/assignments/{assignment['id']}/extension"
    api("org.411702").ok(path, {"working_days": 3, "reason": "需现场勘查"})
    review = Review.objects.get(assignment_id=assignment["id"], kind="extension")
    Assignment.objects.filter(pk=assignment["id"]).update(extension_count=1)
    return "supervisor", f"/reviews/{review.pk}/approve", {}


REFUSALS = [
    (_expected_completion_in_the_past, 422, "invalid_date", "预计办结时间不能早于今天", None),
    (
        _unsatisfied_without_reasonable,
        422,
        "reasonable_required",
        "不满意时须判定诉求是否合理",
        None,
    ),
    (_lead_also_assists, 422, "duplicate_org", "主办与协办单位不能重复", None),
    (
        _extension_too_long,
        409,
        "extension_too_long",
        "延期不得超过该类诉求的办理时限（%(days)s 个工作日）",
        {"days": 7},
    ),
    (
        _extension_too_late,
        409,
        "extension_too_late",
        "延期须在办理时限届满%(hours)s小时前申请",
        {"hours": 48},
    ),
    (_no_consent, 409, "consent_required", "须经诉求人同意", None),
    (
        _repeat_without_closed_ticket,
        422,
        "closed_ticket_required",
        "须关联已依法办结的原工单",
        None,
    ),
    (_occurred_after_intake, 422, "invalid_occurred_at", "事发时间不能晚于受理时间", None),
    (
        _unknown_incident,
        422,
        "unknown_incident",
        "重大诉求事件 %(incident)s 不存在",
        {"incident": 987654},
    ),
    (
        _unknown_ticket_to_merge,
        422,
        "merge_unknown_ticket",
        "并单：工单 %(numbers)s 不存在",
        {"numbers": "ZMD2099010100001"},
    ),
    (
        _second_extension_without_override,
        409,
        "extension_limit",
        "已延期过一次；再次延期须由审核员明确批准",
        None,
    ),
]


@pytest.mark.parametrize(
    ("situation", "status", "code", "msgid", "params"),
    REFUSALS,
    ids=[r[2] for r in REFUSALS],
)
def test_a_refusal_speaks_the_callers_language(
    api, intake, sim, english, situation, status, code, msgid, params
):
    english(msgid)
    username, path, body = situation(api, intake, sim)
    for language in ("zh-hans", "en"):
        response = in_language(api, username, language).post(path, body)
        assert_message(
            response, status=status, code=code, msgid=msgid, params=params, language=language
        )
    # Chinese is the msgid itself; English came from the catalogue (the marked entry)
    assert expected(msgid, params, "zh-hans") == (msgid % params if params else msgid)
    assert expected(msgid, params, "en").startswith("[en] ")


def test_messages_name_no_api_field(api, intake, sim):
    """The form shows the message under its field; the API's field names are not words the
    user knows (expected_completion, occurred_at, reasonable, override, lead/assists)."""
    fields = ("expected_completion", "occurred_at", "reasonable", "override", "lead:", "assists:")
    for situation, *_rest in REFUSALS:
        username, path, body = situation(api, intake, sim)
        message = in_language(api, username, "zh-hans").post(path, body).json()["error"]["message"]
        assert not any(field in message for field in fields), message


def test_grouping_with_a_closed_ticket_names_its_status_in_the_users_language(
    api, intake, sim, english
):
    msgid = "并单失败：工单 %(number)s 状态为“%(status)s”，已不在办，本次受理未保存，请重新选择"
    english(msgid, "已办结")
    sim.set("2026-09-30 09:00")
    closed = intake()
    api("agent").ok(f"/tickets/{closed['number']}/answer", {"answer": "已当场答复"})
    body = {**INTAKE, "occurred_at": None, "merge_with": [closed["number"]]}
    for language in ("zh-hans", "en"):
        response = in_language(api, "agent", language).post("/tickets", body)
        with translation.override(language):
            status = gettext("已办结")
        assert_message(
            response,
            status=409,
            code="merge_ticket_closed",
            msgid=msgid,
            params={"number": closed["number"], "status": status},
            language=language,
        )
    zh = in_language(api, "agent", "zh-hans").post("/tickets", body).json()["error"]["message"]
    assert "“已办结”" in zh and "closed" not in zh.lower()


def test_a_text_field_is_named_by_its_label_not_its_api_name(english):
    english("%(field)s不能为空", "内容")
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        validation._clean_text("  ", "content", required=True, limit=10)
    assert caught.value.message == "内容不能为空"
    assert caught.value.code == Code.MISSING_FIELD
    with translation.override("en"):
        with pytest.raises(InvalidInput) as caught:
            validation._clean_text("", "content", required=True, limit=10)
        assert caught.value.message == gettext("%(field)s不能为空") % {"field": gettext("内容")}
    assert caught.value.message == "[en] [en] 内容不能为空"


def test_the_guard_gives_its_reason_in_the_active_language(english, demo_orgs):
    """rules.allowed is asked by pages as well as services: its reason is gettext too."""
    english("协调派单的工单不得退回")

    class Ticket:
        coordinated = True

    class Assignment:
        parent_id = None

    for language in ("zh-hans", "en"):
        with translation.override(language):
            decision = rules._conditions(
                "return", user=None, ticket=Ticket(), assignment=Assignment(), now=None
            )
            assert not decision.ok and decision.code == Code.COORDINATED_NOT_RETURNABLE
            assert decision.message == gettext("协调派单的工单不得退回")
    with translation.override("zh-hans"):
        assert rules._conditions(
            "return", user=None, ticket=Ticket(), assignment=Assignment(), now=None
        ).message == ("协调派单的工单不得退回")


def test_not_found_messages_of_the_selectors_are_translated(english, demo_orgs):
    from hotline.orgs.models import User

    english("工单不存在")
    user = User.objects.get(username="agent")
    for language, text in (("zh-hans", "工单不存在"), ("en", "[en] 工单不存在")):
        with translation.override(language), pytest.raises(NotFound) as caught:
            selectors.ticket_get(user=user, number="ZMD2099010100001")
        assert caught.value.message == text


# -- the error machinery itself -----------------------------------------------------------------


def test_a_lazy_message_is_translated_when_read_and_is_always_a_str(english):
    english("当前状态不允许此操作")
    from django.utils.translation import gettext_lazy

    error = DomainError(gettext_lazy("当前状态不允许此操作"))
    with translation.override("zh-hans"):
        assert error.message == "当前状态不允许此操作" and type(error.message) is str
    with translation.override("en"):
        assert error.message == "[en] 当前状态不允许此操作" and str(error) == error.message


def test_a_class_default_message_follows_the_language_it_is_read_in(english):
    english("对象不存在")
    error = NotFound()
    with translation.override("en"):
        assert error.message == "[en] 对象不存在"
    with translation.override("zh-hans"):
        assert error.message == "对象不存在"


def test_a_message_formatted_at_raise_time_keeps_that_language(english):
    english("未知的县区代码：%(code)s")
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.county_org("999999")
    with translation.override("zh-hans"):
        assert caught.value.message == "[en] 未知的县区代码：999999"


# -- the ticket API's own refusals and the category tree's -------------------------------------


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
        assert caught.value.code == Code.INVALID_CATEGORY_TREE
    assert "invalid literal" not in caught.value.message
