from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.orgs.choices import OrgKind

# Organisations that own knowledge: handling units, county bodies and sub-center hotlines.
OWNING_KINDS = frozenset({OrgKind.UNIT, OrgKind.COUNTY, OrgKind.SUBCENTER})


class EntryStatus(models.TextChoices):
    """Life of a knowledge entry (Art 22): the unit drafts, the center reviews and publishes."""

    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class EntryAction(models.TextChoices):
    """Every write to an entry; each one is a row of its version history."""

    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    SUBMIT = "submit", _("提交审核")
    PUBLISH = "publish", _("审核发布")
    RETURN = "return", _("退回修改")
    RETIRE = "retire", _("停用")
    REVIEW = "review", _("复核确认")


class FeedbackKind(models.TextChoices):
    CORRECTION = "correction", _("知识纠错")
    QUESTION = "question", _("知识提问")


class FeedbackState(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")
