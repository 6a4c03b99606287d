from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "hotline.exchange"
    label = "exchange"
    verbose_name = _("数据交换（省平台、国家平台、分中心、Open311）")
