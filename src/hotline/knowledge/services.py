"""Every write to the knowledge base (Art 22). Each service checks the guard in ``rules``,
locks what it changes, keeps the search index in step and records its version or audit row in
the same transaction (ARCHITECTURE.md principles 1, 4, 5)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.calendar.services import get_calendar
from hotline.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from hotline.core.text import has_control
from hotline.knowledge import rules, search
from hotline.knowledge.choices import EntryAction, EntryStatus, FeedbackKind, FeedbackState
from hotline.knowledge.models import (
    Entry,
    EntryVersion,
    Feedback,
    KnowledgeEvent,
    KnowledgeUsage,
    Synonym,
)
from hotline.knowledge.policy import response_working_days, review_period_days
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User


class VersionConflict(DomainError):
    status = 409
    code = "version_conflict"
    default_message = gettext_lazy("条目已被他人修改，请刷新后重试")


TITLE_MAX = 200
BODY_MAX = 20_000
CATEGORY_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
# Organisations that own knowledge: handling units, county bodies and sub-center hotlines.
OWNING_KINDS = frozenset({OrgKind.UNIT, OrgKind.COUNTY, OrgKind.SUBCENTER})
CONTENT_FIELDS = (
    "title",
    "body",
    "category_code",
    "category_name",
    "keywords",
    "synonyms",
    "public",
    "effective_from",
    "expires_on",
)


# -- helpers --------------------------------------------------------------------------------------


def _no_control(value: str, label: str, code: str = "invalid_input") -> str:
    """``value``, refused when it holds a control character other than tab and line breaks
    (no export could write it: xlsx and Word cannot hold it)."""
    if has_control(value):
        raise InvalidInput(_("%(field)s含有不允许的控制字符") % {"field": label}, code=code)
    return value


def _clean_terms(values: Iterable[str] | str | None, label: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(r"[,，、;；\s]+", values)
    out: list[str] = []
    for value in values:
        value = _no_control(str(value).strip(), label)
        if not value:
            continue
        if len(value) > 50:
            raise InvalidInput(
                _("%(label)s「%(value)s」过长（最多50字）") % {"label": label, "value": value}
            )
        if value not in out:
            out.append(value)
    if len(out) > 30:
        raise InvalidInput(_("%(label)s最多30个") % {"label": label})
    return out


def clean_content(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise entry content fields (only those present in ``data``)."""
    out: dict[str, Any] = {}
    if "title" in data:
        title = _no_control((data["title"] or "").strip(), _("标题"), "invalid_title")
        if not title or len(title) > TITLE_MAX:
            raise InvalidInput(_("标题不能为空，且不超过200字"), code="invalid_title")
        out["title"] = title
    if "body" in data:
        body = _no_control((data["body"] or "").strip(), _("正文"), "invalid_body")
        if not body or len(body) > BODY_MAX:
            raise InvalidInput(_("正文不能为空，且不超过20000字"), code="invalid_body")
        out["body"] = body
    if "category_code" in data:
        code = (data["category_code"] or "").strip()
        if not CATEGORY_CODE.match(code):
            raise InvalidInput(
                _("分类代码只能由小写字母、数字、点和连字符组成"), code="invalid_category"
            )
        out["category_code"] = code
    if "category_name" in data:
        name = _no_control((data["category_name"] or "").strip(), _("分类名称"), "invalid_category")
        if len(name) > 100:
            raise InvalidInput(_("分类名称不超过100字"), code="invalid_category")
        out["category_name"] = name
    if "keywords" in data:
        out["keywords"] = _clean_terms(data["keywords"], _("关键词"))
    if "synonyms" in data:
        out["synonyms"] = _clean_terms(data["synonyms"], _("同义词"))
    if "public" in data:
        out["public"] = bool(data["public"])
    for key in ("effective_from", "expires_on"):
        if key in data:
            value = data[key]
            if value is not None and not isinstance(value, date):
                raise InvalidInput(_("日期格式应为 YYYY-MM-DD"), code="invalid_date")
            out[key] = value
    return out


def _check_dates(entry: Entry) -> None:
    if entry.effective_from and entry.expires_on and entry.expires_on < entry.effective_from:
        raise InvalidInput(_("失效日期不能早于生效日期"), code="invalid_dates")


