from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    MOBILE = "mobile", _("移动端")
    NATIONAL = "national", _("国家平台交办")
    PROVINCIAL = "provincial", _("省级平台派发")
    SUBCENTER = "subcenter", _("分中心转办")


class AppealType(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    SUGGESTION = "suggestion", _("意见建议")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")


class TicketStatus(models.TextChoices):
    NEW = "new", _("待派单")
    IN_HANDLING = "in_handling", _("办理中")
    AWAITING_CALLBACK = "awaiting_callback", _("待回访")
    CLOSED = "closed", _("已办结")
    NOT_ACCEPTED = "not_accepted", _("不予受理")


class AssignmentStatus(models.TextChoices):
    AWAITING_SIGN = "awaiting_sign", _("待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURN_REQUESTED = "return_requested", _("退回审核中")
    RETURNED = "returned", _("已退回")
    REPLIED = "replied", _("已答复")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class SpecialSeat(models.TextChoices):
    BUSINESS = "business", _("营商环境专席")
    ENTERPRISE = "enterprise", _("企业服务专席")


class NotAcceptedReason(models.TextChoices):
    """Art 11, one code per paragraph."""

    LITIGATION_OR_PROCEDURE = (
        "litigation_or_procedure",
        _("已进入或须通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等程序解决"),
    )
    PETITION = "petition", _("已进入信访渠道")
    SECRET_OR_PRIVACY = "secret_or_privacy", _("涉及秘密、隐私或违反公序良俗")
    EMERGENCY = "emergency", _("属于110、119、120、122等紧急热线受理范围")
    MILITARY = "military", _("属于军队、武装警察部队职权范围")
    NO_SUBSTANCE = "no_substance", _("恶意骚扰、无实质诉求内容或诉求不明确")
    REPEAT_AFTER_CLOSURE = "repeat_after_closure", _("已依法依规办结，仍以同一事实和理由重复反映")
    OUTSIDE_JURISDICTION = "outside_jurisdiction", _("非本市行政管辖范围")
    OTHER_LEGAL = "other_legal", _("法律、法规、规章规定不予受理的其他事项")


class EmergencyLine(models.TextChoices):
    POLICE = "110", _("110 报警")
    FIRE = "119", _("119 火警")
    AMBULANCE = "120", _("120 急救")
    TRAFFIC = "122", _("122 交通事故")


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    NO_RESPONSE = "no_response", _("未评价")


class CloseReason(models.TextChoices):
    ANSWERED_AT_INTAKE = "answered_at_intake", _("即时答复（直接办结）")
    SATISFIED = "satisfied", _("满意办结")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意办结")
    UNSATISFIED_LAWFUL = "unsatisfied_lawful", _("不满意但依法依规办结")
    NO_RESPONSE = "no_response", _("未评价，视为基本满意办结")


class ReviewKind(models.TextChoices):
    RETURN = "return", _("退回审核")
    EXTENSION = "extension", _("延期审核")
    DISPUTE = "dispute", _("异议甄别")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class IncidentKind(models.TextChoices):
    WATER = "water", _("大面积停水")
    POWER = "power", _("大面积停电")
    GAS = "gas", _("大面积停气")
    HEAT = "heat", _("大面积停热")
    POLLUTION = "pollution", _("环境污染")
    # 并单 of ordinary appeals: many callers, one matter, not one of the Art 18 kinds
    GROUP = "group", _("同一诉求并单")


class SuddenEventKind(models.TextChoices):
    DISASTER = "disaster", _("自然灾害")
    ACCIDENT = "accident", _("事故灾难")
    PUBLIC_HEALTH = "public_health", _("公共卫生事件")
    PUBLIC_SECURITY = "public_security", _("社会安全事件")


class ContactKind(models.TextChoices):
    """Art 14(1): answering with help, always with the citizen's consent."""

    THREE_WAY_CALL = "three_way_call", _("三方通话")
    TRANSFER = "transfer", _("呼叫转接")
    EXPERT_SEAT = "expert_seat", _("专家座席")


class EventType(models.TextChoices):
    """Every event the services write to a ticket's archive (办理记录, Art 17), with the one
    label the ticket page and the Word dossier print (GLOSSARY.md terms)."""

    # intake (Art 11, 13, 14(1))
    INTAKE = "intake", _("受理")
    ANSWERED = "answered", _("即时答复（直接办结）")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    THREE_WAY_CALL = "three_way_call", _("三方通话")
    TRANSFER = "transfer", _("呼叫转接")
    EXPERT_SEAT = "expert_seat", _("专家座席")
    # major incidents (Art 18)
    SUDDEN_EVENT_REPORTED = "sudden_event_reported", _("突发事件报告")
    INCIDENT_GROUPED = "incident_grouped", _("并单")
    INCIDENT_CLOSED = "incident_closed", _("并单事件结束")
    # dispatch (Art 7, 14)
    DISPATCHED = "dispatched", _("派单")
    REDISPATCHED = "redispatched", _("二次派单")
    DISPATCH_OVERDUE = "dispatch_overdue", _("派单超时")
    # handling (Art 15)
    SIGNED = "signed", _("签收")
    AUTO_SIGNED = "auto_signed", _("超时自动签收")
    RETURN_REQUESTED = "return_requested", _("退回申请")
    RETURN_APPROVED = "return_approved", _("退回审核通过")
    RETURN_REJECTED = "return_rejected", _("退回审核驳回")
    BACK_TO_DISPATCH = "back_to_dispatch", _("退回待重新派单")
    EXTENSION_REQUESTED = "extension_requested", _("延期申请")
    EXTENSION_GRANTED = "extension_granted", _("延期审核通过")
    EXTENSION_REJECTED = "extension_rejected", _("延期审核驳回")
    PROGRESS = "progress", _("办理进度反馈")
    FIRST_RESPONSE = "first_response", _("初步办理意见")
    FIRST_RESPONSE_MISSED = "first_response_missed", _("初步办理意见超时")
    PROGRESS_MISSED = "progress_missed", _("办理进度反馈超时")
    REPLIED = "replied", _("答复 / 办理结果回传")
    OVERDUE = "overdue", _("超期")
    # callback and closing (Art 16)
    AWAITING_CALLBACK = "awaiting_callback", _("待回访")
    CALLBACK = "callback", _("回访")
    CALLBACK_EXPIRED = "callback_expired", _("回访超时未评价")
    REDO = "redo", _("重办（退回重办）")
    CLOSED = "closed", _("办结")
    DISPUTE_RAISED = "dispute_raised", _("异议")
    DISPUTE_UPHELD = "dispute_upheld", _("异议甄别成立")
    DISPUTE_REJECTED = "dispute_rejected", _("异议甄别不成立")

    @classmethod
    def label_of(cls, code: str) -> str:
        """The label of a stored event type; an unknown code (written by an older version)
        is shown as it is stored rather than hidden."""
        try:
            return str(cls(code).label)
        except ValueError:
            return code
