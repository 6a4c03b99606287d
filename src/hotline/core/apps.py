from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hotline.core"
    label = "core"
    verbose_name = _("平台")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's timers.py registers its timers with hotline.core.timers.
        autodiscover_modules("timers")
        post_migrate.connect(_create_cache_tables, sender=self)


def _create_cache_tables(**kwargs) -> None:
    """The database cache of the login throttle (settings.CACHES["throttle"] on PostgreSQL)
    is a table Django's migrations do not make: made after every migrate (a no-op when it
    exists or when no cache uses the database)."""
    from django.core.management import call_command

    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)
