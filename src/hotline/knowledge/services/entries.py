"""Writes to entries (Art 22): create, edit, the review workflow, re-indexing; the
administrator's synonyms; and the Art 25 log of imports and exports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput, PermissionDenied
from hotline.knowledge import rules, search
from hotline.knowledge.choices import (
    EntryAction,
    EntryStatus,
)
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import (
    Entry,
    Feedback,
    Synonym,
)
from hotline.knowledge.services.common import (
    VersionConflict,
    _audit,
    _check_dates,
    _clean_terms,
    _index,
    _lock_entry,
    _no_control,
    _owning_org,
    _record_version,
    _require_aware,
    clean_content,
)
from hotline.orgs.choices import RoleCode
from hotline.orgs.models import Organisation, User

# -- entries --------------------------------------------------------------------------------------


@transaction.atomic
def entry_create(
    *,
    actor: User,
    org: Organisation,
    title: str,
    body: str,
    category_code: str,
    category_name: str = "",
    keywords: Iterable[str] = (),
    synonyms: Iterable[str] = (),
    public: bool = False,
    effective_from: date | None = None,
    expires_on: date | None = None,
    now: datetime,
    source_key: str = "",
) -> Entry:
    """A unit drafts an entry for its own duties; the center may draft for any unit (Art 22)."""
    _require_aware(now)
    if not rules.can_author(actor):
        raise PermissionDenied(_("当前角色不能编写知识条目"))
    if not rules.is_reviewer(actor) and org.pk != actor.organisation_id:
        raise PermissionDenied(_("只能为本单位编写知识条目"))
    fields = clean_content(
        {
            "title": title,
            "body": body,
            "category_code": category_code,
            "category_name": category_name,
            "keywords": list(keywords),
            "synonyms": list(synonyms),
            "public": public,
            "effective_from": effective_from,
            "expires_on": expires_on,
        }
    )
    entry = Entry(
        org=_owning_org(org),
        status=EntryStatus.DRAFT,
        version=1,
        created_by=actor,
        created_at=now,
        updated_at=now,
        source_key=source_key,
        **fields,
    )
    _check_dates(entry)
    _index(entry)
    entry.save()
    search.update_index(entry, old_terms=None)
    _record_version(entry, action=EntryAction.CREATE, actor=actor, now=now)
    return entry


@transaction.atomic
def entry_update(
    *,
    entry: Entry | int,
    actor: User,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
    note: str = "",
) -> Entry:
    """Change an entry's content. The owning unit edits its own entries; a change to a
    published entry goes back to draft for the center's review (Art 22)."""
    _require_aware(now)
    _no_control(note or "", _("说明"))
    entry = _lock_entry(entry)
    to_status = rules.entry_check(actor, entry, EntryAction.UPDATE)
    if expected_version is not None and expected_version != entry.version:
        raise VersionConflict()
    fields = clean_content(changes)
    org_changed = False
    new_org = changes.get("org")
    if new_org is not None and new_org.pk != entry.org_id:
        if not rules.is_reviewer(actor):
            raise PermissionDenied(_("只有中心审核人员可以变更责任单位"))
        entry.org = _owning_org(new_org)
        org_changed = True
    changed = [k for k, v in fields.items() if getattr(entry, k) != v]
    if not changed and not org_changed:
        return entry
    old_terms = search.doc_terms(entry)
    for key in changed:
        setattr(entry, key, fields[key])
    _check_dates(entry)
    entry.status = to_status
    entry.version += 1
    entry.updated_at = now
    _index(entry)
    entry.save()
    search.update_index(entry, old_terms=old_terms)
    _record_version(entry, action=EntryAction.UPDATE, actor=actor, now=now, note=note)
    return entry


def _transition(
    *, entry: Entry | int, actor: User, action: str, now: datetime, note: str = ""
) -> Entry:
    _require_aware(now)
    _no_control(note or "", _("说明"))
    entry = _lock_entry(entry)
    entry.status = rules.entry_check(actor, entry, action)
    entry.version += 1
    entry.updated_at = now
    update = ["status", "version", "updated_at"]
    if action == EntryAction.PUBLISH:
        entry.published_at = now
        update.append("published_at")
    if action in (EntryAction.PUBLISH, EntryAction.REVIEW):
        entry.reviewed_at = now
        update.append("reviewed_at")
    entry.save(update_fields=update)
    _record_version(entry, action=action, actor=actor, now=now, note=note)
    return entry


@transaction.atomic
def entry_submit(*, entry: Entry | int, actor: User, now: datetime, note: str = "") -> Entry:
    """The unit sends its draft to the center for review (Art 22)."""
    return _transition(entry=entry, actor=actor, action=EntryAction.SUBMIT, now=now, note=note)


