"""Reads the console needs beyond ``hotline.tickets.selectors``: work queues, counts and
boards. Each starts from a scoped selector (``tickets_visible_to``, ``review_list``) or from
the user's own organisation, so scope is never decided here; counts and boards are single SQL
aggregates, never Python loops over tickets (ARCHITECTURE.md principle 8).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from hotline.calendar.services import get_calendar
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User
from hotline.tickets import rules, selectors
from hotline.tickets.choices import AssignmentStatus as A
from hotline.tickets.choices import ReviewState
from hotline.tickets.choices import TicketStatus as T
from hotline.tickets.models import Assignment, Review, Ticket

QUEUE_ROWS = 12
OPEN = list(rules.OPEN_ASSIGNMENT_STATES)


def due_soon_window() -> timedelta:
    """How close a deadline must be to list it under 即将到期 (a display choice)."""
    return timedelta(hours=getattr(settings, "HOTLINE_CONSOLE_DUE_SOON_HOURS", 24))


# -- who sees which sections -------------------------------------------------------------------


def home_sections(user: User) -> list[str]:
    """The home page sections for the user's roles, in working order. A user with several
    roles sees the sections of each."""
    org = user.organisation
    sections = []
    if user.has_role(*rules.INTAKE_ROLES):
        sections.append("agent")
    if user.has_role(RoleCode.DISPATCHER):
        sections.append("dispatcher")
    if org is not None and user.has_role(*rules.UNIT_ROLES) and org.kind != OrgKind.CENTER:
        sections.append("unit")
    if org is not None and user.has_role(RoleCode.COUNTY_DISPATCHER) and org.kind == OrgKind.COUNTY:
        sections.append("county")
    if user.has_role(RoleCode.CALLBACK):
        sections.append("callback")
    if user.has_role(RoleCode.SUPERVISOR):
        sections.append("supervisor")
    if org is not None and user.has_role(RoleCode.INSPECTOR):
        sections.append("inspector")  # the escalations the supervision office works (Art 30)
    if user.is_superuser or user.has_role(
        RoleCode.ANALYST, RoleCode.INSPECTOR, RoleCode.ADMINISTRATOR
    ):
        sections.append("overview")
    return sections


# -- tickets -----------------------------------------------------------------------------------


def _ticket_rows(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.select_related("county", "category")


def agent_recent(*, user: User, limit: int = 10) -> list[Ticket]:
    return list(
        _ticket_rows(selectors.tickets_visible_to(user).filter(received_by=user)).order_by(
            "-received_at", "-id"
        )[:limit]
    )


def agent_counts(*, user: User, now: datetime) -> dict:
    start = get_calendar().start_of_day(get_calendar().local(now).date())
    return (
        selectors.tickets_visible_to(user)
        .filter(received_by=user, received_at__gte=start)
        .aggregate(
            today=Count("id"),
            answered=Count("id", filter=Q(close_reason="answered_at_intake")),
            not_accepted=Count("id", filter=Q(status=T.NOT_ACCEPTED)),
            waiting=Count("id", filter=Q(status=T.NEW)),
        )
    )


def caller_history(*, user: User, phone: str, limit: int = 8) -> list[Ticket]:
    """The caller's earlier tickets, for an agent on the phone. Only roles that may see the
    citizen's data may look a phone number up; the number must match exactly (indexed)."""
    phone = (phone or "").strip()
    if len(phone) < 5 or not selectors.can_see_citizen(user):
        return []
    qs = selectors.tickets_visible_to(user).filter(citizen_phone=phone)
    return list(_ticket_rows(qs).order_by("-received_at", "-id")[:limit])


def dispatch_queue(*, user: User, special: bool, limit: int = QUEUE_ROWS) -> list[Ticket]:
    """New tickets by dispatch deadline (major incidents have the shortest); special-seat
    tickets (Art 19) are queued separately."""
    qs = selectors.tickets_visible_to(user).filter(status=T.NEW)
    qs = qs.exclude(special_seat="") if special else qs.filter(special_seat="")
    return list(_ticket_rows(qs).order_by("dispatch_due_at", "id")[:limit])


def dispatch_counts(*, user: User, now: datetime) -> dict:
    return (
        selectors.tickets_visible_to(user)
        .filter(status=T.NEW)
        .aggregate(
            total=Count("id"),
            special=Count("id", filter=~Q(special_seat="")),
            major=Count("id", filter=Q(major_incident=True)),
            late=Count("id", filter=Q(dispatch_due_at__lt=now)),
            soon=Count(
                "id",
                filter=Q(dispatch_due_at__gte=now, dispatch_due_at__lt=now + timedelta(hours=2)),
            ),
        )
    )


def callback_queue(*, user: User, limit: int = QUEUE_ROWS) -> list[Ticket]:
    qs = selectors.tickets_visible_to(user).filter(status=T.AWAITING_CALLBACK)
    return list(_ticket_rows(qs).order_by("callback_due_at", "id")[:limit])


