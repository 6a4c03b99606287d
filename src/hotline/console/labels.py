"""Words on screen for the guidance an agent reads out for each Art 11 reason. One Chinese
term per concept (GLOSSARY.md). The labels of event types (办理记录) are
``hotline.tickets.choices.EventType``'s."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hotline.tickets.choices import NotAcceptedReason as R

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
