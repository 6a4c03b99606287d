"""Every read of tickets goes through here (ARCHITECTURE.md principle 6: scope by
construction). Another unit's ticket is simply not in the queryset, so it is a 404."""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from hotline.core.errors import NotFound
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User
from hotline.tickets.models import Assignment, CitizenDataAccess, Review, Ticket, TicketEvent

# Roles that need the citizen's name and phone to do their work (Art 25: masked otherwise).
CITIZEN_DATA_ROLES = frozenset(
    {
        RoleCode.AGENT,
        RoleCode.GUEST_AGENT,
        RoleCode.DISPATCHER,
        RoleCode.CALLBACK,
        RoleCode.SUPERVISOR,
        RoleCode.ADMINISTRATOR,
    }
)
SEE_ALL_ORG_KINDS = frozenset({OrgKind.CENTER, OrgKind.OVERSIGHT, OrgKind.SUPERVISION_OFFICE})


def sees_everything(user: User) -> bool:
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and org.kind in SEE_ALL_ORG_KINDS


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """The center and the oversight bodies see all tickets; a county or unit sees the tickets
    on which it or an organisation below it holds or held an assignment."""
    qs = Ticket.objects.all()
    if sees_everything(user):
        return qs
    if user.organisation is None:
        return qs.none()
    # The subtree is a handful of organisations: match their ids (indexed) rather than
    # joining every assignment to its organisation's path.
    subtree = list(
        Organisation.objects.filter(path__startswith=user.organisation.path).values_list(
            "pk", flat=True
        )
    )
    held = Assignment.objects.filter(ticket=OuterRef("pk"), org_id__in=subtree)
    return qs.filter(Exists(held))


NUMBER_RE = re.compile(r"^ZMD\d{8,}$", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,22}$")


def ticket_list(
    *,
    user: User,
    status: str | None = None,
    org: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
) -> QuerySet[Ticket]:
    qs = tickets_visible_to(user).select_related("county", "category")
    if status:
        qs = qs.filter(status=status)
    if org:
        qs = qs.filter(Exists(Assignment.objects.filter(ticket=OuterRef("pk"), org__code=org)))
    if overdue is not None:
        late = Assignment.objects.filter(ticket=OuterRef("pk"), overdue=True)
        qs = qs.filter(Exists(late)) if overdue else qs.exclude(Exists(late))
    if q:
        q = q.strip()
        # A number or a phone is an exact, indexed match; anything else searches the content.
        if NUMBER_RE.match(q):
            qs = qs.filter(number=q.upper())
        elif PHONE_RE.match(q):
            match = Q(content__icontains=q)
            if can_see_citizen(user):
                match |= Q(citizen_phone=q)
            qs = qs.filter(match)
        else:
            qs = qs.filter(content__icontains=q)
    return qs.order_by("-received_at", "-id")


def ticket_get(*, user: User, number: str) -> Ticket:
    ticket = (
        tickets_visible_to(user)
        .select_related("county", "category", "repeat_of", "incident")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("org", "parent")),
            Prefetch("events", queryset=TicketEvent.objects.select_related("actor", "org")),
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound("工单不存在", code="not_found")
    return ticket


def assignment_get(*, user: User, assignment_id: int) -> Assignment:
    """An assignment the user may see (through its ticket's scope), else 404."""
    assignment = (
        Assignment.objects.select_related("org", "parent", "parent__org", "ticket")
        .filter(pk=assignment_id, ticket__in=tickets_visible_to(user))
        .first()
    )
    if assignment is None:
        raise NotFound("派单不存在", code="not_found")
    return assignment


def can_see_citizen(user: User) -> bool:
    return user.is_superuser or bool(user.role_codes() & CITIZEN_DATA_ROLES)


def citizen_view(*, user: User, ticket: Ticket, now: datetime, purpose: str = "view") -> dict:
    """The citizen as this user may see them. Units see name and phone to reply, except on
    confidential tickets (Art 15(4)); others see them masked. Every unmasked read is logged."""
    if ticket.confidential and not can_see_citizen(user):
        return {"name": None, "phone": None, "confidential": True, "masked": True}
    unit_handles_it = not sees_everything(user) and user.has_role(
        RoleCode.UNIT_HANDLER, RoleCode.UNIT_LEADER, RoleCode.COUNTY_DISPATCHER
    )
    if can_see_citizen(user) or unit_handles_it:
        CitizenDataAccess.objects.create(user=user, ticket=ticket, at=now, purpose=purpose)
        return {
            "name": ticket.citizen_name,
            "phone": ticket.citizen_phone,
            "confidential": ticket.confidential,
            "masked": False,
        }
    return {
        "name": mask_name(ticket.citizen_name),
        "phone": mask_phone(ticket.citizen_phone),
        "confidential": ticket.confidential,
        "masked": True,
    }


def citizen_masked(*, user: User, ticket: Ticket) -> dict:
    """The citizen as shown in lists: always masked (no read is logged), hidden from units
    on confidential tickets."""
    if ticket.confidential and not can_see_citizen(user):
        return {"name": None, "phone": None, "confidential": True, "masked": True}
    return {
        "name": mask_name(ticket.citizen_name),
        "phone": mask_phone(ticket.citizen_phone),
        "confidential": ticket.confidential,
        "masked": True,
    }


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 11 else 2
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def review_list(
    *, user: User, kind: str | None = None, state: str | None = None
) -> QuerySet[Review]:
    """Reviews the user decides: the center's for supervisors, its own for a county body."""
    qs = Review.objects.select_related("ticket", "assignment", "requested_by", "requested_org")
    if user.is_superuser or (user.has_role(RoleCode.SUPERVISOR) and sees_everything(user)):
        # the center decides top-level returns, extensions and disputes; a county body
        # decides what it re-dispatched (and sees those in its own queue)
        qs = qs.filter(reviewer_org__kind=OrgKind.CENTER)
    elif user.has_role(RoleCode.COUNTY_DISPATCHER) and user.organisation_id:
        qs = qs.filter(reviewer_org=user.organisation)
    else:
        return qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("created_at", "id")


def review_get(*, user: User, review_id: int) -> Review:
    review = review_list(user=user).filter(pk=review_id).first()
    if review is None:
        raise NotFound("审核申请不存在", code="not_found")
    return review


def closed_ticket_texts():
    """(text, category code) of closed tickets, for training the routing classifier."""
    return (
        Ticket.objects.filter(status="closed", category__isnull=False)
        .values_list("content", "category__code")
        .iterator(chunk_size=2000)
    )
