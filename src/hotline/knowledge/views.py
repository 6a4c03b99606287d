"""Pages of the knowledge base (Art 22): the intake suggestion partial (htmx); the staff pages
— the knowledge home (search, filters, Excel), the entry page with its workflow buttons,
history and differences, the create/edit form with a preview, the center's review queue, and
corrections and questions; and the citizens' self-service search."""

from __future__ import annotations

import functools
import time

from django import forms as django_forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.console.exports import xlsx_response
from hotline.core import clock
from hotline.core.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from hotline.core.views import list_query, staff_required
from hotline.core.views import see_other as _see_other
from hotline.knowledge import forms as kb_forms
from hotline.knowledge import rules, search, selectors, services, xlsx
from hotline.knowledge.choices import EntryAction
from hotline.knowledge.models import Entry
from hotline.knowledge.policy import policy
from hotline.knowledge.render import render_markdown
from hotline.knowledge.services import VersionConflict

SUGGESTIONS = 5


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
    names = selectors.category_names() if results else {}
    context = {"q": q, "results": results, "category_names": names}
    return render(request, "knowledge/_suggestions.html", context)


# -- staff pages ----------------------------------------------------------------------------------
#
# Pages decide no rule: reads go through ``selectors`` (scoped), writes through ``services``,
# and which buttons and forms a page shows is asked of the guard in ``rules`` — the same guard
# the services ask. A refused write (a DomainError) is shown on its form with status 422 and
# changes nothing; another unit's unpublished entry is a 404, a forbidden action a 403.

PAGE_SIZE = 20
FEEDBACK_PAGE_SIZE = 50
# The workflow steps of the entry page: action → (service, label of the button).
WORKFLOW = {
    EntryAction.SUBMIT: (services.entry_submit, gettext_lazy("提交审核")),
    EntryAction.PUBLISH: (services.entry_publish, gettext_lazy("发布")),
    EntryAction.RETURN: (services.entry_return, gettext_lazy("退回")),
    EntryAction.REVIEW: (services.entry_review, gettext_lazy("复核")),
    EntryAction.RETIRE: (services.entry_retire, gettext_lazy("停用")),
}
FEEDBACK_ACTIONS = {
    "answer": (services.feedback_answer, gettext_lazy("答复")),
    "accept": (services.feedback_accept, gettext_lazy("采纳")),
    "reject": (services.feedback_reject, gettext_lazy("不采纳")),
}
# Which form field a service error code belongs to (others are shown above the form).
ERROR_FIELDS = {
    "invalid_title": "title",
    "invalid_body": "body",
    "invalid_category": "category_code",
    "invalid_date": "effective_from",
    "invalid_dates": "expires_on",
    "invalid_org": "org",
    "reason_required": "note",
    "invalid_kind": "kind",
    "invalid_content": "content",
    "invalid_topic": "topic",
    "topic_required": "topic",
    "org_required": "org",
    "invalid_response": "response",
}


def _form_error(form: django_forms.Form, exc: DomainError) -> None:
    name = ERROR_FIELDS.get(exc.code)
    form.add_error(name if name in form.fields else None, exc.message)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403, "message": message}, status=403)


def _entry_or_404(request: HttpRequest, entry_id: int) -> Entry:
    try:
        return selectors.entry_get(user=request.user, entry_id=entry_id)
    except NotFound:
        raise Http404 from None


def _next_url(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 10_000)
    except ValueError:
        return 1


def _nav(request: HttpRequest) -> dict:
    """What the knowledge pages' header offers this user (asked of the guard)."""
    user = request.user
    return {
        "can_author": rules.can_author(user),
        "is_reviewer": rules.is_reviewer(user),
        "can_raise": rules.can_raise_feedback(user),
    }


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """``/knowledge/``: search (the API's ``entry_search``, highlighted), filters, a page of
    entries in the user's scope; ``?format=xlsx`` exports the whole filtered list."""
    now = clock.now()
    user = request.user
    form = kb_forms.EntryFilterForm(
        request.GET,
        categories=selectors.entry_categories(user=user),
        orgs=selectors.owning_orgs(),
    )
    page = None
    arguments: dict = {}
    if form.is_valid():
        arguments = form.search_arguments()
        try:
            if request.GET.get("format") == "xlsx":
                return _export(request, arguments, now)
            page = selectors.entry_search(
                user=user, now=now, page=_page_number(request), page_size=PAGE_SIZE, **arguments
            )
        except InvalidInput as exc:
            form.add_error(None, exc.message)
    context = {
        **_nav(request),
        "form": form,
        "page": page,
        "q": arguments.get("q", ""),
        "filtered": any(v for k, v in arguments.items() if k != "q"),
        "query": list_query(request),
        "now": now,
        "today": selectors.local_today(now),
        "category_names": selectors.category_names() if page is not None else {},
    }
    status = 200 if page is not None else 422
    if request.htmx and not request.htmx.boosted:
        # 200 even for bad input: htmx swaps only successful responses, and the message is
        # in the fragment
        return render(request, "knowledge/_entry_table.html", context)
    return render(request, "knowledge/home.html", context, status=status)


