"""Every read of supervision cases goes through here, scoped to the caller: the center, the
oversight bodies and the supervision office see every case; an organisation sees the cases
aimed at it or at the organisations below it (and escalations about them). Outside that: 404."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from hotline.core.errors import NotFound
from hotline.orgs.models import Organisation, User
from hotline.supervision.choices import TERMINAL_STATES, CaseState
from hotline.supervision.models import (
    AccountabilityRecord,
    CaseAttachment,
    SupervisionCase,
    SupervisionEvent,
)
from hotline.tickets.selectors import sees_everything


def _scope(user: User, qs: QuerySet[SupervisionCase]) -> QuerySet[SupervisionCase]:
    if sees_everything(user):
        return qs
    if user.organisation is None:
        return qs.none()
    path = user.organisation.path
    return qs.filter(Q(org__path__startswith=path) | Q(subject_org__path__startswith=path))


def case_list(
    *,
    user: User,
    state: str | None = None,
    instrument: str | None = None,
    org: str | None = None,
    article: str | None = None,
    q: str | None = None,
) -> QuerySet[SupervisionCase]:
    """The cases the user may see, filtered as API.md's list (``org`` is a code)."""
    qs = _scope(
        user,
        SupervisionCase.objects.select_related("org", "subject_org", "created_by", "parent"),
    ).prefetch_related("tickets")
    if state:
        qs = qs.filter(state=state)
    if instrument:
        qs = qs.filter(instrument=instrument)
    if org:
        qs = qs.filter(Q(org__code=org) | Q(subject_org__code=org))
    if article:
        qs = qs.filter(article=article)
    if q:
        qs = qs.filter(Q(reason__icontains=q) | Q(tickets__number=q.strip())).distinct()
    return qs.order_by("-created_at", "-id")


def case_get(*, user: User, case_id: int) -> SupervisionCase:
    """One case with its responses, assessments, attachments, accountability and history."""
    case = (
        case_list(user=user)
        .prefetch_related(
            "responses__by",
            "responses__org",
            "assessments__by",
            "attachments__by",
            Prefetch(
                "accountability",
                queryset=AccountabilityRecord.objects.select_related(
                    "responsible_org", "recorded_by"
                ),
            ),
            Prefetch(
                "events", queryset=SupervisionEvent.objects.select_related("actor", "actor_org")
            ),
            "children__org",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("督办事项不存在"))
    return case


def attachment_get(*, user: User, case_id: int, attachment_id: int) -> CaseAttachment:
    case = case_get(user=user, case_id=case_id)
    attachment = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("附件不存在"))
    return attachment


def my_cases(*, user: User, limit: int = 20) -> list[SupervisionCase]:
    """The cases the user's own organisation must answer, oldest due first (home page)."""
    if user.organisation_id is None:
        return []
    qs = (
        SupervisionCase.objects.filter(org_id=user.organisation_id)
        .exclude(state__in=[*TERMINAL_STATES, CaseState.PROPOSED])
        .select_related("org", "subject_org")
        .prefetch_related("tickets")
        .order_by("respond_by", "id")
    )
    return list(qs[:limit])


def case_counts(*, user: User) -> dict[str, int]:
    """Cases by state in the user's scope (one GROUP BY)."""
    rows = _scope(user, SupervisionCase.objects.all()).values_list("state").annotate(n=Count("id"))
    counts = dict.fromkeys(CaseState.values, 0)
    counts.update(dict(rows.order_by()))
    return counts


def case_dedupe_keys(*, prefix: str) -> set[str]:
    """The dedupe keys of the cases already proposed under ``prefix`` (``"art27-1:"``), so a
    sweep in another context can skip what it proposed before without reading the models."""
    return set(
        SupervisionCase.objects.filter(dedupe_key__startswith=prefix).values_list(
            "dedupe_key", flat=True
        )
    )


def cases_by_org(
    *, start: datetime, end: datetime, articles: list[str] | None = None, exclude=None
) -> dict[int, int]:
    """Per target organisation, the cases (not dismissed) opened in [start, end): what
    the evaluation's supervision and knowledge-upkeep indicators count (Art 31)."""
    qs = SupervisionCase.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        state=CaseState.DISMISSED
    )
    if articles is not None:
        qs = qs.filter(article__in=articles)
    if exclude:
        qs = qs.exclude(article__in=exclude)
    rows = qs.values_list("subject_org_id", "org_id").annotate(n=Count("id")).order_by()
    counts: dict[int, int] = {}
    for subject, org, n in rows:
        key = subject or org
        if key is not None:
            counts[key] = counts.get(key, 0) + n
    return counts


def case_tickets_by_org(
    *, org: Organisation, start: datetime, end: datetime, articles: list[str] | None = None
) -> list[SupervisionCase]:
    qs = SupervisionCase.objects.filter(
        Q(org=org) | Q(subject_org=org), created_at__gte=start, created_at__lt=end
    ).exclude(state=CaseState.DISMISSED)
    if articles is not None:
        qs = qs.filter(article__in=articles)
    return list(qs.order_by("created_at"))
