"""The business "now" (ARCHITECTURE.md principle 3: time is a parameter).

Services take ``now`` as an argument; the edges (views, API, timers) get it from here. With
``HOTLINE_SIMULATION=1`` it is the shared simulation clock when one is set, so a drill or a
test decides what time it is for every process at once. Login tokens, sessions and rate limits
use real time (``real_now``), never this.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def real_now() -> datetime:
    return timezone.now()


def now() -> datetime:
    if settings.SIMULATION:
        from hotline.core.models import SimulationClock

        row = SimulationClock.objects.filter(pk=1).only("now").first()
        if row is not None:
            return row.now
    return timezone.now()


def set_simulated_now(moment: datetime) -> datetime:
    """Store the simulated now for every process. Only in simulation mode."""
    from hotline.core.models import SimulationClock

    if not settings.SIMULATION:
        raise RuntimeError("the simulation clock is off (HOTLINE_SIMULATION is not 1)")
    if timezone.is_naive(moment):
        raise ValueError("a simulated time needs a time zone offset")
    SimulationClock.objects.update_or_create(pk=1, defaults={"now": moment})
    return moment
