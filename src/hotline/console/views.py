"""The staff console: home pages per role, intake, the ticket page and the ticket list.

Pages are thin. Reads go through ``hotline.tickets.selectors`` (scoped) and the console's
own ``queries`` built on them; writes call the services; which action forms a page shows is
decided by ``rules.allowed`` — the same guard the services ask. A refused action (a
``DomainError``) is shown on its form with status 422; the database is left as it was.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.console import exports, forms, queries
from hotline.console.labels import REJECT_GUIDANCE
from hotline.console.presenters import assignment_tree, event_details, ticket_rows
from hotline.core import clock
from hotline.core.errors import DomainError, NotFound
from hotline.core.views import list_query, staff_required
from hotline.core.views import see_other as _see_other
from hotline.orgs.models import Organisation
from hotline.tickets import rules, selectors, services
from hotline.tickets.choices import ReviewKind, ReviewState
from hotline.tickets.models import Assignment, Review, Ticket

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


def _form_error(form: django_forms.Form, exc: DomainError) -> None:
    name = ERROR_FIELDS.get(exc.code)
    if name and name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


# -- home --------------------------------------------------------------------------------------


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


@dataclass
class IntakeForms:
    """The intake form and the forms of its four ways to finish (Art 11, 14)."""

    main: forms.IntakeForm
    action: forms.IntakeActionForm
    dispatch: forms.DispatchForm | None
    answer: forms.AnswerForm
    reject: forms.RejectForm
    contact: forms.ContactForm
    may_dispatch: bool

    @property
    def selected(self) -> str:
        return _selected(self.action)


def _selected(action: forms.IntakeActionForm) -> str:
    value = action["action"].value()
    return value if value in dict(forms.INTAKE_ACTIONS) else "dispatch"


def _intake_forms(request: HttpRequest, data=None) -> IntakeForms:
    """Only the way to finish that was chosen is bound to the POST: the other panels stay
    unbound (what was typed in them is kept as initial data, without "required" messages)."""
    may_dispatch = bool(rules.allowed(request.user, "dispatch", now=clock.now()))
    action = forms.IntakeActionForm(data)
    chosen = _selected(action) if data is not None else None

    def finish(name: str, form_class, **kwargs):
        if name == chosen:
            return form_class(data, **kwargs)
        return form_class(initial=_initial(data), **kwargs)

    return IntakeForms(
        main=forms.IntakeForm(data, language=get_language() or "zh-hans"),
        action=action,
        dispatch=finish("dispatch", forms.DispatchForm, orgs=queries.handling_orgs())
        if may_dispatch
        else None,
        answer=finish("answer", forms.AnswerForm),
        reject=finish("reject", forms.RejectForm),
        contact=finish("contact", forms.ContactForm),
        may_dispatch=may_dispatch,
    )


def _initial(data) -> dict[str, Any] | None:
    """POST data as initial values (lists for multi-valued fields)."""
    if data is None:
        return None
    return {key: (values if len(values) > 1 else values[0]) for key, values in data.lists()}


def _render_home(request: HttpRequest, *, intake: IntakeForms | None = None, status: int = 200):
    user = request.user
    now = clock.now()
    sections = queries.home_sections(user)
    ctx: dict[str, Any] = {"now": now, "sections": sections}
    ctx.update(_queues(user, sections, now))
    if request.htmx and request.GET.get("part") == "queues":
        return render(request, "console/partials/queues.html", ctx)
    if "agent" in sections:
        ctx["intake"] = intake or _intake_forms(request)
        ctx["reject_guidance"] = {k: str(v) for k, v in REJECT_GUIDANCE.items()}
    return render(request, "console/home.html", ctx, status=status)


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return _render_home(request)


@require_GET
@staff_required
def home_export(request: HttpRequest, table: str) -> HttpResponse:
    """``GET /console/export/<table>/``: one table of the home page as Excel, for a user whose
    home page shows it (``exports.HOME_TABLES``)."""
    if table not in exports.HOME_TABLES:
        raise Http404
    if not exports.HOME_TABLES[table] & set(queries.home_sections(request.user)):
        message = _("您的工作台没有这张表，不能导出")
        return render(request, "core/error.html", {"status": 403, "message": message}, status=403)
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


def _record_knowledge_usage(*, entry_ids: list[int], ticket: Ticket, actor, now) -> None:
    """Art 22: note which knowledge entries answered the ticket (the knowledge context's
    service; skipped if that context is not installed)."""
    if not entry_ids:
        return
    try:
        from hotline.knowledge.services import knowledge_record_usage
    except ImportError:  # pragma: no cover — the knowledge app is part of the platform
        return
    knowledge_record_usage(entry_ids=entry_ids, ticket_number=ticket.number, actor=actor, now=now)


@require_POST
@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Record an appeal and finish it one of four ways, in one transaction: dispatch (or
    leave it for the dispatchers), answer at once, not accepted, or transfer/three-way call."""
    if "agent" not in queries.home_sections(request.user):
        message = _("只有话务员和嘉宾坐席可以受理登记诉求")
        return render(request, "core/error.html", {"status": 403, "message": message}, status=403)
    f = _intake_forms(request, request.POST)
    action = f.selected
    finishing: django_forms.Form | None = {
        "dispatch": f.dispatch,
        "answer": f.answer,
        "reject": f.reject,
        "contact": f.contact,
    }[action]
    valid = f.main.is_valid() & f.action.is_valid()
    if finishing is not None:
        valid = finishing.is_valid() & valid
    if not valid:
        return _render_home(request, intake=f, status=422)
    now = clock.now()
    user = request.user
    from hotline.console import views_routing  # it imports this module

    try:
        with transaction.atomic():
            grouping = views_routing.intake_incident(request)  # 并单 chosen at intake
            ticket = services.ticket_intake(
                **f.main.service_kwargs(),
                **grouping,
                actor=user,
                now=now,
            ).ticket
            if action == "dispatch" and f.dispatch is not None:
                lead, assists = f.dispatch.units()
                services.ticket_dispatch(
                    ticket=ticket,
                    lead=lead,
                    assists=assists,
                    coordinated=f.dispatch.cleaned_data["coordinated"],
                    note=f.dispatch.cleaned_data["note"],
                    actor=user,
                    now=now,
                )
                done = _("工单 %(n)s 已受理并派单。")
            elif action == "answer":
                entries = f.answer.cleaned_data["knowledge_entries"]
                services.ticket_answer(
                    ticket=ticket,
                    answer=f.answer.cleaned_data["answer"],
                    knowledge_entries=entries,
                    actor=user,
                    now=now,
                )
                _record_knowledge_usage(entry_ids=entries, ticket=ticket, actor=user, now=now)
                done = _("工单 %(n)s 已即时答复（直接办结）。")
            elif action == "reject":
                _reject(request, ticket, f.reject, now)
                done = _("工单 %(n)s 已登记为不予受理。")
            elif action == "contact":
                _contact(request, ticket, f.contact, now)
                done = _("工单 %(n)s 已受理，转接/三方通话已记录。")
            else:
                done = _("工单 %(n)s 已受理，进入派单队列。")
    except DomainError as exc:
        target = (
            finishing if finishing is not None and exc.code in _finishing_codes(action) else None
        )
        _form_error(target or f.main, exc)
        return _render_home(request, intake=f, status=422)
    messages.success(request, done % {"n": ticket.number})
    if action == "contact":
        return _see_other(reverse("console:ticket", args=[ticket.number]))
    return _see_other(reverse("console:home"))


