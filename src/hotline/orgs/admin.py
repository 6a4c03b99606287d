from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from hotline.core.errors import DomainError
from hotline.orgs.models import Organisation, Role, User
from hotline.orgs.services import organisation_save


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "active",
            "leader_name",
            "leader_phone",
            "responsible_name",
            "responsible_phone",
            "liaison_name",
            "liaison_phone",
            "keywords",
        )

    def clean_parent(self):
        # Checked here so the form shows the error; in save_model it would come after the
        # admin has already decided to report success.
        parent = self.cleaned_data.get("parent")
        org = self.instance
        if parent is not None and org.pk and org.path and parent.path.startswith(org.path):
            raise forms.ValidationError(_("上级不能是本组织自身或其下级"))
        return parent


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("code", "name", "kind", "parent", "responsible_name", "liaison_name", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "short_name", "keywords")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "parent", "path", "active")}),
        (
            _("责任人（第九条第二项）"),
            {
                "fields": (
                    ("leader_name", "leader_phone"),
                    ("responsible_name", "responsible_phone"),
                    ("liaison_name", "liaison_phone"),
                )
            },
        ),
        (_("职责"), {"fields": ("keywords",)}),
    )

    def save_model(self, request, obj, form, change):
        try:
            organisation_save(org=obj)
        except DomainError as exc:
            messages.error(request, exc.message)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__")
    search_fields = ("code",)

    def has_add_permission(self, request):
        return False  # roles are fixed by RULES.md §1

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "organisation", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "roles", "organisation__kind")
    search_fields = ("username", "display_name", "organisation__name", "organisation__code")
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("roles", "groups", "user_permissions")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("热线"), {"fields": ("display_name", "phone", "organisation", "roles", "contractor")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("热线"), {"fields": ("display_name", "organisation", "roles")}),
    )
