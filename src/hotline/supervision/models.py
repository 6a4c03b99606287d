"""Supervision instruments (Art 26–30, 33) as casework: proposed from facts or opened by a
person, answered by the target organisation, assessed by the center, audited at every step."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Organisation
from hotline.supervision.choices import CaseEventType, CaseState, Instrument
from hotline.tickets.models import Ticket

USER = settings.AUTH_USER_MODEL


class SupervisionCase(models.Model):
    """One instrument aimed at one organisation (API.md "Supervision")."""

    # Kept on the model so ``SupervisionCase.State.PROPOSED`` reads as before.
    Instrument = Instrument
    State = CaseState

    instrument = models.CharField(_("督办方式"), max_length=20, choices=Instrument.choices)
    article = models.CharField(_("依据条款"), max_length=20, db_index=True)
    org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("对象单位"),
    )
    # An escalation is aimed at the supervision office; the unit whose work it is about.
    subject_org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("涉及单位"),
    )
    tickets = models.ManyToManyField(Ticket, blank=True, related_name="supervision_cases")
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    reason = models.TextField(_("理由"))
    requirements = models.TextField(_("督办要求"), blank=True)
    respond_by = models.DateField(_("反馈期限"), null=True, blank=True)
    period = models.CharField(_("统计期"), max_length=12, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级督办事项"),
    )
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("提出时间"))
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org", "state"], name="case_org_state")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.article}"


class CaseResponse(models.Model):
    """The target organisation's answer: what it did (content) and what it changed (measures)."""

    case = models.ForeignKey(SupervisionCase, on_delete=models.CASCADE, related_name="responses")
    at = models.DateTimeField(_("反馈时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("整改情况"))
    measures = models.TextField(_("整改措施"), blank=True)

    class Meta:
        verbose_name = _("整改反馈")
        verbose_name_plural = _("整改反馈")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.at:%Y-%m-%d %H:%M}"


class CaseAssessment(models.Model):
    """The center's judgement of a response (成效评估)."""

    case = models.ForeignKey(SupervisionCase, on_delete=models.CASCADE, related_name="assessments")
    at = models.DateTimeField(_("评估时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    effective = models.BooleanField(_("有效"))
    comment = models.TextField(_("评估意见"), blank=True)

    class Meta:
        verbose_name = _("成效评估")
        verbose_name_plural = _("成效评估")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.at:%Y-%m-%d %H:%M}"


class CaseAttachment(models.Model):
    """A file attached to a case; the bytes live under HOTLINE_DATA_DIR (outside the web root)
    and are served only through the scoped view."""

    case = models.ForeignKey(SupervisionCase, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=200)
    stored_as = models.CharField(max_length=200, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    at = models.DateTimeField(_("上传时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.at:%Y-%m-%d %H:%M}"


class AccountabilityRecord(models.Model):
    """Art 33: the finding, who is held responsible, the measure taken, its outcome and the
    body that decided it, linked to the case it came from."""

    case = models.ForeignKey(
        SupervisionCase, on_delete=models.CASCADE, related_name="accountability"
    )
    ground = models.CharField(_("情形（第三十三条）"), max_length=10, blank=True)
    finding = models.TextField(_("查实问题"))
    responsible_org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    responsible_person = models.CharField(_("责任人"), max_length=100, blank=True)
    measure = models.TextField(_("问责措施"))
    outcome = models.TextField(_("处理结果"), blank=True)
    decided_by = models.CharField(_("决定机关"), max_length=100)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("追责问责记录")
        verbose_name_plural = _("追责问责记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.at:%Y-%m-%d %H:%M}"


class SupervisionEvent(models.Model):
    """Append-only history of a case (ARCHITECTURE.md principle 4): who decided what, when,
    the state before and after and the reason given, written in the decision's transaction.
    No service deletes a case and the admin may not; the history goes only with its case."""

    case = models.ForeignKey(
        SupervisionCase, on_delete=models.CASCADE, related_name="events", verbose_name=_("督办事项")
    )
    type = models.CharField(_("类型"), max_length=30, choices=CaseEventType.choices)
    actor = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作单位"),
    )
    at = models.DateTimeField(_("时间"))
    before = models.JSONField(_("变更前"), default=dict)
    after = models.JSONField(_("变更后"), default=dict)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.at:%Y-%m-%d %H:%M}"
