"""Corrections and questions the hotline raises to the owning unit (Art 22), and their
Art 27(1) consequence: proposed supervision notices for what was answered late or never, and
for entries not reviewed in time."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput, NotFound, PermissionDenied
from hotline.knowledge import rules
from hotline.knowledge.choices import (
    FeedbackKind,
    FeedbackState,
)
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import (
    Entry,
    Feedback,
    KnowledgeEvent,
)
from hotline.knowledge.policy import response_working_days, review_period_days
from hotline.knowledge.selectors import knowledge_art27_evidence
from hotline.knowledge.services.common import (
    _audit,
    _no_control,
    _owning_org,
    _require_aware,
)
from hotline.orgs.models import Organisation, User
from hotline.supervision.choices import Instrument
from hotline.supervision.selectors import case_dedupe_keys
from hotline.supervision.services import case_propose

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
        raise InvalidInput(
            _("类型只能是 correction 或 question"), code=KnowledgeErrorCode.INVALID_KIND
        )
    content = _no_control((content or "").strip(), _("内容"), KnowledgeErrorCode.INVALID_CONTENT)
    if not content or len(content) > 2000:
        raise InvalidInput(
            _("内容不能为空，且不超过2000字"), code=KnowledgeErrorCode.INVALID_CONTENT
        )
    topic = _no_control((topic or "").strip(), _("主题"), KnowledgeErrorCode.INVALID_TOPIC)
    if len(topic) > 200:
        raise InvalidInput(_("主题不超过200字"), code=KnowledgeErrorCode.INVALID_TOPIC)
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
            raise InvalidInput(
                _("没有关联条目时需要填写主题"), code=KnowledgeErrorCode.TOPIC_REQUIRED
            )
        if org is None:
            raise InvalidInput(
                _("没有关联条目时需要指定答复单位"), code=KnowledgeErrorCode.ORG_REQUIRED
            )
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
    response = _no_control(
        (response or "").strip(), _("答复内容"), KnowledgeErrorCode.INVALID_RESPONSE
    )
    if not response or len(response) > 4000:
        raise InvalidInput(
            _("答复内容不能为空，且不超过4000字"), code=KnowledgeErrorCode.INVALID_RESPONSE
        )
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
    _require_aware(now)
    done_keys = case_dedupe_keys(prefix="art27-1:")
    done = 0
    for evidence in knowledge_art27_evidence(now=now):
        items = [*evidence.overdue_feedback, *evidence.late_feedback, *evidence.stale_entries]
        for item in items:
            key = art27_dedupe_key(item)
            if key in done_keys:
                continue
            with transaction.atomic():
                case = case_propose(
                    instrument=Instrument.NOTICE,
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
