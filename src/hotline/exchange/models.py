"""Interconnection (RULES.md §8, Art 21): partners, what they sent us, what we pushed them,
and the Open311 clients.

The outbox itself is ``tickets.OutboxMessage`` (written by the ticket services in the same
transaction as every change); its state columns track delivery to the province. The result
stream back to a partner that sent us a ticket is a cursor on ``InboundTicket`` (the last
sequence number that partner acknowledged), so no second copy of the outbox is written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.exchange.choices import PartnerKind, StreamState
from hotline.orgs.models import Organisation
from hotline.tickets.models import OutboxMessage, Ticket


class Partner(models.Model):
    """A platform we exchange tickets with: the province, a national platform, a sub-center.

    The shared HMAC secret must be usable to sign and verify, so unlike API keys it is stored
    as is; the back-office never shows it after creation. For the partner ``province`` the
    environment (``HOTLINE_PROVINCE_URL`` / ``HOTLINE_PROVINCE_SECRET``) overrides the row.
    """

    code = models.SlugField(_("代码（X-Hotline-Partner）"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=PartnerKind.choices)
    endpoint_url = models.URLField(
        _("推送地址"), max_length=300, blank=True, help_text=_("留空表示不向该平台推送")
    )
    secret = models.CharField(_("共享密钥"), max_length=200)
    receives_all = models.BooleanField(
        _("接收全部工单变更"),
        default=False,
        help_text=_("省平台：本市每一件工单及其每一次状态变化都实时推送（第二十一条）"),
    )
    org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("对应组织（分中心）"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_partner",
        verbose_name=_("系统账号"),
        help_text=_("该平台首次调用接口时自动创建"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("交换平台")
        verbose_name_plural = _("交换平台")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class InboundTicket(models.Model):
    """A ticket a partner assigned or mirrored to us, keyed by the partner's id, and the
    stream of its changes back to that partner (results flow back, Art 21)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="tickets")
    external_id = models.CharField(_("对方编号"), max_length=100)
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="inbound", verbose_name=_("工单")
    )
    working_days = models.PositiveSmallIntegerField(
        _("对方要求的办理时限（工作日）"), null=True, blank=True
    )
    received_at = models.DateTimeField(_("接收时间"))
    # the result stream: the partner has every change up to pushed_seq
    pushed_seq = models.PositiveIntegerField(_("已回传序号"), default=0)
    push_state = models.CharField(
        _("回传状态"), max_length=10, choices=StreamState.choices, default=StreamState.ACTIVE
    )
    attempts = models.PositiveSmallIntegerField(_("失败次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_pushed_at = models.DateTimeField(_("最近回传"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("接收的工单")
        verbose_name_plural = _("接收的工单（回传）")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="uniq_inbound_external_id"
            )
        ]
        indexes = [models.Index(fields=["push_state", "next_attempt_at"], name="inbound_due")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.external_id}"


class InboundMessage(models.Model):
    """Every accepted signed request from a partner, by its message id: a replay is refused."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="messages")
    message_id = models.CharField(_("消息编号"), max_length=100)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    kind = models.CharField(_("类型"), max_length=20)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("接收的消息")
        verbose_name_plural = _("接收的消息")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "message_id"], name="uniq_inbound_message")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.message_id}"


class DeliveryAttempt(models.Model):
    """One try to deliver one message to one partner: the exchange's own log (audit and the
    lag/failure metrics), written in the transaction that records the outcome."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="attempts")
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    lag_ms = models.BigIntegerField(_("送达延迟（毫秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["partner", "at"], name="attempt_partner_at")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.message_id} {'ok' if self.ok else 'failed'}"


class OutboxDelivery(OutboxMessage):
    """The outbox seen from the exchange: the back-office list with the re-drive action."""

    class Meta:
        proxy = True
        verbose_name = _("省平台推送")
        verbose_name_plural = _("省平台推送（死信重推）")


class ClientKey(models.Model):
    """An Open311 client's API key. Only the SHA-256 digest is kept; the key is shown once."""

    name = models.SlugField(_("客户端"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    prefix = models.CharField(_("密钥前缀"), max_length=8)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("系统账号"),
        help_text=_("首次提交诉求时自动创建"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Request(models.Model):
    """What an Open311 client sent beyond the ticket itself (location, media)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="open311")
    client = models.ForeignKey(ClientKey, on_delete=models.PROTECT, related_name="requests")
    service_code = models.CharField(max_length=80)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address_string = models.CharField(max_length=300, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    requested_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Open311 诉求")
        verbose_name_plural = _("Open311 诉求")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"open311 {self.ticket_id}"
