"""The staff pages of corrections and questions (Art 22): the list, raising one about an
entry or a topic, and the owning unit's answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.core import clock
from hotline.core.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
)
from hotline.core.exports import xlsx_response
from hotline.core.views import list_query, staff_required
from hotline.core.views import see_other as _see_other
from hotline.knowledge import forms as kb_forms
from hotline.knowledge import rules, selectors, services, xlsx
from hotline.knowledge.views.common import (
    FEEDBACK_ACTIONS,
    FEEDBACK_PAGE_SIZE,
    _capped,
    _entry_or_404,
    _forbidden,
    _form_error,
    _nav,
    _next_url,
)
from hotline.knowledge.views.entries import _entry_context

# -- corrections and questions --------------------------------------------------------------------


def _feedback_allowed(user, item) -> list[tuple[str, str]]:
    allowed = []
    for action, (_service, label) in FEEDBACK_ACTIONS.items():
        try:
            rules.feedback_check(user, item, action)
        except DomainError:
            continue
        allowed.append((action, label))
    return allowed


def _feedback_page(
    request: HttpRequest, *, bound: tuple | None = None, status: int = 200
) -> HttpResponse:
    now = clock.now()
    user = request.user
    oversee = rules.can_oversee(user)
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = "open"
    form = kb_forms.FeedbackFilterForm(data, orgs=selectors.owning_orgs() if oversee else None)
    items = []
    page = None
    if form.is_valid():
        cd = form.cleaned_data
        qs = selectors.feedback_list(
            user=user,
            now=now,
            state=cd.get("state") or None,
            org=cd.get("org") or None,
            overdue=True if cd.get("overdue") else None,
        )
        if bound is None and request.GET.get("format") == "xlsx":
            return _export_feedback(request, qs, cd, now)
        page = Paginator(qs, FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
        for item in page.object_list:
            actions = _feedback_allowed(user, item)
            if bound and bound[0] == item.pk:
                response_form = bound[1]
            else:
                response_form = kb_forms.ResponseForm(prefix=f"fb{item.pk}") if actions else None
            items.append(
                {
                    "item": item,
                    "overdue": selectors.feedback_is_overdue(item, now=now),
                    "actions": actions,
                    "form": response_form,
                }
            )
    context = {
        **_nav(request),
        "form": form,
        "page": page,
        "items": items,
        "oversee": oversee,
        "now": now,
        "query": list_query(request),
    }
    return render(request, "knowledge/feedback.html", context, status=status)


def _export_feedback(request: HttpRequest, qs, filters: dict, now) -> HttpResponse:
    """``/knowledge/feedback/?format=xlsx``: every row of the filtered list (not only the
    page), logged (Art 25)."""
    items, limit = _capped(qs)
    workbook = xlsx.export_feedback(items, now=now, limit=limit)
    services.record_export(actor=request.user, now=now, feedback=items, via="page", filters=filters)
    return xlsx_response(workbook, name="knowledge-feedback", now=now)


@require_GET
@staff_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """``/knowledge/feedback/``: the unit's corrections and questions (the center: all), open
    ones first by due time, with the time left and the answer forms for the owning unit."""
    return _feedback_page(request)


@require_POST
@staff_required
def feedback_respond(request: HttpRequest, feedback_id: int, action: str) -> HttpResponse:
    if action not in FEEDBACK_ACTIONS:
        raise Http404
    try:
        item = selectors.feedback_get(user=request.user, feedback_id=feedback_id)
    except NotFound:
        raise Http404 from None
    service, label = FEEDBACK_ACTIONS[action]
    form = kb_forms.ResponseForm(request.POST, prefix=f"fb{item.pk}")
    if form.is_valid():
        try:
            service(
                feedback=item,
                actor=request.user,
                response=form.cleaned_data["response"],
                now=clock.now(),
            )
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已完成：%(a)s") % {"a": label})
            return _see_other(_next_url(request, reverse("knowledge-feedback")))
    return _feedback_page(request, bound=(item.pk, form), status=422)


@require_POST
@staff_required
def entry_feedback(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The "纠错/提问" form of the entry page: to the owning unit, with its due time."""
    entry = _entry_or_404(request, entry_id)
    if not rules.can_raise_feedback(request.user):
        return _forbidden(request, _("当前角色不能提出知识纠错或提问"))
    form = kb_forms.FeedbackForm(request.POST, prefix="fb")
    if form.is_valid():
        try:
            item = services.feedback_raise(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                content=form.cleaned_data["content"],
                now=clock.now(),
                entry=entry,
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _raised_message(item))
            return _see_other(reverse("knowledge-entry", args=[entry.pk]) + "#feedback")
    context = _entry_context(request, entry, feedback_form=form)
    return render(request, "knowledge/entry.html", context, status=422)


def _raised_message(item) -> str:
    return _("已提交%(kind)s，请%(org)s于 %(due)s 前答复") % {
        "kind": item.get_kind_display(),
        "org": item.org.name,
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
    }


@require_http_methods(["GET", "POST"])
@staff_required
def topic_feedback(request: HttpRequest) -> HttpResponse:
    """``/knowledge/feedback/new/``: a correction or question on a topic without an entry,
    to a named unit (e.g. when a search found nothing)."""
    if not rules.can_raise_feedback(request.user):
        return _forbidden(request, _("当前角色不能提出知识纠错或提问"))
    orgs = selectors.owning_orgs()
    initial = {"kind": "question", "topic": request.GET.get("topic", "")[:200]}
    data = request.POST if request.method == "POST" else None
    form = kb_forms.TopicFeedbackForm(data, orgs=orgs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.feedback_raise(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    content=form.cleaned_data["content"],
                    topic=form.cleaned_data["topic"],
                    org=form.cleaned_data["org"],
                    now=clock.now(),
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _raised_message(item))
                return _see_other(reverse("knowledge-feedback"))
        status = 422
    return render(
        request, "knowledge/feedback_new.html", {**_nav(request), "form": form}, status=status
    )
