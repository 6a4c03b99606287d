"""Celery side of the scheduled retraining (``hotline worker``): the timer
``routing.retrain_category_model`` (hotline.routing.timers) finds it due during the beat sweep
and sends this task, so the sweep itself stays fast; the service decides again, under its
claim, whether to train (two workers: one trains)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hotline.routing.tasks.retrain_category_model", ignore_result=True)
def retrain_category_model(trigger: str = "celery") -> str | None:
    from hotline.routing.retraining import retrain_category_model as retrain

    run = retrain(trigger=trigger)
    return run.status if run is not None else None