def _export(request: HttpRequest, arguments: dict, now) -> HttpResponse:
    entries = list(selectors.entries_matching(user=request.user, now=now, **arguments))
    data = xlsx.export_entries(entries)
    services.record_export(
        actor=request.user, now=now, entries=entries, via="page", filters=arguments
    )
    return xlsx_response(data, name="knowledge", now=now)


# -- one entry ------------------------------------------------------------------------------------


def _workflow_forms(request: HttpRequest, entry: Entry, bound: tuple | None) -> list[dict]:
    steps = []
    for action, (_service, label) in WORKFLOW.items():
        if not rules.entry_allowed(request.user, entry, action):
            continue
        form = bound[1] if bound and bound[0] == action else kb_forms.NoteForm(prefix=action)
        steps.append({"name": str(action), "label": label, "form": form})
    return steps


def _entry_context(
    request: HttpRequest,
    entry: Entry,
    *,
    bound: tuple | None = None,
    feedback_form: django_forms.Form | None = None,
) -> dict:
    now = clock.now()
    user = request.user
    versions = list(selectors.entry_versions(entry=entry))
    feedback = list(entry.feedback.select_related("org", "raised_by").order_by("-raised_at")[:20])
    can_raise = rules.can_raise_feedback(user)
    if feedback_form is None and can_raise:
        feedback_form = kb_forms.FeedbackForm(prefix="fb")
    return {
        **_nav(request),
        "entry": entry,
        "body_html": render_markdown(entry.body),
        "versions": versions,
        "feedback": feedback,
        "stale": selectors.entry_is_stale(entry, now=now),
        "review_due": selectors.entry_review_due(entry),
        "category_names": selectors.category_names(),
        "usage_count": selectors.entry_usage_count(entry),
        "can_edit": rules.entry_allowed(user, entry, EntryAction.UPDATE),
        "steps": _workflow_forms(request, entry, bound),
        "bound_action": bound[0] if bound else "",
        "feedback_form": feedback_form if can_raise else None,
        "now": now,
        "today": selectors.local_today(now),
    }


@require_GET
@staff_required
def entry_page(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id)
    return render(request, "knowledge/entry.html", _entry_context(request, entry))


@require_POST
@staff_required
def entry_action(request: HttpRequest, entry_id: int, action: str) -> HttpResponse:
    """One workflow button of the entry page (POST, CSRF): through the service; success
    redirects back with a message, a refusal re-renders the page with the message (422)."""
    if action not in WORKFLOW:
        raise Http404
    entry = _entry_or_404(request, entry_id)
    service, label = WORKFLOW[action]
    form = kb_forms.NoteForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            service(
                entry=entry, actor=request.user, now=clock.now(), note=form.cleaned_data["note"]
            )
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            return _forbidden(request, exc.message)
        except DomainError as exc:
            _form_error(form, exc)
            if not rules.entry_allowed(request.user, entry, action):
                # the form is no longer shown (e.g. someone else acted first): say it above
                messages.error(request, exc.message)
        else:
            messages.success(request, _("已完成：%(a)s") % {"a": label})
            return _see_other(_next_url(request, reverse("knowledge-entry", args=[entry.pk])))
    entry = _entry_or_404(request, entry_id)
    context = _entry_context(request, entry, bound=(action, form))
    return render(request, "knowledge/entry.html", context, status=422)


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


# -- create and edit ------------------------------------------------------------------------------


def _entry_form_page(
    request: HttpRequest, form: kb_forms.EntryForm, *, entry: Entry | None, status: int = 200
) -> HttpResponse:
    preview = None
    body = form.data.get("body") if form.is_bound else (entry.body if entry else "")
    if body:
        preview = render_markdown(body)
    context = {
        **_nav(request),
        "form": form,
        "entry": entry,
        "preview": preview,
        "conflict": getattr(form, "conflict", None),
    }
    return render(request, "knowledge/entry_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def entry_new(request: HttpRequest) -> HttpResponse:
    """``/knowledge/new/``: a unit drafts an entry for itself; the center for any unit."""
    user = request.user
    if not rules.can_author(user):
        return _forbidden(request, _("当前角色不能编写知识条目"))
    orgs = selectors.owning_orgs() if rules.is_reviewer(user) else None
    form = kb_forms.EntryForm(request.POST if request.method == "POST" else None, orgs=orgs)
    if request.method == "GET" or "preview" in request.POST:
        return _entry_form_page(request, form, entry=None)
    if form.is_valid():
        org = form.cleaned_data.get("org") or user.organisation
        try:
            if org is None:
                raise PermissionDenied(_("当前用户不属于任何单位"))
            entry = services.entry_create(actor=user, org=org, now=clock.now(), **form.content())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("条目已保存为草稿，确认无误后请提交审核"))
            return _see_other(reverse("knowledge-entry", args=[entry.pk]))
    return _entry_form_page(request, form, entry=None, status=422)


