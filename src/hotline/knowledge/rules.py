"""Who may do what to a knowledge entry or a correction/question, and in which state.

One transition table and one guard (ARCHITECTURE.md principle 2): the services refuse what the
guard refuses, and pages ask the same guard which buttons to show.

Capacities (Art 22):
- ``owner``: a unit handler or unit leader of the entry's owning organisation — a unit edits
  only its own entries;
- ``reviewer``: a supervisor or administrator of the center (organisation kind ``center``),
  or a superuser — the center reviews and publishes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from hotline.core.errors import InvalidTransition, NotFound, PermissionDenied
from hotline.knowledge.choices import EntryAction, EntryStatus, FeedbackKind, FeedbackState
from hotline.orgs.choices import CENTER_ROLES, OrgKind, RoleCode

OWNER = "owner"
REVIEWER = "reviewer"

UNIT_ROLES = frozenset({RoleCode.UNIT_HANDLER, RoleCode.UNIT_LEADER})
REVIEWER_ROLES = frozenset({RoleCode.SUPERVISOR, RoleCode.ADMINISTRATOR})
# Art 22: "the hotline raises corrections and questions": the center's working roles.
RAISE_ROLES = frozenset(
    {
        RoleCode.AGENT,
        RoleCode.GUEST_AGENT,
        RoleCode.DISPATCHER,
        RoleCode.CALLBACK,
        RoleCode.SUPERVISOR,
        RoleCode.ADMINISTRATOR,
    }
)
# May read every correction/question and the Art 27(1) evidence.
OVERSIGHT_ROLES = frozenset(CENTER_ROLES | {RoleCode.INSPECTOR})

_BOTH = frozenset({OWNER, REVIEWER})
_REVIEWER = frozenset({REVIEWER})

# action → {from status: (to status, capacities allowed)}
TRANSITIONS: dict[str, dict[str, tuple[str, frozenset[str]]]] = {
    EntryAction.UPDATE: {
        EntryStatus.DRAFT: (EntryStatus.DRAFT, _BOTH),
        # Under review only the reviewer edits; the unit asks for it to be returned.
        EntryStatus.IN_REVIEW: (EntryStatus.IN_REVIEW, _REVIEWER),
        # (choice) A change to a published entry goes back through review before it is served.
        EntryStatus.PUBLISHED: (EntryStatus.DRAFT, _BOTH),
    },
    EntryAction.SUBMIT: {EntryStatus.DRAFT: (EntryStatus.IN_REVIEW, _BOTH)},
    EntryAction.PUBLISH: {EntryStatus.IN_REVIEW: (EntryStatus.PUBLISHED, _REVIEWER)},
    EntryAction.RETURN: {EntryStatus.IN_REVIEW: (EntryStatus.DRAFT, _REVIEWER)},
    EntryAction.RETIRE: {
        EntryStatus.DRAFT: (EntryStatus.RETIRED, _BOTH),
        EntryStatus.IN_REVIEW: (EntryStatus.RETIRED, _BOTH),
        EntryStatus.PUBLISHED: (EntryStatus.RETIRED, _BOTH),
    },
    # Confirms that a published entry is still current (resets the review period).
    EntryAction.REVIEW: {EntryStatus.PUBLISHED: (EntryStatus.PUBLISHED, _BOTH)},
}

# Feedback: action → (allowed states, allowed kinds, to state)
FEEDBACK_TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    "answer": (
        frozenset({FeedbackState.OPEN}),
        frozenset({FeedbackKind.QUESTION, FeedbackKind.CORRECTION}),
        FeedbackState.ANSWERED,
    ),
    "accept": (
        frozenset({FeedbackState.OPEN}),
        frozenset({FeedbackKind.CORRECTION}),
        FeedbackState.ACCEPTED,
    ),
    "reject": (
        frozenset({FeedbackState.OPEN}),
        frozenset({FeedbackKind.CORRECTION}),
        FeedbackState.REJECTED,
    ),
}


def _roles(user) -> frozenset[str]:
    return user.role_codes() if getattr(user, "is_authenticated", False) else frozenset()


def is_reviewer(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and org.kind == OrgKind.CENTER and bool(_roles(user) & REVIEWER_ROLES)


def is_unit_member(user, org_id: int | None) -> bool:
    """A handler or leader of organisation ``org_id``."""
    return (
        getattr(user, "is_authenticated", False)
        and org_id is not None
        and user.organisation_id == org_id
        and bool(_roles(user) & UNIT_ROLES)
    )


def capacities(user, org_id: int | None) -> frozenset[str]:
    caps = set()
    if is_unit_member(user, org_id):
        caps.add(OWNER)
    if is_reviewer(user):
        caps.add(REVIEWER)
    return frozenset(caps)


def can_author(user) -> bool:
    """May create entries at all (for their own unit, or any unit when reviewing)."""
    return is_reviewer(user) or bool(_roles(user) & UNIT_ROLES)


def can_see_entry(user, entry) -> bool:
    """Published entries are open to all staff; the rest only to the owner's organisation and
    the center's reviewers (another unit's draft is a 404, not a 403)."""
    if entry.status == EntryStatus.PUBLISHED:
        return True
    return is_reviewer(user) or (
        getattr(user, "is_authenticated", False) and user.organisation_id == entry.org_id
    )


def entry_allowed(user, entry, action: str) -> bool:
    """For pages: would ``entry_check`` let this user do ``action`` now?"""
    try:
        entry_check(user, entry, action)
    except (NotFound, PermissionDenied, InvalidTransition):
        return False
    return True


def entry_check(user, entry, action: str) -> str:
    """Raise 404/403/409 as the contract says, or return the status after ``action``."""
    if not can_see_entry(user, entry):
        raise NotFound()
    table = TRANSITIONS[action]
    caps = capacities(user, entry.org_id)
    if not any(caps & allowed for _to, allowed in table.values()):
        raise PermissionDenied()
    if entry.status not in table:
        raise InvalidTransition(
            _("条目当前状态为「%(status)s」，不能执行此操作")
            % {"status": EntryStatus(entry.status).label}
        )
    to_status, allowed = table[entry.status]
    if not caps & allowed:
        raise InvalidTransition(
            _("条目当前状态为「%(status)s」，只有中心审核人员可以操作")
            % {"status": EntryStatus(entry.status).label}
        )
    return to_status


# -- corrections and questions --------------------------------------------------------------------


def can_raise_feedback(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or bool(_roles(user) & RAISE_ROLES)
    )


def can_see_feedback(user, feedback) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or _roles(user) & OVERSIGHT_ROLES:
        return True
    return user.organisation_id == feedback.org_id or user.pk == feedback.raised_by_id


def can_oversee(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or bool(_roles(user) & OVERSIGHT_ROLES)
    )


def feedback_check(user, feedback, action: str) -> str:
    """Only the owning unit answers (Art 22: «谁的知识、谁负责»); returns the state after it."""
    if not can_see_feedback(user, feedback):
        raise NotFound()
    if not (user.is_superuser or is_unit_member(user, feedback.org_id)):
        raise PermissionDenied(_("只有责任单位可以答复知识纠错或提问"))
    states, kinds, to_state = FEEDBACK_TRANSITIONS[action]
    if feedback.state not in states:
        raise InvalidTransition(
            _("当前状态为「%(state)s」，不能再次答复")
            % {"state": FeedbackState(feedback.state).label}
        )
    if feedback.kind not in kinds:
        raise InvalidTransition(_("知识提问只能答复，不能采纳或不采纳"))
    return to_state
