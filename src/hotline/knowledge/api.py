"""The knowledge-base API (API.md "Knowledge"), mounted at /api/v1/knowledge."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import InvalidInput, PermissionDenied
from hotline.core.exports import xlsx_response
from hotline.core.pagination import PageQuery, page_of
from hotline.knowledge import rules, selectors, services, xlsx
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import Entry, Feedback, Synonym
from hotline.knowledge.render import render_markdown
from hotline.orgs.models import Organisation

router = Router(tags=["knowledge"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# -- schemas --------------------------------------------------------------------------------------


class SearchParams(Schema):
    q: str = Field("", max_length=200, description="查询内容；为空时按发布时间倒序列出")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(10, ge=1, le=50)
    category: str | None = Field(None, max_length=100, description="分类代码（含下级分类）")
    org: str | None = Field(None, max_length=40, description="责任单位代码")
    public: bool | None = None
    status: Literal["draft", "in_review", "published", "retired", "all"] | None = Field(
        None, description="不填：已发布且在有效期内；填写后按状态列出（本单位或中心审核人员）"
    )


class SearchItemOut(Schema):
    id: int
    title: str
    snippet: str
    org: str
    org_name: str
    category: str
    category_name: str
    public: bool
    status: str
    score: float


class SearchOut(Schema):
    items: list[SearchItemOut]
    count: int


class EntryIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    category_code: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    category_name: str = Field("", max_length=100)
    org: str | None = Field(None, max_length=40, description="责任单位代码；默认本单位")
    keywords: list[str] = Field(default_factory=list, max_length=30)
    synonyms: list[str] = Field(default_factory=list, max_length=30)
    public: bool = False
    effective_from: date | None = None
    expires_on: date | None = None


class EntryPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000)
    category_code: str | None = Field(
        None, min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$"
    )
    category_name: str | None = Field(None, max_length=100)
    org: str | None = Field(None, max_length=40)
    keywords: list[str] | None = Field(None, max_length=30)
    synonyms: list[str] | None = Field(None, max_length=30)
    public: bool | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    version: int | None = Field(None, ge=1, description="读取时的版本号；不一致时返回 409")
    note: str = Field("", max_length=500)


class EntryOut(Schema):
    id: int
    title: str
    body: str
    body_html: str
    category: str
    category_name: str
    org: str
    org_name: str
    keywords: list[str]
    synonyms: list[str]
    public: bool
    effective_from: date | None
    expires_on: date | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    reviewed_at: datetime | None
    stale: bool
    usage_count: int
    actions: list[str]


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class VersionOut(Schema):
    number: int
    action: str
    status: str
    actor: str | None
    org: str | None
    at: datetime
    note: str
    title: str


class VersionsOut(Schema):
    items: list[VersionOut]
    count: int


class DiffOut(Schema):
    from_version: int
    to_version: int
    html: str


class FeedbackIn(Schema):
    kind: Literal["correction", "question"]
    content: str = Field(min_length=1, max_length=2000)


class TopicFeedbackIn(FeedbackIn):
    topic: str = Field(min_length=1, max_length=200)
    org: str = Field(min_length=1, max_length=40, description="答复单位代码")


class ResponseIn(Schema):
    response: str = Field(min_length=1, max_length=4000)


class FeedbackOut(Schema):
    id: int
    kind: str
    entry: int | None
    topic: str
    content: str
    org: str
    raised_by: str
    raised_at: datetime
    due_at: datetime
    state: str
    overdue: bool
    response: str
    responded_by: str | None
    responded_at: datetime | None


class FeedbackListOut(Schema):
    items: list[FeedbackOut]
    count: int


class UsageIn(Schema):
    ticket_number: str = Field(min_length=1, max_length=40)
    entry_ids: list[int] = Field(min_length=1, max_length=20)


class UsageOut(Schema):
    recorded: int


class UsageStatOut(Schema):
    entry: int
    title: str
    org: str
    uses: int
    last_used_at: datetime


class UsageStatsOut(Schema):
    items: list[UsageStatOut]
    count: int


class SynonymIn(Schema):
    term: str = Field(min_length=1, max_length=50)
    equivalents: list[str] = Field(min_length=1, max_length=30)
    active: bool = True


class SynonymOut(Schema):
    term: str
    equivalents: list[str]
    active: bool


class SynonymsOut(Schema):
    items: list[SynonymOut]
    count: int


class Art27EntryOut(Schema):
    id: int
    title: str
    reviewed_at: datetime | None


class Art27FeedbackOut(Schema):
    id: int
    kind: str
    topic: str
    due_at: datetime
    state: str
    responded_at: datetime | None


class Art27UnitOut(Schema):
    org: str
    org_name: str
    overdue_feedback: list[Art27FeedbackOut]
    late_feedback: list[Art27FeedbackOut]
    stale_entries: list[Art27EntryOut]


class Art27Out(Schema):
    article: str
    items: list[Art27UnitOut]
    count: int


# -- helpers --------------------------------------------------------------------------------------


def _org(code: str | None) -> Organisation | None:
    if code is None:
        return None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise InvalidInput(
            _("未知的组织代码：%(code)s") % {"code": code}, code=KnowledgeErrorCode.UNKNOWN_ORG
        )
    return org


ENTRY_ACTIONS = ("update", "submit", "publish", "return", "retire", "review")


def entry_out(request: HttpRequest, entry: Entry, *, now: datetime) -> dict:
    return {
        "id": entry.pk,
        "title": entry.title,
        "body": entry.body,
        "body_html": str(render_markdown(entry.body)),
        "category": entry.category_code,
        "category_name": entry.category_name,
        "org": entry.org.code,
        "org_name": entry.org.name,
        "keywords": entry.keywords,
        "synonyms": entry.synonyms,
        "public": entry.public,
        "effective_from": entry.effective_from,
        "expires_on": entry.expires_on,
        "status": entry.status,
        "version": entry.version,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "published_at": entry.published_at,
        "reviewed_at": entry.reviewed_at,
        "stale": selectors.entry_is_stale(entry, now=now),
        "usage_count": selectors.entry_usage_count(entry),
        "actions": [a for a in ENTRY_ACTIONS if rules.entry_allowed(request.user, entry, a)],
    }


def feedback_out(item: Feedback, *, now: datetime) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "entry": item.entry_id,
        "topic": item.topic,
        "content": item.content,
        "org": item.org.code,
        "raised_by": item.raised_by.username,
        "raised_at": item.raised_at,
        "due_at": item.due_at,
        "state": item.state,
        "overdue": selectors.feedback_is_overdue(item, now=now),
        "response": item.response,
        "responded_by": item.responded_by.username if item.responded_by_id else None,
        "responded_at": item.responded_at,
    }


def _feedback_reload(pk: int, request: HttpRequest, now: datetime) -> dict:
    return feedback_out(selectors.feedback_get(user=request.user, feedback_id=pk), now=now)


# -- search ---------------------------------------------------------------------------------------


@router.get("/search", response={200: SearchOut, **ERRORS})
def search_entries(request: HttpRequest, params: Query[SearchParams]) -> dict:
    """Ranked Chinese full-text search (jieba + PostgreSQL FTS / SQLite FTS5, synonyms)."""
    result = selectors.entry_search(
        user=request.user,
        q=params.q,
        now=clock.now(),
        page=params.page,
        page_size=params.page_size,
        category=params.category,
        org=params.org,
        public=params.public,
        status=params.status,
    )
    return {
        "items": [
            {
                "id": r.entry.pk,
                "title": r.entry.title,
                "snippet": str(r.snippet),
                "org": r.entry.org.code,
                "org_name": r.entry.org.name,
                "category": r.entry.category_code,
                "category_name": r.entry.category_name,
                "public": r.entry.public,
                "status": r.entry.status,
                "score": r.score,
            }
            for r in result.items
        ],
        "count": result.count,
    }


# -- entries --------------------------------------------------------------------------------------


@router.post("/entries", response={201: EntryOut, **ERRORS})
def create_entry(request: HttpRequest, payload: EntryIn) -> Status:
    """Draft a new entry (units for themselves; the center for any unit)."""
    now = clock.now()
    org = _org(payload.org) or request.user.organisation
    if org is None:
        raise PermissionDenied(_("当前用户不属于任何单位"))
    entry = services.entry_create(
        actor=request.user,
        org=org,
        title=payload.title,
        body=payload.body,
        category_code=payload.category_code,
        category_name=payload.category_name,
        keywords=payload.keywords,
        synonyms=payload.synonyms,
        public=payload.public,
        effective_from=payload.effective_from,
        expires_on=payload.expires_on,
        now=now,
    )
    return Status(201, entry_out(request, entry, now=now))


@router.get("/entries/export.xlsx", response={200: None, **ERRORS})
def export_entries(request: HttpRequest) -> HttpResponse:
    """Every entry the caller maintains as an xlsx workbook (center: all; unit: its own)."""
    if not rules.can_author(request.user):
        raise PermissionDenied()
    now = clock.now()
    entries = list(selectors.entries_for_export(user=request.user))
    data = xlsx.export_entries(entries)
    services.record_export(actor=request.user, now=now, entries=entries, via="api")
    return xlsx_response(data, name="knowledge-entries", now=now)


@router.get("/entries/{int:entry_id}", response={200: EntryOut, **ERRORS})
def get_entry(request: HttpRequest, entry_id: int) -> dict:
    entry = selectors.entry_get(user=request.user, entry_id=entry_id)
    return entry_out(request, entry, now=clock.now())


@router.patch("/entries/{int:entry_id}", response={200: EntryOut, **ERRORS})
def patch_entry(request: HttpRequest, entry_id: int, payload: EntryPatch) -> dict:
    """Change content; a published entry goes back to draft for review (409 if stale version)."""
    now = clock.now()
    entry = selectors.entry_get(user=request.user, entry_id=entry_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    note = changes.pop("note", "")
    for key in ("title", "body", "category_code", "keywords", "synonyms", "public"):
        if key in changes and changes[key] is None:
            raise InvalidInput(
                _("%(key)s 不能为 null") % {"key": key}, code=KnowledgeErrorCode.INVALID_INPUT
            )
    if "org" in changes:
        changes["org"] = _org(changes["org"])
    entry = services.entry_update(
        entry=entry,
        actor=request.user,
        changes=changes,
        now=now,
        expected_version=version,
        note=note,
    )
    return entry_out(request, entry, now=now)


def _transition(request: HttpRequest, entry_id: int, service, note: str) -> dict:
    now = clock.now()
    entry = selectors.entry_get(user=request.user, entry_id=entry_id)
    entry = service(entry=entry, actor=request.user, now=now, note=note)
    return entry_out(request, entry, now=now)


@router.post("/entries/{int:entry_id}/submit", response={200: EntryOut, **ERRORS})
def submit_entry(request: HttpRequest, entry_id: int, payload: NoteIn | None = None) -> dict:
    """draft → in_review (the owning unit or the center)."""
    return _transition(request, entry_id, services.entry_submit, payload.note if payload else "")


@router.post("/entries/{int:entry_id}/publish", response={200: EntryOut, **ERRORS})
def publish_entry(request: HttpRequest, entry_id: int, payload: NoteIn | None = None) -> dict:
    """in_review → published (the center's supervisors and administrators)."""
    return _transition(request, entry_id, services.entry_publish, payload.note if payload else "")


@router.post("/entries/{int:entry_id}/return", response={200: EntryOut, **ERRORS})
def return_entry(request: HttpRequest, entry_id: int, payload: NoteIn) -> dict:
    """in_review → draft with a reason (the center)."""
    return _transition(request, entry_id, services.entry_return, payload.note)


@router.post("/entries/{int:entry_id}/retire", response={200: EntryOut, **ERRORS})
def retire_entry(request: HttpRequest, entry_id: int, payload: NoteIn | None = None) -> dict:
    """Take an entry out of service (the owning unit or the center)."""
    return _transition(request, entry_id, services.entry_retire, payload.note if payload else "")


@router.post("/entries/{int:entry_id}/review", response={200: EntryOut, **ERRORS})
def review_entry(request: HttpRequest, entry_id: int, payload: NoteIn | None = None) -> dict:
    """Confirm a published entry is still current (restarts its review period)."""
    return _transition(request, entry_id, services.entry_review, payload.note if payload else "")


@router.get("/entries/{int:entry_id}/versions", response={200: VersionsOut, **ERRORS})
def list_versions(request: HttpRequest, entry_id: int) -> dict:
    """The full history of an entry: who did what, when, with a content snapshot each time."""
    entry = selectors.entry_get(user=request.user, entry_id=entry_id)
    items = [
        {
            "number": v.number,
            "action": v.action,
            "status": v.status,
            "actor": v.actor.username if v.actor_id else None,
            "org": v.actor_org.code if v.actor_org_id else None,
            "at": v.at,
            "note": v.note,
            "title": v.snapshot.get("title", ""),
        }
        for v in selectors.entry_versions(entry=entry)
    ]
    return {"items": items, "count": len(items)}


@router.get("/entries/{int:entry_id}/diff", response={200: DiffOut, **ERRORS})
def diff_versions(request: HttpRequest, entry_id: int, from_version: int, to_version: int) -> dict:
    """Side-by-side HTML difference of two versions (difflib)."""
    entry = selectors.entry_get(user=request.user, entry_id=entry_id)
    html = selectors.version_diff(entry=entry, old=from_version, new=to_version)
    return {"from_version": from_version, "to_version": to_version, "html": str(html)}


# -- corrections and questions --------------------------------------------------------------------


@router.post("/entries/{int:entry_id}/feedback", response={201: FeedbackOut, **ERRORS})
def raise_entry_feedback(request: HttpRequest, entry_id: int, payload: FeedbackIn) -> Status:
    """Raise a correction (知识纠错) or question (知识提问) on an entry to its owning unit."""
    now = clock.now()
    item = services.feedback_raise(
        actor=request.user, kind=payload.kind, content=payload.content, now=now, entry=entry_id
    )
    return Status(201, _feedback_reload(item.pk, request, now))


@router.post("/feedback", response={201: FeedbackOut, **ERRORS})
def raise_topic_feedback(request: HttpRequest, payload: TopicFeedbackIn) -> Status:
    """Raise a correction or question on a topic that has no entry yet, to a named unit."""
    now = clock.now()
    item = services.feedback_raise(
        actor=request.user,
        kind=payload.kind,
        content=payload.content,
        now=now,
        topic=payload.topic,
        org=_org(payload.org),
    )
    return Status(201, _feedback_reload(item.pk, request, now))


class FeedbackFilter(PageQuery):
    state: Literal["open", "answered", "accepted", "rejected"] | None = None
    org: str | None = None
    overdue: bool | None = None


@router.get("/feedback", response={200: FeedbackListOut, **ERRORS})
def list_feedback(
    request: HttpRequest,
    filters: Query[FeedbackFilter],
) -> dict:
    """Corrections and questions in the caller's scope (center: all; unit: its own)."""
    now = clock.now()
    qs = selectors.feedback_list(
        user=request.user, now=now, state=filters.state, org=filters.org, overdue=filters.overdue
    )
    return page_of(qs, filters, lambda item: feedback_out(item, now=now))


@router.get("/feedback/{int:feedback_id}", response={200: FeedbackOut, **ERRORS})
def get_feedback(request: HttpRequest, feedback_id: int) -> dict:
    return _feedback_reload(feedback_id, request, clock.now())


def _respond(request: HttpRequest, feedback_id: int, service, response: str) -> dict:
    now = clock.now()
    item = selectors.feedback_get(user=request.user, feedback_id=feedback_id)
    service(feedback=item, actor=request.user, response=response, now=now)
    return _feedback_reload(feedback_id, request, now)


@router.post("/feedback/{int:feedback_id}/answer", response={200: FeedbackOut, **ERRORS})
def answer_feedback(request: HttpRequest, feedback_id: int, payload: ResponseIn) -> dict:
    """The owning unit answers (open → answered)."""
    return _respond(request, feedback_id, services.feedback_answer, payload.response)


@router.post("/feedback/{int:feedback_id}/accept", response={200: FeedbackOut, **ERRORS})
def accept_feedback(request: HttpRequest, feedback_id: int, payload: ResponseIn) -> dict:
    """The owning unit accepts a correction (open → accepted)."""
    return _respond(request, feedback_id, services.feedback_accept, payload.response)


@router.post("/feedback/{int:feedback_id}/reject", response={200: FeedbackOut, **ERRORS})
def reject_feedback(request: HttpRequest, feedback_id: int, payload: ResponseIn) -> dict:
    """The owning unit rejects a correction with its reason (open → rejected)."""
    return _respond(request, feedback_id, services.feedback_reject, payload.response)


# -- usage, synonyms, supervision evidence --------------------------------------------------------


@router.post("/usage", response={200: UsageOut, **ERRORS})
def record_usage(request: HttpRequest, payload: UsageIn) -> dict:
    """The intake form reports which entries answered a ticket (idempotent per entry+ticket)."""
    recorded = services.knowledge_record_usage(
        entry_ids=payload.entry_ids,
        ticket_number=payload.ticket_number,
        actor=request.user,
        now=clock.now(),
    )
    return {"recorded": recorded}


@router.get("/usage/stats", response={200: UsageStatsOut, **ERRORS})
def usage_stats(
    request: HttpRequest,
    since: datetime | None = None,
    until: datetime | None = None,
    org: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> dict:
    """Most used entries (center roles, or a unit for its own entries)."""
    user = request.user
    if not rules.can_oversee(user):
        if not rules.can_author(user) or user.organisation is None:
            raise PermissionDenied()
        org = user.organisation.code
    items = selectors.knowledge_usage_stats(since=since, until=until, org=org, limit=limit)
    return {"items": items, "count": len(items)}


@router.get("/synonyms", response={200: SynonymsOut, **ERRORS})
def list_synonyms(request: HttpRequest) -> dict:
    items = [
        {"term": s.term, "equivalents": s.equivalents, "active": s.active}
        for s in Synonym.objects.order_by("term")
    ]
    return {"items": items, "count": len(items)}


@router.post("/synonyms", response={200: SynonymOut, **ERRORS})
def save_synonym(request: HttpRequest, payload: SynonymIn) -> dict:
    """Create or change a synonym group (administrators)."""
    synonym = services.synonym_upsert(
        term=payload.term,
        equivalents=payload.equivalents,
        active=payload.active,
        actor=request.user,
        now=clock.now(),
    )
    return {"term": synonym.term, "equivalents": synonym.equivalents, "active": synonym.active}


@router.get("/art27", response={200: Art27Out, **ERRORS})
def art27_evidence(request: HttpRequest, org: str | None = None) -> dict:
    """Art 27(1) evidence per unit: overdue corrections/questions and stale entries."""
    if not rules.can_oversee(request.user):
        raise PermissionDenied()
    evidence = selectors.knowledge_art27_evidence(now=clock.now(), org=_org(org))

    def fb(item: Feedback) -> dict:
        return {
            "id": item.pk,
            "kind": item.kind,
            "topic": item.topic,
            "due_at": item.due_at,
            "state": item.state,
            "responded_at": item.responded_at,
        }

    items = [
        {
            "org": e.org.code,
            "org_name": e.org.name,
            "overdue_feedback": [fb(i) for i in e.overdue_feedback],
            "late_feedback": [fb(i) for i in e.late_feedback],
            "stale_entries": [
                {"id": x.pk, "title": x.title, "reviewed_at": x.reviewed_at}
                for x in e.stale_entries
            ],
        }
        for e in evidence
    ]
    return {"article": "27(1)", "items": items, "count": len(items)}
