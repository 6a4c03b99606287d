"""Scheduled retraining of the category model (registered with hotline.core.timers).

The sweep runs every minute; the timer only checks whether a retraining is due (a directory
listing and at most one indexed query — see ``retraining.retraining_due``) and, when it is,
hands the training (seconds to minutes) to the background: the Celery task under
``hotline worker``, a thread of this process with the embedded in-process timers. The service
claims the run with a unique ``running`` row, so a second launcher does nothing.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections

from hotline.core.timers import register
from hotline.routing import retraining, tasks  # tasks: registers the Celery task in the worker

logger = logging.getLogger(__name__)

_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def _run_in_thread() -> None:
    try:
        retraining.retrain_category_model(trigger="in-process")
    except Exception:  # recorded by the service when it can be; never kill the process
        logger.exception("routing: scheduled retraining failed")
    finally:
        close_old_connections()


def launch() -> bool:
    """Start the retraining in the background; ``False`` when one is already running here."""
    global _thread
    if settings.CELERY_BROKER_URL and not settings.SIMULATION:
        tasks.retrain_category_model.delay(trigger="celery")
        return True
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return False
        _thread = threading.Thread(target=_run_in_thread, name="routing-retrain", daemon=True)
        _thread.start()
        return True


@register("routing.retrain_category_model", order=950)
def retrain_when_due(*, now: datetime) -> int:
    """Retrain the category model from closed tickets when the policy interval has passed and
    enough new tickets were closed (real time, not business time: see the service)."""
    due, _detail = retraining.retraining_due()
    if not due:
        return 0
    return int(launch())