def _finishing_codes(action: str) -> set[str]:
    return {
        "dispatch": {"unknown_org", "duplicate_org", "invalid_input"},
        "answer": {"missing_field", "unknown_entry", "invalid_entries"},
        "reject": {"unknown_reason", "transfer_required", "unknown_line", "closed_ticket_required"},
        "contact": {"consent_required", "unknown_contact_kind"},
    }.get(action, set())


def _reject(request, ticket: Ticket, form: forms.RejectForm, now) -> None:
    d = form.cleaned_data
    closed = None
    if d.get("closed_ticket"):
        try:
            closed = selectors.ticket_get(user=request.user, number=d["closed_ticket"].strip())
        except NotFound:
            raise DomainError(_("原工单不存在"), code="closed_ticket_required") from None
    services.ticket_reject(
        ticket=ticket,
        reason=d["reason"],
        explanation=d["explanation"],
        transferred_to=d.get("transferred_to") or None,
        closed_ticket=closed,
        actor=request.user,
        now=now,
    )


def _contact(request, ticket: Ticket, form: forms.ContactForm, now) -> None:
    d = form.cleaned_data
    services.ticket_contact(
        ticket=ticket,
        kind=d["contact_kind"],
        party=d["party"],
        consent=bool(d.get("consent")),
        actor=request.user,
        now=now,
    )


