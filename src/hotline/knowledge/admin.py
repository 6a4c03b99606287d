"""Back-office views. Entries, history and feedback are read-only here (they change only
through the services, with their guards and history); synonyms are edited here by
administrators, through ``synonym_upsert``."""

from __future__ import annotations

from django.contrib import admin

from hotline.core import clock
from hotline.core.admin import ReadOnlyAdmin
from hotline.knowledge import services
from hotline.knowledge.models import (
    Entry,
    EntryVersion,
    Feedback,
    KnowledgeEvent,
    KnowledgeUsage,
    Synonym,
)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "org", "category_name", "status", "public", "reviewed_at")
    list_filter = ("status", "public")
    search_fields = ("title", "category_code", "org__code", "org__name")
    list_select_related = ("org",)
    exclude = ("search_title", "search_keywords", "search_text")


@admin.register(EntryVersion)
class EntryVersionAdmin(ReadOnlyAdmin):
    list_display = ("entry", "number", "action", "status", "actor", "at")
    list_filter = ("action",)
    list_select_related = ("entry", "actor")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "topic", "org", "state", "due_at", "overdue")
    list_filter = ("kind", "state", "overdue")
    list_select_related = ("org",)


@admin.register(KnowledgeUsage)
class KnowledgeUsageAdmin(ReadOnlyAdmin):
    list_display = ("entry", "ticket_number", "actor", "used_at")
    list_select_related = ("entry", "actor")


@admin.register(KnowledgeEvent)
class KnowledgeEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "type", "actor", "entry", "feedback")
    list_filter = ("type",)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "equivalents", "active", "updated_by", "updated_at")
    list_filter = ("active",)
    search_fields = ("term",)
    fields = ("term", "equivalents", "active")

    def get_readonly_fields(self, request, obj=None):
        return ("term",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead, so the audit trail stays meaningful

    def save_model(self, request, obj, form, change):
        saved = services.synonym_upsert(
            term=obj.term,
            equivalents=obj.equivalents if isinstance(obj.equivalents, list) else [],
            active=obj.active,
            actor=request.user,
            now=clock.now(),
        )
        obj.pk = saved.pk
