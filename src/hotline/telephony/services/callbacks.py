"""Art 13 «忙时未及时接通的话务，12345热线应当在闲时回拨»: every abandoned call becomes a call-back
task with a due time (policy), offered to agents when the queue is quiet; each attempt is
recorded with its outcome, and a call-back that reaches the citizen ends with a ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError, InvalidInput, NotFound
from hotline.core.policy import policy
from hotline.orgs.models import User
from hotline.telephony.choices import (
    CallbackOutcome,
    CallbackResult,
    CallbackState,
    RestrictionState,
)
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import Call, CallbackAttempt, CallbackTask, Restriction
from hotline.telephony.services.common import AGENT_ROLES, require
from hotline.tickets.models import Ticket


def callback_open(*, call: Call, now: datetime) -> CallbackTask | None:
    """An abandoned call → a task, one pending task per number (a second missed call of the
    same number counts on it). No task without a number, nor for a restricted number (Art 34:
    the restriction limits the line's resources for that caller)."""
    if not call.caller:
        return None
    moment = call.abandoned_at or call.ended_at or now
    if Restriction.objects.filter(
        number=call.caller, state=RestrictionState.ACTIVE, starts_at__lte=moment, until__gt=moment
    ).exists():
        return None
    pending = (
        CallbackTask.objects.select_for_update()
        .filter(number=call.caller, state=CallbackState.PENDING)
        .first()
    )
    if pending is not None:
        CallbackTask.objects.filter(pk=pending.pk).update(calls=F("calls") + 1)
        return pending
    if CallbackTask.objects.filter(call=call).exists():
        return None
    return CallbackTask.objects.create(
        number=call.caller,
        call=call,
        queue_id=call.queue_id,
        created_at=moment,
        due_at=moment + timedelta(hours=policy("art13_callback_due_hours")),
    )


def callbacks_close_answered(*, call: Call, now: datetime) -> int:
    """The number got through later (or its late ``answered`` event arrived): its pending
    tasks are done, nobody needs to call back."""
    if not call.caller:
        return 0
    moment = call.answered_at or now
    return CallbackTask.objects.filter(
        Q(created_at__lte=moment) | Q(call=call), number=call.caller, state=CallbackState.PENDING
    ).update(state=CallbackState.DONE, result=CallbackResult.CALLED_AGAIN, done_at=moment)


def _task(task_id: int) -> CallbackTask:
    task = CallbackTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("回拨任务不存在"), code=Code.CALLBACK_NOT_FOUND)
    return task


@transaction.atomic
def callback_take(*, task: CallbackTask, actor: User, now: datetime) -> CallbackTask:
    """An agent takes the task offered on the call bar (nobody else is offered it)."""
    require(actor, *AGENT_ROLES)
    task = _task(task.pk)
    if task.state != CallbackState.PENDING:
        raise DomainError(_("该回拨任务已完成"), code=Code.CALLBACK_DONE)
    task.taken_by, task.taken_at = actor, now
    task.save(update_fields=["taken_by", "taken_at"])
    return task


@transaction.atomic
def callback_attempt(
    *,
    task: CallbackTask,
    outcome: str,
    ticket: Ticket | None = None,
    no_appeal: bool = False,
    note: str = "",
    actor: User,
    now: datetime,
) -> CallbackTask:
    """Art 13: one call-back attempt. ``reached`` ends the task with the ticket recorded
    during the call-back (or ``no_appeal``: the citizen no longer needs one); ``no_answer`` and
    ``busy`` count, and after the policy number of attempts the task ends as unreachable."""
    require(actor, *AGENT_ROLES)
    if outcome not in CallbackOutcome.values:
        raise InvalidInput(
            _("未知的回拨结果：%(value)s") % {"value": outcome}, code="unknown_outcome"
        )
    task = _task(task.pk)
    if task.state != CallbackState.PENDING:
        raise DomainError(_("该回拨任务已完成"), code=Code.CALLBACK_DONE)
    if outcome == CallbackOutcome.REACHED and ticket is None and not no_appeal:
        raise InvalidInput(
            _("回拨接通后须关联受理的工单（或注明市民已无诉求）"), code=Code.TICKET_REQUIRED
        )
    CallbackAttempt.objects.create(
        task=task, at=now, agent=actor, outcome=outcome, ticket=ticket, note=(note or "")[:300]
    )
    task.attempts += 1
    fields = ["attempts"]
    if outcome == CallbackOutcome.REACHED:
        task.state, task.result, task.done_at, task.ticket = (
            CallbackState.DONE,
            CallbackResult.REACHED,
            now,
            ticket,
        )
        fields += ["state", "result", "done_at", "ticket"]
    elif task.attempts >= policy("art13_callback_max_attempts"):
        task.state, task.result, task.done_at = (
            CallbackState.DONE,
            CallbackResult.UNREACHABLE,
            now,
        )
        fields += ["state", "result", "done_at"]
    else:
        task.taken_by, task.taken_at = None, None  # back to the pool for the next quiet time
        fields += ["taken_by", "taken_at"]
    task.save(update_fields=fields)
    return task


def callbacks_mark_overdue(*, now: datetime) -> int:
    """Timer: pending tasks past their due time are flagged (never silently cleared)."""
    return CallbackTask.objects.filter(
        state=CallbackState.PENDING, overdue=False, due_at__lte=now
    ).update(overdue=True)
