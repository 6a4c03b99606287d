"""Back-office of the telephony context: queues and special seats, the expert roster, guest
seats; calls, call-backs and the restriction register read-only (they change only through
the services: events, attempts, decisions)."""

from django.contrib import admin

from hotline.telephony.models import (
    Call,
    CallbackTask,
    ExpertDuty,
    GuestSession,
    Queue,
    Restriction,
)


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "org", "special_seat", "active")
    list_filter = ("special_seat", "active")


@admin.register(ExpertDuty)
class ExpertDutyAdmin(admin.ModelAdmin):
    list_display = ("expert", "org", "topic", "starts_at", "ends_at")
    autocomplete_fields = ()
    raw_id_fields = ("expert", "org")


@admin.register(GuestSession)
class GuestSessionAdmin(admin.ModelAdmin):
    list_display = ("guest", "title", "starts_at", "ends_at", "state", "calls_answered")
    raw_id_fields = ("guest", "created_by")
    readonly_fields = ("state", "role_granted", "calls_answered", "tickets_taken")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(ReadOnly):
    list_display = ("call_id", "offered_at", "outcome", "queue", "agent", "ticket")
    list_filter = ("outcome", "queue")
    search_fields = ("call_id",)


@admin.register(CallbackTask)
class CallbackTaskAdmin(ReadOnly):
    list_display = ("number", "state", "due_at", "attempts", "result", "overdue")
    list_filter = ("state", "result", "overdue")


@admin.register(Restriction)
class RestrictionAdmin(ReadOnly):
    list_display = ("number", "state", "starts_at", "until", "decided_by", "approved_by")
    list_filter = ("state",)
