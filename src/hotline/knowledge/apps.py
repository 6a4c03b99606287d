from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = _("知识库")

    def ready(self) -> None:
        self._register_ticket_hooks()

    @staticmethod
    def _register_ticket_hooks() -> None:
        """Tickets may not import knowledge (ARCHITECTURE.md, Layers): ``ticket_answer`` emits
        ``ticket_answered`` and knowledge records the entries' use from here (Art 22), so the
        page and ``POST /tickets/{n}/answer`` count usage the same way."""
        from hotline.knowledge.services import on_ticket_answered
        from hotline.tickets import hooks

        hooks.register("ticket_answered")(on_ticket_answered)
