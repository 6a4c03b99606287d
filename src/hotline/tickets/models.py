"""The work-order aggregate: a ticket, its assignments, reviews, events and outbox.

No business rule lives here: every change goes through ``services`` (one write path), and
deadlines are stored in indexed ``*_due_at`` columns so timers find due work without scans.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Organisation
from hotline.tickets.choices import (
    AppealType,
    AssignmentRole,
    AssignmentStatus,
    CallbackOutcome,
    Channel,
    CloseReason,
    IncidentKind,
    NotAcceptedReason,
    ReviewKind,
    ReviewState,
    SpecialSeat,
    SuddenEventKind,
    TicketStatus,
)


class Category(models.Model):
    """The multi-level appeal category tree (诉求分类, Art 10, Art 21)."""

    code = models.CharField(_("代码"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    # Art 16(2): mediation and law-enforcement categories are not judged on satisfaction alone.
    mediation = models.BooleanField(_("行政调解类"), default=False)
    law_enforcement = models.BooleanField(_("执法办案类"), default=False)
    # Art 15(3): a law may set its own time limit for a category (working days).
    handling_days = models.PositiveSmallIntegerField(
        _("法定办理时限（工作日）"), null=True, blank=True
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SourceDeadline(models.Model):
    """Art 15(2): tickets from national platforms or sub-centers may carry their own limits."""

    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    appeal_type = models.CharField(
        _("诉求类型"),
        max_length=20,
        choices=AppealType.choices,
        blank=True,
        help_text=_("留空表示所有类型"),
    )
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("来源时限")
        verbose_name_plural = _("来源时限（按来源渠道）")
        constraints = [
            models.UniqueConstraint(fields=["channel", "appeal_type"], name="uniq_source_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.appeal_type or '*'}: {self.working_days}"


class Incident(models.Model):
    """A major incident (Art 18): many calls about one outage are linked here (并单)."""

    kind = models.CharField(_("类型"), max_length=20, choices=IncidentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    county = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("县区"),
    )
    opened_at = models.DateTimeField(_("开始时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重大诉求事件")
        verbose_name_plural = _("重大诉求事件")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class Ticket(models.Model):
    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    appeal_type = models.CharField(_("诉求类型"), max_length=20, choices=AppealType.choices)
    content = models.TextField(_("诉求内容"))
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("诉求分类"),
    )
    citizen_name = models.CharField(_("诉求人"), max_length=60)
    citizen_phone = models.CharField(_("联系电话"), max_length=30, db_index=True)
    confidential = models.BooleanField(_("保密"), default=False)
    county = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    address = models.CharField(_("地址"), max_length=300)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("受理时间"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatch_due_at = models.DateTimeField(_("派单时限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    dispatch_overdue = models.BooleanField(_("派单超时"), default=False)
    major_incident = models.BooleanField(_("重大诉求"), default=False)
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("并单事件"),
    )
    special_seat = models.CharField(
        _("专席"), max_length=20, choices=SpecialSeat.choices, blank=True
    )
    coordinated = models.BooleanField(_("协调派单"), default=False)
    result_received_at = models.DateTimeField(_("结果回传时间"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("回访时限"), null=True, blank=True)
    evaluation_outcome = models.CharField(
        _("评价"), max_length=24, choices=CallbackOutcome.choices, blank=True
    )
    evaluation_resolved = models.BooleanField(_("已解决"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.CharField(
        _("办结方式"), max_length=24, choices=CloseReason.choices, blank=True
    )
    answer = models.TextField(_("即时答复内容"), blank=True)
    not_accepted_reason = models.CharField(
        _("不予受理原因"), max_length=32, choices=NotAcceptedReason.choices, blank=True
    )
    not_accepted_explanation = models.TextField(_("解释引导"), blank=True)
    transferred_to = models.CharField(_("转交热线"), max_length=20, blank=True)
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        verbose_name=_("重复诉求源工单"),
    )
    repeat_count = models.PositiveIntegerField(_("重复反映次数"), default=0)
    redo_total = models.PositiveIntegerField(_("重办次数"), default=0)
    external_id = models.CharField(_("外部编号"), max_length=100, null=True, blank=True)
    outbox_seq = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # not fields: what a service call remembers on the row it holds locked
    # (services/archive.py; read with getattr, they may be unset)
    _seq_stored: int  # the outbox_seq the database holds (services/archive.py _seq_unsaved)
    _locked_assignments: list[Assignment]  # every assignment, read under the ticket's lock

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "dispatch_due_at"], name="ticket_dispatch_due"),
            models.Index(fields=["status", "callback_due_at"], name="ticket_callback_due"),
            models.Index(fields=["-received_at"], name="ticket_received"),
            # status-filtered lists, newest first; index-only for the scope semi-join
            models.Index(fields=["status", "-received_at", "-id"], name="ticket_status_received"),
            models.Index(fields=["citizen_phone", "county", "received_at"], name="ticket_repeat"),
            models.Index(fields=["redo_total"], name="ticket_redo_total"),
            models.Index(fields=["repeat_count"], name="ticket_repeat_count"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=Q(external_id__isnull=False),
                name="uniq_ticket_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Assignment(models.Model):
    """One unit's share of a ticket, with its own clock (Art 14(3), Art 15)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("承办单位"),
    )
    role = models.CharField(_("主协办"), max_length=10, choices=AssignmentRole.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("上级派单"),
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.AWAITING_SIGN,
    )
    dispatched_at = models.DateTimeField(_("派单时间"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sign_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    first_signed_at = models.DateTimeField(_("首次签收时间"), null=True, blank=True)
    signed_late = models.BooleanField(_("签收超时"), default=False)
    auto_signed = models.BooleanField(_("自动签收"), default=False)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    overdue = models.BooleanField(_("超期"), default=False)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)
    return_window_ends_at = models.DateTimeField(_("退回时限"), null=True, blank=True)
    returned_late = models.BooleanField(_("超期退回"), default=False)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("已批准延期（工作日）"), default=0)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    first_response_due_at = models.DateTimeField(_("初步办理意见时限"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("初步办理意见时间"), null=True, blank=True)
    progress_due_at = models.DateTimeField(_("进度反馈时限"), null=True, blank=True)
    progress_missed = models.PositiveSmallIntegerField(_("进度反馈缺失次数"), default=0)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply_content = models.TextField(_("办理结果"), blank=True)
    citizen_contacted = models.BooleanField(_("已联系诉求人"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["dispatched_at", "id"]
        indexes = [
            models.Index(fields=["status", "sign_due_at"], name="asg_sign_due"),
            models.Index(fields=["overdue", "status", "due_at"], name="asg_due"),
            models.Index(fields=["status", "progress_due_at"], name="asg_progress_due"),
            models.Index(fields=["org", "status", "due_at"], name="asg_org_worklist"),
            # "tickets held by these organisations" (scope) as an index-only scan
            models.Index(fields=["org", "ticket"], name="asg_org_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number}/{self.org.code}"

    @property
    def live(self) -> bool:
        return self.status != AssignmentStatus.RETURNED


class Review(models.Model):
    """A request the center (or a county body) decides: return, extension, dispute."""

    kind = models.CharField(_("类型"), max_length=12, choices=ReviewKind.choices)
    state = models.CharField(
        _("状态"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reviews")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核单位")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_org = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"))
    data = models.JSONField(_("申请内容"), default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision = models.JSONField(_("审核意见"), default=dict)

    class Meta:
        verbose_name = _("审核")
        verbose_name_plural = _("审核")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "kind", "created_at"], name="review_queue")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_id} {self.state}"


class TicketEvent(models.Model):
    """Append-only archive of everything done (Art 17): who, which organisation, when, what."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    type = models.CharField(_("类型"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.type}"


class Evaluation(models.Model):
    """One callback result (Art 16); the ticket keeps the latest, this keeps every one."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="evaluations")
    outcome = models.CharField(max_length=24, choices=CallbackOutcome.choices)
    resolved = models.BooleanField(null=True)
    reasonable = models.BooleanField(null=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Art 16(2): a screened (upheld) dispute leaves this evaluation out of the unit's rate.
    excluded_org = models.ManyToManyField(Organisation, blank=True, related_name="+")

    class Meta:
        verbose_name = _("回访评价")
        verbose_name_plural = _("回访评价")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.outcome}"


class SuddenEventReport(models.Model):
    """Art 18 second sentence: immediate report and notices, each with time and recipient."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sudden_reports")
    kind = models.CharField(_("类型"), max_length=20, choices=SuddenEventKind.choices)
    recipient = models.CharField(_("报告/通知对象"), max_length=120)
    recipient_org = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("报告时间"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("突发事件报告")
        verbose_name_plural = _("突发事件报告")
        ordering = ["reported_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.recipient}"


class OutboxMessage(models.Model):
    """One message for the provincial platform, written in the same transaction as the change
    (Art 21). The relay (exchange issue) delivers them in per-ticket order."""

    class State(models.TextChoices):
        PENDING = "pending", _("待推送")
        SENT = "sent", _("已推送")
        DEAD = "dead", _("推送失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbox")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("推送消息")
        verbose_name_plural = _("推送消息（省平台）")
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="uniq_outbox_seq")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq} {self.type}"


class TicketSequence(models.Model):
    """Per-day counter for human-readable ticket numbers."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}:{self.last}"


class CitizenDataAccess(models.Model):
    """Art 25: every read of unmasked citizen data is logged (who, when, which ticket, why)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    purpose = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("诉求人信息查阅记录")
        verbose_name_plural = _("诉求人信息查阅记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ticket_id} {self.at}"
