from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The staff console: the pages agents, dispatchers, units, callback staff and
    supervisors work in all day."""

    name = "hotline.console"
    label = "console"
    verbose_name = _("工作台")
