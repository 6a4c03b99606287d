"""Back-office (secrets and keys shown once, never stored in clear / never shown again),
the demo seed hook, the Celery task and the in-process thread (one code path), housekeeping."""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

import pytest
from django.urls import reverse

from hotline.core.clock import real_now
from hotline.exchange.models import ClientKey, DeliveryAttempt, InboundMessage, Partner
from hotline.orgs.models import User
from hotline.tickets.models import OutboxMessage, SourceDeadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, demo_orgs):
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    "name",
    [
        "admin:exchange_partner_changelist",
        "admin:exchange_partner_add",
        "admin:exchange_clientkey_changelist",
        "admin:exchange_clientkey_add",
        "admin:exchange_outboxdelivery_changelist",
        "admin:exchange_inboundticket_changelist",
        "admin:exchange_deliveryattempt_changelist",
        "admin:exchange_inboundmessage_changelist",
        "admin:exchange_open311request_changelist",
    ],
)
def test_exchange_admin_pages_render(admin, name):
    assert admin.get(reverse(name)).status_code == 200


def test_a_partner_secret_is_shown_once_and_never_again(admin):
    response = admin.post(
        reverse("admin:exchange_partner_add"),
        {"code": "gov-cn", "name": "国家政务服务平台", "kind": "national", "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    partner = Partner.objects.get(code="gov-cn")
    assert partner.secret and partner.secret in response.content.decode()
    # its system account is made when it first acts
    from hotline.exchange.services import partner_actor

    assert partner.user is None
    assert partner_actor(partner).username == "partner.gov-cn"
    assert partner.user.has_role("agent") and partner.user.organisation.code == "city"
    change = admin.get(reverse("admin:exchange_partner_change", args=[partner.pk]))
    assert partner.secret not in change.content.decode()
    # a new secret may be set, write-only
    admin.post(
        reverse("admin:exchange_partner_change", args=[partner.pk]),
        {"name": "国家政务服务平台", "kind": "national", "active": "on", "new_secret": "rotated"},
    )
    partner.refresh_from_db()
    assert partner.secret == "rotated"


def test_an_open311_key_is_shown_once_and_only_its_hash_is_kept(admin):
    response = admin.post(
        reverse("admin:exchange_clientkey_add"),
        {"name": "wechat", "description": "公众号"},
        follow=True,
    )
    key = re.search(r"o311_[A-Za-z0-9_\-]+", response.content.decode()).group(0)
    row = ClientKey.objects.get(name="wechat")
    assert key not in str(list(ClientKey.objects.values()))
    from hotline.exchange.services import client_key_check

    assert client_key_check(key, now=real_now()) == row
    assert client_key_check(key + "x", now=real_now()) is None


def test_the_demo_hook_creates_partners_and_key_and_is_safe_to_run_twice(demo_orgs, changes):
    from hotline.demo import exchange as demo
    from hotline.exchange.services import client_key_check

    changes.intake()  # the "history" played just before the hook
    out = io.StringIO()
    demo.seed(days=1, per_day=1, seed=1, stdout=out)
    assert set(Partner.objects.values_list("code", flat=True)) == {
        "province",
        "gov-cn",
        "sub-12315",
    }
    province = Partner.objects.get(code="province")
    assert province.secret == "demo-province-secret" and province.receives_all
    assert client_key_check("demo-open311-key", now=real_now()) is not None
    assert SourceDeadline.objects.get(channel="national").working_days == 5
    assert not OutboxMessage.objects.filter(state="pending").exists()  # history delivered
    # a change made in the demo afterwards stays to be pushed, even after a second seed
    changes.intake()
    demo.seed(days=1, per_day=1, seed=1, stdout=out)
    assert OutboxMessage.objects.filter(state="pending").count() == 1
    assert Partner.objects.count() == 3 and ClientKey.objects.count() == 1
    # seeding adds no users (system accounts are made on first use)
    assert not User.objects.filter(username__startswith="partner.").exists()


def test_the_celery_task_and_the_thread_run_the_same_sweep(province, mock, changes):
    from hotline.exchange import tasks
    from hotline.exchange.relay import RelayThread

    changes.intake()
    assert tasks.relay() == {"sent": 1, "failed": 0, "dead": 0}
    # the thread used by `hotline serve` (no broker): started, sweeps, stops
    thread = RelayThread(interval=0.05)
    swept = threading.Event()
    import hotline.exchange.relay as relay_module

    original = relay_module.relay_once

    def spy(**kwargs):  # the thread's own connection cannot see this test's transaction
        swept.set()
        return {"sent": 0, "failed": 0, "dead": 0}

    relay_module.relay_once = spy
    try:
        thread.start()
        assert swept.wait(10)
    finally:
        thread.stop()
        thread.join(10)
        relay_module.relay_once = original
    assert not thread.is_alive()


def test_the_worker_schedule_includes_the_relay():
    from hotline.config.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "hotline.exchange.tasks.relay" in tasks


def test_old_logs_are_pruned(province, mock, changes):
    from hotline.core.timers import registered
    from hotline.exchange.relay import relay_once

    changes.intake()
    relay_once(now=real_now())
    InboundMessage.objects.create(
        partner=province, message_id="old", kind="ticket", received_at=real_now()
    )
    DeliveryAttempt.objects.update(at=real_now() - timedelta(days=31))
    InboundMessage.objects.update(received_at=real_now() - timedelta(days=31))
    timer = next(t for t in registered() if t.name == "exchange.prune_logs")
    assert timer.fn(now=real_now()) == 2
    assert not DeliveryAttempt.objects.exists() and not InboundMessage.objects.exists()
