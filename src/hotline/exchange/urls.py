"""Open311 GeoReport v2 under /open311/v2/ (API.md)."""

from django.urls import re_path

from hotline.exchange import open311

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.services_view, name="open311-services"),
    re_path(
        r"^open311/v2/services/(?P<code>[^/]+?)" + FMT,
        open311.service_definition,
        name="open311-service",
    ),
    re_path(r"^open311/v2/requests" + FMT, open311.requests_view, name="open311-requests"),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[^/]+?)" + FMT,
        open311.request_detail,
        name="open311-request",
    ),
    re_path(r"^open311/(?P<rest>.*)$", open311.not_found),
]
