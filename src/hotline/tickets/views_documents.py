"""Document downloads for signed-in staff (session), scoped like the API: 404 outside scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from hotline.core import clock
from hotline.core.errors import NotFound
from hotline.orgs.http import AuthedRequest
from hotline.tickets import dossier
from hotline.tickets.api_documents import docx_response


@require_GET
@login_required
def ticket_dossier(request: AuthedRequest, number: str) -> HttpResponse:
    try:
        result = dossier.dossier_export(user=request.user, number=number, now=clock.now())
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return docx_response(result)
