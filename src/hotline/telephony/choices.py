"""Choices of the telephony context, importable by other contexts without its models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallEventType(models.TextChoices):
    """What the switch reports, in the order a call lives them (API.md, Telephony)."""

    OFFERED = "offered", _("呼入")
    QUEUED = "queued", _("排队")
    ANSWERED = "answered", _("接听")
    ABANDONED = "abandoned", _("放弃")
    TRANSFERRED = "transferred", _("转接")
    CONFERENCED = "conferenced", _("三方通话")
    ENDED = "ended", _("挂机")


# the order of events that carry the same timestamp (the switch's clock has one-second steps)
EVENT_RANK = {value: rank for rank, value in enumerate(CallEventType.values)}


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("已接通")
    ABANDONED = "abandoned", _("未接通")


class CallState(models.TextChoices):
    """Where a call stands now (the wallboard and the agent's call bar)."""

    RINGING = "ringing", _("振铃")
    QUEUED = "queued", _("排队中")
    CONNECTED = "connected", _("通话中")
    ENDED = "ended", _("已结束")


class AgentState(models.TextChoices):
    LOGGED_OUT = "logged_out", _("未登录")
    READY = "ready", _("空闲")
    ON_CALL = "on_call", _("通话中")
    AFTER_CALL_WORK = "after_call_work", _("话后处理")
    BREAK = "break", _("小休")


LOGGED_IN_STATES = frozenset(
    {AgentState.READY, AgentState.ON_CALL, AgentState.AFTER_CALL_WORK, AgentState.BREAK}
)


class LegKind(models.TextChoices):
    """Art 14(1): answering with help from elsewhere, with the citizen's consent."""

    TRANSFER = "transfer", _("呼叫转接")
    THREE_WAY_CALL = "three_way_call", _("三方通话")
    EXPERT_SEAT = "expert_seat", _("专家座席")
    EMERGENCY = "emergency", _("紧急转接")


class CallbackState(models.TextChoices):
    PENDING = "pending", _("待回拨")
    DONE = "done", _("已完成")


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("已接通")
    NO_ANSWER = "no_answer", _("无人接听")
    BUSY = "busy", _("占线")


class CallbackResult(models.TextChoices):
    """How a call-back task ended."""

    REACHED = "reached", _("已回拨接通")
    UNREACHABLE = "unreachable", _("多次回拨未接通")
    CALLED_AGAIN = "called_again", _("市民再次来电已接通")


class RestrictionState(models.TextChoices):
    PENDING = "pending", _("待批准")
    ACTIVE = "active", _("限制中")
    LIFTED = "lifted", _("已解除")
    EXPIRED = "expired", _("已到期")


class RestrictionEventType(models.TextChoices):
    DECIDED = "decided", _("决定限制")
    APPROVED = "approved", _("批准限制")
    LIFTED = "lifted", _("解除限制")
    EXPIRED = "expired", _("到期解除")
    POLICE_REFERRAL = "police_referral", _("移交公安机关")


class GuestState(models.TextChoices):
    SCHEDULED = "scheduled", _("已排班")
    ACTIVE = "active", _("接听中")
    ENDED = "ended", _("已结束")
