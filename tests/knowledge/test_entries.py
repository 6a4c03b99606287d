"""Entries (Art 22): the draft → review → published → retired workflow, ownership, scoping,
version history and the contract's error codes."""

from datetime import timedelta

import pytest

from hotline.core.error_codes import CoreErrorCode
from hotline.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from hotline.knowledge import rules, services
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import Entry, EntryVersion

pytestmark = pytest.mark.django_db

NEW_ENTRY = {
    "title": "城乡居民医保每年什么时候交",
    "body": "集中缴费期一般在每年9月至12月。\n\n- 河南税务APP\n- 微信小程序",
    "category_code": "public-services.medical-insurance.enrollment",
    "category_name": "参保缴费",
    "keywords": ["医保", "缴费"],
    "public": True,
}


def test_unit_drafts_center_publishes_and_every_step_is_a_version(api, users, business_now):
    # given a unit handler of the medical insurance bureau
    created = api.post("/entries", NEW_ENTRY, as_user="org.medins")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["org"] == "medins" and body["version"] == 1
    assert "submit" in body["actions"] and "publish" not in body["actions"]
    entry_id = body["id"]

    # when it submits and the center publishes
    submitted = api.post(f"/entries/{entry_id}/submit", as_user="org.medins")
    assert submitted.json()["status"] == "in_review"
    published = api.post(f"/entries/{entry_id}/publish", {"note": "内容准确"}, as_user="supervisor")
    assert published.status_code == 200, published.content

    # then it is published, reviewed now, and the history says who did what
    out = published.json()
    assert out["status"] == "published" and out["version"] == 3
    assert out["reviewed_at"] == "2026-03-10T10:00:00+08:00" and out["stale"] is False
    versions = api.get(f"/entries/{entry_id}/versions").json()
    assert versions["count"] == 3
    assert [(v["action"], v["actor"], v["org"]) for v in versions["items"]] == [
        ("create", "org.medins", "medins"),
        ("submit", "org.medins", "medins"),
        ("publish", "supervisor", "city"),
    ]
    assert versions["items"][2]["note"] == "内容准确"


