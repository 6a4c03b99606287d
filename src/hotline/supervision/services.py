"""Supervision cases (Art 26–30, 33) as casework: a proposal or a supervisor's own decision
opens a case aimed at one organisation; that organisation responds with what it did and the
measures it took; the center assesses the effect and closes the case or sends it back; an
ineffective case is proposed for hand-over to the supervision office (Art 30(3)).

Other contexts propose through ``case_propose`` with a ``hotline.supervision.choices.Instrument``
value (knowledge's Art 27(1) notices; telephony's Art 29(1) through ``art29_1_propose`` in
``hotline.supervision.proposals``); they never touch the models. Every change writes a
``SupervisionEvent`` in its own transaction."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from hotline.core.policy import policy
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User
from hotline.supervision.choices import TERMINAL_STATES, CaseEventType, CaseState, Instrument
from hotline.supervision.error_codes import SupervisionErrorCode
from hotline.supervision.models import (
    AccountabilityRecord,
    CaseAssessment,
    CaseAttachment,
    CaseResponse,
    SupervisionCase,
    SupervisionEvent,
)
from hotline.tickets.models import Ticket

# The one transition table (ARCHITECTURE.md principle 2): (state, action) → next state.
TRANSITIONS: dict[tuple[str, str], str] = {
    (CaseState.PROPOSED, "confirm"): CaseState.OPEN,
    (CaseState.PROPOSED, "dismiss"): CaseState.DISMISSED,
    (CaseState.OPEN, "respond"): CaseState.RESPONDED,
    (CaseState.RESPONDED, "assess_effective"): CaseState.CLOSED,
    (CaseState.RESPONDED, "assess_ineffective"): CaseState.OPEN,
}
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
}
# The first bytes a file of that type starts with: a renamed executable is refused.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}


def supervision_office() -> Organisation | None:
    """The government supervision office (督查室) of Art 30: escalations are aimed at it."""
    return Organisation.objects.filter(kind=OrgKind.SUPERVISION_OFFICE).order_by("path").first()


def is_supervisor(user: User) -> bool:
    return user.is_superuser or user.has_role(RoleCode.SUPERVISOR)


def may_assess(user: User, case: SupervisionCase) -> bool:
    """The center's supervisors decide; a county body's supervisor its own units' cases."""
    return is_supervisor(user)


def may_respond(user: User, case: SupervisionCase) -> bool:
    """Only a user of the target organisation answers its case (anyone else: 404 at the edge)."""
    return case.org_id is not None and user.organisation_id == case.org_id


ACTION_STATES = {
    "confirm": {CaseState.PROPOSED},
    "dismiss": {CaseState.PROPOSED},
    "respond": {CaseState.OPEN},
    "assess": {CaseState.RESPONDED},
}


def allowed(user: User, action: str, case: SupervisionCase) -> bool:
    """The one guard: which buttons a page shows and what the services refuse."""
    if action in ACTION_STATES and case.state not in ACTION_STATES[action]:
        return False
    if action in {"confirm", "dismiss", "assess"}:
        return may_assess(user, case)
    if action == "respond":
        return may_respond(user, case)
    if action == "attach":
        return case.state not in TERMINAL_STATES and (
            may_respond(user, case) or is_supervisor(user)
        )
    if action == "accountability":
        return is_supervisor(user) or user.has_role(RoleCode.INSPECTOR)
    return False


def default_respond_by(now: datetime) -> date:
    """Art 26: the unit answers within a policy number of working days (the day after the case
    opens counted as day 1)."""
    calendar = get_calendar()
    start = calendar.next_working_day(calendar.local(now).date())
    return calendar.nth_working_day(start, policy("art26_respond_working_days"))


def _event(case, type_, *, actor, now, before, after, note="") -> None:
    SupervisionEvent.objects.create(
        case=case,
        type=type_,
        actor=actor,
        actor_org_id=actor.organisation_id if actor is not None else None,
        at=now,
        before=before,
        after=after,
        note=note,
    )


def _move(case: SupervisionCase, action: str) -> str:
    target = TRANSITIONS.get((case.state, action))
    if target is None:
        raise DomainError(
            _("该督办事项当前状态不允许此操作"), code=SupervisionErrorCode.INVALID_TRANSITION
        )
    return target


