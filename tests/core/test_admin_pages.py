"""The back-office renders for administrators, in Chinese, and policy edits go through the
service (validated, every process reloads)."""

import pytest
from django.urls import reverse

from hotline.core.models import PolicySetting
from hotline.core.policy import policy
from hotline.orgs.models import User

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:core_policysetting_changelist",
    "admin:core_policysetting_add",
    "admin:core_policychange_changelist",
    "admin:core_timerrun_changelist",
    "admin:tickets_ticket_changelist",
    "admin:tickets_category_changelist",
    "admin:tickets_sourcedeadline_changelist",
    "admin:tickets_review_changelist",
    "admin:tickets_outboxmessage_changelist",
    "admin:supervision_supervisioncase_changelist",
]


@pytest.fixture
def admin_client(client, demo_orgs):
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize("name", PAGES)
def test_admin_page_renders(admin_client, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    assert "管理" in response.content.decode()


def test_policy_edit_in_admin_is_validated_and_applied(admin_client):
    url = reverse("admin:core_policysetting_add")
    bad = admin_client.post(url, {"key": "art14_dispatch_hours", "value": "-3"})
    assert bad.status_code == 200 and not PolicySetting.objects.filter(value=-3).exists()
    ok = admin_client.post(url, {"key": "art14_dispatch_hours", "value": "8"})
    assert ok.status_code == 302
    assert policy("art14_dispatch_hours") == 8


def test_non_staff_users_cannot_open_the_admin(client, demo_orgs):
    client.force_login(User.objects.get(username="agent"))
    response = client.get(reverse("admin:tickets_ticket_changelist"))
    assert response.status_code == 302
