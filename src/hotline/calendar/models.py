from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """Whether a year's official holiday schedule has been loaded (confirmed) or not."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    confirmed = models.BooleanField(_("已确认官方安排"), default=False)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    papers = models.TextField(_("国务院通知"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the weekday rule: a holiday on a weekday or a 调休 working weekend."""

    date = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=60, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整（节假日与调休）")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.working else '休'} {self.note}"
