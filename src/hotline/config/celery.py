"""The Celery app for the production setup (``hotline worker``): timers on a beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["hotline.core"])
app.conf.beat_schedule = {
    "run-due-timers": {
        "task": "hotline.core.tasks.run_timers",
        "schedule": float(os.environ.get("HOTLINE_TIMER_INTERVAL_SECONDS", "60")),
    }
}