def callback_counts(*, user: User, now: datetime) -> dict:
    cal = get_calendar()
    end_today = cal.end_of_day(cal.local(now).date())
    return (
        selectors.tickets_visible_to(user)
        .filter(status=T.AWAITING_CALLBACK)
        .aggregate(
            total=Count("id"),
            today=Count("id", filter=Q(callback_due_at__lte=end_today, callback_due_at__gte=now)),
            late=Count("id", filter=Q(callback_due_at__lt=now)),
        )
    )


# -- a unit's worklist -------------------------------------------------------------------------


def _assignment_rows(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return qs.select_related("ticket", "ticket__county", "org")


def own_assignments(*, user: User) -> QuerySet[Assignment]:
    """The assignments of the user's own organisation (inside its scope by construction:
    ``tickets_visible_to`` shows every ticket its organisation holds an assignment on)."""
    if user.organisation_id is None:
        return Assignment.objects.none()
    return Assignment.objects.filter(org_id=user.organisation_id)


def unit_queues(*, user: User, now: datetime, limit: int = QUEUE_ROWS) -> dict[str, list]:
    mine = _assignment_rows(own_assignments(user=user))
    soon = now + due_soon_window()
    return {
        "to_sign": list(mine.filter(status=A.AWAITING_SIGN).order_by("sign_due_at", "id")[:limit]),
        "in_progress": list(mine.filter(status=A.IN_PROGRESS).order_by("due_at", "id")[:limit]),
        "due_soon": list(
            mine.filter(status=A.IN_PROGRESS, overdue=False, due_at__lt=soon).order_by(
                "due_at", "id"
            )[:limit]
        ),
        "overdue": list(
            mine.filter(status__in=OPEN, overdue=True).order_by("due_at", "id")[:limit]
        ),
        "returned": list(
            mine.filter(status__in=[A.RETURN_REQUESTED, A.RETURNED]).order_by("-id")[:limit]
        ),
        "redo": list(
            mine.filter(status=A.IN_PROGRESS, redo_count__gt=0).order_by("due_at", "id")[:limit]
        ),
    }


def unit_counts(*, user: User, now: datetime) -> dict:
    soon = now + due_soon_window()
    # only the work-list rows (the org/status index), not the unit's whole replied history
    live = [*OPEN, A.RETURNED]
    return (
        own_assignments(user=user)
        .filter(status__in=live)
        .aggregate(
            to_sign=Count("id", filter=Q(status=A.AWAITING_SIGN)),
            in_progress=Count("id", filter=Q(status=A.IN_PROGRESS)),
            due_soon=Count("id", filter=Q(status=A.IN_PROGRESS, overdue=False, due_at__lt=soon)),
            overdue=Count("id", filter=Q(status__in=OPEN, overdue=True)),
            returned=Count("id", filter=Q(status__in=[A.RETURN_REQUESTED, A.RETURNED])),
            redo=Count("id", filter=Q(status=A.IN_PROGRESS, redo_count__gt=0)),
        )
    )


# -- a county body's subtree (Art 7, Art 14(2)) ------------------------------------------------


def subtree_ids(org: Organisation, *, include_self: bool = False) -> list[int]:
    """The organisations below ``org`` (one indexed prefix query on the small tree table, so
    the big assignment table is then searched by ``org_id`` on its work-list index)."""
    return [pk for pk in selectors.subtree_of(org) if include_self or pk != org.pk]


def county_queues(*, user: User, now: datetime, limit: int = QUEUE_ROWS) -> dict[str, list]:
    org = user.organisation
    live_child = Assignment.objects.filter(parent=OuterRef("pk")).exclude(status=A.RETURNED)
    to_redispatch = (
        _assignment_rows(own_assignments(user=user))
        .filter(status=A.IN_PROGRESS)
        .exclude(Exists(live_child))
        .order_by("due_at", "id")[:limit]
    )
    below = (
        _assignment_rows(Assignment.objects.filter(org_id__in=subtree_ids(org)))
        .filter(status__in=OPEN)
        .order_by("-overdue", "due_at", "id")[:limit]
    )
    return {"to_redispatch": list(to_redispatch), "below": list(below)}


def county_counts(*, user: User, now: datetime) -> dict:
    org = user.organisation
    live_child = Assignment.objects.filter(parent=OuterRef("pk")).exclude(status=A.RETURNED)
    below = Assignment.objects.filter(org_id__in=subtree_ids(org), status__in=OPEN)
    counts = below.aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=Q(status__in=OPEN, overdue=True)),
        to_sign=Count("id", filter=Q(status=A.AWAITING_SIGN)),
    )
    counts["to_redispatch"] = (
        own_assignments(user=user).filter(status=A.IN_PROGRESS).exclude(Exists(live_child)).count()
    )
    return counts


