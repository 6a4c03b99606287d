"""The back-office pages for the organisation tree, users and roles render for the
administrator, in Chinese (the platform's first language)."""

from __future__ import annotations

import pytest

from hotline.orgs.models import Organisation, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html, url
    return html


def test_admin_index_lists_the_hotline_models_in_chinese(admin_client):
    # when the administrator opens the back office
    html = page(admin_client, "/admin/")
    # then it is in Chinese and offers organisations, users, roles and the calendar
    for label in ["组织机构", "用户", "角色", "日历年份", "日历调整"]:
        assert label in html, label
    assert "站点管理" in html or "后台管理" in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/orgs/organisation/", "驻马店市12345政务服务便民热线中心"),
        ("/admin/orgs/organisation/?kind__exact=county", "驿城区"),
        ("/admin/orgs/organisation/?q=411702", "411702-01"),
        ("/admin/orgs/organisation/add/", "责任人（第九条第二项）"),
        ("/admin/orgs/user/", "org.411702"),
        ("/admin/orgs/user/?q=dispatcher", "dispatcher"),
        ("/admin/orgs/user/add/", "所属单位"),
        ("/admin/orgs/role/", "话务员"),
    ],
)
def test_org_admin_pages_render_in_chinese(admin_client, url, expected):
    # when the administrator opens an organisation, user or role page
    html = page(admin_client, url)
    # then it renders with the expected content
    assert expected in html


def test_org_and_user_change_pages_render(admin_client):
    # given a county unit, its user and a role
    org = Organisation.objects.get(code="411702-01")
    user = User.objects.get(username="org.411702-01")
    role = Role.objects.get(code="agent")
    # when their change pages are opened
    org_html = page(admin_client, f"/admin/orgs/organisation/{org.pk}/change/")
    user_html = page(admin_client, f"/admin/orgs/user/{user.pk}/change/")
    page(admin_client, f"/admin/orgs/role/{role.pk}/change/")
    # then the Art 9(2) people and the user's organisation and roles are shown
    assert org.leader_name in org_html and org.liaison_name in org_html
    assert "承办人" in user_html


def test_org_admin_autocomplete_answers(admin_client):
    # given the organisation picker used on the user page
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "orgs", "model_name": "user", "field_name": "organisation", "term": "驿城"},
    )
    # then it finds the county body
    assert response.status_code == 200
    assert any("411702" in item["text"] for item in response.json()["results"])


def test_non_staff_users_are_sent_to_the_login_page(client):
    # given a demo unit user (not staff)
    client.force_login(User.objects.get(username="org.housing"))
    # when it opens the back office
    response = client.get("/admin/orgs/organisation/")
    # then it is redirected to sign in
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def organisation_form(org: Organisation, **changes) -> dict:
    fields = [
        "code",
        "name",
        "short_name",
        "kind",
        "leader_name",
        "leader_phone",
        "responsible_name",
        "responsible_phone",
        "liaison_name",
        "liaison_phone",
        "keywords",
    ]
    data = {field: getattr(org, field) for field in fields}
    data.update({"parent": org.parent_id or "", "active": "on"})
    data.update(changes)
    return data


def test_moving_an_organisation_under_its_own_unit_is_refused_on_the_form(admin_client):
    # given the county body 411702 and its township 411702-01
    county = Organisation.objects.get(code="411702")
    township = Organisation.objects.get(code="411702-01")
    # when the administrator makes the township the county's parent (a cycle)
    response = admin_client.post(
        f"/admin/orgs/organisation/{county.pk}/change/",
        organisation_form(county, parent=township.pk),
    )
    # then the form shows the error, reports no success, and the tree is unchanged
    assert response.status_code == 200
    html = response.content.decode()
    assert "上级不能是本组织自身或其下级" in html
    assert "成功" not in html
    county.refresh_from_db()
    assert county.parent.code == "city" and county.path == "/gov-office/city/411702/"


def test_moving_an_organisation_in_the_admin_moves_its_subtree(admin_client):
    # given the township 411702-01 under 驿城区
    township = Organisation.objects.get(code="411702-01")
    other = Organisation.objects.get(code="411721")
    # when the administrator moves it under 西平县
    response = admin_client.post(
        f"/admin/orgs/organisation/{township.pk}/change/",
        organisation_form(township, parent=other.pk),
    )
    # then its parent and materialised path follow
    assert response.status_code == 302
    township.refresh_from_db()
    assert township.path == "/gov-office/city/411721/411702-01/"
