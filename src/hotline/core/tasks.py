from celery import shared_task
from django.conf import settings

from hotline.core import clock
from hotline.core.timers import run_due_timers


@shared_task(name="hotline.core.tasks.run_timers", ignore_result=True)
def run_timers() -> dict[str, int] | None:
    # In simulation mode timers run only when the API asks (a drill decides when time moves).
    if settings.SIMULATION:
        return None
    return run_due_timers(now=clock.now(), trigger="celery")
