"""Routing suggestions in the console (htmx fragments): while the agent types an appeal —
categories, county/township, units, similar open tickets (并单) and a repeat appeal — and on
the ticket page's dispatch form — the lead units with their reasons. One click fills the
field (see the templates ``console/partials/routing_*.html``). The report of how often they
were taken is ``routing_report``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.core import clock
from hotline.core.errors import NotFound
from hotline.core.views import staff_required
from hotline.routing import selectors as routing_selectors
from hotline.routing import suggestions as routing
from hotline.routing.api import may_see_suggestions
from hotline.tickets import rules, selectors
from hotline.tickets.models import Category

MIN_TEXT = 6  # characters of content before suggesting anything


@require_GET
@staff_required
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """``GET /console/routing/intake/?content=&address=&county=&citizen_phone=&category=``"""
    content = request.GET.get("content", "").strip()[: routing.MAX_TEXT]
    address = request.GET.get("address", "").strip()[:300]
    ctx: dict[str, Any] = {"content": content, "allowed": may_see_suggestions(request.user)}
    if ctx["allowed"] and (len(content) >= MIN_TEXT or len(address) >= 2):
        ctx["s"] = routing_selectors.suggest(
            text=content,
            address=address,
            county=request.GET.get("county", "").strip()[:40],
            phone=request.GET.get("citizen_phone", "").strip()[:30],
            category=request.GET.get("category", "").strip()[:80],
            now=clock.now(),
            user=request.user,  # the repeat (keyed on the phone) only if they may see citizens
        )
        _with_english_names(ctx["s"]["categories"])
        ctx["county_chosen"] = request.GET.get("county", "").strip()
        incidents = [d["incident"] for d in ctx["s"]["duplicates"] if d["incident"]]
        ctx["incidents"] = list(
            selectors.incident_list(user=request.user, open_only=True).filter(pk__in=incidents)
        )
        # 并单 without an incident yet: similar open tickets that are in none can be grouped
        ctx["groupable"] = [d for d in ctx["s"]["duplicates"] if not d["incident"]]
        # what the agent ticked survives the panel's refresh while they go on typing
        ctx["incident_chosen"] = request.GET.get("incident", "").strip()
        ctx["merge_chosen"] = set(request.GET.getlist("merge_with"))
    return render(request, "console/partials/routing_intake.html", ctx)


def _with_english_names(categories: list[dict[str, Any]]) -> None:
    """Add ``name_en`` to the suggested categories (one query) for ``category_label``."""
    names = dict(
        Category.objects.filter(code__in=[c["code"] for c in categories]).values_list(
            "code", "name_en"
        )
    )
    for c in categories:
        c["name_en"] = names.get(c["code"], "")


@require_GET
@staff_required
def dispatch_suggest(request: HttpRequest, number: str) -> HttpResponse:
    """``GET /console/routing/tickets/<number>/units/``: lead units for the dispatch form."""
    try:
        ticket = selectors.ticket_get(user=request.user, number=number)
    except NotFound:
        raise Http404 from None
    if not rules.allowed(request.user, "dispatch", ticket=ticket, now=clock.now()):
        return HttpResponse(status=403)
    category = ticket.category.code if ticket.category_id else ""
    place = routing.locate(ticket.address, ticket.content, ticket.county.code)
    units = routing.suggest_units(
        ticket.content,
        category=category,
        county=ticket.county.code,
        township=place.township if place.county == ticket.county.code else "",
        exclude_ticket=ticket.pk,
        now=clock.now(),
    )
    return render(
        request,
        "console/partials/routing_dispatch.html",
        {"units": units, "ticket": ticket, "place": place},
    )


def intake_incident(request: HttpRequest) -> dict[str, Any]:
    """The 并单 the agent chose among the suggestions, as extra ``ticket_intake`` arguments:
    an open incident to join, or similar open tickets in no incident to group with the new
    ticket into a new one; ``{}`` when none was chosen (see ``selectors.intake_grouping``)."""
    raw = request.POST.get("incident", "").strip()
    return selectors.intake_grouping(
        user=request.user,
        incident=int(raw) if raw.isdigit() else None,
        # more than the service allows is refused there, with its message
        merge_with=[n.strip()[:24] for n in request.POST.getlist("merge_with")[:100]],
    )
