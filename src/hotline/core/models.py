from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulationClock(models.Model):
    """The business "now" in simulation mode, one row shared by every process (API.md)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    now = models.DateTimeField(_("模拟时间"))
    updated_at = models.DateTimeField(_("设置于"), auto_now=True)

    class Meta:
        verbose_name = _("模拟时钟")
        verbose_name_plural = _("模拟时钟")

    def __str__(self) -> str:
        return self.now.isoformat()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class TimerRun(models.Model):
    """One sweep of the timers: when, at which business time, and what it did."""

    started_at = models.DateTimeField(_("开始于"))
    business_now = models.DateTimeField(_("业务时间"))
    finished_at = models.DateTimeField(_("结束于"), null=True, blank=True)
    summary = models.JSONField(_("结果"), default=dict)
    trigger = models.CharField(_("触发方式"), max_length=20)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.trigger} {self.started_at:%Y-%m-%d %H:%M:%S}"


class CacheVersion(models.Model):
    """Version counters of per-process caches (see hotline.core.cache)."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.version}"


class PolicySetting(models.Model):
    """An administrator's value for one policy (see hotline.core.policy for the defaults)."""

    key = models.CharField(_("参数"), max_length=60, unique=True)
    value = models.JSONField(_("取值"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数（时限与阈值）")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class PolicyChange(models.Model):
    """Append-only log of policy edits (ARCHITECTURE.md principle 4): the value before and
    after, who and when. Written by ``core.policy.policy_set`` in the edit's transaction."""

    key = models.CharField(_("参数"), max_length=60, db_index=True)
    old_value = models.JSONField(_("原值"), null=True, blank=True)
    # whether the value before was the regulation's default (no administrator's row yet)
    old_was_default = models.BooleanField(_("原为默认值"), default=False)
    new_value = models.JSONField(_("新值"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )
    changed_at = models.DateTimeField(_("修改时间"), db_index=True)

    class Meta:
        verbose_name = _("政策参数修改记录")
        verbose_name_plural = _("政策参数修改记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key}: {self.old_value} → {self.new_value}"