# -- the ticket page ---------------------------------------------------------------------------


TICKET_ACTIONS = ["dispatch", "answer", "reject", "contact", "sudden_report", "callback", "dispute"]
ASSIGNMENT_ACTIONS = ["sign", "redispatch", "progress", "reply", "extension", "return"]
ACTION_LABELS = {
    "dispatch": gettext_lazy("派单"),
    "answer": gettext_lazy("即时答复"),
    "reject": gettext_lazy("不予受理"),
    "contact": gettext_lazy("转接 / 三方通话"),
    "callback": gettext_lazy("回访"),
    "dispute": gettext_lazy("异议"),
    "sudden_report": gettext_lazy("突发事件报告"),
    "sign": gettext_lazy("签收"),
    "redispatch": gettext_lazy("二次派单"),
    "progress": gettext_lazy("办理进度反馈"),
    "reply": gettext_lazy("答复 / 办理结果回传"),
    "extension": gettext_lazy("延期申请"),
    "return": gettext_lazy("退回"),
    "review_approve": gettext_lazy("审核通过"),
    "review_reject": gettext_lazy("审核驳回"),
}


@dataclass
class ActionForm:
    name: str
    key: str
    form: django_forms.Form
    assignment: Assignment | None = None
    review: Review | None = None

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self.name])


class _Orgs:
    """Handling units for the pickers, loaded once per request and only when needed."""

    def __init__(self) -> None:
        self._all: list[Organisation] | None = None

    def all(self) -> list[Organisation]:
        if self._all is None:
            self._all = queries.handling_orgs()
        return self._all

    def under(self, org: Organisation) -> list[Organisation]:
        return [o for o in self.all() if o.path.startswith(org.path) and o.pk != org.pk]


def _make_form(name: str, data, orgs: _Orgs, *, assignment=None, review=None):
    if name == "dispatch":
        return forms.DispatchForm(data, orgs=orgs.all())
    if name == "redispatch":
        return forms.RedispatchForm(data, orgs=orgs.under(assignment.org))
    if name == "return":
        return forms.ReturnForm(data, orgs=orgs.all())
    if name == "sudden_report":
        return forms.SuddenReportForm(data, orgs=queries.report_recipients())
    if name == "review_approve":
        if review.kind == ReviewKind.RETURN:
            parent = review.assignment.parent if review.assignment_id else None
            pool = orgs.under(parent.org) if parent is not None else orgs.all()
        else:
            pool = []
        return forms.ReviewApproveForm(data, orgs=pool)
    return {
        "answer": forms.AnswerForm,
        "reject": forms.RejectForm,
        "contact": forms.ContactForm,
        "callback": forms.CallbackForm,
        "dispute": forms.DisputeForm,
        "sign": forms.SignForm,
        "extension": forms.ExtensionForm,
        "progress": forms.ProgressForm,
        "reply": forms.ReplyForm,
        "review_reject": forms.ReviewRejectForm,
    }[name](data)


