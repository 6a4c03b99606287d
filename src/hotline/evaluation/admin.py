"""Art 31 "考核评价指标体系…动态调整": schemes and indicators are edited here; every saved change
raises the scheme's version (runs keep the version and a snapshot of what they used)."""

from django.contrib import admin

from hotline.evaluation import services
from hotline.evaluation.models import Indicator, Result, Run, Scheme


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = (
        "order",
        "code",
        "name",
        "measure",
        "weight",
        "direction",
        "full_at",
        "zero_at",
        "basis",
    )


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "applies_to", "owner", "version", "active", "updated_at")
    list_filter = ("applies_to", "active")
    readonly_fields = ("version", "updated_at")
    inlines = [IndicatorInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(f.has_changed() for f in formsets)):
            services.scheme_changed(scheme=form.instance)


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0
    can_delete = False
    fields = ("org", "scheme_code", "scheme_version", "score", "grade", "rank")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    """Runs are computed and published through the service (API, /supervision/ pages)."""

    list_display = ("period", "owner", "state", "created_at", "published_at")
    list_filter = ("state",)
    readonly_fields = (
        "period",
        "owner",
        "start",
        "end",
        "state",
        "schemes",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
    )
    inlines = [ResultInline]

    def has_add_permission(self, request):
        return False
