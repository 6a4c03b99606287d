from django.contrib import admin, messages
from django.utils.translation import gettext as _

from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.calendar.services import calendar_day_set, get_calendar
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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "working", "note", "updated_at")
    list_filter = ("working",)
    date_hierarchy = "date"
    search_fields = ("note",)

    def changelist_view(self, request, extra_context=None):
        _warn_unconfirmed(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        calendar_day_set(day=obj.date, working=obj.working, note=obj.note)

    def delete_model(self, request, obj):
        calendar_day_set(day=obj.date, working=obj.date.weekday() < 5, note="")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "confirmed", "source", "updated_at")
    readonly_fields = ("source", "papers", "updated_at")

    def changelist_view(self, request, extra_context=None):
        _warn_unconfirmed(request)
        return super().changelist_view(request, extra_context)
