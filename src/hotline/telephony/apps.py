from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "hotline.telephony"
    label = "telephony"
    verbose_name = _("话务")

    def ready(self) -> None:
        # tickets may not import telephony (ARCHITECTURE.md, Layers): the intake tells us
        # through its hook, and the timers register themselves on import
        from hotline.telephony import timers  # noqa: F401
        from hotline.telephony.services import calls
        from hotline.tickets import hooks

        hooks.register("ticket_received")(calls.on_ticket_received)
