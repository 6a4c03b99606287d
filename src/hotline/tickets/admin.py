"""Back-office views of the lifecycle. Tickets are read-only here: every change goes through
the services (pages and API), so the admin can never bypass a rule."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hotline.core.admin import ReadOnlyAdmin
from hotline.tickets.models import (
    Assignment,
    Category,
    Incident,
    OutboxMessage,
    Review,
    SourceDeadline,
    SuddenEventReport,
    Ticket,
    TicketEvent,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "parent",
        "handling_days",
        "mediation",
        "law_enforcement",
        "active",
    )
    list_filter = ("active", "mediation", "law_enforcement")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("parent",)


@admin.register(SourceDeadline)
class SourceDeadlineAdmin(admin.ModelAdmin):
    list_display = ("channel", "appeal_type", "working_days")
    list_filter = ("channel",)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "ticket"
    extra = 0
    can_delete = False
    fields = (
        "org",
        "role",
        "status",
        "dispatched_at",
        "signed_at",
        "due_at",
        "overdue",
        "extension_count",
        "redo_count",
        "replied_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("at", "type", "actor", "org", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "status",
        "appeal_type",
        "channel",
        "county",
        "received_at",
        "major_incident",
    )
    list_filter = ("status", "appeal_type", "channel", "major_incident", "county")
    search_fields = ("number", "content")
    date_hierarchy = "received_at"
    exclude = ("citizen_name", "citizen_phone")  # Art 25: citizen data only in logged views
    inlines = [AssignmentInline, EventInline]
    list_select_related = ("county",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("kind", "state", "ticket", "requested_org", "reviewer_org", "created_at")
    list_filter = ("kind", "state")
    list_select_related = ("ticket", "requested_org", "reviewer_org")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Incidents are opened by intake and closed through the service (Art 18): the action
    below, or ``POST /api/v1/incidents/{id}/close``."""

    list_display = ("title", "kind", "county", "opened_at", "closed_at")
    list_filter = ("kind", ("closed_at", admin.EmptyFieldListFilter))
    list_select_related = ("county",)
    actions = ("close_incidents",)

    @admin.action(description=_("结束所选重大诉求事件"))
    def close_incidents(self, request, queryset):
        from hotline.core import clock
        from hotline.core.errors import DomainError
        from hotline.tickets.services import incident_close

        done = 0
        for incident in queryset.filter(closed_at__isnull=True):
            try:
                incident_close(incident=incident, actor=request.user, now=clock.now())
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{incident}: {exc.message}", messages.ERROR)
        self.message_user(request, _("已结束 %(n)d 个事件") % {"n": done}, messages.SUCCESS)


@admin.register(SuddenEventReport)
class SuddenEventReportAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "recipient", "reported_at", "reported_by")


@admin.register(OutboxMessage)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "seq", "type", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "type")
    list_select_related = ("ticket",)
    verbose_name = _("推送消息")
