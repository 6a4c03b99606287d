"""What the staff pages of the knowledge base share: the workflow tables, the mapping of
service errors to form fields, and small request helpers."""

from __future__ import annotations

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from hotline.core.errors import (
    DomainError,
    NotFound,
)
from hotline.knowledge import rules, selectors, services
from hotline.knowledge.choices import EntryAction
from hotline.knowledge.models import Entry

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


def _capped(qs) -> tuple[list, int | None]:
    """The rows of an export, at most ``selectors.EXPORT_MAX`` as on the knowledge home, and
    the cap when it cut the list (the workbook then says so)."""
    rows = list(qs[: selectors.EXPORT_MAX + 1])
    if len(rows) > selectors.EXPORT_MAX:
        return rows[: selectors.EXPORT_MAX], selectors.EXPORT_MAX
    return rows, None
