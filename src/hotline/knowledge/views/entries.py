"""The staff pages about entries (Art 22): the intake suggestion partial (htmx), the
knowledge home (search, filters, Excel), the entry page with its workflow buttons, history and
differences, the create/edit form with a preview, and the center's review queue."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.core import clock
from hotline.core.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from hotline.core.exports import xlsx_response
from hotline.core.views import list_query, staff_required
from hotline.core.views import see_other as _see_other
from hotline.knowledge import forms as kb_forms
from hotline.knowledge import rules, search, selectors, services, xlsx
from hotline.knowledge.choices import EntryAction
from hotline.knowledge.models import Entry
from hotline.knowledge.render import render_markdown
from hotline.knowledge.services import VersionConflict
from hotline.knowledge.views.common import (
    FEEDBACK_PAGE_SIZE,
    PAGE_SIZE,
    WORKFLOW,
    _capped,
    _entry_or_404,
    _forbidden,
    _form_error,
    _nav,
    _next_url,
    _page_number,
)

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
