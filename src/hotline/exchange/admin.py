"""Back-office of the exchange: partners (the shared secret is write-only), Open311 keys
(shown once, only the hash is kept), the delivery queue with the re-drive action, logs."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.admin import ReadOnlyAdmin
from hotline.core.errors import DomainError
from hotline.exchange import services
from hotline.exchange.models import (
    ClientKey,
    DeliveryAttempt,
    InboundMessage,
    InboundTicket,
    Open311Request,
    OutboxDelivery,
    Partner,
)


class PartnerForm(forms.ModelForm):
    endpoint_url = forms.URLField(
        label=_("推送地址"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("留空表示不向该平台推送"),
    )
    new_secret = forms.CharField(
        label=_("共享密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("新建时留空则自动生成并只显示一次；修改时留空表示不变。保存后不再显示。"),
    )

    class Meta:
        model = Partner
        fields = ("code", "name", "kind", "endpoint_url", "receives_all", "org", "active")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ("code", "name", "kind", "effective_endpoint", "receives_all", "active")
    list_filter = ("kind", "active")
    readonly_fields = ("user", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return ("code", *self.readonly_fields) if obj else self.readonly_fields

    @admin.display(description=_("生效的推送地址"))
    def effective_endpoint(self, obj):
        return services.partner_endpoint(obj) or "—"

    def save_model(self, request, obj, form, change):
        secret = form.cleaned_data.get("new_secret") or None
        try:
            saved = services.partner_save(
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                secret=secret,
                endpoint_url=obj.endpoint_url,
                receives_all=obj.receives_all,
                org=obj.org,
                active=obj.active,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk
        if not change and secret is None:
            self.message_user(
                request,
                _("已生成共享密钥（只显示这一次，请安全地交给对方平台）：%(secret)s")
                % {"secret": saved.secret},
                messages.WARNING,
            )


@admin.register(ClientKey)
class ClientKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "description", "active", "created_at", "last_used_at")
    readonly_fields = ("prefix", "user", "created_at", "last_used_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "description")
        return ("name", "description", "prefix", "active", "user", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        return ("name", *self.readonly_fields) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        row, key = services.client_key_create(name=obj.name, description=obj.description)
        obj.pk = row.pk
        self.message_user(
            request,
            _("Open311 api_key（只显示这一次，只保存其哈希）：%(key)s") % {"key": key},
            messages.WARNING,
        )


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "seq",
        "type",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "type")
    search_fields = ("ticket__number",)
    list_select_related = ("ticket",)
    actions = ["redrive"]

    @admin.action(description=_("重新推送所选死信"))
    def redrive(self, request, queryset):
        count = services.outbox_redrive(messages=queryset, actor=request.user, now=clock.real_now())
        self.message_user(request, _("已重新排队 %(n)d 条消息") % {"n": count})


@admin.register(InboundTicket)
class InboundTicketAdmin(ReadOnlyAdmin):
    list_display = (
        "external_id",
        "partner",
        "ticket",
        "received_at",
        "pushed_seq",
        "push_state",
        "attempts",
        "last_error",
    )
    list_filter = ("partner", "push_state")
    search_fields = ("external_id", "ticket__number")
    list_select_related = ("partner", "ticket")
    actions = ["redrive"]

    @admin.action(description=_("重新回传所选（失败的）工单"))
    def redrive(self, request, queryset):
        count = services.stream_redrive(streams=queryset, actor=request.user, now=clock.real_now())
        self.message_user(request, _("已重新排队 %(n)d 件工单的回传") % {"n": count})


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "partner", "message", "ok", "status_code", "duration_ms", "error")
    list_filter = ("partner", "ok")
    list_select_related = ("partner", "message")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "partner", "message_id", "kind", "ticket")
    list_filter = ("partner", "kind")
    search_fields = ("message_id",)
    list_select_related = ("partner", "ticket")


@admin.register(Open311Request)
class Open311RequestAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "client", "service_code", "requested_at")
    list_select_related = ("ticket", "client")