def _lock(case: SupervisionCase) -> SupervisionCase:
    return SupervisionCase.objects.select_for_update().get(pk=case.pk)


def case_propose(
    *,
    instrument: str,
    article: str,
    org: Organisation | None,
    tickets: Sequence[Ticket],
    reason: str,
    dedupe_key: str,
    now: datetime,
    period: str = "",
    parent: SupervisionCase | None = None,
) -> SupervisionCase | None:
    """A timer's proposal (Art 26–30), stored once: the dedupe key (article, organisation and
    period, or the ticket) makes a repeated sweep a no-op. An escalation (Art 30) is aimed at
    the supervision office; the unit it is about is kept as ``subject_org``."""
    if SupervisionCase.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    subject = None
    if instrument == Instrument.ESCALATION and (
        org is None or org.kind != OrgKind.SUPERVISION_OFFICE
    ):
        subject, org = org, supervision_office() or org
    try:
        with transaction.atomic():
            case = SupervisionCase.objects.create(
                instrument=instrument,
                article=article,
                org=org,
                subject_org=subject,
                reason=reason,
                dedupe_key=dedupe_key,
                created_at=now,
                period=period,
                parent=parent,
            )
            case.tickets.set(tickets)
            _event(
                case,
                CaseEventType.ESCALATION_PROPOSED if parent else CaseEventType.PROPOSED,
                actor=None,
                now=now,
                before={},
                after={"state": case.state},
                note=reason,
            )
    except IntegrityError:  # proposed at the same moment by another sweep
        return None
    return case


def _clean(text: str | None, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(
            _("请填写：%(field)s") % {"field": field}, code=SupervisionErrorCode.MISSING_FIELD
        )
    return text


def _check_respond_by(respond_by: date | None, now: datetime) -> date:
    if respond_by is None:
        return default_respond_by(now)
    if respond_by < get_calendar().local(now).date():
        raise InvalidInput(_("反馈期限不能早于今天"), code=SupervisionErrorCode.INVALID_DATE)
    return respond_by


@transaction.atomic
def case_create(
    *,
    instrument: str,
    article: str,
    org: Organisation,
    tickets: Sequence[Ticket],
    reason: str,
    requirements: str,
    respond_by: date | None,
    actor: User,
    now: datetime,
    subject_org: Organisation | None = None,
) -> SupervisionCase:
    """A case a person decides on (Art 27(5), 28(3), 29(6) "其他"): opened at once."""
    if not is_supervisor(actor):
        raise PermissionDenied()
    if instrument not in Instrument.values:
        raise InvalidInput(_("督办方式无效"), code=SupervisionErrorCode.INVALID_INSTRUMENT)
    reason = _clean(reason, _("理由"))
    if instrument == Instrument.ESCALATION and org.kind != OrgKind.SUPERVISION_OFFICE:
        subject_org, org = org, supervision_office() or org
    case = SupervisionCase.objects.create(
        instrument=instrument,
        article=_clean(article, _("依据条款")),
        org=org,
        subject_org=subject_org,
        reason=reason,
        requirements=(requirements or "").strip(),
        respond_by=_check_respond_by(respond_by, now),
        state=CaseState.OPEN,
        dedupe_key=f"manual:{uuid.uuid4().hex}",
        created_at=now,
        created_by=actor,
        decided_by=actor,
        decided_at=now,
    )
    case.tickets.set(tickets)
    _event(case, CaseEventType.CREATED, actor=actor, now=now, before={}, after=_snapshot(case))
    return case


def _snapshot(case: SupervisionCase) -> dict:
    return {
        "state": case.state,
        "respond_by": case.respond_by.isoformat() if case.respond_by else None,
    }


@transaction.atomic
def case_confirm(
    *,
    case: SupervisionCase,
    actor: User,
    now: datetime,
    requirements: str = "",
    respond_by: date | None = None,
) -> SupervisionCase:
    """A supervisor turns a proposal into a case the organisation must answer (Art 26)."""
    if not may_assess(actor, case):
        raise PermissionDenied()
    case = _lock(case)
    if case.state != CaseState.PROPOSED:
        raise DomainError(_("该督办事项已处理"), code=SupervisionErrorCode.ALREADY_DECIDED)
    before = _snapshot(case)
    case.state = _move(case, "confirm")
    case.requirements = (requirements or "").strip() or case.requirements
    case.respond_by = _check_respond_by(respond_by, now)
    case.decided_by, case.decided_at = actor, now
    case.save(update_fields=["state", "requirements", "respond_by", "decided_by", "decided_at"])
    _event(
        case,
        CaseEventType.CONFIRMED,
        actor=actor,
        now=now,
        before=before,
        after=_snapshot(case),
        note=case.requirements,
    )
    return case


@transaction.atomic
def case_dismiss(*, case: SupervisionCase, reason: str, actor: User, now: datetime):
    """Art 29(1) exempts a special reason: a dismissal needs one, and it is recorded."""
    if not may_assess(actor, case):
        raise PermissionDenied()
    case = _lock(case)
    if case.state != CaseState.PROPOSED:
        raise DomainError(_("该督办事项已处理"), code=SupervisionErrorCode.ALREADY_DECIDED)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("驳回须说明理由"), code=SupervisionErrorCode.MISSING_FIELD)
    before = {"state": case.state}
    case.state = _move(case, "dismiss")
    case.decided_by, case.decided_at, case.decision_reason = actor, now, reason
    case.closed_at = now
    case.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "closed_at"])
    _event(
        case,
        CaseEventType.DISMISSED,
        actor=actor,
        now=now,
        before=before,
        after={"state": case.state},
        note=reason,
    )
    return case


