"""The citizens' self-service knowledge search (Art 22, public entries only), rate-limited
per client address."""

from __future__ import annotations

import functools
import time

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.core import clock
from hotline.core.errors import (
    InvalidInput,
    NotFound,
)
from hotline.knowledge import selectors
from hotline.knowledge.policy import policy
from hotline.knowledge.render import render_markdown

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
        # bounded: a huge page number must give an empty page, not an overflow (issue 19 F3)
        page_number = min(max(1, int(request.GET.get("page", "1"))), 10_000)
    except ValueError:
        page_number = 1
    context: dict = {"q": q, "page": None, "error": "", "category_names": {}}
    status = 200
    if q:
        try:
            context["page"] = selectors.public_search(q=q, now=clock.now(), page=page_number)
            context["category_names"] = selectors.category_names()
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
        {
            "entry": entry,
            "body_html": render_markdown(entry.body),
            "q": request.GET.get("q", ""),
            "category_names": selectors.category_names(),
        },
    )
