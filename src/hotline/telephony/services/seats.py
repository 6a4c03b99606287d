"""Seats: queues and special seats (Art 19), the expert roster (Art 14(1), Art 8(3)) and
guest seats (Art 32: leaders and deputies take calls for a time, with a time-limited grant of
the guest-agent role and a participation record)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import Organisation, Role, User
from hotline.telephony.choices import CallOutcome, GuestState
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import Call, ExpertDuty, GuestSession, Queue
from hotline.telephony.services.common import require
from hotline.tickets.choices import SpecialSeat
from hotline.tickets.models import Ticket

MANAGER_ROLES = (RoleCode.SUPERVISOR, RoleCode.ADMINISTRATOR)


def queue_upsert(
    *, code: str, name: str, org: Organisation, special_seat: str = "", active: bool = True
) -> Queue:
    """A queue of the switch; a special seat (Art 19) is a queue with its ``special_seat``."""
    if special_seat and special_seat not in SpecialSeat.values:
        raise InvalidInput(_("未知的专席：%(value)s") % {"value": special_seat})
    queue, _created = Queue.objects.update_or_create(
        code=code,
        defaults={"name": name, "org": org, "special_seat": special_seat, "active": active},
    )
    return queue


def _period(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput(_("结束时间须晚于开始时间"), code=Code.INVALID_RANGE)


def expert_duty_create(
    *,
    expert: User,
    org: Organisation,
    topic: str,
    starts_at: datetime,
    ends_at: datetime,
    phone: str = "",
    actor: User | None,
) -> ExpertDuty:
    """Art 14(1): an expert of a sub-center or unit on duty for the expert seat."""
    require(actor, *MANAGER_ROLES)
    _period(starts_at, ends_at)
    return ExpertDuty.objects.create(
        expert=expert,
        org=org,
        topic=topic.strip()[:80],
        phone=phone,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def guest_session_create(
    *,
    guest: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    queue: Queue | None = None,
    actor: User,
    now: datetime,
) -> GuestSession:
    """Art 32: schedule a guest seat; the role is granted when it starts (timer)."""
    require(actor, *MANAGER_ROLES)
    _period(starts_at, ends_at)
    session = GuestSession.objects.create(
        guest=guest,
        title=title.strip()[:80],
        starts_at=starts_at,
        ends_at=ends_at,
        queue=queue,
        created_by=actor,
    )
    guest_sessions_sweep(now=now)
    return session


def _guest_role() -> Role:
    role, _created = Role.objects.get_or_create(code=RoleCode.GUEST_AGENT)
    return role


def guest_sessions_sweep(*, now: datetime) -> int:
    """Timer: grant the guest-agent role when a session starts and take it back when it ends
    (only when the grant was ours), recording what the guest did in their time."""
    done = 0
    for session in GuestSession.objects.filter(
        state=GuestState.SCHEDULED, starts_at__lte=now
    ).select_related("guest"):
        with transaction.atomic():
            if session.ends_at > now:
                if not session.guest.has_role(RoleCode.GUEST_AGENT):
                    session.guest.roles.add(_guest_role())
                    session.role_granted = True
                session.state = GuestState.ACTIVE
            else:
                session.state = GuestState.ENDED
            session.save(update_fields=["state", "role_granted"])
            done += 1
    for session in GuestSession.objects.filter(
        state=GuestState.ACTIVE, ends_at__lte=now
    ).select_related("guest"):
        with transaction.atomic():
            if session.role_granted:
                session.guest.roles.remove(_guest_role())
            window = {"answered_at__gte": session.starts_at, "answered_at__lt": session.ends_at}
            session.calls_answered = Call.objects.filter(
                agent=session.guest, outcome=CallOutcome.ANSWERED, **window
            ).count()
            session.tickets_taken = Ticket.objects.filter(
                received_by=session.guest,
                received_at__gte=session.starts_at,
                received_at__lt=session.ends_at,
            ).count()
            session.state = GuestState.ENDED
            session.save(update_fields=["state", "calls_answered", "tickets_taken"])
            done += 1
    return done