def case_decide(
    *, case: SupervisionCase, confirm: bool, reason: str, actor: User, now: datetime
) -> SupervisionCase:
    """Confirm or dismiss a proposal (the older single entry point, kept for its callers)."""
    if not (is_supervisor(actor) or actor.has_role(RoleCode.INSPECTOR)):
        raise PermissionDenied()
    if confirm:
        return case_confirm(case=case, actor=actor, now=now, requirements=reason)
    return case_dismiss(case=case, reason=reason, actor=actor, now=now)


@transaction.atomic
def case_respond(
    *, case: SupervisionCase, content: str, measures: str, actor: User, now: datetime
) -> SupervisionCase:
    """The target organisation's answer (整改反馈): what it did and the measures it took."""
    if not may_respond(actor, case):
        raise NotFound(_("督办事项不存在"))
    case = _lock(case)
    target = _move(case, "respond")
    response = CaseResponse.objects.create(
        case=case,
        at=now,
        by=actor,
        org_id=actor.organisation_id,
        content=_clean(content, _("整改情况")),
        measures=(measures or "").strip(),
    )
    before = _snapshot(case)
    case.state = target
    case.save(update_fields=["state"])
    _event(
        case,
        CaseEventType.RESPONDED,
        actor=actor,
        now=now,
        before=before,
        after=_snapshot(case) | {"response": response.pk},
        note=response.content,
    )
    if case.parent_id:  # the supervision office reports back on the case it took over
        _event(
            case.parent,
            CaseEventType.RESPONDED,
            actor=actor,
            now=now,
            before={},
            after={"escalation": case.pk},
            note=_("督查机构反馈：%(content)s") % {"content": response.content},
        )
    return case


@transaction.atomic
def case_assess(
    *,
    case: SupervisionCase,
    effective: bool,
    comment: str,
    actor: User,
    now: datetime,
    respond_by: date | None = None,
) -> SupervisionCase:
    """The center's assessment (成效评估): effective closes the case; not effective opens it
    again with a new response date, and the Art 30(3) sweep proposes the hand-over."""
    if not may_assess(actor, case):
        raise PermissionDenied()
    case = _lock(case)
    target = _move(case, "assess_effective" if effective else "assess_ineffective")
    comment = (comment or "").strip()
    if not effective and not comment:
        raise InvalidInput(_("评估无效须说明理由"), code=SupervisionErrorCode.MISSING_FIELD)
    CaseAssessment.objects.create(case=case, at=now, by=actor, effective=effective, comment=comment)
    before = _snapshot(case)
    case.state = target
    fields = ["state"]
    if effective:
        case.closed_at = now
        fields.append("closed_at")
    else:
        case.respond_by = _check_respond_by(respond_by, now)
        fields.append("respond_by")
    case.save(update_fields=fields)
    _event(
        case,
        CaseEventType.ASSESSED_EFFECTIVE if effective else CaseEventType.ASSESSED_INEFFECTIVE,
        actor=actor,
        now=now,
        before=before,
        after=_snapshot(case),
        note=comment,
    )
    return case


