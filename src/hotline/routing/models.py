"""Routing tables: the dispatch catalogue (派单目录), precedents of coordinated dispatches
(Art 14(3)) and the record of every suggestion shown with the choice made (for acceptance
analytics). The engine itself (classifier, duplicate index) keeps no tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Organisation
from hotline.tickets.models import Category, Ticket


class Territorial(models.TextChoices):
    COUNTY = "county", _("属地县区（县区热线工作机构）")
    TOWNSHIP = "township", _("属地乡镇（街道）")


class DispatchRule(models.Model):
    """One line of the dispatch catalogue: tickets of this category (and its sub-categories)
    from this territory go to this unit. Without a territory the line applies everywhere; a
    line for the ticket's own county wins over one for everywhere, an exact category over a
    parent category, then the lower priority number."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("诉求分类")
    )
    county = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "county"},
        verbose_name=_("县区"),
        help_text=_("留空表示全市适用"),
    )
    unit = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("承办单位"),
        help_text=_("固定的承办单位；留空时按“属地”派给工单所在县区或乡镇（街道）"),
    )
    territorial = models.CharField(
        _("属地"), max_length=10, choices=Territorial.choices, blank=True
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=1, help_text=_("数字越小越优先")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        ordering = ["category__code", "county__code", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | ~models.Q(territorial=""),
                name="dispatch_rule_has_target",
            )
        ]

    def __str__(self) -> str:
        target = self.unit.name if self.unit_id else self.get_territorial_display()
        return f"{self.category} → {target}"


class Precedent(models.Model):
    """A coordinated dispatch decision kept so that later similar tickets are dispatched the
    same way directly (Art 14(3) end)."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="+", verbose_name=_("工单")
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("诉求分类"),
    )
    county = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("县区")
    )
    text = models.TextField(_("诉求内容"))
    lead = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("主办单位")
    )
    assists = models.JSONField(_("协办单位"), default=list, blank=True)
    created_at = models.DateTimeField(_("形成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单先例")
        verbose_name_plural = _("派单先例（协调派单）")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.lead.name}"


class SuggestionKind(models.TextChoices):
    CATEGORY = "category", _("诉求分类")
    UNIT = "unit", _("承办单位")


class RoutingSuggestion(models.Model):
    """What was suggested (codes, best first) and what the person chose, recorded in the same
    transaction as the intake (category) or the dispatch (lead unit)."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="+", verbose_name=_("工单")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=SuggestionKind.choices)
    suggested = models.JSONField(_("推荐（按顺序）"), default=list)
    reasons = models.JSONField(_("推荐理由"), default=list)
    sources = models.JSONField(
        _("推荐来源"),
        default=list,
        blank=True,
        help_text=_(
            "每项推荐的来源：precedent 先例、catalogue 派单目录、"
            "neighbours 相似工单模型、model 同类派单统计"
        ),
    )
    chosen = models.CharField(_("实际选择"), max_length=80, blank=True)
    accepted = models.BooleanField(_("采纳推荐"), default=False)
    rank = models.PositiveSmallIntegerField(_("采纳第几项"), null=True, blank=True)
    model_version = models.CharField(_("模型版本"), max_length=40, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("派单推荐记录")
        verbose_name_plural = _("派单推荐记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"], name="routing_suggestion_kind_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}: {self.chosen}"


class RetrainingStatus(models.TextChoices):
    RUNNING = "running", _("训练中")
    INSTALLED = "installed", _("已启用新模型")
    KEPT = "kept", _("保留原模型")
    FAILED = "failed", _("失败")


class RetrainingRun(models.Model):
    """One scheduled (or forced) retraining of the category model from the closed tickets: what
    was trained, how it scored on its hold-out against the current model, and whether it was
    installed. At most one run is ``running`` at a time (a partial unique index), so two
    workers that find it due at once train once."""

    status = models.CharField(_("结果"), max_length=10, choices=RetrainingStatus.choices)
    trigger = models.CharField(_("触发方式"), max_length=20)
    started_at = models.DateTimeField(_("开始于"))
    finished_at = models.DateTimeField(_("结束于"), null=True, blank=True)
    worker = models.CharField(_("执行进程"), max_length=100, blank=True)
    previous_version = models.CharField(_("原模型版本"), max_length=40, blank=True)
    previous_macro_f1 = models.FloatField(_("原模型留出集宏平均F1"), null=True, blank=True)
    version = models.CharField(
        _("新模型版本"), max_length=40, blank=True, help_text=_("仅在启用新模型时填写")
    )
    macro_f1 = models.FloatField(_("新模型留出集宏平均F1"), null=True, blank=True)
    n_samples = models.PositiveIntegerField(_("训练工单数"), default=0)
    new_tickets = models.IntegerField(_("新增办结工单数"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("分类模型重训记录")
        verbose_name_plural = _("分类模型重训记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="running"),
                name="routing_one_retraining_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class PlaceKind(models.TextChoices):
    ROAD = "road", _("道路街巷")
    COMMUNITY = "community", _("小区社区")
    LANDMARK = "landmark", _("地标场所")
    VILLAGE = "village", _("村庄")


class PlaceName(models.Model):
    """A place name the gazetteer recognises in addresses and appeal texts (roads, compounds,
    landmarks, villages), each in one county. Counties and township/street offices come from
    the organisation tree; this table adds the names below them that administrators maintain.
    A name (or alias) listed under more than one county is ignored: it is no evidence."""

    name = models.CharField(
        _("地名"), max_length=60, help_text=_("至少三个字；较短的地名容易误认，不参与识别")
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=PlaceKind.choices, default=PlaceKind.LANDMARK
    )
    county = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "county"},
        verbose_name=_("所属县区"),
    )
    aliases = models.CharField(
        _("别名"), max_length=200, blank=True, help_text=_("其他叫法，用空格分隔")
    )
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("地名")
        verbose_name_plural = _("地名")
        ordering = ["county__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="routing_place_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        """The name and its aliases, as the gazetteer matches them."""
        return [self.name, *self.aliases.split()]
