"""The rules as data plus one guard (ARCHITECTURE.md principle 2).

``TICKET_TRANSITIONS`` and ``ASSIGNMENT_TRANSITIONS`` are the state tables of API.md, exactly.
``ACTIONS`` says, for every user action, who may take it and in which states. ``allowed()``
answers "may this actor do this now?": the services call only it before acting (intake,
grouping, incident close and review decisions included) and the pages call it to decide which
buttons to show. ``now`` is required, so a page asks about the same moment the service will
(tests/console/test_guard_parity.py walks the states × roles × actions to keep them agreeing).

Pages and services agree only as far as they ask the same question: a page that asks without
the ticket, assignment or review the service will pass gets the answer for the role alone.
The conditions read the database where a rule needs it (a pending extension, children not yet
replied, an evaluation to dispute); the state tables themselves are pure data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from hotline.orgs.choices import OrgKind, RoleCode
from hotline.tickets.choices import AssignmentStatus as A
from hotline.tickets.choices import TicketStatus as T
from hotline.tickets.error_codes import TicketErrorCode as C

# (state, event) -> next state
TICKET_TRANSITIONS: dict[tuple[str, str], str] = {
    (T.NEW, "dispatch"): T.IN_HANDLING,
    (T.NEW, "answer"): T.CLOSED,
    (T.NEW, "reject"): T.NOT_ACCEPTED,
    (T.IN_HANDLING, "all_replied"): T.AWAITING_CALLBACK,
    (T.IN_HANDLING, "all_returned"): T.NEW,
    (T.AWAITING_CALLBACK, "close"): T.CLOSED,
    (T.AWAITING_CALLBACK, "redo"): T.IN_HANDLING,
}

ASSIGNMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (A.AWAITING_SIGN, "sign"): A.IN_PROGRESS,
    (A.IN_PROGRESS, "return"): A.RETURN_REQUESTED,
    (A.RETURN_REQUESTED, "return_approved"): A.RETURNED,
    (A.RETURN_REQUESTED, "return_rejected"): A.IN_PROGRESS,
    (A.IN_PROGRESS, "reply"): A.REPLIED,
    (A.REPLIED, "redo"): A.IN_PROGRESS,
}

TERMINAL_TICKET_STATES = frozenset({T.CLOSED, T.NOT_ACCEPTED})
LIVE_ASSIGNMENT_STATES = frozenset({A.AWAITING_SIGN, A.IN_PROGRESS, A.RETURN_REQUESTED, A.REPLIED})
OPEN_ASSIGNMENT_STATES = frozenset({A.AWAITING_SIGN, A.IN_PROGRESS, A.RETURN_REQUESTED})

UNIT_ROLES = frozenset({RoleCode.UNIT_HANDLER, RoleCode.UNIT_LEADER, RoleCode.COUNTY_DISPATCHER})
INTAKE_ROLES = frozenset({RoleCode.AGENT, RoleCode.GUEST_AGENT})
# Art 18: the center closes a major incident's record when the incident is over
INCIDENT_CLOSE_ROLES = frozenset({RoleCode.DISPATCHER, RoleCode.SUPERVISOR})
REVIEW_ROLES = frozenset({RoleCode.SUPERVISOR, RoleCode.COUNTY_DISPATCHER})


def next_ticket_state(state: str, event: str) -> str | None:
    return TICKET_TRANSITIONS.get((state, event))


def next_assignment_state(state: str, event: str) -> str | None:
    return ASSIGNMENT_TRANSITIONS.get((state, event))


@dataclass(frozen=True)
class Action:
    """Who may take an action (roles), on what (ticket or assignment), in which states."""

    name: str
    roles: frozenset[str]
    ticket_states: frozenset[str] = frozenset()
    assignment_states: frozenset[str] = frozenset()
    on_assignment: bool = False
    own_org: bool = False  # the actor's organisation must hold the assignment
    county_only: bool = False  # the assignment's organisation must be a county body
    center_only: bool = False  # the actor must act for the center (Art 18 并单)


def _fs(*items: str) -> frozenset[str]:
    return frozenset(items)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("intake", INTAKE_ROLES),
        # Art 18 并单 at intake: grouping other callers' tickets is the center's (on top of
        # the intake roles, which the intake itself asks first)
        Action("group", INTAKE_ROLES, center_only=True),
        Action("incident_close", INCIDENT_CLOSE_ROLES),
        Action("answer", INTAKE_ROLES, ticket_states=_fs(T.NEW)),
        Action("reject", INTAKE_ROLES, ticket_states=_fs(T.NEW)),
        Action("contact", INTAKE_ROLES, ticket_states=_fs(T.NEW)),
        Action("dispatch", _fs(RoleCode.DISPATCHER), ticket_states=_fs(T.NEW)),
        Action(
            "sudden_report",
            _fs(RoleCode.AGENT, RoleCode.DISPATCHER, RoleCode.SUPERVISOR),
            ticket_states=_fs(T.NEW, T.IN_HANDLING),
        ),
        Action(
            "sign",
            UNIT_ROLES,
            assignment_states=_fs(A.AWAITING_SIGN),
            on_assignment=True,
            own_org=True,
        ),
        Action(
            "redispatch",
            _fs(RoleCode.COUNTY_DISPATCHER),
            assignment_states=_fs(A.IN_PROGRESS),
            on_assignment=True,
            own_org=True,
            county_only=True,
        ),
        Action(
            "return",
            UNIT_ROLES,
            ticket_states=_fs(T.IN_HANDLING),
            assignment_states=_fs(A.IN_PROGRESS),
            on_assignment=True,
            own_org=True,
        ),
        Action(
            "extension",
            UNIT_ROLES,
            ticket_states=_fs(T.IN_HANDLING),
            assignment_states=_fs(A.IN_PROGRESS),
            on_assignment=True,
            own_org=True,
        ),
        Action(
            "progress",
            UNIT_ROLES,
            ticket_states=_fs(T.IN_HANDLING),
            assignment_states=_fs(A.IN_PROGRESS),
            on_assignment=True,
            own_org=True,
        ),
        Action(
            "reply",
            UNIT_ROLES,
            ticket_states=_fs(T.IN_HANDLING),
            assignment_states=_fs(A.IN_PROGRESS),
            on_assignment=True,
            own_org=True,
        ),
        Action("callback", _fs(RoleCode.CALLBACK), ticket_states=_fs(T.AWAITING_CALLBACK)),
        Action("dispute", UNIT_ROLES, ticket_states=_fs(T.CLOSED)),
        # with ``review=``: the reviewer's scope too (``_review_scope``)
        Action("review", REVIEW_ROLES),
    ]
}


@dataclass(frozen=True)
class Decision:
    ok: bool
    code: str = ""
    status: int = 200
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok


ALLOW = Decision(True)
FORBIDDEN = Decision(False, C.FORBIDDEN, 403)


def _refused(code: str, message: str) -> Decision:
    return Decision(False, code, 409, message)


def _may_have_children(assignment) -> bool:
    """Only a county body re-dispatches (the ``redispatch`` action is ``county_only``), so only
    its assignments can have children: for any other the pending-children query is skipped.
    Decided only from an organisation already loaded with the assignment (as the services
    do); without one the query is made, not an extra read of the organisation."""
    if not type(assignment).org.is_cached(assignment):
        return True
    return assignment.org.kind == OrgKind.COUNTY


def _pending_review(ticket, kind: str, *, assignment=None, org_id=None) -> bool:
    """A pending review of this kind (for this assignment, or asked by this organisation):
    from the pending reviews the ticket's lock read when it did (``services.locking``)."""
    from hotline.tickets.choices import ReviewState

    pending = getattr(ticket, "_pending_reviews", None)
    if pending is not None:
        return any(
            k == kind
            and (assignment is None or a == assignment.pk)
            and (org_id is None or o == org_id)
            for _pk, k, a, o in pending
        )
    query = ticket.reviews.filter(kind=kind, state=ReviewState.PENDING)
    if assignment is not None:
        query = query.filter(assignment_id=assignment.pk)
    if org_id is not None:
        query = query.filter(requested_org_id=org_id)
    return query.exists()


