"""Every read of tickets goes through here (ARCHITECTURE.md principle 6: scope by
construction). Another unit's ticket is simply not in the queryset, so it is a 404."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput, NotFound
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User
from hotline.tickets.choices import AssignmentStatus
from hotline.tickets.error_codes import TicketErrorCode
from hotline.tickets.models import (
    Assignment,
    Category,
    CitizenDataAccess,
    Incident,
    Review,
    Ticket,
    TicketEvent,
)

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


def scope_org_ids(user: User) -> list[int] | None:
    """The organisations whose assignments make a ticket visible to the user: the user's
    organisation and those below it (one indexed prefix query on the small tree table);
    ``None`` for the center and the oversight bodies, who see every ticket."""
    if sees_everything(user):
        return None
    if user.organisation is None:
        return []
    return subtree_of(user.organisation)


def subtree_of(org: Organisation) -> list[int]:
    """The ids of ``org`` and the organisations below it, in tree order. Remembered on the
    instance, so the pages of one request (whose user holds one organisation object) ask the
    tree table once."""
    cached = getattr(org, "_subtree_ids", None)
    if cached is None:
        cached = list(
            Organisation.objects.filter(path__startswith=org.path)
            .order_by("path")
            .values_list("pk", flat=True)
        )
        org._subtree_ids = cached
    return list(cached)


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """The center and the oversight bodies see all tickets; a county or unit sees the tickets
    on which it or an organisation below it holds or held an assignment (a returned one too:
    the ticket stays visible, but ``citizen_view`` masks the citizen, see ``handles_now``)."""
    return _scoped(ScopedTicketQuerySet(model=Ticket), scope_org_ids(user))


def _scope_for_one(user: User) -> list[int] | QuerySet | None:
    """The scope as ``scope_org_ids`` answers it, for a query that finds one ticket: when the
    subtree is not known yet, a subquery inside that query rather than a query of its own."""
    if sees_everything(user):
        return None
    org = user.organisation
    if org is None:
        return []
    cached = getattr(org, "_subtree_ids", None)
    if cached is not None:
        return list(cached)
    return Organisation.objects.filter(path__startswith=org.path).values("pk")


_TicketQS = TypeVar("_TicketQS", bound=QuerySet[Ticket])


def _scoped(qs: _TicketQS, subtree: list[int] | QuerySet | None) -> _TicketQS:
    if subtree is None:
        return qs
    if isinstance(subtree, list) and not subtree:
        return qs.none()
    # The subtree is a handful of organisations: match their ids (indexed) rather than
    # joining every assignment to its organisation's path.
    held = Assignment.objects.filter(ticket=OuterRef("pk"), org_id__in=subtree)
    return qs.filter(Exists(held))


class ScopedTicketQuerySet(QuerySet[Ticket]):
    """A ticket query that may know a cheaper way to count itself.

    ``ticket_list`` attaches the count of a unit's whole scope, which is the number of
    distinct tickets among its assignments: counted from the (org, ticket) index alone
    instead of a semi-join over the whole ticket table (issue #3: 181 ms → 13 ms for a
    county body with a million tickets). The shortcut holds only while the query's WHERE
    clause is exactly the one it was made for; any further filter (the pages' county or
    appeal type, say) falls back to SQL's ``COUNT``. Ordering and slicing keep it (a sliced
    count, as ``CappedPaginator`` does, is the shortcut clipped to the slice)."""

    # (the WHERE clause it was made for, the count: an int or a callable returning one)
    _cheap_count: tuple[tuple | None, int | Callable[[], int]] | None = None

    def _clone(self) -> ScopedTicketQuerySet:
        # QuerySet._clone, Django's copy behind every chained call, is not in django-stubs
        clone = super()._clone()  # type: ignore[misc]
        clone._cheap_count = self._cheap_count
        return clone

    def with_count(self, counter: int | Callable[[], int]) -> ScopedTicketQuerySet:
        """This query, counted by ``counter()`` (an int, or a callable returning one)."""
        clone = self.all()  # QuerySet.all() is a plain copy (Django's _chain)
        clone._cheap_count = (clone._where_signature(), counter)
        return clone

    def _where_signature(self) -> tuple | None:
        query = self.query
        if query.distinct or query.combinator or query.group_by is not None:
            return None
        try:
            compiler = query.get_compiler(self.db)
            sql, params = compiler.compile(query.where)
        except Exception:  # an empty WHERE (.none()) or one only SQL can count
            return None
        return (sql, tuple(repr(p) for p in params))

    def count(self) -> int:
        cheap = self._cheap_count
        if cheap is not None and self._result_cache is None:
            signature, counter = cheap
            if signature is not None and self._where_signature() == signature:
                n = counter() if callable(counter) else counter
                if self.query.high_mark is not None:
                    n = min(n, self.query.high_mark)
                return max(0, n - self.query.low_mark)
        return super().count()


NUMBER_RE = re.compile(r"^ZMD\d{8,}$", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,22}$")


# A scope holding at most this many assignments is listed from its tickets' ids (known in
# one index-only query) rather than by walking the whole table newest first.
SMALL_SCOPE = 2000


def ticket_list(
    *,
    user: User,
    status: str | None = None,
    org: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
) -> QuerySet[Ticket]:
    """The tickets the user may see, filtered, newest first.

    For a county or unit the scope is narrowed the cheap way round (issue #3). A small
    scope (a township office: a few hundred to a few thousand tickets) is listed from its
    ticket ids, read once from the (org, ticket) assignment index, so the database fetches
    those tickets by primary key instead of walking a million tickets newest first looking
    for them. A large scope (a county body) keeps the semi-join, which finds a page of its
    tickets among the newest few hundred, and without further filters is counted from the
    assignment index (``ScopedTicketQuerySet``)."""
    subtree = scope_org_ids(user)
    qs = ScopedTicketQuerySet(model=Ticket)
    count: int | Callable[[], int] | None = None
    if subtree:
        held = Assignment.objects.filter(org_id__in=subtree).order_by()
        rows = list(held.values_list("ticket_id", flat=True)[: SMALL_SCOPE + 1])
        if len(rows) <= SMALL_SCOPE:
            # every assignment of the subtree was read: these ids are the whole scope
            # the tickets are matched with a semi-join on the same index rather than a
            # literal list of ids: a thousand bound parameters cost more than the query
            qs, count = qs.filter(pk__in=held.values("ticket_id")), len(set(rows))
        else:
            qs = _scoped(qs, subtree)
            count = functools.partial(_distinct_tickets, held)
    else:
        qs = _scoped(qs, subtree)
    qs = qs.select_related("county", "category")
    if status:
        qs = qs.filter(status=status)
    if org:
        qs = qs.filter(Exists(Assignment.objects.filter(ticket=OuterRef("pk"), org__code=org)))
    if overdue is not None:
        late = Assignment.objects.filter(ticket=OuterRef("pk"), overdue=True)
        qs = qs.filter(Exists(late)) if overdue else qs.exclude(Exists(late))
    if q:
        qs = qs.filter(text_search(user, q))
    qs = qs.order_by("-received_at", "-id")
    if count is not None and not (status or org or overdue is not None or q):
        qs = qs.with_count(count)
    return qs


def _distinct_tickets(held: QuerySet[Assignment]) -> int:
    # COUNT(DISTINCT …) over the (org, ticket) index: measured faster on PostgreSQL than a
    # DISTINCT subquery (which hashes every id first)
    return held.aggregate(n=Count("ticket_id", distinct=True))["n"]


def text_search(user: User, q: str) -> Q:
    """What the search box matches. A ticket number is an exact, indexed match; a phone
    number matches the citizen's phone exactly (indexed; only for roles that may see citizen
    data) or appears in the content. Other text is looked for in the content, ignoring case.

    On PostgreSQL the content search is served by the trigram index ``ticket_content_trgm``
    on ``UPPER(content)`` (migration 0003) for three characters or more. Shorter text has
    no trigram: without letters that have a case (a two-character Chinese word) it is a
    plain ``LIKE``, cheaper per row than ``UPPER(…) LIKE`` and the same result."""
    q = q.strip()
    if NUMBER_RE.match(q):
        return Q(number=q.upper())
    if len(q) < 3 and q.lower() == q.upper():
        text = Q(content__contains=q)
    else:
        text = Q(content__icontains=q)
    if PHONE_RE.match(q) and can_see_citizen(user):
        return text | Q(citizen_phone=q)
    return text


def _history() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch("assignments", queryset=Assignment.objects.select_related("org", "parent")),
        Prefetch("events", queryset=TicketEvent.objects.select_related("actor", "org")),
    )


def ticket_events(ticket: Ticket) -> Ticket:
    """Load the ticket's events (with actor and organisation), as ``ticket_get`` does, onto a
    ticket already read in scope."""
    prefetch_related_objects([ticket], _history()[1])
    return ticket


def ticket_get(*, user: User, number: str) -> Ticket:
    ticket = (
        _scoped(ScopedTicketQuerySet(model=Ticket), _scope_for_one(user))
        .select_related("county", "category", "repeat_of", "incident")
        .prefetch_related(*_history())
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound(_("工单不存在"), code=TicketErrorCode.NOT_FOUND)
    return ticket


def assignment_get(*, user: User, assignment_id: int) -> Assignment:
    """An assignment the user may see (through its ticket's scope), else 404."""
    assignment = (
        Assignment.objects.select_related(
            "org",
            "parent",
            "parent__org",
            "ticket",
            "ticket__county",
            "ticket__category",
            "ticket__repeat_of",
        )
        .filter(
            pk=assignment_id,
            ticket__in=_scoped(ScopedTicketQuerySet(model=Ticket), _scope_for_one(user)),
        )
        .first()
    )
    if assignment is None:
        raise NotFound(_("派单不存在"), code=TicketErrorCode.NOT_FOUND)
    return assignment


# -- the tickets a state change is about, as a query of their ids (services.holding locks
# them in the same statement that reads them: issue 14) ------------------------------------


def ticket_target(*, user: User, number: str) -> QuerySet:
    """The id of the ticket with this number if the user may see it (as ``ticket_get``)."""
    return _scoped(Ticket.objects.all(), _scope_for_one(user)).filter(number=number).values("pk")


def assignment_target(*, user: User, assignment_id: int) -> QuerySet:
    """The ticket id of the assignment if the user may see its ticket (as ``assignment_get``)."""
    scoped = _scoped(Ticket.objects.all(), _scope_for_one(user))
    return Assignment.objects.filter(pk=assignment_id, ticket__in=scoped).values("ticket_id")


def review_target(*, user: User, review_id: int) -> QuerySet:
    """The ticket id of the review if the user decides it (as ``review_get``)."""
    return review_list(user=user).filter(pk=review_id).values("ticket_id")


def can_see_citizen(user: User) -> bool:
    return user.is_superuser or bool(user.role_codes() & CITIZEN_DATA_ROLES)


# Unit roles that see the citizen of a ticket their organisation is handling, to reply.
UNIT_CITIZEN_ROLES = (RoleCode.UNIT_HANDLER, RoleCode.UNIT_LEADER, RoleCode.COUNTY_DISPATCHER)


def _unit_handler(user: User) -> bool:
    return not sees_everything(user) and user.has_role(*UNIT_CITIZEN_ROLES)


def _live_assignments(subtree: list[int]) -> QuerySet[Assignment]:
    """Assignments of these organisations that were not returned (a unit that returned a
    ticket as not its responsibility, Art 15(1), no longer handles it)."""
    return Assignment.objects.filter(org_id__in=subtree).exclude(status=AssignmentStatus.RETURNED)


def handles_now(user: User, ticket: Ticket) -> bool:
    """Whether the user's organisation or one below it holds a live (not returned) assignment
    on the ticket. Uses the prefetched assignments when ``ticket_get`` loaded them."""
    subtree = scope_org_ids(user)
    if subtree is None:
        return True
    if not subtree:
        return False
    if "assignments" in getattr(ticket, "_prefetched_objects_cache", {}):
        held = set(subtree)
        return any(
            a.org_id in held and a.status != AssignmentStatus.RETURNED
            for a in ticket.assignments.all()
        )
    return _live_assignments(subtree).filter(ticket=ticket).exists()


def _handles_now_loaded(user: User, ticket: Ticket) -> bool | None:
    """``handles_now`` from the prefetched assignments and their organisations alone (the
    subtree is a path prefix of the tree), without asking the tree table; ``None`` when
    they are not loaded."""
    if "assignments" not in getattr(ticket, "_prefetched_objects_cache", {}):
        return None
    org = user.organisation
    if sees_everything(user):
        return True
    if org is None:
        return False
    rows = ticket.assignments.all()
    org_field = Assignment._meta.get_field("org")
    if not all(org_field.is_cached(a) for a in rows):
        return None
    return any(
        a.org.path.startswith(org.path) and a.status != AssignmentStatus.RETURNED for a in rows
    )


def citizen_visible_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets whose citizen ``citizen_view`` shows this user unmasked: every ticket they
    may see for roles that need citizen data; for a unit, the tickets its organisation or one
    below it is handling now (a live assignment), never a confidential one (Art 15(4));
    none for anyone else. What a lookup by the citizen's phone may find (a match tells the
    phone)."""
    qs = tickets_visible_to(user)
    if can_see_citizen(user):
        return qs
    subtree = scope_org_ids(user)
    if not _unit_handler(user) or not subtree:
        return qs.none()
    live = _live_assignments(subtree).filter(ticket=OuterRef("pk"))
    return qs.filter(Exists(live), confidential=False)


def log_citizen_access(
    *, user: User, ticket_ids: Iterable[int], now: datetime, purpose: str
) -> None:
    """Art 25: one ``CitizenDataAccess`` row per ticket whose citizen data was read or
    exported (in one INSERT)."""
    CitizenDataAccess.objects.bulk_create(
        [CitizenDataAccess(user=user, ticket_id=i, at=now, purpose=purpose) for i in ticket_ids],
        batch_size=1000,
    )


def citizen_view(*, user: User, ticket: Ticket, now: datetime, purpose: str = "view") -> dict:
    """The citizen as this user may see them. Units see name and phone to reply while their
    organisation (or one below it) handles the ticket — not after returning it as not their
    responsibility, though the ticket stays visible to them — and never on confidential
    tickets (Art 15(4)); others see them masked. Every unmasked read is logged."""
    if ticket.confidential and not can_see_citizen(user):
        return {"name": None, "phone": None, "confidential": True, "masked": True}
    unit_handles_it = False
    if _unit_handler(user):
        loaded = _handles_now_loaded(user, ticket)
        unit_handles_it = handles_now(user, ticket) if loaded is None else loaded
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


# What in an event's data names another ticket or a grouping of tickets (issue 19 F1).
LINK_KEYS = frozenset({"repeat_of", "closed_ticket", "incident", "grouped_with", "merged_with"})


def _confidential_link(ticket: Ticket) -> bool:
    """Whether the ticket or the ticket it repeats is confidential (the repeat root is
    loaded by ``ticket_get``; a grouped incident's other tickets are not shown anyway)."""
    if ticket.confidential:
        return True
    if ticket.repeat_of_id is None:
        return False
    root = ticket.repeat_of if Ticket.repeat_of.is_cached(ticket) else None
    if root is not None:
        return root.confidential
    return Ticket.objects.filter(pk=ticket.repeat_of_id, confidential=True).exists()


def links_hidden(*, user: User, ticket: Ticket) -> bool:
    """Art 15(4), Art 25 (issue 19 F1): the links between a ticket and others (its repeat
    root, its 并单 incident, the numbers in its events' data) are hidden from whoever may not
    see a confidential citizen, when either end is confidential — else a unit handling the
    confidential ticket learns the caller's other tickets (with name and phone, if it handled
    them too), or the reverse. The same predicate as ``citizen_view``'s confidential rule."""
    return not can_see_citizen(user) and _confidential_link(ticket)


def event_data_for(*, user: User, ticket: Ticket, data: dict | None, hidden: bool | None = None):
    """An event's data as ``user`` may read it: without its links when ``links_hidden``."""
    if hidden is None:
        hidden = links_hidden(user=user, ticket=ticket)
    if not hidden or not data:
        return data
    return {k: v for k, v in data.items() if k not in LINK_KEYS}


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
        raise NotFound(_("审核申请不存在"), code=TicketErrorCode.NOT_FOUND)
    return review


def closed_ticket_texts():
    """(text, category code) of closed tickets, for training the routing classifier."""
    return (
        Ticket.objects.filter(status="closed", category__isnull=False)
        .values_list("content", "category__code")
        .iterator(chunk_size=2000)
    )


def intake_grouping(
    *, user: User, incident: int | None = None, merge_with: Sequence[str] = ()
) -> dict:
    """The 并单 chosen at intake (Art 18) as ``services.ticket_intake`` arguments: an incident
    to join (``incident``) and tickets to group with the new one into a new incident
    (``merge_with``), read within what ``user`` may see. An unknown one is refused here; one
    closed or grouped meanwhile is passed on and refused by the service with its message."""
    out: dict = {}
    if incident is not None:
        found = incident_list(user=user).filter(pk=incident).first()
        if found is None:
            raise InvalidInput(
                _("重大诉求事件 %(incident)s 不存在") % {"incident": incident},
                code=TicketErrorCode.UNKNOWN_INCIDENT,
            )
        out["incident"] = found
    numbers = list(dict.fromkeys(n.strip() for n in merge_with if n and n.strip()))
    if numbers:
        tickets = list(tickets_visible_to(user).filter(number__in=numbers).order_by("pk"))
        missing = [n for n in numbers if n not in {t.number for t in tickets}]
        if missing:
            # Translators: the separator between items of a list ("A、B" → "A, B")
            separator = _("、")
            raise InvalidInput(
                _("并单：工单 %(numbers)s 不存在") % {"numbers": separator.join(missing[:5])},
                code=TicketErrorCode.MERGE_UNKNOWN_TICKET,
            )
        out["merge_with"] = tickets
    return out


def incident_list(*, user: User, open_only: bool | None = None) -> QuerySet[Incident]:
    """Major incidents (Art 18) with their linked-call counts: the center and the oversight
    bodies see all of them; a county sees those in its territory; a unit sees none."""
    qs = Incident.objects.select_related("county").annotate(calls=Count("tickets"))
    if not sees_everything(user):
        org = user.organisation
        if org is None or org.kind != OrgKind.COUNTY:
            return qs.none()
        qs = qs.filter(county=org)
    if open_only is not None:
        qs = qs.filter(closed_at__isnull=open_only)
    return qs.order_by("-opened_at", "-id")


def incident_get(*, user: User, incident_id: int) -> Incident:
    incident = incident_list(user=user).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound()
    return incident


def category_options() -> list[Category]:
    """The active appeal categories by code (the pickers of intake and knowledge entries)."""
    return list(Category.objects.filter(active=True).order_by("code"))
