"""Choices of the evaluation context (Art 31)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppliesTo(models.TextChoices):
    """The classes of Art 31 ("对分中心热线和承办单位分类进行考核评价")."""

    UNIT = "unit", _("承办单位")
    COUNTY = "county", _("县区热线工作机构")
    SUBCENTER = "subcenter", _("分中心热线")
    CENTER = "center", _("热线中心")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class RunState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Measure(models.TextChoices):
    """The SQL measure behind an indicator (``hotline.evaluation.metrics``)."""

    SIGN_ON_TIME = "sign_on_time", _("按时签收率")
    COMPLETED_ON_TIME = "completed_on_time", _("按时办结率")
    SATISFACTION = "satisfaction", _("满意率（异议甄别后）")
    RESOLUTION = "resolution", _("解决率")
    REDO_RATE = "redo_rate", _("重办率")
    RETURN_RATE = "return_rate", _("退回率")
    REPEAT_RATE = "repeat_rate", _("重复诉求率")
    KNOWLEDGE_UPKEEP = "knowledge_upkeep", _("知识库维护督办数")
    SUPERVISION = "supervision", _("被督办事项数")
    DISPATCH_ON_TIME = "dispatch_on_time", _("按时派单率")
    ANSWERED_AT_INTAKE = "answered_at_intake", _("即时答复率")
    CONNECTION_RATE = "connection_rate", _("接通率")
