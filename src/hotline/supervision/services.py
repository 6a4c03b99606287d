"""Supervision cases: the platform proposes from facts, a supervisor confirms or dismisses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError, InvalidInput, PermissionDenied
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import Organisation, User
from hotline.supervision.models import SupervisionCase
from hotline.tickets.models import Ticket


def case_propose(
    *,
    instrument: str,
    article: str,
    org: Organisation | None,
    tickets: Sequence[Ticket],
    reason: str,
    dedupe_key: str,
    now: datetime,
) -> SupervisionCase | None:
    """Store a proposal once: the dedupe key makes a repeated sweep a no-op."""
    if SupervisionCase.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            case = SupervisionCase.objects.create(
                instrument=instrument,
                article=article,
                org=org,
                reason=reason,
                dedupe_key=dedupe_key,
                created_at=now,
            )
            case.tickets.set(tickets)
    except IntegrityError:  # proposed at the same moment by another sweep
        return None
    return case


@transaction.atomic
def case_decide(
    *, case: SupervisionCase, confirm: bool, reason: str, actor: User, now: datetime
) -> SupervisionCase:
    """Art 29(1) exempts special reasons: a dismissal needs one, and both are recorded."""
    if not (actor.is_superuser or actor.has_role(RoleCode.SUPERVISOR, RoleCode.INSPECTOR)):
        raise PermissionDenied()
    case = SupervisionCase.objects.select_for_update().get(pk=case.pk)
    if case.state != SupervisionCase.State.PROPOSED:
        raise DomainError(_("该督办事项已处理"), code="already_decided")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise InvalidInput(_("驳回须说明理由"), code="missing_field")
    case.state = SupervisionCase.State.CONFIRMED if confirm else SupervisionCase.State.DISMISSED
    case.decided_by = actor
    case.decided_at = now
    case.decision_reason = reason
    case.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    return case
