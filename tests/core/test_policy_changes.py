"""Policy edits keep their before and after values, who and when (ARCHITECTURE.md principle
4; issue 13, item 7), whether made through the service or the back office, and the log is
read-only there."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from hotline.core.models import PolicyChange
from hotline.core.policy import DEFINITIONS, policy_set
from hotline.orgs.models import User

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KEY = "art14_dispatch_hours"


@pytest.fixture
def admin_user(demo_orgs):
    return User.objects.get(username="admin")


def test_a_first_change_logs_the_default_it_replaced(admin_user):
    policy_set(key=KEY, value=8, actor=admin_user, now=AT)

    [change] = PolicyChange.objects.all()
    assert (change.key, change.old_value, change.old_was_default, change.new_value) == (
        KEY,
        DEFINITIONS[KEY].default,
        True,
        8,
    )
    assert (change.actor, change.changed_at) == (admin_user, AT)


def test_a_later_change_logs_the_previous_value_and_an_unchanged_value_logs_nothing(
    admin_user,
):
    policy_set(key=KEY, value=8, actor=admin_user, now=AT)
    policy_set(key=KEY, value=6, actor=admin_user, now=AT)
    policy_set(key=KEY, value=6, actor=admin_user, now=AT)

    latest = PolicyChange.objects.order_by("id").values_list(
        "old_value", "new_value", "old_was_default"
    )
    assert list(latest)[1:] == [(8, 6, False)]
    assert PolicyChange.objects.count() == 2


def test_an_edit_in_the_admin_is_logged_with_the_administrator(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:core_policysetting_add"), {"key": KEY, "value": "8"})
    assert response.status_code == 302
    change = PolicyChange.objects.get()
    assert (change.old_value, change.new_value, change.actor) == (
        DEFINITIONS[KEY].default,
        8,
        admin_user,
    )
    assert change.changed_at is not None


def test_the_change_log_is_read_only_in_the_admin(client, admin_user):
    policy_set(key=KEY, value=8, actor=admin_user, now=AT)
    change = PolicyChange.objects.get()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:core_policychange_changelist"))
    assert listing.status_code == 200 and KEY in listing.content.decode()
    assert client.get(reverse("admin:core_policychange_add")).status_code == 403
    page = client.get(reverse("admin:core_policychange_change", args=[change.pk]))
    assert page.status_code == 200
    assert 'name="new_value"' not in page.content.decode()
    delete = client.post(
        reverse("admin:core_policychange_delete", args=[change.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403 and PolicyChange.objects.filter(pk=change.pk).exists()
