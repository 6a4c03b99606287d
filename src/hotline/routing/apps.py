from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "hotline.routing"
    label = "routing"
    verbose_name = _("智能派单与重复诉求")

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from hotline.orgs.models import Organisation
        from hotline.routing import gazetteer, services
        from hotline.routing.models import DispatchRule, Precedent
        from hotline.tickets.models import Category

        def clearer(*caches):
            def clear(**_kwargs) -> None:
                for cache in caches:
                    cache()
                    transaction.on_commit(cache)  # and again once the edit is visible

            return clear

        for model, caches in (
            (DispatchRule, (services.catalogue.clear,)),
            (Precedent, (services.precedents.clear,)),
            (Organisation, (services.org_names.clear, gazetteer.reset)),
            (Category, (services.category_names.clear,)),
        ):
            handler = clearer(*caches)
            post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"routing-{model}")
            post_delete.connect(
                handler, sender=model, weak=False, dispatch_uid=f"routing-d-{model}"
            )
