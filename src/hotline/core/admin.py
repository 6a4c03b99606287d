from django.contrib import admin

from hotline.core.models import TimerRun


@admin.register(TimerRun)
class TimerRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "business_now", "finished_at", "trigger")
    readonly_fields = ("started_at", "business_now", "finished_at", "summary", "trigger")

    def has_add_permission(self, request):
        return False
