"""Back office for routing: the dispatch catalogue (派单目录) is maintained here; precedents can
be switched off; the suggestion record is read-only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _

from hotline.orgs.choices import OrgKind
from hotline.routing.models import DispatchRule, Precedent, RoutingSuggestion

HANDLING_KINDS = (OrgKind.COUNTY, OrgKind.UNIT, OrgKind.SUBCENTER)


class DispatchRuleForm(ModelForm):
    class Meta:
        model = DispatchRule
        fields = ("category", "county", "unit", "territorial", "priority", "note", "active")

    def clean(self):
        data = super().clean()
        unit, territorial = data.get("unit"), data.get("territorial")
        if not unit and not territorial:
            raise ValidationError(_("请选择承办单位，或选择按属地派单"))
        if unit and territorial:
            raise ValidationError(_("承办单位与属地只能选择一项"))
        if unit is not None and unit.kind not in HANDLING_KINDS:
            self.add_error("unit", _("该机构不是承办单位"))
        return data


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    form = DispatchRuleForm
    list_display = ("category", "county", "unit", "territorial", "priority", "active", "note")
    list_filter = ("active", "territorial", "county")
    list_editable = ("priority", "active")
    search_fields = ("category__code", "category__name", "unit__name", "unit__code", "note")
    list_select_related = ("category", "county", "unit")
    ordering = ("category__code", "county__code", "priority")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from hotline.orgs.models import Organisation

        if db_field.name == "unit":
            kwargs["queryset"] = Organisation.objects.filter(
                kind__in=HANDLING_KINDS, active=True
            ).order_by("path")
        if db_field.name == "county":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrgKind.COUNTY).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Precedent)
class PrecedentAdmin(admin.ModelAdmin):
    list_display = ("ticket", "category", "county", "lead", "created_at", "active")
    list_filter = ("active", "county")
    list_editable = ("active",)
    search_fields = ("ticket__number", "text", "lead__name")
    readonly_fields = (
        "ticket",
        "category",
        "county",
        "text",
        "lead",
        "assists",
        "created_at",
        "created_by",
    )
    list_select_related = ("ticket", "category", "county", "lead")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RoutingSuggestion)
class RoutingSuggestionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "suggested", "chosen", "accepted", "rank", "at")
    list_filter = ("kind", "accepted")
    search_fields = ("ticket__number", "chosen")
    list_select_related = ("ticket",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
