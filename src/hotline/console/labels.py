"""Words on screen for codes the services store: event types (办理记录) and the guidance an
agent reads out for each Art 11 reason. One Chinese term per concept (GLOSSARY.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hotline.tickets.choices import NotAcceptedReason as R

EVENT_LABELS = {
    "intake": _("受理"),
    "answered": _("即时答复（直接办结）"),
    "not_accepted": _("不予受理"),
    "three_way_call": _("三方通话"),
    "transfer": _("转接"),
    "expert_seat": _("专家座席"),
    "sudden_event_reported": _("突发事件报告"),
    "dispatched": _("派单"),
    "redispatched": _("二次派单"),
    "dispatch_overdue": _("派单超时"),
    "signed": _("签收"),
    "auto_signed": _("超时自动签收"),
    "return_requested": _("退回申请"),
    "return_approved": _("退回审核通过"),
    "return_rejected": _("退回审核驳回"),
    "back_to_dispatch": _("退回待重新派单"),
    "extension_requested": _("延期申请"),
    "extension_granted": _("延期审核通过"),
    "extension_rejected": _("延期审核驳回"),
    "progress": _("办理进度反馈"),
    "first_response": _("初步办理意见"),
    "first_response_missed": _("初步办理意见超时"),
    "progress_missed": _("办理进度反馈超时"),
    "replied": _("答复 / 办理结果回传"),
    "awaiting_callback": _("待回访"),
    "callback": _("回访"),
    "callback_expired": _("回访超时未评价"),
    "closed": _("办结"),
    "redo": _("重办（退回重办）"),
    "overdue": _("超期"),
    "dispute_raised": _("异议"),
    "dispute_upheld": _("异议甄别成立"),
    "dispute_rejected": _("异议甄别不成立"),
}


def event_label(code: str) -> str:
    return str(EVENT_LABELS.get(code, code))


# What the agent tells the citizen for each Art 11 reason (解释引导). The reason list and the
# rule are the services'; this is only the text read out on the phone.
REJECT_GUIDANCE = {
    R.LITIGATION_OR_PROCEDURE: _(
        "告知诉求人：该事项已进入或须通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等法定程序"
        "解决，请向受理机关提出，并说明可咨询的渠道。"
    ),
    R.PETITION: _("告知诉求人：该事项已进入信访渠道，请通过信访部门了解办理进展。"),
    R.SECRET_OR_PRIVACY: _(
        "告知诉求人：该事项涉及国家秘密、商业秘密、个人隐私或违反公序良俗，热线不予受理。"
    ),
    R.EMERGENCY: _(
        "属于紧急热线受理范围：立即为诉求人转接相应紧急热线（110 报警、119 火警、120 急救、"
        "122 交通事故），并在下方选择转接的热线。"
    ),
    R.MILITARY: _("告知诉求人：该事项属于军队、武装警察部队职权范围，请向相关部门反映。"),
    R.NO_SUBSTANCE: _("礼貌提醒来电人：热线用于反映实际诉求；无实质内容的来电不予受理。"),
    R.REPEAT_AFTER_CLOSURE: _(
        "告知诉求人：该诉求已依法依规办结，以同一事实和理由重复反映的不再受理；请填写原工单编号。"
    ),
    R.OUTSIDE_JURISDICTION: _("告知诉求人：该事项不属于本市行政管辖范围，请向属地12345热线反映。"),
    R.OTHER_LEGAL: _("告知诉求人：依据法律、法规、规章规定不予受理，并说明依据和其他解决途径。"),
}
