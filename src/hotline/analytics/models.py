"""Rollups, alerts and archived reports of the monitoring context (Art 23–24)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Organisation
from hotline.tickets.models import Category


class DailyRollup(models.Model):
    """Counts and durations of one local day × county × category × organisation × appeal type
    × channel. ``org`` empty: every ticket once (city figures); ``org`` set: the tickets that
    organisation or one below it holds or held an assignment on (its scope, exactly as
    ``tickets.selectors.tickets_visible_to`` sees it). Received-side figures count tickets
    received that day, closed-side figures tickets closed that day."""

    day = models.DateField()
    county = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, null=True, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey(Organisation, null=True, on_delete=models.CASCADE, related_name="+")
    appeal_type = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    received = models.PositiveIntegerField(default=0)
    answered_at_intake = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    still_open = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_dispatched = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")
        indexes = [
            models.Index(fields=["org", "day"], name="rollup_org_day"),
            models.Index(fields=["day", "org"], name="rollup_day_org"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.county_id}/{self.category_id}/{self.org_id}"


class RollupState(models.Model):
    """The last ticket event the rollups have taken in (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # the alert rules read windows of hours and days: checking them every few minutes is
    # real time enough, and keeps the timer sweep short
    alerts_checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups@{self.last_event_id}"


class AlertKind(models.TextChoices):
    VOLUME_SPIKE = "volume_spike", _("诉求量异常")
    HOT_TOPIC = "hot_topic", _("热点问题")
    LONG_UNRESOLVED = "long_unresolved", _("久拖不决")
    CONNECTION_RATE = "connection_rate", _("接通率偏低")
    OVERDUE_RATE = "overdue_rate", _("超期率偏高")


class AlertState(models.TextChoices):
    OPEN = "open", _("未处理")
    CLOSED = "closed", _("已关闭")


class Alert(models.Model):
    """One warning raised by the timers (Art 23: 实时预警)."""

    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=200, unique=True)
    scope = models.CharField(_("范围"), max_length=200)
    county = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("说明"), max_length=300)
    value = models.FloatField(_("观测值"))
    baseline = models.FloatField(_("基线"))
    detected_at = models.DateTimeField(_("发现时间"))
    state = models.CharField(
        _("状态"), max_length=10, choices=AlertState.choices, default=AlertState.OPEN
    )
    data = models.JSONField(default=dict)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["state", "-detected_at"], name="alert_state")]

    def __str__(self) -> str:
        return self.title


class AlertEvent(models.Model):
    """Append-only record of what happened to an alert (raised, closed) and by whom."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    type = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class ReportKind(models.TextChoices):
    DAILY = "daily", _("日报")
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")
    ANNUAL = "annual", _("年报")
    SPECIAL = "special", _("专报")


class Report(models.Model):
    """An archived report (Art 23); the file lies under HOTLINE_DATA_DIR/reports."""

    kind = models.CharField(_("类型"), max_length=12, choices=ReportKind.choices)
    period = models.CharField(_("期间"), max_length=24)
    format = models.CharField(_("格式"), max_length=5)
    title = models.CharField(_("标题"), max_length=200)
    scope_org = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    file = models.CharField(max_length=300)
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SectorCategory(models.Model):
    """Art 24: a department's sector — the categories it is the industry authority for; it
    sees their tickets (masked) whichever unit handles them."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("行业主管分类")
        verbose_name_plural = _("行业主管分类")
        constraints = [
            models.UniqueConstraint(fields=["org", "category"], name="uniq_sector_category")
        ]

    def __str__(self) -> str:
        return f"{self.org} → {self.category}"


class ScheduledExport(models.Model):
    """Art 24: figures sent to a unit on a schedule (an xlsx of its scope, archived)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=12, choices=ReportKind.choices[:4])
    last_period = models.CharField(max_length=24, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("定期数据推送")
        verbose_name_plural = _("定期数据推送")

    def __str__(self) -> str:
        return f"{self.org} {self.get_frequency_display()}"
