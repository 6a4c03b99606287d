"""Supervision instruments (Art 26–30, 33): proposed from facts, confirmed by people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Organisation
from hotline.tickets.models import Ticket


class SupervisionCase(models.Model):
    """A supervision instrument (Art 26–30, 33); timers propose, supervisors confirm."""

    class Instrument(models.TextChoices):
        NOTICE = "notice", _("督办单")
        COORDINATION = "coordination", _("专题协调")
        CIRCULAR = "circular", _("通报/约谈")
        ESCALATION = "escalation", _("移交督查")
        ACCOUNTABILITY = "accountability", _("追责问责")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DISMISSED = "dismissed", _("已驳回")
        RESOLVED = "resolved", _("已办结")

    instrument = models.CharField(_("督办方式"), max_length=20, choices=Instrument.choices)
    article = models.CharField(_("依据条款"), max_length=20)
    org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("对象单位"),
    )
    tickets = models.ManyToManyField(Ticket, blank=True, related_name="supervision_cases")
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.PROPOSED
    )
    reason = models.TextField(_("理由"))
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("提出时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.article}"
