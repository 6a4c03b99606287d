"""Calls assembled from the switch's events, agents' states, call-back tasks, seats and the
register of restricted callers (Art 13, 14(1), 19, 29(1), 32, 34)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Organisation
from hotline.telephony.choices import (
    AgentState,
    CallbackOutcome,
    CallbackResult,
    CallbackState,
    CallEventType,
    CallOutcome,
    CallState,
    GuestState,
    LegKind,
    RestrictionEventType,
    RestrictionState,
)
from hotline.tickets.choices import SpecialSeat
from hotline.tickets.models import Ticket

USER = settings.AUTH_USER_MODEL


class Queue(models.Model):
    """A queue of the switch: the center's general line, a special seat (Art 19) or a
    sub-center's line. Its organisation is the "sub-center" its figures belong to."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属中心")
    )
    special_seat = models.CharField(
        _("专席"), max_length=20, choices=SpecialSeat.choices, blank=True
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("话务队列")
        verbose_name_plural = _("话务队列")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """One call as its events tell it; rebuilt from them whenever one arrives
    (``services.calls.event_record``), so late and repeated events change nothing wrong."""

    call_id = models.CharField(_("呼叫编号"), max_length=64, unique=True)
    caller = models.CharField(_("主叫号码"), max_length=30, blank=True, db_index=True)
    callee = models.CharField(_("被叫号码"), max_length=30, blank=True)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    agent = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("话务员"),
    )
    state = models.CharField(_("状态"), max_length=12, choices=CallState.choices, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=CallOutcome.choices, blank=True)
    offered_at = models.DateTimeField(_("呼入时间"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("接听时间"), null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # seconds from offered to answered or abandoned: Art 13 short abandons are left out of the
    # rate by comparing this with the policy value at query time (a changed policy applies
    # to the past too)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    transferred = models.BooleanField(default=False)
    conferenced = models.BooleanField(default=False)
    emergency_transfer = models.BooleanField(_("紧急转接"), default=False)
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("工单"),
    )
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("来电")
        verbose_name_plural = _("来电")
        ordering = ["-offered_at"]
        indexes = [
            models.Index(fields=["offered_at"], name="call_offered"),
            models.Index(fields=["queue", "offered_at"], name="call_queue_offered"),
            models.Index(fields=["agent", "state"], name="call_agent_state"),
            models.Index(fields=["state"], name="call_state"),
        ]

    def __str__(self) -> str:
        return self.call_id


class CallEvent(models.Model):
    """Append-only: exactly what the switch sent. Unique on (call_id, event, at): a resend is
    recognised and changes nothing (API.md)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    call_id_text = models.CharField(max_length=64)
    event = models.CharField(max_length=12, choices=CallEventType.choices)
    at = models.DateTimeField()
    caller = models.CharField(max_length=30, blank=True)
    callee = models.CharField(max_length=30, blank=True)
    agent = models.CharField(max_length=150, blank=True)
    queue = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("话务事件")
        verbose_name_plural = _("话务事件")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call_id_text", "event", "at"], name="call_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.call_id_text} {self.event} {self.at:%Y-%m-%d %H:%M:%S}"


class CallLeg(models.Model):
    """Art 14(1): a transfer, three-way call or expert seat, with the citizen's consent; an
    emergency transfer (Art 11(4)) needs none and is never stopped by a restriction."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="legs")
    kind = models.CharField(_("方式"), max_length=20, choices=LegKind.choices)
    party = models.CharField(_("联动方"), max_length=120)
    org = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expert = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent = models.BooleanField(_("诉求人同意"), default=False)
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_event = models.OneToOneField(
        CallEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="leg"
    )

    class Meta:
        verbose_name = _("转接记录")
        verbose_name_plural = _("转接记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.party}"


class AgentStatus(models.Model):
    """An agent's current state (one row per agent)."""

    agent = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="phone_status")
    state = models.CharField(max_length=20, choices=AgentState.choices)
    since = models.DateTimeField()
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("座席状态")
        verbose_name_plural = _("座席状态")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state}"


