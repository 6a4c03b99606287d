"""Knowledge entries used to answer a ticket (Art 14(1), Art 22 usage statistics)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput, NotFound, PermissionDenied
from hotline.knowledge.choices import (
    EntryStatus,
)
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import (
    Entry,
    KnowledgeUsage,
)
from hotline.knowledge.services.common import (
    _require_aware,
)
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import User
from hotline.tickets import selectors as ticket_selectors

# -- usage from tickets ---------------------------------------------------------------------------


USAGE_ROLES = frozenset(
    {RoleCode.AGENT, RoleCode.GUEST_AGENT, RoleCode.DISPATCHER, RoleCode.CALLBACK}
)


@transaction.atomic
def knowledge_record_usage(
    *,
    entry_ids: Iterable[int],
    ticket_number: str,
    actor: User,
    now: datetime,
    ticket_checked: bool = False,
) -> int:
    """Record that entries were used to answer a ticket (Art 14(1) answers from the knowledge
    base). Recording the same entry for the same ticket twice is a no-op. Returns how many
    new usage rows were written. The ticket must exist within what the actor may see (Art 25:
    404 otherwise, nothing recorded — issue 19 F6); ``ticket_checked`` when the caller holds
    it already (the ``ticket_answered`` hook)."""
    _require_aware(now)
    if not (actor.is_superuser or actor.has_role(*USAGE_ROLES)):
        raise PermissionDenied(_("当前角色不能登记知识使用"))
    ticket_number = (ticket_number or "").strip()
    if not ticket_number or len(ticket_number) > 40:
        raise InvalidInput(
            _("工单编号不能为空，且不超过40字"), code=KnowledgeErrorCode.INVALID_TICKET_NUMBER
        )
    if (
        not ticket_checked
        and not ticket_selectors.tickets_visible_to(actor).filter(number=ticket_number).exists()
    ):
        raise NotFound(_("工单不存在"), code=KnowledgeErrorCode.NOT_FOUND)
    wanted = list(dict.fromkeys(int(i) for i in entry_ids))
    if not wanted or len(wanted) > 20:
        raise InvalidInput(_("请提供1至20个知识条目"), code=KnowledgeErrorCode.INVALID_ENTRIES)
    found = set(
        Entry.objects.filter(pk__in=wanted, status=EntryStatus.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(
            _("以下条目不存在或未发布：%(ids)s") % {"ids": ", ".join(map(str, missing))},
            code=KnowledgeErrorCode.UNKNOWN_ENTRY,
        )
    existing = set(
        KnowledgeUsage.objects.filter(entry_id__in=wanted, ticket_number=ticket_number).values_list(
            "entry_id", flat=True
        )
    )
    rows = [
        KnowledgeUsage(
            entry_id=i,
            ticket_number=ticket_number,
            actor=actor,
            org_id=actor.organisation_id,
            used_at=now,
        )
        for i in wanted
        if i not in existing
    ]
    KnowledgeUsage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_ticket_answered(*, ticket, entry_ids: list[int], actor: User, now: datetime) -> None:
    """The ``ticket_answered`` hook (registered in ``KnowledgeConfig.ready``): an answer given
    from knowledge entries counts as their use (Art 22 usage statistics), in the answer's
    transaction, whether the answer came from the page or the API; an unknown or unpublished
    entry refuses the answer with it."""
    if entry_ids:
        knowledge_record_usage(
            entry_ids=entry_ids,
            ticket_number=ticket.number,
            actor=actor,
            now=now,
            ticket_checked=True,
        )
