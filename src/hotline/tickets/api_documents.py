"""Documents of a ticket over HTTP: the dossier (RULES.md §7). Scoped like every ticket read:
another unit's ticket is a 404."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.orgs.http import AuthedRequest
from hotline.tickets import dossier

router = Router(tags=["tickets"])

DOCX_RESPONSE = {
    "responses": {
        "200": {
            "description": "The ticket's dossier (Word document)",
            "content": {dossier.CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def docx_response(result: dossier.Dossier) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Cache-Control"] = "no-store"  # citizen data (Art 25): never cached on the way
    return response


@router.get(
    "/tickets/{number}/dossier.docx",
    response={401: ErrorOut, 404: ErrorOut},
    openapi_extra=DOCX_RESPONSE,
)
def ticket_dossier(request: AuthedRequest, number: str):
    """The full archive of one ticket as .docx (Art 17); every export is logged (Art 25)."""
    return docx_response(dossier.dossier_export(user=request.user, number=number, now=clock.now()))
