from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.calendar.core import weekday_rule
from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.calendar.services import (
    calendar_day_move,
    calendar_day_set,
    calendar_year_forget,
    calendar_year_mark,
    get_calendar,
)
from hotline.core import clock


def _warn_unconfirmed(request) -> None:
    cal = get_calendar()
    year = cal.local(clock.now()).year
    missing = [y for y in (year, year + 1) if not cal.is_confirmed(y)]
    if missing:
        messages.warning(
            request,
            _(
                "%(years)s 年的官方节假日安排尚未录入（未确认），"
                "这些年份暂按周一至周五为工作日计算。"
                "国务院公布后请用 “hotline calendar import 文件” 导入或在此逐日录入。"
            )
            % {"years": "、".join(str(y) for y in missing)},
        )


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "working", "note")

    def clean(self) -> dict[str, Any]:
        # ModelForm.clean() returns cleaned_data; the stubs type it as optional, so read it here
        super().clean()
        cleaned = self.cleaned_data
        day, working, note = cleaned.get("date"), cleaned.get("working"), cleaned.get("note")
        if day is not None and working == weekday_rule(day) and not note:
            # Such a row would be dropped on save (the weekday rule already says so): say it
            # instead of reporting a success that stored nothing.
            kind = _("工作日") if working else _("休息日")
            raise forms.ValidationError(
                _("%(day)s 按周一至周五规则本来就是%(kind)s，无需调整；要恢复默认请删除该调整。")
                % {"day": day, "kind": kind}
            )
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ("date", "working", "note", "updated_at")
    list_filter = ("working",)
    date_hierarchy = "date"
    search_fields = ("note",)

    def changelist_view(self, request, extra_context=None):
        _warn_unconfirmed(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # Through the service, so every process reloads its calendar; a changed date moves
        # the override instead of leaving the old one behind.
        if change and "date" in form.changed_data:
            saved = calendar_day_move(
                old_day=form.initial["date"], day=obj.date, working=obj.working, note=obj.note
            )
        else:
            saved = calendar_day_set(day=obj.date, working=obj.working, note=obj.note)
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_set(day=obj.date, working=weekday_rule(obj.date), note="")

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "confirmed", "source", "updated_at")
    readonly_fields = ("source", "papers", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # The year is the key: changing it would copy the row, not rename it.
        fields = super().get_readonly_fields(request, obj)
        return ("year", *fields) if obj is not None else fields

    def changelist_view(self, request, extra_context=None):
        _warn_unconfirmed(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # Through the service, so every process reloads its calendar.
        saved = calendar_year_mark(year=obj.year, confirmed=obj.confirmed)
        obj.source = saved.source

    def delete_model(self, request, obj):
        calendar_year_forget(year=obj.year)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
