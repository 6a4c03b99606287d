"""What every knowledge service shares: input cleaning, version and audit rows, locking
(ARCHITECTURE.md principles 1, 4, 5)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import DomainError, InvalidInput, NotFound
from hotline.core.text import has_control
from hotline.knowledge import search
from hotline.knowledge.choices import (
    OWNING_KINDS,
)
from hotline.knowledge.error_codes import KnowledgeErrorCode
from hotline.knowledge.models import (
    Entry,
    EntryVersion,
    Feedback,
    KnowledgeEvent,
)
from hotline.orgs.models import Organisation, User


class VersionConflict(DomainError):
    status = 409
    code = KnowledgeErrorCode.VERSION_CONFLICT
    default_message = gettext_lazy("条目已被他人修改，请刷新后重试")


TITLE_MAX = 200
BODY_MAX = 20_000
CATEGORY_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
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


def _no_control(value: str, label: str, code: str = KnowledgeErrorCode.INVALID_INPUT) -> str:
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
        title = _no_control(
            (data["title"] or "").strip(), _("标题"), KnowledgeErrorCode.INVALID_TITLE
        )
        if not title or len(title) > TITLE_MAX:
            raise InvalidInput(
                _("标题不能为空，且不超过200字"), code=KnowledgeErrorCode.INVALID_TITLE
            )
        out["title"] = title
    if "body" in data:
        body = _no_control((data["body"] or "").strip(), _("正文"), KnowledgeErrorCode.INVALID_BODY)
        if not body or len(body) > BODY_MAX:
            raise InvalidInput(
                _("正文不能为空，且不超过20000字"), code=KnowledgeErrorCode.INVALID_BODY
            )
        out["body"] = body
    if "category_code" in data:
        code = (data["category_code"] or "").strip()
        if not CATEGORY_CODE.match(code):
            raise InvalidInput(
                _("分类代码只能由小写字母、数字、点和连字符组成"),
                code=KnowledgeErrorCode.INVALID_CATEGORY,
            )
        out["category_code"] = code
    if "category_name" in data:
        name = _no_control(
            (data["category_name"] or "").strip(),
            _("分类名称"),
            KnowledgeErrorCode.INVALID_CATEGORY,
        )
        if len(name) > 100:
            raise InvalidInput(_("分类名称不超过100字"), code=KnowledgeErrorCode.INVALID_CATEGORY)
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
                raise InvalidInput(
                    _("日期格式应为 YYYY-MM-DD"), code=KnowledgeErrorCode.INVALID_DATE
                )
            out[key] = value
    return out


def _check_dates(entry: Entry) -> None:
    if entry.effective_from and entry.expires_on and entry.expires_on < entry.effective_from:
        raise InvalidInput(_("失效日期不能早于生效日期"), code=KnowledgeErrorCode.INVALID_DATES)


def _owning_org(org: Organisation) -> Organisation:
    if org.kind not in OWNING_KINDS or not org.active:
        raise InvalidInput(
            _("%(name)s 不是承办单位，不能作为知识条目的责任单位") % {"name": org.name},
            code=KnowledgeErrorCode.INVALID_ORG,
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
