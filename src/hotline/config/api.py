"""Assemble the API under /api/v1 from every bounded context's router."""

from ninja import NinjaAPI

from hotline.analytics.api import router as analytics_router
from hotline.calendar.api import router as calendar_router
from hotline.core.api import (
    PlatformParser,
    auth_router,
    install_error_handlers,
    simulation_router,
)
from hotline.core.auth import api_auth
from hotline.core.renderers import PlatformJSONRenderer
from hotline.evaluation.api import router as evaluation_router
from hotline.exchange.api import router as exchange_router
from hotline.knowledge.api import router as knowledge_router
from hotline.orgs.api import router as orgs_router
from hotline.routing.api import router as routing_router
from hotline.supervision.api import router as supervision_router
from hotline.telephony.api import router as telephony_router
from hotline.tickets.api import router as tickets_router
from hotline.tickets.api_documents import router as ticket_documents_router

api = NinjaAPI(
    title="hotline API",
    version="1",
    description="驻马店市12345政务服务便民热线平台接口 — the public contract of API.md",
    auth=api_auth,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=PlatformJSONRenderer(),
    parser=PlatformParser(),
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/simulation", simulation_router)
api.add_router("/orgs", orgs_router)
api.add_router("/calendar", calendar_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("", tickets_router)
api.add_router("", ticket_documents_router)
api.add_router("/supervision", supervision_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/exchange", exchange_router)
api.add_router("/routing", routing_router)
api.add_router("", analytics_router)
api.add_router("/telephony", telephony_router)
