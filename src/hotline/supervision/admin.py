from django.contrib import admin

from hotline.supervision.models import SupervisionCase


@admin.register(SupervisionCase)
class SupervisionCaseAdmin(admin.ModelAdmin):
    list_display = ("instrument", "article", "org", "state", "created_at", "decided_at")
    list_filter = ("instrument", "state", "article")
    readonly_fields = (
        "instrument",
        "article",
        "org",
        "tickets",
        "reason",
        "dedupe_key",
        "created_at",
        "decided_by",
        "decided_at",
        "state",
        "decision_reason",
    )

    def has_add_permission(self, request):
        return False
