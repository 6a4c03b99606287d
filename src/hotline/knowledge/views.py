"""Pages of the knowledge base: the intake suggestion partial (htmx), a staff entry page with
its history and differences, and the citizens' self-service search (Art 22)."""

from __future__ import annotations

import functools
import time

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.core import clock
from hotline.core.errors import InvalidInput, NotFound
from hotline.knowledge import rules, search, selectors
from hotline.knowledge.choices import EntryAction
from hotline.knowledge.policy import policy
from hotline.knowledge.render import render_markdown

SUGGESTIONS = 5


def staff_required(view):
    """Login required; an htmx request gets 401 and an HX-Redirect instead of a login page
    swapped into the fragment."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = f"/login/?next={request.get_full_path()}"
                return response
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


# -- intake suggestions ---------------------------------------------------------------------------


@require_GET
@staff_required
def suggest(request: HttpRequest) -> HttpResponse:
    """``GET /knowledge/suggest/?q=…``: the top five entries as an HTML fragment for the intake
    form; each item carries ``data-use-answer="<entry id>"`` (see docs/knowledge.md)."""
    q = request.GET.get("q", "").strip()[: selectors.QUERY_MAX]
    results = []
    if q:
        page = selectors.entry_search(
            user=request.user, q=q, now=clock.now(), page_size=SUGGESTIONS
        )
        results = [
            {"result": r, "answer_text": search.plain_text(r.entry.body)} for r in page.items
        ]
    return render(request, "knowledge/_suggestions.html", {"q": q, "results": results})


# -- staff pages ----------------------------------------------------------------------------------


@require_GET
@staff_required
def entry_page(request: HttpRequest, entry_id: int) -> HttpResponse:
    now = clock.now()
    try:
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
    except NotFound:
        raise Http404 from None
    versions = list(selectors.entry_versions(entry=entry))
    feedback = list(entry.feedback.select_related("org", "raised_by").order_by("-raised_at")[:20])
    context = {
        "entry": entry,
        "body_html": render_markdown(entry.body),
        "versions": versions,
        "feedback": feedback,
        "stale": selectors.entry_is_stale(entry, now=now),
        "usage_count": selectors.entry_usage_count(entry),
        "actions": [
            EntryAction(a).label
            for a in ("update", "submit", "publish", "return", "retire", "review")
            if rules.entry_allowed(request.user, entry, a)
        ],
    }
    return render(request, "knowledge/entry.html", context)


@require_GET
@staff_required
def entry_diff(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = selectors.entry_get(user=request.user, entry_id=entry_id)
        new = int(request.GET.get("to") or entry.version)
        old = int(request.GET.get("from") or max(1, new - 1))
        table = selectors.version_diff(entry=entry, old=old, new=new)
    except (NotFound, ValueError):
        raise Http404 from None
    return render(
        request, "knowledge/diff.html", {"entry": entry, "old": old, "new": new, "table": table}
    )


# -- public self-service --------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded header can be forged by anyone; behind a reverse proxy the
    # proxy must set REMOTE_ADDR (e.g. waitress --trusted-proxy).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_retry_after(request: HttpRequest) -> int | None:
    """Fixed-window limit per client IP (real time, not the business clock). Returns seconds to
    wait when over the limit, else None."""
    limit = policy("KNOWLEDGE_PUBLIC_RATE_LIMIT")
    window = policy("KNOWLEDGE_PUBLIC_RATE_WINDOW_SECONDS")
    now = time.time()
    key = f"knowledge:public-rate:{client_ip(request)}:{int(now // window)}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
    if count > limit:
        return max(1, int(window - now % window))
    return None


def public_rate_limited(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        retry = rate_limit_retry_after(request)
        if retry is not None:
            response = render(
                request, "knowledge/public/rate_limited.html", {"retry": retry}, status=429
            )
            response["Retry-After"] = str(retry)
            return response
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@public_rate_limited
def public_search(request: HttpRequest) -> HttpResponse:
    """``/public/knowledge/?q=…``: published, public, in-effect entries; no login."""
    q = request.GET.get("q", "").strip()
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    context: dict = {"q": q, "page": None, "error": ""}
    status = 200
    if q:
        try:
            context["page"] = selectors.public_search(q=q, now=clock.now(), page=page_number)
        except InvalidInput as exc:
            context["error"] = exc.message
            status = 422
    return render(request, "knowledge/public/search.html", context, status=status)


@require_GET
@public_rate_limited
def public_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = selectors.public_entry_get(entry_id=entry_id, now=clock.now())
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "knowledge/public/entry.html",
        {"entry": entry, "body_html": render_markdown(entry.body), "q": request.GET.get("q", "")},
    )