@require_http_methods(["GET", "POST"])
@staff_required
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    """``/knowledge/<id>/edit/``: change an entry's content, with the version read by the
    form (someone else's later change is a conflict, shown on the form)."""
    user = request.user
    entry = _entry_or_404(request, entry_id)
    try:
        rules.entry_check(user, entry, EntryAction.UPDATE)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as exc:
        return _forbidden(request, exc.message)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return _see_other(reverse("knowledge-entry", args=[entry.pk]))
    orgs = selectors.owning_orgs() if rules.is_reviewer(user) else None
    current = (entry.category_code, entry.category_name)
    if request.method == "GET":
        form = kb_forms.EntryForm(
            initial=kb_forms.entry_initial(entry), orgs=orgs, edit=True, current_category=current
        )
        return _entry_form_page(request, form, entry=entry)
    form = kb_forms.EntryForm(request.POST, orgs=orgs, edit=True, current_category=current)
    if "preview" in request.POST:
        return _entry_form_page(request, form, entry=entry)
    if form.is_valid():
        changes = form.content()
        if form.cleaned_data.get("org"):
            changes["org"] = form.cleaned_data["org"]
        try:
            updated = services.entry_update(
                entry=entry,
                actor=user,
                changes=changes,
                now=clock.now(),
                expected_version=form.cleaned_data.get("version"),
                note=form.cleaned_data.get("note", ""),
            )
        except NotFound:
            raise Http404 from None
        except VersionConflict as exc:
            form.add_error(None, exc.message)
            form.conflict = {"read": form.cleaned_data.get("version"), "now": entry.version}
        except DomainError as exc:
            _form_error(form, exc)
        else:
            if updated.version == entry.version:
                messages.info(request, _("内容没有变化，未生成新版本"))
            elif updated.status != entry.status:
                messages.success(
                    request,
                    _("已保存为第 %(v)s 版，条目回到「%(s)s」状态，请重新提交审核")
                    % {"v": updated.version, "s": updated.get_status_display()},
                )
            else:
                messages.success(request, _("已保存为第 %(v)s 版") % {"v": updated.version})
            return _see_other(reverse("knowledge-entry", args=[entry.pk]))
    return _entry_form_page(request, form, entry=entry, status=422)


@require_POST
@staff_required
def preview(request: HttpRequest) -> HttpResponse:
    """htmx: the body as it will be shown (Markdown rendered and sanitised by ``render``)."""
    body = (request.POST.get("body") or "")[: services.BODY_MAX]
    return render(request, "knowledge/_preview.html", {"preview": render_markdown(body)})


# -- the center's review queue --------------------------------------------------------------------


@require_GET
@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """``/knowledge/review/``: entries under review, oldest submission first (the center
    publishes or returns them; a unit sees its own waiting entries)."""
    user = request.user
    if not rules.can_author(user):  # the reviewers and the units
        return _forbidden(request, _("审核队列供中心审核人员和责任单位查看"))
    now = clock.now()
    if request.GET.get("format") == "xlsx":
        return _export_review_queue(request, now)
    paginator = Paginator(selectors.review_queue(user=user), FEEDBACK_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            "may_publish": rules.entry_allowed(user, e, EntryAction.PUBLISH),
        }
        for e in page.object_list
    ]
    context = {
        **_nav(request),
        "page": page,
        "rows": rows,
        "now": now,
        "category_names": selectors.category_names(),
    }
    return render(request, "knowledge/review.html", context)


def _capped(qs) -> tuple[list, int | None]:
    """The rows of an export, at most ``selectors.EXPORT_MAX`` as on the knowledge home, and
    the cap when it cut the list (the workbook then says so)."""
    rows = list(qs[: selectors.EXPORT_MAX + 1])
    if len(rows) > selectors.EXPORT_MAX:
        return rows[: selectors.EXPORT_MAX], selectors.EXPORT_MAX
    return rows, None


def _export_review_queue(request: HttpRequest, now) -> HttpResponse:
    """``/knowledge/review/?format=xlsx``: the whole queue in the page's scope and order,
    logged like every export of entries (Art 25)."""
    entries, limit = _capped(selectors.review_queue(user=request.user))
    workbook = xlsx.export_review_queue(
        entries, now=now, category_names=selectors.category_names(), limit=limit
    )
    services.record_export(
        actor=request.user, now=now, entries=entries, via="review", filters={"status": "in_review"}
    )
    return xlsx_response(workbook, name="knowledge-review", now=now)


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
