from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.orgs.models import Organisation, Role, User
from hotline.orgs.services import organisation_save, user_set_password


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


class UserPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" form, saving through ``user_set_password`` so that the
    user's API tokens end with the old password. Django's admin log (written right after by
    the view) records who changed it."""

    def set_password_and_save(self, user, commit=True, **kwargs):
        if not commit:
            return super().set_password_and_save(  # type: ignore[misc]  # not in django-stubs
                user, commit=False, **kwargs
            )
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return user_set_password(user=user, password=password, actor=None, now=clock.now())


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = UserPasswordForm
    list_display = ("username", "display_name", "organisation", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "roles", "organisation__kind")
    search_fields = ("username", "display_name", "organisation__name", "organisation__code")
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("roles", "groups", "user_permissions")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),  # typed optional; Django's is always set
        (_("热线"), {"fields": ("display_name", "phone", "organisation", "roles", "contractor")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("热线"), {"fields": ("display_name", "organisation", "roles")}),
    )
