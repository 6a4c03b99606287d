from django.contrib import admin

from hotline.supervision.models import SupervisionCase, SupervisionEvent


class SupervisionEventInline(admin.TabularInline):
    """A case's history, read-only: decisions are made through the service (API), and the
    history is append-only."""

    model = SupervisionEvent
    extra = 0
    can_delete = False
    fields = ("at", "type", "actor", "actor_org", "before", "after", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupervisionCase)
class SupervisionCaseAdmin(admin.ModelAdmin):
    list_display = ("instrument", "article", "org", "state", "created_at", "decided_at")
    list_filter = ("instrument", "state", "article")
    inlines = [SupervisionEventInline]
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
        "subject_org",
        "requirements",
        "respond_by",
        "period",
        "parent",
        "created_by",
        "closed_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
