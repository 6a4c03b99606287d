"""Back office for routing: the dispatch catalogue (派单目录) and the place names the gazetteer
recognises (地名) are maintained here; precedents can be switched off; the suggestion record
and the retraining runs (with the stored model versions) are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _

from hotline.core.admin import ReadOnlyAdmin
from hotline.orgs.choices import OrgKind
from hotline.routing.models import (
    DispatchRule,
    PlaceName,
    Precedent,
    RetrainingRun,
    RoutingSuggestion,
)

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
class RoutingSuggestionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "suggested", "chosen", "accepted", "rank", "at")
    list_filter = ("kind", "accepted")
    search_fields = ("ticket__number", "chosen")
    list_select_related = ("ticket",)


@admin.register(RetrainingRun)
class RetrainingRunAdmin(ReadOnlyAdmin):
    """Scheduled retraining of the category model: each run's outcome; the page also lists the
    stored model versions (the newest is the one serving)."""

    list_display = (
        "started_at",
        "trigger",
        "status",
        "version",
        "macro_f1",
        "previous_version",
        "previous_macro_f1",
        "n_samples",
        "new_tickets",
        "seconds",
        "reason",
    )
    list_filter = ("status", "trigger")

    def changelist_view(self, request, extra_context=None):
        from hotline.core.policy import policy
        from hotline.routing.retraining import model_versions_overview

        versions = model_versions_overview()
        if not versions:
            self.message_user(
                request,
                _("尚无分类模型：请运行 hotline routing train 训练第一个模型"),
                messages.WARNING,
            )
        for v in versions[:5]:
            f1 = "—" if v["macro_f1"] is None else f"{v['macro_f1']:.4f}"
            line = _(
                "%(current)s%(version)s：训练于 %(at)s，%(n)s 件工单（%(source)s），"
                "留出集宏平均F1 %(f1)s"
            ) % {
                "current": _("【当前】") if v["current"] else "",
                "version": v["version"],
                "at": v["trained_at"] or "—",
                "n": v["n_samples"],
                "source": v["source"] or "—",
                "f1": f1,
            }
            self.message_user(request, line, messages.INFO)
        days = policy("routing_retrain_interval_days")
        if days > 0:
            schedule = _(
                "自动重训：每 %(d)s 天，至少 %(n)s 件新办结工单，容差 %(t)s（政策参数）"
            ) % {
                "d": days,
                "n": policy("routing_retrain_min_new_tickets"),
                "t": policy("routing_retrain_tolerance"),
            }
        else:
            schedule = _("自动重训已关闭（政策参数：重训间隔为 0）")
        self.message_user(request, schedule, messages.INFO)
        return super().changelist_view(request, extra_context)


@admin.register(PlaceName)
class PlaceNameAdmin(admin.ModelAdmin):
    """Roads, compounds and landmarks the gazetteer reads besides the organisation tree (a save
    rebuilds it: see ``RoutingConfig.ready``)."""

    list_display = ("name", "kind", "county", "aliases", "active", "updated_at")
    list_filter = ("active", "kind", "county")
    list_editable = ("active",)
    search_fields = ("name", "aliases", "county__name", "county__short_name", "county__code")
    list_select_related = ("county",)
    ordering = ("county__code", "kind", "name")
    fields = ("name", "kind", "county", "aliases", "active")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from hotline.orgs.models import Organisation

        if db_field.name == "county":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrgKind.COUNTY).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