def _ticket_context(request: HttpRequest, ticket: Ticket, *, bound: ActionForm | None = None):
    user = request.user
    now = clock.now()
    orgs = _Orgs()

    def form_for(name: str, key: str, **objects) -> django_forms.Form:
        if bound is not None and bound.key == key:
            return bound.form
        return _make_form(name, None, orgs, **objects)

    ticket_actions = [
        ActionForm(name, name, form_for(name, name))
        for name in TICKET_ACTIONS
        if rules.allowed(user, name, ticket=ticket, now=now)
    ]
    assignments = list(ticket.assignments.all())
    tree = assignment_tree(assignments)
    for view in tree:
        a = view.assignment
        a.ticket = ticket
        for name in ASSIGNMENT_ACTIONS:
            if rules.allowed(user, name, ticket=ticket, assignment=a, now=now):
                key = f"{name}-{a.pk}"
                view.actions.append(
                    ActionForm(name, key, form_for(name, key, assignment=a), assignment=a)
                )
    reviews = list(ticket.reviews.select_related("requested_org", "assignment__org"))
    decidable = set()
    if rules.allowed(user, "review", now=now):
        decidable = set(
            selectors.review_list(user=user, state=ReviewState.PENDING)
            .filter(ticket=ticket)
            .values_list("pk", flat=True)
        )
    review_forms = []
    by_id = {a.pk: a for a in assignments}
    for r in reviews:
        if r.pk not in decidable:
            continue
        if r.assignment_id in by_id:
            r.assignment = by_id[r.assignment_id]
        for name in ("review_approve", "review_reject"):
            key = f"{name}-{r.pk}"
            review_forms.append(ActionForm(name, key, form_for(name, key, review=r), review=r))
    shown = {a.key for a in ticket_actions} | {a.key for a in review_forms}
    shown |= {a.key for v in tree for a in v.actions}
    orphan_errors: list[str] = []
    if bound is not None and bound.key not in shown:
        # the action is no longer offered (state changed, or never allowed): say why here
        orphan_errors = [str(e) for errors in bound.form.errors.values() for e in errors]
    org_names = dict(Organisation.objects.values_list("code", "name"))
    events = [(e, event_details(e, org_names)) for e in ticket.events.all()]
    return {
        "now": now,
        "ticket": ticket,
        "citizen": selectors.citizen_view(user=user, ticket=ticket, now=now),
        "tree": tree,
        "ticket_actions": ticket_actions,
        "has_actions": bool(ticket_actions) or any(v.actions for v in tree),
        "reviews": reviews,
        "review_forms": review_forms,
        "sudden_reports": list(
            ticket.sudden_reports.select_related("reported_by", "recipient_org").order_by(
                "reported_at", "id"
            )
        ),
        "events": events,
        "reject_guidance": {k: str(v) for k, v in REJECT_GUIDANCE.items()},
        "bound_key": bound.key if bound else "",
        "orphan_errors": orphan_errors,
    }


def _ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.ticket_get(user=request.user, number=number)
    except NotFound:
        raise Http404(_("工单不存在")) from None


@require_GET
@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    return render(request, "console/ticket.html", _ticket_context(request, ticket))