def _owning_org(org: Organisation) -> Organisation:
    if org.kind not in OWNING_KINDS or not org.active:
        raise InvalidInput(
            _("%(name)s 不是承办单位，不能作为知识条目的责任单位") % {"name": org.name},
            code="invalid_org",
        )
    return org


def snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "body": entry.body,
        "category_code": entry.category_code,
        "category_name": entry.category_name,
        "org": entry.org.code,
        "keywords": list(entry.keywords),
        "synonyms": list(entry.synonyms),
        "public": entry.public,
        "effective_from": entry.effective_from.isoformat() if entry.effective_from else None,
        "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
        "status": entry.status,
    }


def _record_version(
    entry: Entry, *, action: str, actor: User | None, now: datetime, note: str = ""
) -> EntryVersion:
    return EntryVersion.objects.create(
        entry=entry,
        number=entry.version,
        action=action,
        status=entry.status,
        snapshot=snapshot(entry),
        actor=actor,
        actor_org_id=getattr(actor, "organisation_id", None),
        at=now,
        note=note,
    )


def _audit(
    *,
    type: str,
    actor: User | None,
    now: datetime,
    entry: Entry | None = None,
    feedback: Feedback | None = None,
    data: dict | None = None,
) -> KnowledgeEvent:
    return KnowledgeEvent.objects.create(
        at=now,
        type=type,
        actor=actor,
        actor_org_id=getattr(actor, "organisation_id", None),
        entry=entry,
        feedback=feedback,
        data=data or {},
    )


def _lock_entry(entry: Entry | int) -> Entry:
    pk = entry.pk if isinstance(entry, Entry) else entry
    try:
        return Entry.objects.select_for_update(of=("self",)).select_related("org").get(pk=pk)
    except Entry.DoesNotExist:
        raise NotFound() from None


def _require_aware(now: datetime) -> None:
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")


def _index(entry: Entry) -> None:
    """Segment the entry again (its index terms before a change: ``search.doc_terms``, taken
    before the content fields are touched, since they count the text's characters too)."""
    search.index_fields(entry)


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
        raise InvalidInput(_("退回修改需要说明理由"), code="reason_required")
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


# -- corrections and questions --------------------------------------------------------------------


def feedback_due_at(*, now: datetime) -> datetime:
    """End of the Nth working day, counting today as day 1 when it is a working day."""
    calendar = get_calendar()
    return calendar.deadline(calendar.local(now).date(), response_working_days())


@transaction.atomic
def feedback_raise(
    *,
    actor: User,
    kind: str,
    content: str,
    now: datetime,
    entry: Entry | int | None = None,
    topic: str = "",
    org: Organisation | None = None,
) -> Feedback:
    """The hotline raises a correction or question to the owning unit, which must answer within
    the response period (Art 22; unanswered ones are Art 27(1) evidence)."""
    _require_aware(now)
    if kind not in FeedbackKind.values:
        raise InvalidInput(_("类型只能是 correction 或 question"), code="invalid_kind")
    content = _no_control((content or "").strip(), _("内容"), "invalid_content")
    if not content or len(content) > 2000:
        raise InvalidInput(_("内容不能为空，且不超过2000字"), code="invalid_content")
    topic = _no_control((topic or "").strip(), _("主题"), "invalid_topic")
    if len(topic) > 200:
        raise InvalidInput(_("主题不超过200字"), code="invalid_topic")
    target: Entry | None = None
    if entry is not None:
        pk = entry.pk if isinstance(entry, Entry) else entry
        target = Entry.objects.select_related("org").filter(pk=pk).first()
        if target is None or not rules.can_see_entry(actor, target):
            raise NotFound()
    if not rules.can_raise_feedback(actor):
        raise PermissionDenied(_("当前角色不能提出知识纠错或提问"))
    if target is not None:
        owner = target.org
        topic = topic or target.title
    else:
        if not topic:
            raise InvalidInput(_("没有关联条目时需要填写主题"), code="topic_required")
        if org is None:
            raise InvalidInput(_("没有关联条目时需要指定答复单位"), code="org_required")
        owner = _owning_org(org)
    feedback = Feedback.objects.create(
        kind=kind,
        entry=target,
        topic=topic,
        content=content,
        org=owner,
        raised_by=actor,
        raised_at=now,
        due_at=feedback_due_at(now=now),
        state=FeedbackState.OPEN,
    )
    _audit(
        type=f"feedback.{kind}.raised",
        actor=actor,
        now=now,
        entry=target,
        feedback=feedback,
        data={"org": owner.code, "due_at": feedback.due_at.isoformat()},
    )
    return feedback


