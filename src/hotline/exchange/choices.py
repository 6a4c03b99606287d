from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.tickets.choices import Channel


class PartnerKind(models.TextChoices):
    """Who is on the other side of the interface (RULES.md §8, Art 21)."""

    PROVINCE = "province", _("省级12345平台")
    NATIONAL = "national", _("国家平台（中国政府网、国家政务服务平台）")
    SUBCENTER = "subcenter", _("分中心热线")


# The ticket channel of what a partner sends us (API.md "channel").
KIND_CHANNEL = {
    PartnerKind.PROVINCE: Channel.PROVINCIAL,
    PartnerKind.NATIONAL: Channel.NATIONAL,
    PartnerKind.SUBCENTER: Channel.SUBCENTER,
}


class StreamState(models.TextChoices):
    """State of the result stream back to the partner that sent a ticket."""

    ACTIVE = "active", _("正常")
    DEAD = "dead", _("推送失败（待重推）")