def _children_pending(assignment) -> bool:
    """Has a re-dispatched child of this assignment neither replied nor been returned? From
    the ticket's assignments when they were read with it (under its lock, or for a page)."""
    ticket = assignment.ticket if type(assignment).ticket.is_cached(assignment) else None
    loaded = getattr(ticket, "_locked_assignments", None)
    if loaded is None and ticket is not None:
        cache = getattr(ticket, "_prefetched_objects_cache", {})
        loaded = list(cache["assignments"]) if "assignments" in cache else None
    if loaded is not None:
        return any(
            a.parent_id == assignment.pk and a.status not in (A.REPLIED, A.RETURNED) for a in loaded
        )
    return assignment.children.exclude(status__in=[A.REPLIED, A.RETURNED]).exists()


def _review_scope(user, review) -> Decision:
    """Who decides which review (choice, Art 15(1)): the center's supervisors the reviews
    addressed to the center, a county dispatcher those addressed to its own county body."""
    if user.is_superuser:
        return ALLOW
    if (
        user.has_role(RoleCode.SUPERVISOR)
        and user.acts_for_center
        and review.reviewer_org.kind == OrgKind.CENTER
    ):
        return ALLOW
    if user.has_role(RoleCode.COUNTY_DISPATCHER) and review.reviewer_org_id == user.organisation_id:
        return ALLOW
    return FORBIDDEN