def _respond(*, feedback: Feedback | int, actor: User, action: str, response: str, now: datetime):
    _require_aware(now)
    pk = feedback.pk if isinstance(feedback, Feedback) else feedback
    locked = Feedback.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise NotFound()
    to_state = rules.feedback_check(actor, locked, action)
    response = _no_control((response or "").strip(), _("答复内容"), "invalid_response")
    if not response or len(response) > 4000:
        raise InvalidInput(_("答复内容不能为空，且不超过4000字"), code="invalid_response")
    before = locked.state
    locked.state = to_state
    locked.response = response
    locked.responded_by = actor
    locked.responded_at = now
    update = ["state", "response", "responded_by", "responded_at"]
    if now > locked.due_at and not locked.overdue:
        # A late answer is still overdue (overdue is never silently cleared).
        locked.overdue = True
        locked.overdue_marked_at = now
        update += ["overdue", "overdue_marked_at"]
    locked.save(update_fields=update)
    _audit(
        type=f"feedback.{action}",
        actor=actor,
        now=now,
        entry=locked.entry,
        feedback=locked,
        data={"before": before, "after": to_state, "late": locked.overdue},
    )
    return locked


@transaction.atomic
def feedback_answer(
    *, feedback: Feedback | int, actor: User, response: str, now: datetime
) -> Feedback:
    """The owning unit answers a question (or explains a correction) (Art 22)."""
    return _respond(feedback=feedback, actor=actor, action="answer", response=response, now=now)


@transaction.atomic
def feedback_accept(
    *, feedback: Feedback | int, actor: User, response: str, now: datetime
) -> Feedback:
    """The owning unit accepts a correction; it then updates the entry (Art 22)."""
    return _respond(feedback=feedback, actor=actor, action="accept", response=response, now=now)


@transaction.atomic
def feedback_reject(
    *, feedback: Feedback | int, actor: User, response: str, now: datetime
) -> Feedback:
    """The owning unit rejects a correction, giving its reason (Art 22)."""
    return _respond(feedback=feedback, actor=actor, action="reject", response=response, now=now)


@transaction.atomic
def feedback_mark_overdue(*, now: datetime) -> int:
    """Flag every open correction/question past its due time (Art 27(1) evidence).
    Idempotent: a flagged item is never flagged again."""
    _require_aware(now)
    ids = list(
        Feedback.objects.select_for_update(skip_locked=True)
        .filter(state=FeedbackState.OPEN, overdue=False, due_at__lt=now)
        .values_list("pk", "entry_id", "org_id")
    )
    if not ids:
        return 0
    Feedback.objects.filter(pk__in=[pk for pk, _e, _o in ids], overdue=False).update(
        overdue=True, overdue_marked_at=now
    )
    KnowledgeEvent.objects.bulk_create(
        [
            KnowledgeEvent(
                at=now,
                type="feedback.overdue",
                entry_id=entry_id,
                feedback_id=pk,
                data={"org_id": org_id},
            )
            for pk, entry_id, org_id in ids
        ]
    )
    return len(ids)


ART27_PROPOSALS_PER_RUN = 500


def art27_dedupe_key(item: Feedback | Entry) -> str:
    """One proposed notice per overdue item: a correction or question, or an entry for one
    review period (reviewed again and stale again later is a new item)."""
    if isinstance(item, Feedback):
        return f"art27-1:feedback:{item.pk}"
    since = item.reviewed_at or item.published_at
    return f"art27-1:entry:{item.pk}:{since.strftime('%Y%m%d') if since else 'never'}"


