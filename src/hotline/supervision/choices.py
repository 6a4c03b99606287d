"""Choices of the supervision context, importable by other contexts without its models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Instrument(models.TextChoices):
    """The instruments of Art 26–30 and 33, weakest to strongest (API.md names)."""

    NOTICE = "notice", _("督办单")
    COORDINATION = "coordination", _("专题协调")
    CIRCULAR = "circular", _("通报")
    INTERVIEW = "interview", _("约谈")
    ESCALATION = "escalation", _("移交督查")
    ACCOUNTABILITY = "accountability", _("追责问责")


class CaseState(models.TextChoices):
    """API.md's table: proposed → open → responded → closed; proposed → dismissed."""

    PROPOSED = "proposed", _("待确认")
    OPEN = "open", _("督办中")
    RESPONDED = "responded", _("已反馈")
    CLOSED = "closed", _("已办结")
    DISMISSED = "dismissed", _("已驳回")


TERMINAL_STATES = frozenset({CaseState.CLOSED, CaseState.DISMISSED})


class CaseEventType(models.TextChoices):
    """What a row of a case's history records."""

    PROPOSED = "case.proposed", _("系统提出")
    CREATED = "case.created", _("人工立项")
    CONFIRMED = "case.confirmed", _("确认督办")
    DISMISSED = "case.dismissed", _("驳回督办")
    RESPONDED = "case.responded", _("整改反馈")
    ATTACHED = "case.attached", _("上传附件")
    ASSESSED_EFFECTIVE = "case.assessed_effective", _("评估有效，办结")
    ASSESSED_INEFFECTIVE = "case.assessed_ineffective", _("评估无效，重新督办")
    ESCALATION_PROPOSED = "case.escalation_proposed", _("提出移交督查")
    ACCOUNTABILITY = "case.accountability", _("追责问责记录")


# The document each instrument prints as (API.md: "a 督办单 as a Word file").
DOCUMENT_TITLES = {
    Instrument.NOTICE: _("督办单"),
    Instrument.COORDINATION: _("协调会议纪要"),
    Instrument.CIRCULAR: _("通报"),
    Instrument.INTERVIEW: _("约谈记录"),
    Instrument.ESCALATION: _("移交督查函"),
    Instrument.ACCOUNTABILITY: _("追责问责记录"),
}