@transaction.atomic
def entry_publish(*, entry: Entry | int, actor: User, now: datetime, note: str = "") -> Entry:
    """The center reviews and publishes (Art 22); publishing also counts as a review."""
    return _transition(entry=entry, actor=actor, action=EntryAction.PUBLISH, now=now, note=note)


@transaction.atomic
def entry_return(*, entry: Entry | int, actor: User, now: datetime, note: str) -> Entry:
    """The center sends an entry under review back to the unit, with the reason."""
    if not (note or "").strip():
        raise InvalidInput(_("退回修改需要说明理由"), code=KnowledgeErrorCode.REASON_REQUIRED)
    return _transition(entry=entry, actor=actor, action=EntryAction.RETURN, now=now, note=note)


@transaction.atomic
def entry_retire(*, entry: Entry | int, actor: User, now: datetime, note: str = "") -> Entry:
    """Take an entry out of service (outdated policy, duty moved). It stays in the history."""
    return _transition(entry=entry, actor=actor, action=EntryAction.RETIRE, now=now, note=note)


@transaction.atomic
def entry_review(*, entry: Entry | int, actor: User, now: datetime, note: str = "") -> Entry:
    """The owning unit (or the center) confirms a published entry is still current, which
    restarts its review period (Art 22; stale entries are Art 27(1) evidence)."""
    return _transition(entry=entry, actor=actor, action=EntryAction.REVIEW, now=now, note=note)


def entries_reindex(
    *, batch_size: int = 500, progress: Callable[[int, int], None] | None = None
) -> int:
    """Segment every entry again and rebuild the index and its term statistics (after the
    dictionary changed, e.g. new units or synonyms). ``progress(done, total)`` per batch."""
    search.reset_dictionary()
    backend = search.get_backend()
    ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        backend.clear()
        counts: dict[str, int] = {search.DOC_COUNT_KEY: len(ids)}
        for start in range(0, len(ids), batch_size):
            batch = list(Entry.objects.filter(pk__in=ids[start : start + batch_size]))
            for entry in batch:
                search.index_fields(entry)
                for term in search.doc_terms(entry):
                    counts[term] = counts.get(term, 0) + 1
            Entry.objects.bulk_update(batch, ["search_title", "search_keywords", "search_text"])
            backend.sync(batch)
            if progress is not None:
                progress(start + len(batch), len(ids))
        search.apply_term_deltas(counts)
    return len(ids)


# -- synonyms -------------------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(RoleCode.ADMINISTRATOR)):
        raise PermissionDenied(_("只有系统管理员可以维护同义词"))


@transaction.atomic
def synonym_upsert(
    *,
    term: str,
    equivalents: Iterable[str],
    actor: User,
    now: datetime,
    active: bool = True,
) -> Synonym:
    """Create or change one synonym group (``医保 = 医疗保险 = 医疗保障``)."""
    _require_aware(now)
    _require_admin(actor)
    term = _no_control((term or "").strip(), _("词语"), KnowledgeErrorCode.INVALID_TERM)
    if not term or len(term) > 50 or not search._words([search.normalise(term)]):
        raise InvalidInput(_("词语不能为空，且不超过50字"), code=KnowledgeErrorCode.INVALID_TERM)
    terms = [t for t in _clean_terms(list(equivalents), _("同义词")) if t != term]
    if not terms:
        raise InvalidInput(_("至少需要一个同义词"), code=KnowledgeErrorCode.INVALID_EQUIVALENTS)
    synonym = Synonym.objects.select_for_update().filter(term=term).first()
    before = None
    if synonym is None:
        synonym = Synonym(term=term)
    else:
        before = {"equivalents": synonym.equivalents, "active": synonym.active}
    synonym.equivalents = terms
    synonym.active = active
    synonym.updated_by = actor
    synonym.updated_at = now
    synonym.save()
    _audit(
        type="synonym.saved",
        actor=actor,
        now=now,
        data={"term": term, "before": before, "after": {"equivalents": terms, "active": active}},
    )
    search.forget_synonyms()
    return synonym


def record_import(*, actor: User | None, now: datetime, data: dict) -> None:
    _audit(type="entries.imported", actor=actor, now=now, data=data)


def record_export(
    *,
    actor: User,
    now: datetime,
    entries: Sequence[Entry] = (),
    feedback: Sequence[Feedback] | None = None,
    via: str,
    filters: dict | None = None,
) -> None:
    """Art 25: every export is logged with who, when, through what and which rows: entries
    (``entries.exported``) or, given ``feedback``, corrections and questions
    (``feedback.exported``)."""
    rows, kind = (entries, "entries") if feedback is None else (feedback, "feedback")
    _audit(
        type=f"{kind}.exported",
        actor=actor,
        now=now,
        data={
            "via": via,
            "count": len(rows),
            kind: [row.pk for row in rows],
            "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "", [])},
        },
    )
