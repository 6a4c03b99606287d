from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Monitoring, analysis and reports (Art 23–24)."""

    name = "hotline.analytics"
    label = "analytics"
    verbose_name = _("监测分析")

    def ready(self) -> None:
        # Rollups are kept by a timer over the ticket event ids rather than by a hook in the
        # write path: every change of a ticket already writes an event (Art 17), so the timer
        # sees all of them (closing, callbacks, overdue marks — changes no hook announces)
        # and the services' transactions stay as short as they are.
        from hotline.analytics import timers  # noqa: F401
