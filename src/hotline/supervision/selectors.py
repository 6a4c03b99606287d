from __future__ import annotations

from django.db.models import QuerySet

from hotline.orgs.models import User
from hotline.supervision.models import SupervisionCase
from hotline.tickets.selectors import sees_everything


def case_list(
    *, user: User, state: str | None = None, instrument: str | None = None
) -> QuerySet[SupervisionCase]:
    """The center and the supervision office see every case; a unit sees the ones about it."""
    qs = SupervisionCase.objects.select_related("org").prefetch_related("tickets")
    if not sees_everything(user):
        if user.organisation is None:
            return qs.none()
        qs = qs.filter(org__path__startswith=user.organisation.path)
    if state:
        qs = qs.filter(state=state)
    if instrument:
        qs = qs.filter(instrument=instrument)
    return qs.order_by("-created_at", "-id")