@require_POST
@login_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action form of the ticket page. Invalid input or a refused action re-renders
    the page with the message on that form (422); success redirects back (303)."""
    if action not in ACTION_LABELS:
        raise Http404
    ticket = _ticket_or_404(request, number)
    user = request.user
    assignment = review = None
    try:
        if action in ASSIGNMENT_ACTIONS:
            assignment = selectors.assignment_get(
                user=user, assignment_id=_int(request.POST.get("assignment"))
            )
            if assignment.ticket_id != ticket.pk:
                raise Http404
        if action.startswith("review_"):
            review = selectors.review_get(user=user, review_id=_int(request.POST.get("review")))
            if review.ticket_id != ticket.pk:
                raise Http404
    except NotFound:
        raise Http404 from None
    key = action
    if assignment is not None:
        key = f"{action}-{assignment.pk}"
    if review is not None:
        key = f"{action}-{review.pk}"
    form = _make_form(action, request.POST, _Orgs(), assignment=assignment, review=review)
    bound = ActionForm(action, key, form, assignment=assignment, review=review)
    if form.is_valid():
        try:
            with transaction.atomic():
                _perform(request, action, ticket, form, assignment=assignment, review=review)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已完成：%(a)s") % {"a": ACTION_LABELS[action]})
            try:
                selectors.ticket_get(user=user, number=number)
            except NotFound:  # e.g. a unit returned its only assignment on it
                return _see_other(reverse("console:home"))
            return _see_other(reverse("console:ticket", args=[number]))
    ticket = _ticket_or_404(request, number)
    context = _ticket_context(request, ticket, bound=bound)
    return render(request, "console/ticket.html", context, status=422)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def _perform(request, action: str, ticket: Ticket, form, *, assignment, review) -> None:
    user = request.user
    now = clock.now()
    d = form.cleaned_data
    if action == "dispatch":
        lead, assists = form.units()
        services.ticket_dispatch(
            ticket=ticket,
            lead=lead,
            assists=assists,
            coordinated=d["coordinated"],
            note=d["note"],
            actor=user,
            now=now,
        )
    elif action == "answer":
        services.ticket_answer(
            ticket=ticket,
            answer=d["answer"],
            knowledge_entries=d["knowledge_entries"],
            actor=user,
            now=now,
        )
        _record_knowledge_usage(
            entry_ids=d["knowledge_entries"], ticket=ticket, actor=user, now=now
        )
    elif action == "reject":
        _reject(request, ticket, form, now)
    elif action == "contact":
        _contact(request, ticket, form, now)
    elif action == "callback":
        services.ticket_callback(ticket=ticket, **form.values(), actor=user, now=now)
    elif action == "dispute":
        services.ticket_dispute(ticket=ticket, reason=d["reason"], actor=user, now=now)
    elif action == "sudden_report":
        services.ticket_sudden_report(
            ticket=ticket,
            kind=d["kind"],
            recipients=form.all_recipients(),
            note=d["note"],
            actor=user,
            now=now,
        )
    elif action == "sign":
        services.assignment_sign(assignment=assignment, actor=user, now=now)
    elif action == "redispatch":
        lead, assists = form.units()
        services.assignment_redispatch(
            assignment=assignment, lead=lead, assists=assists, actor=user, now=now
        )
    elif action == "return":
        services.assignment_return(
            assignment=assignment,
            reason=d["reason"],
            basis=d["basis"],
            suggested_org=form.suggested(),
            actor=user,
            now=now,
        )
    elif action == "extension":
        services.assignment_request_extension(
            assignment=assignment,
            working_days=d["working_days"],
            reason=d["reason"],
            actor=user,
            now=now,
        )
    elif action == "progress":
        services.assignment_progress(
            assignment=assignment,
            content=d["content"],
            expected_completion=d.get("expected_completion"),
            actor=user,
            now=now,
        )
    elif action == "reply":
        services.assignment_reply(
            assignment=assignment,
            content=d["content"],
            citizen_contacted=d.get("citizen_contacted"),
            actor=user,
            now=now,
        )
    elif action == "review_approve":
        lead, assists = form.units()
        services.review_approve(
            review=review,
            lead=lead,
            assists=assists,
            override=d.get("override", False),
            actor=user,
            now=now,
        )
    elif action == "review_reject":
        services.review_reject(review=review, reason=d["reason"], actor=user, now=now)


# -- lists -------------------------------------------------------------------------------------


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
