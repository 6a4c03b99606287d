from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    OVERSIGHT = "oversight", _("主管部门")
    CENTER = "center", _("热线中心")
    SUPERVISION_OFFICE = "supervision_office", _("督查机构")
    COUNTY = "county", _("县区热线工作机构")
    UNIT = "unit", _("承办单位")
    SUBCENTER = "subcenter", _("分中心热线")


class RoleCode(models.TextChoices):
    """RULES.md §1 roles. A user may hold several."""

    AGENT = "agent", _("话务员")
    DISPATCHER = "dispatcher", _("派单员")
    CALLBACK = "callback", _("回访员")
    SUPERVISOR = "supervisor", _("中心审核督办员")
    UNIT_HANDLER = "unit_handler", _("承办人")
    UNIT_LEADER = "unit_leader", _("分管领导")
    COUNTY_DISPATCHER = "county_dispatcher", _("县区派单员")
    ANALYST = "analyst", _("数据分析员")
    INSPECTOR = "inspector", _("督查人员")
    ADMINISTRATOR = "administrator", _("系统管理员")
    GUEST_AGENT = "guest_agent", _("嘉宾坐席")
    # the phone switch's API client (telephony events, restrictions/check); not a person
    CTI = "cti", _("话务系统接口")


# Roles that act for the center: they may see every ticket.
CENTER_ROLES = frozenset(
    {
        RoleCode.AGENT,
        RoleCode.DISPATCHER,
        RoleCode.CALLBACK,
        RoleCode.SUPERVISOR,
        RoleCode.ANALYST,
        RoleCode.ADMINISTRATOR,
        RoleCode.GUEST_AGENT,
    }
)
