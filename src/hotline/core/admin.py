from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from hotline.core.clock import real_now
from hotline.core.errors import DomainError
from hotline.core.models import ApiToken, PolicyChange, PolicySetting, TimerRun
from hotline.core.policy import DEFINITIONS, policy_set, validate_policy_value


class ReadOnlyAdmin(admin.ModelAdmin):
    """An archive's admin page: records are looked at, never added, edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Who holds an API token and until when (only digests are stored); an administrator
    revokes one by deleting it (also: a new password ends all of a user's tokens)."""

    list_display = ("user", "created_at", "expires_at", "last_used_at")
    list_filter = ("expires_at",)
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user",)
    exclude = ("digest",)
    readonly_fields = ("user", "created_at", "expires_at", "last_used_at")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(TimerRun)
class TimerRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "business_now", "finished_at", "trigger")
    readonly_fields = ("started_at", "business_now", "finished_at", "summary", "trigger")

    def has_add_permission(self, request):
        return False


class PolicySettingForm(forms.ModelForm):
    key = forms.ChoiceField(
        label="参数",
        choices=[(d.key, f"{d.label}（{d.article}）— {d.key}") for d in DEFINITIONS.values()],
    )

    class Meta:
        model = PolicySetting
        fields = ("key", "value")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "key" in data and "value" in data:
            try:
                data["value"] = validate_policy_value(data["key"], data["value"])
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return data


@admin.register(PolicySetting)
class PolicySettingAdmin(admin.ModelAdmin):
    """Time limits and thresholds of the regulation (defaults from RULES.md)."""

    form = PolicySettingForm
    list_display = ("key", "label", "article", "value", "default", "updated_by", "updated_at")

    @admin.display(description="说明")
    def label(self, obj):
        return DEFINITIONS[obj.key].label if obj.key in DEFINITIONS else "—"

    @admin.display(description="条款")
    def article(self, obj):
        return DEFINITIONS[obj.key].article if obj.key in DEFINITIONS else "—"

    @admin.display(description="默认值")
    def default(self, obj):
        return DEFINITIONS[obj.key].default if obj.key in DEFINITIONS else "—"

    def save_model(self, request, obj, form, change):
        # through the service: validated, recorded with who, and every process reloads
        policy_set(key=obj.key, value=obj.value, actor=request.user, now=real_now())

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["title"] = "政策参数（未列出的参数使用 RULES.md 默认值）"
        return super().changelist_view(request, extra_context)


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    """Every edit of a policy value, before and after, who and when (append-only)."""

    list_display = ("changed_at", "key", "label", "old_value", "new_value", "actor")
    list_filter = ("key",)
    search_fields = ("key", "actor__username")
    list_select_related = ("actor",)
    readonly_fields = (
        "key",
        "old_value",
        "old_was_default",
        "new_value",
        "actor",
        "changed_at",
    )

    @admin.display(description="说明")
    def label(self, obj):
        return DEFINITIONS[obj.key].label if obj.key in DEFINITIONS else "—"
