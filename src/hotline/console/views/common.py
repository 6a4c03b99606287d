"""What the console's pages share: where a service error is shown on a form, the 404 of a
ticket the user may not see, the 403 page of a section the user's roles do not have."""

from __future__ import annotations

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError, NotFound
from hotline.tickets import selectors
from hotline.tickets.models import Ticket

# Which form field a service error code belongs to (others are shown above the form).
ERROR_FIELDS = {
    "invalid_phone": "citizen_phone",
    "unknown_county": "county",
    "unknown_category": "category",
    "invalid_occurred_at": "occurred_at",
    "unknown_org": "lead",
    "duplicate_org": "assists",
    "not_subordinate": "lead",
    "transfer_required": "transferred_to",
    "unknown_line": "transferred_to",
    "closed_ticket_required": "closed_ticket",
    "consent_required": "consent",
    "reasonable_required": "reasonable",
    "extension_too_long": "working_days",
    "invalid_date": "expected_completion",
    "unknown_event_kind": "kind",
}


def form_error(form: django_forms.Form, exc: DomainError) -> None:
    name = ERROR_FIELDS.get(exc.code)
    if name and name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The 403 page with the reason (a page the user's roles do not include)."""
    return render(request, "core/error.html", {"status": 403, "message": message}, status=403)


def ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.ticket_get(user=request.user, number=number)
    except NotFound:
        raise Http404(_("工单不存在")) from None


def parse_id(value) -> int:
    """A posted object id; anything else is the 404 of an object that is not there."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
