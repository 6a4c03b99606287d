from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hotline.core"
    label = "core"
    verbose_name = _("平台")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's timers.py registers its timers with hotline.core.timers.
        autodiscover_modules("timers")