def _conditions(action: str, *, ticket, assignment, now, user=None) -> Decision:
    """Rules beyond the state tables that decide whether an action is open at all, so a page
    never shows a button the service would refuse (Art 15(1), 15(3), 16(2), Art 7)."""
    from hotline.core.policy import policy
    from hotline.tickets.choices import ReviewKind
    from hotline.tickets.deadlines import extension_latest

    if action == "return" and ticket.coordinated and assignment.parent_id is None:
        return _refused(C.COORDINATED_NOT_RETURNABLE, _("协调派单的工单不得退回"))
    if action == "extension":
        if assignment.extension_count >= policy("art15_extension_max_count"):
            return _refused(C.EXTENSION_LIMIT, _("已申请过延期，不得再次申请"))
        if assignment.due_at is not None and now >= extension_latest(due_at=assignment.due_at):
            hours = policy("art15_extension_min_hours_before_due")
            return _refused(
                C.EXTENSION_TOO_LATE,
                _("延期须在办理时限届满%(hours)s小时前申请") % {"hours": hours},
            )
        if _pending_review(ticket, ReviewKind.EXTENSION, assignment=assignment):
            return _refused(C.EXTENSION_PENDING, _("已有待审核的延期申请"))
    if action == "reply" and _may_have_children(assignment) and _children_pending(assignment):
        return _refused(C.CHILDREN_PENDING, _("下级承办单位尚未全部答复"))
    if action == "dispute":
        if not ticket.evaluations.exists():
            return _refused(C.NOTHING_TO_DISPUTE, _("该工单没有可异议的评价"))
        # Art 16(2): a unit disputes the evaluation of its own handling, one dispute at a time
        org_id = user.organisation_id if user is not None else None
        if not ticket.assignments.filter(org_id=org_id).exists():
            return FORBIDDEN
        if _pending_review(ticket, ReviewKind.DISPUTE, org_id=org_id):
            return _refused(C.DISPUTE_PENDING, _("已有待甄别的异议"))
    return ALLOW


def allowed(user, action: str, *, now, ticket=None, assignment=None, review=None) -> Decision:
    """May ``user`` take ``action`` on ``ticket``/``assignment`` (or decide ``review``) now?

    Returns a Decision whose ``code``/``status`` follow API.md: 403 ``forbidden`` for a role
    that may never do this, 409 ``invalid_transition`` for a state that does not allow it, and
    409 with the rule's own code (``coordinated_not_returnable``, ``extension_limit``,
    ``extension_too_late``, …; ``error_codes.TicketErrorCode``) when a rule closes the action.
    With ``review``, the reviewer's scope decides after the role (403 outside it). Scope (404
    for what the user may not see) is the selectors' job, before this is asked.
    """
    rule = ACTIONS[action]
    if not (user.is_superuser or user.has_role(*rule.roles)):
        return FORBIDDEN
    if rule.center_only and not (user.is_superuser or user.acts_for_center):
        return FORBIDDEN
    if review is not None:
        return _review_scope(user, review)
    if rule.on_assignment and assignment is not None:
        if rule.own_org and assignment.org_id != user.organisation_id:
            return FORBIDDEN
        if rule.county_only and assignment.org.kind != OrgKind.COUNTY:
            return FORBIDDEN
        if rule.assignment_states and assignment.status not in rule.assignment_states:
            return Decision(False, C.INVALID_TRANSITION, 409)
        ticket = ticket or assignment.ticket
    if rule.ticket_states and ticket is not None and ticket.status not in rule.ticket_states:
        return Decision(False, C.INVALID_TRANSITION, 409)
    if ticket is not None and (assignment is not None or not rule.on_assignment):
        return _conditions(action, user=user, ticket=ticket, assignment=assignment, now=now)
    return ALLOW
