from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "hotline.routing"
    label = "routing"
    verbose_name = _("智能派单与重复诉求")

    def ready(self) -> None:
        self._register_ticket_hooks()
        self._clear_caches_on_edit()

    @staticmethod
    def _register_ticket_hooks() -> None:
        """Tickets may not import routing (ARCHITECTURE.md, Layers): it emits its changes and
        asks its questions through ``tickets.hooks``, which routing answers from here."""
        from hotline.routing import duplicates, recording
        from hotline.tickets import hooks

        # inside the intake / dispatch transactions: what was suggested vs. what was chosen
        hooks.register("ticket_received")(recording.on_ticket_received)
        hooks.register("ticket_dispatching")(recording.on_ticket_dispatching)
        # Art 11(7) "the same matter?" and the similarity the grouping rules compare
        hooks.provide("repeat_match")(duplicates.repeat_match)
        hooks.provide("text_similarity")(duplicates.similarity)

    @staticmethod
    def _clear_caches_on_edit() -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from hotline.orgs.models import Organisation
        from hotline.routing import gazetteer, suggestions
        from hotline.routing.models import DispatchRule, PlaceName, Precedent
        from hotline.tickets.models import Category

        def clearer(*caches):
            def clear(**_kwargs) -> None:
                for cache in caches:
                    cache()
                    transaction.on_commit(cache)  # and again once the edit is visible

            return clear

        for model, caches in (
            (DispatchRule, (suggestions.catalogue.clear,)),
            (Precedent, (suggestions.precedents.clear,)),
            (Organisation, (suggestions.org_names.clear, gazetteer.reset)),
            (Category, (suggestions.category_names.clear,)),
            (PlaceName, (gazetteer.reset,)),
        ):
            handler = clearer(*caches)
            post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"routing-{model}")
            post_delete.connect(
                handler, sender=model, weak=False, dispatch_uid=f"routing-d-{model}"
            )
