"""Reads of the knowledge base, scoped to who is asking (ARCHITECTURE.md principle 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput, NotFound
from hotline.knowledge import rules, search
from hotline.knowledge.choices import OWNING_KINDS, EntryStatus, FeedbackState
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import Entry, EntryVersion, Feedback, KnowledgeUsage
from hotline.knowledge.policy import review_period_days
from hotline.knowledge.render import diff_html
from hotline.orgs.models import Organisation, User
from hotline.tickets import selectors as ticket_selectors

QUERY_MAX = 200
PAGE_SIZE_MAX = 50
STATUS_FILTERS = frozenset({*EntryStatus.values, "all"})


@dataclass
class SearchResult:
    entry: Entry
    score: float
    snippet: SafeString
    title_html: SafeString


@dataclass
class SearchPage:
    items: list[SearchResult]
    count: int
    page: int
    page_size: int
    terms: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


def local_today(now: datetime) -> date:
    return timezone.localdate(now)


def _org_by_code(code: str | None) -> Organisation | None:
    if not code:
        return None
    org = Organisation.objects.filter(code=code).only("pk", "code").first()
    if org is None:
        raise InvalidInput(
            _("未知的组织代码：%(code)s") % {"code": code}, code=KnowledgeErrorCode.UNKNOWN_ORG
        )
    return org


def _check_paging(q: str, page: int, page_size: int) -> None:
    if len(q) > QUERY_MAX:
        raise InvalidInput(_("查询内容不超过200字"), code=KnowledgeErrorCode.QUERY_TOO_LONG)
    if page < 1 or not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput(_("页码或每页条数超出范围"), code=KnowledgeErrorCode.INVALID_PAGE)


def _run_search(*, q: str, filters: search.SearchFilters, page: int, page_size: int) -> SearchPage:
    offset = (page - 1) * page_size
    q = q.strip()
    parsed = search.parse_query(q, search.synonym_map()) if q else None
    loaded: dict[int, Entry] = {}  # entries the search already read (re-ranking)
    if parsed is None:
        hits, total = search.get_backend().recent(filters, limit=page_size, offset=offset)
    elif parsed.empty:  # only stop-words or punctuation: nothing to look for
        hits, total = [], 0
    else:
        hits, total = search.find(parsed, filters, limit=page_size, offset=offset, loaded=loaded)
    terms = parsed.highlight if parsed else ()
    missing = [pk for pk, _score in hits if pk not in loaded]
    entries = loaded
    if missing:
        entries = {**loaded, **Entry.objects.select_related("org").in_bulk(missing)}
    items = [
        SearchResult(
            entry=entries[pk],
            score=round(score, 6),
            snippet=mark_safe(search.make_snippet(entries[pk].body, terms)),  # noqa: S308 — escaped
            title_html=mark_safe(search.highlight(entries[pk].title, terms)),  # noqa: S308 — escaped
        )
        for pk, score in hits
        if pk in entries
    ]
    return SearchPage(items=items, count=total, page=page, page_size=page_size, terms=terms)


def staff_filters(
    *,
    user: User,
    now: datetime,
    status: str | None = None,
    category: str | None = None,
    org: Organisation | None = None,
    public: bool | None = None,
) -> search.SearchFilters:
    """All staff see every published entry in effect; with ``status`` an owning unit also sees
    its own drafts, entries under review and retired ones, and the center's reviewers all."""
    if status is not None and status not in STATUS_FILTERS:
        raise InvalidInput(
            _("未知的状态：%(s)s") % {"s": status}, code=KnowledgeErrorCode.INVALID_STATUS
        )
    if rules.is_reviewer(user):
        unpublished: tuple[int, ...] | None = None
    elif user.organisation_id:
        unpublished = (user.organisation_id,)
    else:
        unpublished = ()
    if status is None:
        statuses: tuple[str, ...] = (EntryStatus.PUBLISHED,)
        in_effect: date | None = local_today(now)
    else:
        statuses = tuple(EntryStatus.values) if status == "all" else (status,)
        in_effect = None
    return search.SearchFilters(
        statuses=statuses,
        unpublished_org_ids=unpublished,
        public=public,
        org_id=org.pk if org else None,
        category_code=category or None,
        in_effect_on=in_effect,
    )


def entry_search(
    *,
    user: User,
    q: str,
    now: datetime,
    page: int = 1,
    page_size: int = 10,
    category: str | None = None,
    org: str | None = None,
    public: bool | None = None,
    status: str | None = None,
) -> SearchPage:
    """Ranked search for staff (API, intake suggestions). Empty ``q``: most recent first."""
    _check_paging(q, page, page_size)
    filters = staff_filters(
        user=user,
        now=now,
        status=status,
        category=category,
        org=_org_by_code(org),
        public=public,
    )
    return _run_search(q=q, filters=filters, page=page, page_size=page_size)