def _in_scope(user: User, qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Assignments on tickets the user may see. For the center and the oversight bodies that
    is every ticket, and the semi-join over the whole ticket table is left out."""
    if selectors.sees_everything(user):
        return qs
    return qs.filter(ticket__in=selectors.tickets_visible_to(user))


# -- reviews, supervision, boards --------------------------------------------------------------


def pending_reviews(*, user: User, limit: int = QUEUE_ROWS) -> list[Review]:
    """Reviews the user decides (``review_list`` scopes them)."""
    qs = selectors.review_list(user=user, state=ReviewState.PENDING).select_related(
        "assignment__org", "ticket__county"
    )
    return list(qs[:limit])


def review_counts(*, user: User) -> dict:
    return selectors.review_list(user=user, state=ReviewState.PENDING).aggregate(
        total=Count("id"),
        ret=Count("id", filter=Q(kind="return")),
        ext=Count("id", filter=Q(kind="extension")),
        dispute=Count("id", filter=Q(kind="dispute")),
    )


def center_reviews_watch(*, user: User, limit: int = QUEUE_ROWS) -> list[Review]:
    """The center's pending reviews, read-only for dispatchers: an approved return without
    a new unit comes back to their queue. Deciding is the supervisors' (``rules.allowed``)."""
    if not selectors.sees_everything(user):
        return []
    qs = (
        Review.objects.filter(state=ReviewState.PENDING, reviewer_org__kind=OrgKind.CENTER)
        .select_related("ticket", "ticket__county", "assignment__org", "requested_org")
        .order_by("created_at", "id")
    )
    return list(qs[:limit])


def proposed_cases(*, user: User, limit: int = 10) -> tuple[list, int]:
    from hotline.supervision.selectors import case_list

    qs = case_list(user=user, state="proposed")
    return list(qs[:limit]), qs.count()


def overdue_board(*, user: User, limit: int = 15) -> list[dict]:
    """Open overdue assignments per handling unit: one GROUP BY in SQL."""
    rows = (
        _in_scope(user, Assignment.objects.filter(overdue=True, status__in=OPEN))
        .values("org__code", "org__name", "org__short_name")
        .annotate(n=Count("id"), to_sign=Count("id", filter=Q(status=A.AWAITING_SIGN)))
        .order_by("-n", "org__code")
    )
    return list(rows[:limit])


def overview(*, user: User) -> dict:
    """Counts by status and by county for the read-only overview, in three GROUP BY queries
    that the indexes answer: by status, totals by county, and by county for the statuses
    other than closed (a small share); closed is the remainder. ``COUNT(*)`` (not of a
    column) lets the database count from an index alone instead of reading the rows."""
    visible = selectors.tickets_visible_to(user)
    by_status = dict(visible.values_list("status").annotate(n=Count("*")).order_by())
    totals = dict(visible.values_list("county_id").annotate(n=Count("*")).order_by())
    others = [s for s in T.values if s != T.CLOSED]
    split: dict[int, dict[str, int]] = {}
    for county_id, status, n in (
        visible.filter(status__in=others)
        .values_list("county_id", "status")
        .annotate(n=Count("*"))
        .order_by()
    ):
        split.setdefault(county_id, {})[status] = n
    by_county = []
    for county in Organisation.objects.filter(pk__in=totals).order_by("path"):
        row = {s: split.get(county.pk, {}).get(s, 0) for s in others}
        row[T.CLOSED] = totals[county.pk] - sum(row.values())
        row.update(county=county, total=totals[county.pk])
        by_county.append(row)
    open_overdue = (
        _in_scope(user, Assignment.objects.filter(overdue=True, status__in=OPEN))
        .values("ticket_id")
        .distinct()
        .count()
    )
    return {
        "by_status": [(s, label, by_status.get(s, 0)) for s, label in T.choices],
        "total": sum(by_status.values()),
        "by_county": by_county,
        "open_overdue": open_overdue,
    }


# -- reference lists for forms -----------------------------------------------------------------


def counties() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrgKind.COUNTY, active=True).order_by("path"))


def handling_orgs(*, under: Organisation | None = None) -> list[Organisation]:
    """Units a ticket can be dispatched to, in tree order (for the dispatch pickers)."""
    qs = Organisation.objects.filter(
        active=True, kind__in=[OrgKind.COUNTY, OrgKind.UNIT, OrgKind.SUBCENTER]
    )
    if under is not None:
        qs = qs.filter(path__startswith=under.path).exclude(pk=under.pk)
    return list(qs.select_related("parent").order_by("path"))


def filter_orgs(*, user: User) -> list[Organisation]:
    """The handling units a user may filter the list by: every one for the center and the
    oversight bodies, the user's own organisation and those below it for a county or unit
    (the list shows nothing of the others anyway)."""
    if selectors.sees_everything(user):
        return handling_orgs()
    if user.organisation is None:
        return []
    qs = Organisation.objects.filter(
        active=True,
        kind__in=[OrgKind.COUNTY, OrgKind.UNIT, OrgKind.SUBCENTER],
        path__startswith=user.organisation.path,
    )
    return list(qs.order_by("path"))


def report_recipients() -> list[Organisation]:
    """Whom a sudden event is reported to (Art 18): the local governments and the hotline
    authority, and the responding departments — every active organisation but the center."""
    qs = Organisation.objects.filter(active=True).exclude(kind=OrgKind.CENTER)
    return list(qs.order_by("path"))
