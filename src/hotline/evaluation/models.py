"""Performance evaluation (Art 31): indicator schemes an administrator edits (versioned), the
periodic runs computed from the tickets, and one result row per organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.evaluation.choices import AppliesTo, Direction, Grade, Measure, RunState
from hotline.orgs.models import Organisation

USER = settings.AUTH_USER_MODEL


class Scheme(models.Model):
    """One indicator system for one class of organisation (Art 31: "分类进行考核评价"), owned by
    the center or, for its own units, by a county body (Art 31, third paragraph)."""

    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    applies_to = models.CharField(_("考核对象"), max_length=12, choices=AppliesTo.choices)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位")
    )
    active = models.BooleanField(_("启用"), default=True)
    # Art 31 "动态调整": every change in the admin raises the version; a run records it.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    excellent_min = models.DecimalField(_("优秀（≥）"), max_digits=5, decimal_places=1, default=90)
    good_min = models.DecimalField(_("良好（≥）"), max_digits=5, decimal_places=1, default=80)
    pass_min = models.DecimalField(_("合格（≥）"), max_digits=5, decimal_places=1, default=60)
    note = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["owner__path", "applies_to", "code"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="uniq_scheme_owner_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def grades(self) -> list[tuple[str, float]]:
        return [
            (Grade.EXCELLENT, float(self.excellent_min)),
            (Grade.GOOD, float(self.good_min)),
            (Grade.PASS, float(self.pass_min)),
            (Grade.FAIL, 0.0),
        ]


class Indicator(models.Model):
    """One indicator: its SQL measure, weight, direction and the linear scoring between the
    value that scores 0 (``zero_at``) and the value that scores 100 (``full_at``)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    measure = models.CharField(_("计算口径"), max_length=30, choices=Measure.choices)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=1)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices)
    full_at = models.FloatField(_("满分值"))
    zero_at = models.FloatField(_("零分值"))
    basis = models.CharField(_("依据与公式"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="uniq_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name


class Run(models.Model):
    """One evaluation of one period (a month, a quarter or a year) by one owner: a draft the
    center reviews, then published and frozen."""

    period = models.CharField(_("考核期"), max_length=8)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    start = models.DateTimeField(_("起"))
    end = models.DateTimeField(_("止"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RunState.choices, default=RunState.DRAFT
    )
    schemes = models.JSONField(_("所用方案（含版本）"), default=dict)
    created_at = models.DateTimeField(_("测算时间"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("考核测算")
        verbose_name_plural = _("考核测算")
        ordering = ["-start", "owner__path"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "period"], name="uniq_run_owner_period")
        ]

    def __str__(self) -> str:
        return self.period


class Result(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    scheme_code = models.CharField(max_length=40)
    scheme_version = models.PositiveIntegerField()
    values = models.JSONField(default=dict)  # indicator code → value (None: no data)
    counts = models.JSONField(default=dict)  # indicator code → [numerator, denominator]
    scores = models.JSONField(default=dict)  # indicator code → 0–100
    score = models.FloatField(null=True)
    grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["run", "scheme_code", "rank", "org__path"]
        constraints = [models.UniqueConstraint(fields=["run", "org"], name="uniq_result_org")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.org_id} {self.score}"
