"""Helpers the telephony services share: permission checks, number validation, look-ups."""

from __future__ import annotations

import re

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput, PermissionDenied
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import User
from hotline.telephony.error_codes import TelephonyErrorCode as Code
from hotline.telephony.models import Queue

NUMBER_RE = re.compile(r"^\+?[0-9*#-]{1,30}$")

# Who may act as the switch (events, agent states from the switch, restrictions/check).
SWITCH_ROLES = (RoleCode.CTI, RoleCode.ADMINISTRATOR)
# Who takes calls: the call bar, call-backs, the restriction check at intake.
AGENT_ROLES = (RoleCode.AGENT, RoleCode.GUEST_AGENT, RoleCode.CALLBACK)
# Who watches the floor: the wallboard, the rate report, staffing.
FLOOR_ROLES = (RoleCode.SUPERVISOR, RoleCode.ANALYST, RoleCode.ADMINISTRATOR, RoleCode.INSPECTOR)


def require(actor: User | None, *roles: str) -> None:
    if actor is None:
        return  # the timers and the in-process simulator act as the system
    if actor.is_superuser or actor.has_role(*roles):
        return
    raise PermissionDenied()


def clean_number(value: str | None, *, field: str, required: bool = False) -> str:
    number = (value or "").strip()
    if not number:
        if required:
            raise InvalidInput(
                _("%(field)s：须填写电话号码") % {"field": field}, code=Code.INVALID_NUMBER
            )
        return ""
    if not NUMBER_RE.match(number):
        raise InvalidInput(
            _("%(field)s：不是有效的电话号码") % {"field": field}, code=Code.INVALID_NUMBER
        )
    return number


_queue_ids: dict[str, int] = {}


def _forget_queues(**_kwargs) -> None:
    _queue_ids.clear()


post_save.connect(_forget_queues, sender=Queue, weak=False, dispatch_uid="telephony-queues")
post_delete.connect(_forget_queues, sender=Queue, weak=False, dispatch_uid="telephony-queues-d")


def queue_id(code: str) -> int:
    """The id of the active queue ``code`` (remembered per process; edits clear it)."""
    if code not in _queue_ids:
        pk = Queue.objects.filter(code=code, active=True).values_list("pk", flat=True).first()
        if pk is None:
            raise InvalidInput(
                _("未知的话务队列：%(code)s") % {"code": code}, code=Code.UNKNOWN_QUEUE
            )
        _queue_ids[code] = pk
    return _queue_ids[code]


_agent_ids: dict[str, int] = {}


def agent_id(username: str) -> int:
    if username not in _agent_ids:
        pk = (
            User.objects.filter(username=username, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise InvalidInput(
                _("未知的话务员：%(name)s") % {"name": username}, code=Code.UNKNOWN_AGENT
            )
        _agent_ids[username] = pk
    return _agent_ids[username]


def _forget_agents(**_kwargs) -> None:
    _agent_ids.clear()


post_save.connect(_forget_agents, sender=User, weak=False, dispatch_uid="telephony-agents")
post_delete.connect(_forget_agents, sender=User, weak=False, dispatch_uid="telephony-agents-d")