def test_editing_a_published_entry_sends_it_back_for_review_with_a_diff(
    api, make_entry, business_now
):
    entry = make_entry(body="起付线以上按比例报销。")
    response = api.patch(
        f"/entries/{entry.pk}",
        {"body": "起付线以上按比例报销，比例以当年公布为准。", "version": entry.version},
        as_user="org.medins",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["version"] == entry.version + 1

    diff = api.get(
        f"/entries/{entry.pk}/diff",
        from_version=entry.version,
        to_version=entry.version + 1,
        as_user="org.medins",
    )
    assert diff.status_code == 200
    html = diff.json()["html"]
    assert "比例以当年公布为准" in html and 'class="diff' in html


def test_stale_version_is_409_version_conflict(api, make_entry, business_now):
    entry = make_entry(status=EntryStatus.DRAFT)
    response = api.patch(
        f"/entries/{entry.pk}", {"title": "新标题", "version": 99}, as_user="org.medins"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == KnowledgeErrorCode.VERSION_CONFLICT


def test_a_unit_edits_only_its_own_entries(api, make_entry, business_now):
    published = make_entry(org="medins")
    # another unit may read a published entry but not change it
    assert api.get(f"/entries/{published.pk}", as_user="org.hrss").status_code == 200
    response = api.patch(f"/entries/{published.pk}", {"title": "改一下"}, as_user="org.hrss")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == CoreErrorCode.FORBIDDEN
    # and may not create entries for it either
    response = api.post("/entries", {**NEW_ENTRY, "org": "medins"}, as_user="org.hrss")
    assert response.status_code == 403


def test_another_units_draft_is_404_not_403(api, make_entry, business_now):
    draft = make_entry(org="medins", status=EntryStatus.DRAFT)
    for username in ("org.hrss", "agent"):
        response = api.get(f"/entries/{draft.pk}", as_user=username)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == KnowledgeErrorCode.NOT_FOUND
        assert api.post(f"/entries/{draft.pk}/submit", as_user=username).status_code == 404
    assert api.get(f"/entries/{draft.pk}/versions", as_user="org.hrss").status_code == 404
    # the owner and the center see it
    assert api.get(f"/entries/{draft.pk}", as_user="org.medins").status_code == 200
    assert api.get(f"/entries/{draft.pk}", as_user="supervisor").status_code == 200


@pytest.mark.parametrize(
    ("username", "status"),
    [("org.medins", 403), ("agent", 404), ("org.hrss", 404), ("supervisor", 200), ("admin", 200)],
)
def test_only_the_center_reviewers_publish(api, make_entry, business_now, username, status):
    entry = make_entry(status=EntryStatus.IN_REVIEW)
    # (the center's agents do not see entries before publication: 404 like another unit)
    response = api.post(f"/entries/{entry.pk}/publish", as_user=username)
    assert response.status_code == status, response.content


def test_agents_do_not_write_entries(api, business_now):
    response = api.post("/entries", NEW_ENTRY, as_user="agent")
    assert response.status_code == 403
    assert Entry.objects.count() == 0


def test_wrong_state_is_409_invalid_transition(api, make_entry, business_now):
    draft = make_entry(status=EntryStatus.DRAFT)
    response = api.post(f"/entries/{draft.pk}/publish", as_user="supervisor")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == CoreErrorCode.INVALID_TRANSITION
    # under review the unit waits for the center (or asks for it back)
    in_review = make_entry(status=EntryStatus.IN_REVIEW, title="另一条")
    response = api.patch(f"/entries/{in_review.pk}", {"title": "改"}, as_user="org.medins")
    assert response.status_code == 409
    retired = make_entry(status=EntryStatus.RETIRED, title="已停用的")
    assert api.post(f"/entries/{retired.pk}/submit", as_user="org.medins").status_code == 409
    assert api.patch(
        f"/entries/{retired.pk}", {"title": "x"}, as_user="org.medins"
    ).status_code == (409)


def test_return_needs_a_reason_and_goes_back_to_draft(api, make_entry, business_now):
    entry = make_entry(status=EntryStatus.IN_REVIEW)
    response = api.post(f"/entries/{entry.pk}/return", {"note": ""}, as_user="supervisor")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == KnowledgeErrorCode.REASON_REQUIRED
    response = api.post(
        f"/entries/{entry.pk}/return", {"note": "材料清单不全"}, as_user="supervisor"
    )
    assert response.json()["status"] == "draft"


def test_malformed_input_is_422(api, business_now):
    for bad in (
        {**NEW_ENTRY, "title": ""},
        {**NEW_ENTRY, "category_code": "医保 报销"},
        {**NEW_ENTRY, "effective_from": "2026-13-01"},
        {k: v for k, v in NEW_ENTRY.items() if k != "body"},
    ):
        response = api.post("/entries", bad, as_user="org.medins")
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == KnowledgeErrorCode.INVALID_INPUT
    response = api.post(
        "/entries",
        {**NEW_ENTRY, "effective_from": "2026-05-01", "expires_on": "2026-04-01"},
        as_user="org.medins",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == KnowledgeErrorCode.INVALID_DATES
    response = api.post("/entries", {**NEW_ENTRY, "org": "nowhere"}, as_user="supervisor")
    assert response.json()["error"]["code"] == KnowledgeErrorCode.UNKNOWN_ORG


def test_not_authenticated_is_401_and_unknown_entry_404(api, business_now):
    response = api.get("/entries/1", as_user=None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == CoreErrorCode.NOT_AUTHENTICATED
    assert api.get("/search", as_user=None).status_code == 401
    assert api.get("/entries/999999").status_code == 404


def test_guard_and_services_agree(make_entry, users, now):
    draft = make_entry(status=EntryStatus.DRAFT)
    assert rules.entry_allowed(users["org.medins"], draft, "submit")
    assert not rules.entry_allowed(users["org.hrss"], draft, "submit")
    assert not rules.entry_allowed(users["supervisor"], draft, "publish")
    with pytest.raises(NotFound):
        services.entry_submit(entry=draft, actor=users["org.hrss"], now=now)
    with pytest.raises(InvalidTransition):
        services.entry_publish(entry=draft, actor=users["supervisor"], now=now)
    with pytest.raises(PermissionDenied):
        services.entry_create(
            actor=users["agent"],
            org=draft.org,
            title="t",
            body="b",
            category_code="x",
            now=now,
        )
    with pytest.raises(InvalidInput):
        services.entry_create(
            actor=users["supervisor"],
            org=users["supervisor"].organisation,  # the center owns no knowledge
            title="t",
            body="b",
            category_code="x",
            now=now,
        )


def test_review_restarts_the_period_and_no_op_edit_writes_nothing(make_entry, users, now):
    entry = make_entry(at=now - timedelta(days=200))
    assert Entry.objects.get(pk=entry.pk).reviewed_at == now - timedelta(days=200)
    reviewed = services.entry_review(entry=entry, actor=users["org.medins"], now=now)
    assert reviewed.reviewed_at == now and reviewed.status == EntryStatus.PUBLISHED
    versions = EntryVersion.objects.filter(entry=entry).count()
    same = services.entry_update(
        entry=entry, actor=users["org.medins"], changes={"title": entry.title}, now=now
    )
    assert same.status == EntryStatus.PUBLISHED
    assert EntryVersion.objects.filter(entry=entry).count() == versions


def test_staff_entry_page_and_diff_page(client, make_entry, users, business_now):
    entry = make_entry(body="第一版内容 <script>alert(1)</script>")
    client.force_login(users["org.medins"])
    services.entry_update(
        entry=entry, actor=users["org.medins"], changes={"body": "第二版内容"}, now=business_now
    )
    page = client.get(f"/knowledge/{entry.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "版本记录" in text and "对比上一版" in text
    diff = client.get(f"/knowledge/{entry.pk}/diff/")
    assert diff.status_code == 200
    content = diff.content.decode()
    assert "第二版内容" in content
    assert "<script>alert(1)</script>" not in content
    client.force_login(users["org.hrss"])
    assert client.get(f"/knowledge/{entry.pk}/").status_code == 404  # a draft of another unit
