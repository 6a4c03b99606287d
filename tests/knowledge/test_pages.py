"""Citizens' self-service pages (rate-limited, public entries only) and the intake suggestion
partial with usage recording."""

from datetime import date, timedelta

import pytest

from hotline.core.policy import policy_set
from hotline.knowledge import services
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import KnowledgeUsage

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_corpus(make_entry):
    return {
        "public": make_entry(
            org="hrss",
            title="社保卡丢了怎么挂失和补办",
            body="先拨打12333临时挂失。\n\n<script>alert(1)</script>\n\n[办事指南](javascript:alert(2))",
            category_code="public-services.social-insurance.card",
            category_name="社保卡",
        ),
        "internal": make_entry(
            org="hrss", title="社保卡内部处理口径", body="社保卡话务内部口径。", public=False
        ),
        "draft": make_entry(
            org="hrss", title="社保卡新规草稿", body="社保卡草稿。", status=EntryStatus.DRAFT
        ),
        "expired": make_entry(
            org="hrss",
            title="社保卡旧版换卡通知",
            body="社保卡换卡。",
            expires_on=date(2026, 1, 31),
            at=NOW - timedelta(days=100),
        ),
    }


def test_public_search_shows_only_public_published_in_effect(client, public_corpus, business_now):
    response = client.get("/public/knowledge/", {"q": "社保卡"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<mark>社保卡</mark>丢了怎么挂失和补办" in text
    for hidden in ("内部处理口径", "新规草稿", "旧版换卡通知"):
        assert hidden not in text
    assert 'name="viewport"' in text and "knowledge.css" in text


def test_public_entry_page_sanitises_markdown_and_hides_the_rest(
    client, public_corpus, business_now
):
    page = client.get(f"/public/knowledge/{public_corpus['public'].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "javascript:" not in text
    assert "12333" in text
    for key in ("internal", "draft", "expired"):
        assert client.get(f"/public/knowledge/{public_corpus[key].pk}/").status_code == 404
    assert client.get("/public/knowledge/999999/").status_code == 404


def test_empty_state_says_call_12345(client, db, business_now):
    response = client.get("/public/knowledge/", {"q": "火星移民"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "没有找到" in text and 'href="tel:12345"' in text
    landing = client.get("/public/knowledge/")
    assert landing.status_code == 200 and "12345" in landing.content.decode()
    too_long = client.get("/public/knowledge/", {"q": "问" * 201})
    assert too_long.status_code == 422 and "200" in too_long.content.decode()


def test_public_pages_are_rate_limited_per_client_ip(client, db, business_now):
    policy_set(key="art22_knowledge_public_rate_limit", value=3)
    for _ in range(3):
        assert client.get("/public/knowledge/", {"q": "医保"}).status_code == 200
    limited = client.get("/public/knowledge/", {"q": "医保"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "查询过于频繁" in limited.content.decode() and "12345" in limited.content.decode()
    assert client.get("/public/knowledge/1/").status_code == 429
    other = client.get("/public/knowledge/", {"q": "医保"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_suggest_needs_login(client, db):
    response = client.get("/knowledge/suggest/", {"q": "医保"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    htmx = client.get("/knowledge/suggest/", {"q": "医保"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 401 and htmx["HX-Redirect"].startswith("/login/")


def test_suggest_returns_top_five_with_use_this_answer(client, make_entry, users, business_now):
    for n in range(7):
        make_entry(title=f"医保报销问题{n}", body=f"医保报销第{n}种情况的答复。")
    client.force_login(users["agent"])
    response = client.get("/knowledge/suggest/", {"q": "医保报销"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('class="kb-suggestion"') == 5
    assert text.count("data-use-answer=") == 5
    assert "<html" not in text and "<mark>" in text
    empty = client.get("/knowledge/suggest/", {"q": ""})
    assert empty.status_code == 200 and empty.content.strip() == b""


def test_usage_is_recorded_once_per_ticket_and_counted(
    api, make_entry, business_now, users, demo_orgs
):
    from .test_security_public import make_ticket  # usage needs a ticket in scope (issue 19)

    first = make_entry(title="居住证怎么办")
    second = make_entry(title="居住证签注")
    one, two = make_ticket(users, demo_orgs), make_ticket(users, demo_orgs, content="居住证签注")
    body = {"ticket_number": one.number, "entry_ids": [first.pk, second.pk]}
    assert api.post("/usage", body).json() == {"recorded": 2}
    assert api.post("/usage", body).json() == {"recorded": 0}
    api.post("/usage", {"ticket_number": two.number, "entry_ids": [first.pk]})
    assert KnowledgeUsage.objects.count() == 3
    stats = api.get("/usage/stats", as_user="supervisor").json()
    assert stats["items"][0]["entry"] == first.pk and stats["items"][0]["uses"] == 2
    assert api.get(f"/entries/{first.pk}").json()["usage_count"] == 2
    unknown = api.post("/usage", {"ticket_number": one.number, "entry_ids": [999999]})
    assert (
        unknown.status_code == 422
        and unknown.json()["error"]["code"] == KnowledgeErrorCode.UNKNOWN_ENTRY
    )
    assert api.post("/usage", body, as_user="org.medins").status_code == 403


def test_record_usage_service_signature(make_entry, users, demo_orgs):
    from .test_security_public import make_ticket

    entry = make_entry()
    created = services.knowledge_record_usage(
        entry_ids=[entry.pk],
        ticket_number=make_ticket(users, demo_orgs).number,
        actor=users["agent"],
        now=NOW,
    )
    assert created == 1
