"""The timer registry: one entry point for the in-process thread, Celery beat and the
simulation API; every sweep is recorded."""

import pytest
from django.test import override_settings

from hotline.core import timers
from hotline.core.models import TimerRun

pytestmark = pytest.mark.django_db


def test_lifecycle_timers_are_registered_in_a_stable_order():
    names = [t.name for t in timers.registered()]
    for expected in (
        "tickets.auto_sign",
        "tickets.dispatch_overdue",
        "tickets.handling_overdue",
        "tickets.incident_progress",
        "tickets.callback_expiry",
        "supervision.art30_redo",
        "supervision.art30_repeat",
    ):
        assert expected in names
    assert names.index("tickets.auto_sign") < names.index("tickets.handling_overdue")


def test_celery_task_runs_every_timer_and_records_the_sweep():
    from hotline.core.tasks import run_timers

    summary = run_timers()
    assert set(summary) == {t.name for t in timers.registered()}
    run = TimerRun.objects.get()
    assert run.trigger == "celery" and run.finished_at is not None and run.summary == summary


@override_settings(SIMULATION=True)
def test_celery_task_does_nothing_in_simulation_mode():
    from hotline.core.tasks import run_timers

    assert run_timers() is None
    assert TimerRun.objects.count() == 0


def test_serve_runs_timers_in_process_only_without_a_broker():
    from hotline.config.management.commands.serve import timers_in_process

    with override_settings(CELERY_BROKER_URL="", SIMULATION=False):
        assert timers_in_process()
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"):
        assert not timers_in_process()
    with override_settings(CELERY_BROKER_URL="", SIMULATION=True):
        assert not timers_in_process()
