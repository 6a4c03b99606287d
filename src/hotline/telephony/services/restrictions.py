"""Art 34: callers who abuse the line may be restricted for a period; clues of crime go to
the police. Only supervisors decide; every change is audited in its own transaction; a
restriction never stops an emergency transfer (Art 11(4)): the switch still offers the
110/119/120/122 transfer, and events and intake are never refused for a restricted number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from hotline.core.policy import policy
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import User
from hotline.telephony.choices import RestrictionEventType, RestrictionState
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import Restriction, RestrictionEvent
from hotline.telephony.services.common import clean_number
from hotline.tickets.models import Ticket


def _supervisor(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(RoleCode.SUPERVISOR)):
        raise PermissionDenied(_("只有中心审核督办员可以决定限制呼入"))


def _snapshot(r: Restriction) -> dict:
    return {
        "state": r.state,
        "until": r.until.isoformat(),
        "approved_by": r.approved_by.username if r.approved_by_id else None,
    }


def _audit(r: Restriction, type_: str, *, actor: User | None, now: datetime, before: dict, note=""):
    RestrictionEvent.objects.create(
        restriction=r, type=type_, actor=actor, at=now, before=before, after=_snapshot(r), note=note
    )


def _locked(restriction: Restriction) -> Restriction:
    r = Restriction.objects.select_for_update().filter(pk=restriction.pk).first()
    if r is None:
        raise NotFound(_("限制记录不存在"), code=Code.RESTRICTION_NOT_FOUND)
    return r


@transaction.atomic
def restriction_create(
    *,
    number: str,
    reason: str,
    evidence: Sequence[Ticket],
    until: datetime,
    starts_at: datetime | None = None,
    actor: User,
    now: datetime,
) -> Restriction:
    """Art 34: restrict a number until ``until`` (at most the policy number of days), with
    the reason and the tickets that show the abuse. With policy ``art34_second_approval`` a
    second supervisor must approve before it applies; otherwise the decider approves it."""
    _supervisor(actor)
    number = clean_number(number, field="number", required=True)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("须说明限制理由"), code="missing_field")
    starts_at = starts_at or now
    if until.tzinfo is None:
        raise InvalidInput(_("until 须带时区偏移"), code=Code.INVALID_PERIOD)
    if until <= starts_at:
        raise InvalidInput(_("截止时间须晚于开始时间"), code=Code.INVALID_PERIOD)
    if until - starts_at > timedelta(days=policy("art34_max_days")):
        raise InvalidInput(
            _("限制期限不能超过 %(days)s 天") % {"days": policy("art34_max_days")},
            code=Code.INVALID_PERIOD,
        )
    second = policy("art34_second_approval")
    r = Restriction.objects.create(
        number=number,
        reason=reason,
        starts_at=starts_at,
        until=until,
        state=RestrictionState.PENDING if second else RestrictionState.ACTIVE,
        decided_by=actor,
        approved_by=None if second else actor,
        approved_at=None if second else now,
    )
    r.evidence.set(evidence)
    _audit(r, RestrictionEventType.DECIDED, actor=actor, now=now, before={}, note=reason)
    return r


@transaction.atomic
def restriction_approve(*, restriction: Restriction, actor: User, now: datetime) -> Restriction:
    """The second supervisor's approval (policy ``art34_second_approval``): never the decider."""
    _supervisor(actor)
    r = _locked(restriction)
    if r.state != RestrictionState.PENDING:
        raise DomainError(_("该限制不在待批准状态"), code=Code.RESTRICTION_NOT_ACTIVE)
    if r.decided_by_id == actor.pk:
        raise DomainError(_("决定人不能批准自己的决定"), code=Code.SELF_APPROVAL)
    before = _snapshot(r)
    r.state, r.approved_by, r.approved_at = RestrictionState.ACTIVE, actor, now
    r.save(update_fields=["state", "approved_by", "approved_at"])
    _audit(r, RestrictionEventType.APPROVED, actor=actor, now=now, before=before)
    return r


@transaction.atomic
def restriction_lift(
    *, restriction: Restriction, reason: str, actor: User, now: datetime
) -> Restriction:
    """Art 34: lift a restriction before its end, with a reason."""
    _supervisor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("解除限制须说明理由"), code="missing_field")
    r = _locked(restriction)
    if r.state not in (RestrictionState.ACTIVE, RestrictionState.PENDING):
        raise DomainError(_("该限制已解除或已到期"), code=Code.RESTRICTION_NOT_ACTIVE)
    before = _snapshot(r)
    r.state, r.lifted_by, r.lifted_at, r.lift_reason = RestrictionState.LIFTED, actor, now, reason
    r.save(update_fields=["state", "lifted_by", "lifted_at", "lift_reason"])
    _audit(r, RestrictionEventType.LIFTED, actor=actor, now=now, before=before, note=reason)
    return r


@transaction.atomic
def restriction_refer_police(
    *, restriction: Restriction, note: str, actor: User, now: datetime
) -> Restriction:
    """Art 34 «涉嫌违法的，将线索移交公安机关»: the hand-over is recorded (when, by whom, what)."""
    _supervisor(actor)
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("须说明移交的线索"), code="missing_field")
    r = _locked(restriction)
    before = _snapshot(r)
    r.police_referred_at, r.police_referral = now, note
    r.save(update_fields=["police_referred_at", "police_referral"])
    _audit(r, RestrictionEventType.POLICE_REFERRAL, actor=actor, now=now, before=before, note=note)
    return r


def restriction_expire_due(*, now: datetime) -> int:
    """Timer: restrictions past ``until`` end by themselves, each with its audit row."""
    done = 0
    due = list(
        Restriction.objects.filter(
            state__in=[RestrictionState.ACTIVE, RestrictionState.PENDING], until__lte=now
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        with transaction.atomic():
            r = Restriction.objects.select_for_update().get(pk=pk)
            if r.state not in (RestrictionState.ACTIVE, RestrictionState.PENDING):
                continue
            before = _snapshot(r)
            r.state = RestrictionState.EXPIRED
            r.save(update_fields=["state"])
            _audit(r, RestrictionEventType.EXPIRED, actor=None, now=now, before=before)
            done += 1
    return done