def attachments_dir() -> Path:
    """Under the data directory, never under a static or media root the web server serves."""
    path = Path(settings.DATA_DIR) / "supervision" / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def case_attach(
    *, case: SupervisionCase, name: str, data: bytes, actor: User, now: datetime
) -> CaseAttachment:
    """A file for a case (a rectification report, a photo): size and type checked, stored under
    a random name outside the web root, served only by the scoped view."""
    if not allowed(actor, "attach", case):
        if may_respond(actor, case) or is_supervisor(actor):
            raise DomainError(
                _("该督办事项已办结，不能再上传附件"), code=SupervisionErrorCode.INVALID_TRANSITION
            )
        raise NotFound(_("督办事项不存在"))
    name = Path(name or "").name.strip()[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise InvalidInput(
            _("附件类型不允许，仅限 %(types)s") % {"types": " ".join(sorted(ATTACHMENT_TYPES))},
            code=SupervisionErrorCode.INVALID_FILE_TYPE,
        )
    limit = policy("art26_attachment_max_mb") * 1024 * 1024
    if not data or len(data) > limit:
        raise InvalidInput(
            _("附件大小须在 1 字节到 %(mb)s MB 之间") % {"mb": policy("art26_attachment_max_mb")},
            code=SupervisionErrorCode.INVALID_FILE_SIZE,
        )
    if suffix in MAGIC and not data.startswith(MAGIC[suffix]):
        raise InvalidInput(_("附件内容与文件类型不符"), code=SupervisionErrorCode.INVALID_FILE_TYPE)
    stored_as = f"{uuid.uuid4().hex}{suffix}"
    (attachments_dir() / stored_as).write_bytes(data)
    attachment = CaseAttachment.objects.create(
        case=case,
        name=name,
        stored_as=stored_as,
        content_type=ATTACHMENT_TYPES[suffix],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        at=now,
        by=actor,
    )
    _event(
        case,
        CaseEventType.ATTACHED,
        actor=actor,
        now=now,
        before={},
        after={"attachment": attachment.pk, "name": name, "size": len(data)},
        note=name,
    )
    return attachment


def attachment_path(attachment: CaseAttachment) -> Path:
    return attachments_dir() / attachment.stored_as


@transaction.atomic
def accountability_record(
    *,
    case: SupervisionCase,
    finding: str,
    measure: str,
    decided_by: str,
    actor: User,
    now: datetime,
    responsible_org: Organisation | None = None,
    responsible_person: str = "",
    outcome: str = "",
    ground: str = "",
) -> AccountabilityRecord:
    """Art 33: the finding, the unit or person held responsible, the measure, the outcome and
    the body that decided, recorded against the case it came from."""
    if not allowed(actor, "accountability", case):
        raise PermissionDenied()
    if responsible_org is None and not (responsible_person or "").strip():
        raise InvalidInput(_("请填写责任单位或责任人"), code=SupervisionErrorCode.MISSING_FIELD)
    record = AccountabilityRecord.objects.create(
        case=case,
        ground=(ground or "").strip()[:10],
        finding=_clean(finding, _("查实问题")),
        responsible_org=responsible_org,
        responsible_person=(responsible_person or "").strip()[:100],
        measure=_clean(measure, _("问责措施")),
        outcome=(outcome or "").strip(),
        decided_by=_clean(decided_by, _("决定机关"))[:100],
        recorded_by=actor,
        at=now,
    )
    _event(
        case,
        CaseEventType.ACCOUNTABILITY,
        actor=actor,
        now=now,
        before={},
        after={"record": record.pk},
        note=record.finding,
    )
    return record
