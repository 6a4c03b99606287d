"""The Celery app for the production setup (``hotline worker``): timers on a beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["hotline.core", "hotline.exchange"])
app.conf.beat_schedule = {
    "run-due-timers": {
        "task": "hotline.core.tasks.run_timers",
        "schedule": float(os.environ.get("HOTLINE_TIMER_INTERVAL_SECONDS", "60")),
    },
    # Art 21: the outbox relay, near real time; a run sweeps until idle (hotline.exchange)
    "relay-outbox": {
        "task": "hotline.exchange.tasks.relay",
        "schedule": float(os.environ.get("HOTLINE_RELAY_INTERVAL_SECONDS", "1")),
        "options": {"expires": 5},
    },
}