class AgentStateChange(models.Model):
    """Append-only history of agents' states: the 7×24 check and the staffing view read it."""

    agent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=AgentState.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=12, default="page")  # page | switch

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at"], name="agent_state_at")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state} {self.at:%Y-%m-%d %H:%M}"


class CallbackTask(models.Model):
    """Art 13 «忙时未及时接通的话务…闲时回拨»: one task per abandoned call's number."""

    number = models.CharField(_("回拨号码"), max_length=30, db_index=True)
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="callback_task")
    calls = models.PositiveIntegerField(_("未接来电次数"), default=1)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL)
    state = models.CharField(
        _("状态"), max_length=10, choices=CallbackState.choices, default=CallbackState.PENDING
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(_("回拨时限"))
    overdue = models.BooleanField(_("超时"), default=False)
    attempts = models.PositiveIntegerField(default=0)
    taken_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=14, choices=CallbackResult.choices, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("回拨任务")
        verbose_name_plural = _("回拨任务")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"], name="callback_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.state}"


class CallbackAttempt(models.Model):
    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="attempt_rows")
    at = models.DateTimeField()
    agent = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=CallbackOutcome.choices)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.outcome}"


class ExpertDuty(models.Model):
    """Art 14(1), Art 8(3): a sub-center's or unit's expert on duty for the expert seat."""

    expert = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家")
    )
    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    topic = models.CharField(_("专业领域"), max_length=80)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    starts_at = models.DateTimeField(_("值班开始"))
    ends_at = models.DateTimeField(_("值班结束"))

    class Meta:
        verbose_name = _("专家座席值班")
        verbose_name_plural = _("专家座席值班")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="expert_duty_time")]

    def __str__(self) -> str:
        return f"{self.topic} {self.starts_at:%Y-%m-%d %H:%M}"


class GuestSession(models.Model):
    """Art 32: a leader or deputy taking calls for a time; the guest-agent role is granted for
    that time only, and the participation is recorded."""

    guest = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("嘉宾")
    )
    title = models.CharField(_("职务"), max_length=80)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    state = models.CharField(
        max_length=10, choices=GuestState.choices, default=GuestState.SCHEDULED
    )
    role_granted = models.BooleanField(default=False)  # we added the role (and remove it)
    calls_answered = models.PositiveIntegerField(_("接听来电"), default=0)
    tickets_taken = models.PositiveIntegerField(_("受理工单"), default=0)
    note = models.TextField(_("参与记录"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("嘉宾坐席")
        verbose_name_plural = _("嘉宾坐席")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["state", "starts_at"], name="guest_due")]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"


class Restriction(models.Model):
    """Art 34: a number restricted for a period; decided by a supervisor, audited, lifted with
    a reason or expired by the timer. Never stops an emergency transfer (Art 11(4))."""

    number = models.CharField(_("号码"), max_length=30, db_index=True)
    reason = models.TextField(_("理由"))
    evidence = models.ManyToManyField(
        Ticket, blank=True, related_name="+", verbose_name=_("依据工单")
    )
    starts_at = models.DateTimeField(_("开始"))
    until = models.DateTimeField(_("截止"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RestrictionState.choices, default=RestrictionState.ACTIVE
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    approved_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)
    police_referred_at = models.DateTimeField(_("移交公安时间"), null=True, blank=True)
    police_referral = models.TextField(_("移交公安说明"), blank=True)

    class Meta:
        verbose_name = _("限制呼入")
        verbose_name_plural = _("限制呼入")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["state", "until"], name="restriction_due")]

    def __str__(self) -> str:
        return self.number


class RestrictionEvent(models.Model):
    """Append-only audit of the register: who, when, what, before/after."""

    restriction = models.ForeignKey(Restriction, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=20, choices=RestrictionEventType.choices)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.at:%Y-%m-%d %H:%M}"