def _art27_reason(item: Feedback | Entry, *, now: datetime) -> str:
    calendar = get_calendar()
    if isinstance(item, Feedback):
        kind = FeedbackKind(item.kind).label
        due = calendar.local(item.due_at).strftime("%Y-%m-%d %H:%M")
        topic = item.topic or (item.entry.title if item.entry_id else "")
        if item.state == FeedbackState.OPEN:
            return f"{kind}（编号 {item.pk}，{topic}）应于 {due} 前答复，逾期未答复"
        answered = calendar.local(item.responded_at).strftime("%Y-%m-%d %H:%M")
        return f"{kind}（编号 {item.pk}，{topic}）应于 {due} 前答复，{answered} 才答复"
    since = item.reviewed_at or item.published_at
    days = (now - since).days if since else None
    held = f"已 {days} 天未复核" if days is not None else "从未复核"
    return f"知识条目（编号 {item.pk}，{item.title}）{held}，超过复核周期 {review_period_days()} 天"


def knowledge_art27_propose(*, now: datetime) -> int:
    """Turn the Art 27(1) evidence into proposed supervision notices (督办单) to the owning
    unit, through the supervision context's ``case_propose`` like the Art 30 timers: one per
    overdue correction or question (still open, or answered late) and one per stale entry,
    idempotent by a dedupe key per item; each proposal is audited here as well. Returns how many
    were proposed."""
    from hotline.knowledge.selectors import knowledge_art27_evidence
    from hotline.supervision.models import SupervisionCase
    from hotline.supervision.services import case_propose

    _require_aware(now)
    done_keys = set(
        SupervisionCase.objects.filter(dedupe_key__startswith="art27-1:").values_list(
            "dedupe_key", flat=True
        )
    )
    done = 0
    for evidence in knowledge_art27_evidence(now=now):
        items = [*evidence.overdue_feedback, *evidence.late_feedback, *evidence.stale_entries]
        for item in items:
            key = art27_dedupe_key(item)
            if key in done_keys:
                continue
            with transaction.atomic():
                case = case_propose(
                    instrument=SupervisionCase.Instrument.NOTICE,
                    article="27(1)",
                    org=evidence.org,
                    tickets=[],
                    reason=_art27_reason(item, now=now),
                    dedupe_key=key,
                    now=now,
                )
                if case is None:  # proposed meanwhile by another sweep
                    continue
                is_feedback = isinstance(item, Feedback)
                KnowledgeEvent.objects.create(
                    at=now,
                    type="art27.proposed",
                    entry_id=item.entry_id if is_feedback else item.pk,
                    feedback_id=item.pk if is_feedback else None,
                    data={"case_id": case.pk, "org_id": evidence.org.pk, "dedupe_key": key},
                )
            done += 1
            if done >= ART27_PROPOSALS_PER_RUN:
                return done
    return done


# -- usage from tickets ---------------------------------------------------------------------------


USAGE_ROLES = frozenset(
    {RoleCode.AGENT, RoleCode.GUEST_AGENT, RoleCode.DISPATCHER, RoleCode.CALLBACK}
)


@transaction.atomic
def knowledge_record_usage(
    *, entry_ids: Iterable[int], ticket_number: str, actor: User, now: datetime
) -> int:
    """Record that entries were used to answer a ticket (Art 14(1) answers from the knowledge
    base). Recording the same entry for the same ticket twice is a no-op. Returns how many
    new usage rows were written."""
    _require_aware(now)
    if not (actor.is_superuser or actor.has_role(*USAGE_ROLES)):
        raise PermissionDenied(_("当前角色不能登记知识使用"))
    ticket_number = (ticket_number or "").strip()
    if not ticket_number or len(ticket_number) > 40:
        raise InvalidInput(_("工单编号不能为空，且不超过40字"), code="invalid_ticket_number")
    wanted = list(dict.fromkeys(int(i) for i in entry_ids))
    if not wanted or len(wanted) > 20:
        raise InvalidInput(_("请提供1至20个知识条目"), code="invalid_entries")
    found = set(
        Entry.objects.filter(pk__in=wanted, status=EntryStatus.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(
            _("以下条目不存在或未发布：%(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="unknown_entry",
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
    term = _no_control((term or "").strip(), _("词语"), "invalid_term")
    if not term or len(term) > 50 or not search._words([search.normalise(term)]):
        raise InvalidInput(_("词语不能为空，且不超过50字"), code="invalid_term")
    terms = [t for t in _clean_terms(list(equivalents), _("同义词")) if t != term]
    if not terms:
        raise InvalidInput(_("至少需要一个同义词"), code="invalid_equivalents")
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
