"""The ticket list: filter, search, sort and page the tickets the user may see, print it, or
export it as Excel."""

from __future__ import annotations

import functools

from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.console import exports, forms, queries
from hotline.console.presenters import ticket_rows
from hotline.core import clock
from hotline.core.views import list_query, staff_required
from hotline.tickets import selectors
from hotline.tickets.models import Assignment, Ticket

PAGE_SIZE = 50
COUNT_CAP = 10_000
# A text search counts less far: matching text has no index to count from (SQLite, or words
# of fewer than three characters on PostgreSQL), and a thousand hits is a search to narrow.
SEARCH_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows ("10000+"): an exact count of a city's whole history
    costs a scan and helps nobody page through it."""

    capped = False

    def __init__(self, *args, cap: int = COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @functools.cached_property
    def count(self) -> int:
        # without ORDER BY: the database may then count from whichever index filters best
        n = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)


def _filtered(request: HttpRequest):
    form = forms.TicketFilterForm(request.GET, orgs=queries.filter_orgs(user=request.user))
    form.is_valid()
    d = form.cleaned_data
    overdue = {"1": True, "0": False}.get(d.get("overdue") or "")
    qs = selectors.ticket_list(
        user=request.user,
        status=d.get("status") or None,
        org=d.get("org") or None,
        overdue=overdue,
        q=(d.get("q") or "").strip() or None,
    )
    if d.get("appeal_type"):
        qs = qs.filter(appeal_type=d["appeal_type"])
    if d.get("county"):
        qs = qs.filter(county__code=d["county"])
    qs = qs.order_by(*forms.SORTS.get(d.get("sort") or "-received", forms.SORTS["-received"]))
    if set(form.errors) - {"sort"}:
        # a filter that cannot be applied (too long a search, an unknown unit) shows its
        # message and finds nothing: dropping it would list — and export — every ticket
        qs = qs.none()
    return form, qs


def _choice_text(field, value: str) -> str:
    for option, label in getattr(field, "choices", []):
        pairs = label if isinstance(label, (list, tuple)) else [(option, label)]  # optgroups
        for v, text in pairs:
            if str(v) == value:
                return str(text)
    return value


def _active_filters(form: forms.TicketFilterForm) -> list[tuple[str, str]]:
    """(label, value as shown) of each filter in use, for the printed list."""
    out = []
    for name in ("q", "status", "appeal_type", "county", "org", "overdue"):
        value = form[name].value()
        if value:
            out.append((str(form[name].label), _choice_text(form.fields[name], str(value))))
    return out


def with_assignments(tickets: list[Ticket]) -> list[Ticket]:
    prefetch_related_objects(
        tickets,
        Prefetch("assignments", queryset=Assignment.objects.select_related("org").order_by("id")),
    )
    return tickets


@require_GET
@staff_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """Filter, search, sort and page the tickets the user may see; the table alone for
    htmx, the whole page otherwise; ``?format=xlsx`` exports the filtered list."""
    form, qs = _filtered(request)
    if request.GET.get("format") == "xlsx":
        return exports.ticket_list_xlsx(request=request, queryset=qs, now=clock.now())
    cap = SEARCH_COUNT_CAP if (form.cleaned_data.get("q") or "").strip() else COUNT_CAP
    page = CappedPaginator(qs, PAGE_SIZE, cap=cap).get_page(request.GET.get("page"))
    rows = ticket_rows(with_assignments(list(page.object_list)))
    user = request.user
    ctx = {
        "form": form,
        "page": page,
        "rows": [(r, selectors.citizen_masked(user=user, ticket=r.ticket)) for r in rows],
        "now": clock.now(),
        "query": list_query(request),
        "active_filters": _active_filters(form),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "console/partials/ticket_table.html", ctx)
    return render(request, "console/ticket_list.html", ctx)
