"""The role home pages (工作台): each role's queues and counts, the intake panel for the
agents, one table of the page as Excel, and the caller's earlier tickets."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotline.console import exports, forms, queries
from hotline.console.labels import REJECT_GUIDANCE
from hotline.console.views.common import forbidden
from hotline.core import clock
from hotline.core.views import staff_required
from hotline.tickets import selectors


def _queues(user, sections: list[str], now) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    if "agent" in sections:
        ctx["agent_recent"] = queries.agent_recent(user=user)
        ctx["agent_counts"] = queries.agent_counts(user=user, now=now)
    if "dispatcher" in sections:
        ctx["dispatch_new"] = queries.dispatch_queue(user=user, special=False)
        ctx["dispatch_special"] = queries.dispatch_queue(user=user, special=True)
        ctx["dispatch_counts"] = queries.dispatch_counts(user=user, now=now)
        ctx["dispatch_reviews"] = queries.center_reviews_watch(user=user)
    if "unit" in sections:
        ctx["unit"] = queries.unit_queues(user=user, now=now)
        ctx["unit_counts"] = queries.unit_counts(user=user, now=now)
    if "county" in sections:
        ctx["county"] = queries.county_queues(user=user, now=now)
        ctx["county_counts"] = queries.county_counts(user=user, now=now)
    if "county" in sections or "supervisor" in sections:
        ctx["reviews"] = queries.pending_reviews(user=user)
        ctx["review_counts"] = queries.review_counts(user=user)
    if "callback" in sections:
        ctx["callback_queue"] = queries.callback_queue(user=user)
        ctx["callback_counts"] = queries.callback_counts(user=user, now=now)
    if "supervisor" in sections:
        ctx["cases"], ctx["cases_count"] = queries.proposed_cases(user=user)
        ctx["overdue_board"] = queries.overdue_board(user=user)
    if "overview" in sections:
        ctx["overview"] = queries.overview(user=user)
    return ctx


def intake_forms(request: HttpRequest, data=None) -> forms.IntakeForms:
    return forms.intake_forms(
        user=request.user, now=clock.now(), language=get_language() or "zh-hans", data=data
    )


def render_home(
    request: HttpRequest, *, intake: forms.IntakeForms | None = None, status: int = 200
) -> HttpResponse:
    """The home page (or, for htmx ``?part=queues``, its queues alone); ``intake``: the
    intake panel as posted, when the intake view shows it again with its messages."""
    user = request.user
    now = clock.now()
    sections = queries.home_sections(user)
    ctx: dict[str, Any] = {"now": now, "sections": sections}
    ctx.update(_queues(user, sections, now))
    if request.htmx and request.GET.get("part") == "queues":
        return render(request, "console/partials/queues.html", ctx)
    if "agent" in sections:
        ctx["intake"] = intake or intake_forms(request)
        ctx["reject_guidance"] = {k: str(v) for k, v in REJECT_GUIDANCE.items()}
    return render(request, "console/home.html", ctx, status=status)


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render_home(request)


@require_GET
@staff_required
def home_export(request: HttpRequest, table: str) -> HttpResponse:
    """``GET /console/export/<table>/``: one table of the home page as Excel, for a user whose
    home page shows it (``exports.HOME_TABLES``)."""
    if table not in exports.HOME_TABLES:
        raise Http404
    if not exports.HOME_TABLES[table] & set(queries.home_sections(request.user)):
        return forbidden(request, _("您的工作台没有这张表，不能导出"))
    return exports.home_table_xlsx(request=request, table=table, now=clock.now())


@require_GET
@staff_required
def caller_history(request: HttpRequest) -> HttpResponse:
    """htmx: the caller's earlier tickets while the agent types the phone number."""
    phone = request.GET.get("citizen_phone", "")
    tickets = queries.caller_history(user=request.user, phone=phone)
    rows = [(t, selectors.citizen_masked(user=request.user, ticket=t)) for t in tickets]
    now = clock.now()
    # a phone number that finds earlier tickets is a read of those citizens' data (Art 25)
    selectors.log_citizen_access(
        user=request.user, ticket_ids=[t.pk for t in tickets], now=now, purpose="caller_history"
    )
    return render(
        request,
        "console/partials/caller_history.html",
        {"rows": rows, "phone": phone.strip(), "now": now},
    )