def public_filters(*, now: datetime) -> search.SearchFilters:
    return search.SearchFilters(
        statuses=(EntryStatus.PUBLISHED,), public=True, in_effect_on=local_today(now)
    )


def public_search(*, q: str, now: datetime, page: int = 1, page_size: int = 10) -> SearchPage:
    """Citizens' self-service search (Art 22): published, public, in-effect entries only."""
    _check_paging(q, page, page_size)
    return _run_search(q=q, filters=public_filters(now=now), page=page, page_size=page_size)


def public_entry_get(*, entry_id: int, now: datetime) -> Entry:
    today = local_today(now)
    entry = (
        Entry.objects.select_related("org")
        .filter(pk=entry_id, status=EntryStatus.PUBLISHED, public=True)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def entry_get(*, user: User, entry_id: int) -> Entry:
    """One entry as the user may see it; another unit's draft is a 404."""
    entry = Entry.objects.select_related("org").filter(pk=entry_id).first()
    if entry is None or not rules.can_see_entry(user, entry):
        raise NotFound()
    return entry


def entries_for_export(*, user: User) -> QuerySet[Entry]:
    qs = Entry.objects.select_related("org").order_by("org__code", "pk")
    if rules.is_reviewer(user):
        return qs
    return qs.filter(org_id=user.organisation_id)


def entry_versions(*, entry: Entry) -> QuerySet[EntryVersion]:
    return (
        EntryVersion.objects.filter(entry=entry)
        .select_related("actor", "actor_org")
        .order_by("number")
    )


def version_diff(*, entry: Entry, old: int, new: int) -> SafeString:
    rows = {
        v.number: v
        for v in EntryVersion.objects.filter(entry=entry, number__in=[old, new]).only(
            "number", "snapshot", "action", "at"
        )
    }
    if old not in rows or new not in rows:
        raise NotFound(_("版本不存在"))
    return diff_html(
        rows[old].snapshot,
        rows[new].snapshot,
        old_label=f"v{old} {rows[old].get_action_display()}",
        new_label=f"v{new} {rows[new].get_action_display()}",
    )


def entry_review_due(entry: Entry) -> datetime | None:
    """When a published entry must be confirmed again (Art 22, Art 27(1)): its last review
    (publishing counts) plus the review period. None for other statuses or an entry never
    reviewed (which is stale already)."""
    if entry.status != EntryStatus.PUBLISHED or entry.reviewed_at is None:
        return None
    return entry.reviewed_at + timedelta(days=review_period_days())


def entry_is_stale(entry: Entry, *, now: datetime) -> bool:
    if entry.status != EntryStatus.PUBLISHED:
        return False
    due = entry_review_due(entry)
    return due is None or due < now


def entry_usage_count(entry: Entry) -> int:
    return KnowledgeUsage.objects.filter(entry=entry).count()


# -- corrections and questions --------------------------------------------------------------------


def feedback_scope(*, user: User) -> QuerySet[Feedback]:
    qs = Feedback.objects.select_related("org", "entry", "raised_by", "responded_by")
    if user.is_superuser or rules.can_oversee(user):
        return qs
    return qs.filter(Q(org_id=user.organisation_id) | Q(raised_by=user))


def feedback_list(
    *,
    user: User,
    now: datetime,
    state: str | None = None,
    org: str | None = None,
    overdue: bool | None = None,
) -> QuerySet[Feedback]:
    if state is not None and state not in FeedbackState.values:
        raise InvalidInput(
            _("未知的状态：%(s)s") % {"s": state}, code=KnowledgeErrorCode.INVALID_STATE
        )
    qs = feedback_scope(user=user)
    if state:
        qs = qs.filter(state=state)
    org_obj = _org_by_code(org)
    if org_obj is not None:
        qs = qs.filter(org=org_obj)
    if overdue is True:
        qs = qs.filter(Q(overdue=True) | Q(state=FeedbackState.OPEN, due_at__lt=now))
    elif overdue is False:
        qs = qs.filter(overdue=False).exclude(state=FeedbackState.OPEN, due_at__lt=now)
    return qs.order_by("due_at", "pk")


def feedback_get(*, user: User, feedback_id: int) -> Feedback:
    feedback = feedback_scope(user=user).filter(pk=feedback_id).first()
    if feedback is None:
        raise NotFound()
    return feedback


def feedback_is_overdue(feedback: Feedback, *, now: datetime) -> bool:
    return feedback.overdue or (feedback.state == FeedbackState.OPEN and feedback.due_at < now)


# -- Art 27(1) evidence ---------------------------------------------------------------------------


@dataclass
class UnitEvidence:
    """One unit's Art 27(1) facts: corrections/questions unanswered past their due time (and
    those answered late within the review period), and published entries not reviewed within
    the review period."""

    org: Organisation
    overdue_feedback: list[Feedback] = field(default_factory=list)
    late_feedback: list[Feedback] = field(default_factory=list)
    stale_entries: list[Entry] = field(default_factory=list)


def knowledge_art27_evidence(
    *, now: datetime, org: Organisation | None = None
) -> list[UnitEvidence]:
    """Per unit, the knowledge-base facts behind a supervision notice (Art 27(1))."""
    period = timedelta(days=review_period_days())
    since = now - period
    feedback = Feedback.objects.select_related("org", "entry").filter(
        Q(state=FeedbackState.OPEN, due_at__lt=now) | Q(overdue=True, responded_at__gte=since)
    )
    stale = (
        Entry.objects.select_related("org")
        .filter(status=EntryStatus.PUBLISHED)
        .filter(Q(reviewed_at__lt=since) | Q(reviewed_at__isnull=True))
    )
    if org is not None:
        feedback = feedback.filter(org=org)
        stale = stale.filter(org=org)
    by_org: dict[int, UnitEvidence] = {}
    for item in feedback.order_by("due_at", "pk"):
        evidence = by_org.setdefault(item.org_id, UnitEvidence(org=item.org))
        if item.state == FeedbackState.OPEN:
            evidence.overdue_feedback.append(item)
        else:
            evidence.late_feedback.append(item)
    for entry in stale.order_by("reviewed_at", "pk"):
        by_org.setdefault(entry.org_id, UnitEvidence(org=entry.org)).stale_entries.append(entry)
    return sorted(by_org.values(), key=lambda e: e.org.path)


# -- usage ----------------------------------------------------------------------------------------


def knowledge_usage_stats(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    org: str | None = None,
    limit: int = 50,
) -> list[dict]:
    """Per entry: how many tickets it answered, most used first."""
    qs = KnowledgeUsage.objects.all()
    if since is not None:
        qs = qs.filter(used_at__gte=since)
    if until is not None:
        qs = qs.filter(used_at__lt=until)
    org_obj = _org_by_code(org)
    if org_obj is not None:
        qs = qs.filter(entry__org=org_obj)
    rows = (
        qs.values("entry_id", "entry__title", "entry__org__code")
        .annotate(uses=Count("id"), last_used_at=Max("used_at"))
        .order_by("-uses", "entry_id")[:limit]
    )
    return [
        {
            "entry": r["entry_id"],
            "title": r["entry__title"],
            "org": r["entry__org__code"],
            "uses": r["uses"],
            "last_used_at": r["last_used_at"],
        }
        for r in rows
    ]


# -- staff pages (read helpers for knowledge/views.py) --------------------------------------------

EXPORT_MAX = 5000


def entries_matching(
    *,
    user: User,
    q: str,
    now: datetime,
    limit: int = EXPORT_MAX,
    category: str | None = None,
    org: str | None = None,
    public: bool | None = None,
    status: str | None = None,
) -> list[Entry]:
    """Every entry of a staff search (the same scope, filters and order as ``entry_search``),
    up to ``limit``: what the knowledge home page exports to Excel."""
    _check_paging(q, 1, 1)
    filters = staff_filters(
        user=user, now=now, status=status, category=category, org=_org_by_code(org), public=public
    )
    return [r.entry for r in _run_search(q=q, filters=filters, page=1, page_size=limit).items]


def category_names() -> dict[str, str]:
    """code → a category's name in the active language where the stored (Chinese) name will
    not do: the appeal category tree's English names when English is active, nothing
    otherwise. Pages show ``category_names.get(code) or entry.category_name``."""
    if not (get_language() or "").startswith("en"):
        return {}
    return {c.code: c.name_en for c in ticket_selectors.category_options() if c.name_en}


def entry_categories(*, user: User) -> list[tuple[str, str]]:
    """(code, name) of the categories of the entries the user may list, by code."""
    qs = Entry.objects.all()
    if not rules.is_reviewer(user):
        qs = qs.filter(Q(status=EntryStatus.PUBLISHED) | Q(org_id=user.organisation_id))
    names: dict[str, str] = {}
    for code, name in qs.values_list("category_code", "category_name").distinct():
        if name or code not in names:
            names[code] = name
    return sorted(names.items())


def owning_orgs() -> list[Organisation]:
    """The organisations that may own entries (active handling units, county bodies,
    sub-centers), in tree order."""
    return list(
        Organisation.objects.filter(kind__in=OWNING_KINDS, active=True)
        .only("pk", "code", "name", "short_name", "kind", "parent_id", "path")
        .order_by("path")
    )


def review_queue(*, user: User) -> QuerySet[Entry]:
    """Entries waiting for the center's review, oldest submission first: all of them for the
    reviewers, the user's own unit's otherwise."""
    qs = Entry.objects.select_related("org").filter(status=EntryStatus.IN_REVIEW)
    if not rules.is_reviewer(user):
        qs = qs.filter(org_id=user.organisation_id)
    return qs.order_by("updated_at", "pk")
