"""A new password ends the API tokens issued with the old one (API.md, Authentication), through
one service, ``orgs.services.user_set_password``, that the admin's password form calls too;
saving a user for anything else keeps their tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.core import clock
from hotline.core.auth import token_issue
from hotline.orgs.models import User
from hotline.orgs.services import user_set_password

pytestmark = pytest.mark.django_db

PASSWORD = "Demo#12345"
NEW_PASSWORD = "Another#Passw0rd-2026"


def works(key: str) -> bool:
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/tickets")
    assert response.status_code in (200, 401)
    return response.status_code == 200


def test_the_service_sets_the_password_and_revokes_only_that_users_tokens(demo_orgs):
    key, _token = token_issue(username="dispatcher", password=PASSWORD)
    other, _ = token_issue(username="agent", password=PASSWORD)
    user = User.objects.get(username="dispatcher")

    user_set_password(user=user, password=NEW_PASSWORD, actor=None, now=clock.now())

    assert not works(key)
    assert works(other)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh, _ = token_issue(username="dispatcher", password=NEW_PASSWORD)
    assert works(fresh)


def test_saving_a_user_without_a_new_password_keeps_their_tokens(demo_orgs):
    key, _token = token_issue(username="dispatcher", password=PASSWORD)
    user = User.objects.get(username="dispatcher")
    user.display_name = "改名不改密码"
    user.save()
    assert works(key)


def test_a_password_changed_in_the_admin_ends_the_users_tokens(demo_orgs, client):
    # given a dispatcher signed in to the API
    key, _token = token_issue(username="dispatcher", password=PASSWORD)
    other, _ = token_issue(username="agent", password=PASSWORD)
    user = User.objects.get(username="dispatcher")
    # when the administrator gives them a new password in the back office
    client.force_login(User.objects.get(username="admin"))
    response = client.post(
        f"/admin/orgs/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    # then the password is changed and their token no longer works; others' still do
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not works(key)
    assert works(other)


def test_an_unusable_password_set_in_the_admin_also_ends_the_tokens(demo_orgs, client):
    key, _token = token_issue(username="dispatcher", password=PASSWORD)
    user = User.objects.get(username="dispatcher")
    client.force_login(User.objects.get(username="admin"))
    response = client.post(
        f"/admin/orgs/user/{user.pk}/password/", {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not works(key)


def test_the_simulation_roles_setting_must_name_real_roles():
    from django.test import override_settings

    from hotline.orgs.checks import simulation_roles_exist

    assert simulation_roles_exist() == []
    with override_settings(HOTLINE_SIMULATION_ROLES=("administrator", "nobody")):
        [error] = simulation_roles_exist()
    assert error.id == "hotline.orgs.E001" and "nobody" in error.msg
