"""The ticket page: the ticket, its assignment tree, reviews, reports and events, and the
action forms the guard allows this user now (``actions.ACTIONS``); each form posts to
``ticket_action``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.console.labels import REJECT_GUIDANCE
from hotline.console.presenters import assignment_tree, event_details
from hotline.console.views.actions import (
    ACTIONS,
    ASSIGNMENT,
    ASSIGNMENT_ACTIONS,
    REVIEW,
    REVIEW_ACTIONS,
    TICKET_ACTIONS,
    ActionForm,
    Call,
    Pickers,
    make_form,
)
from hotline.console.views.common import form_error, parse_id, ticket_or_404
from hotline.core import clock
from hotline.core.errors import DomainError, NotFound
from hotline.core.views import see_other
from hotline.orgs.models import Organisation
from hotline.tickets import rules, selectors
from hotline.tickets.choices import ReviewState
from hotline.tickets.models import Ticket


def ticket_context(request: HttpRequest, ticket: Ticket, *, bound: ActionForm | None = None):
    user = request.user
    now = clock.now()
    pickers = Pickers()

    def form_for(name: str, key: str, **objects):
        if bound is not None and bound.key == key:
            return bound.form
        return make_form(name, None, pickers, **objects)

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
        for name in REVIEW_ACTIONS:
            key = f"{name}-{r.pk}"
            review_forms.append(ActionForm(name, key, form_for(name, key, review=r), review=r))
    shown = {a.key for a in ticket_actions} | {a.key for a in review_forms}
    shown |= {a.key for v in tree for a in v.actions}
    orphan_errors: list[str] = []
    if bound is not None and bound.key not in shown:
        # the action is no longer offered (state changed, or never allowed): say why here
        orphan_errors = [str(e) for errors in bound.form.errors.values() for e in errors]
    org_names = dict(Organisation.objects.values_list("code", "name"))
    # issue 19 F1: no link to another ticket where a confidential citizen could be identified
    hide_links = selectors.links_hidden(user=user, ticket=ticket)
    events = []
    for e in ticket.events.all():
        e.data = selectors.event_data_for(user=user, ticket=ticket, data=e.data, hidden=hide_links)
        events.append((e, event_details(e, org_names)))
    return {
        "now": now,
        "ticket": ticket,
        "hide_links": hide_links,
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


@require_GET
@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    return render(request, "console/ticket.html", ticket_context(request, ticket))


@require_POST
@login_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action form of the ticket page. Invalid input or a refused action re-renders
    the page with the message on that form (422); success redirects back (303)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    ticket = ticket_or_404(request, number)
    user = request.user
    assignment = review = None
    try:
        if spec.on == ASSIGNMENT:
            assignment = selectors.assignment_get(
                user=user, assignment_id=parse_id(request.POST.get("assignment"))
            )
            if assignment.ticket_id != ticket.pk:
                raise Http404
        if spec.on == REVIEW:
            review = selectors.review_get(user=user, review_id=parse_id(request.POST.get("review")))
            if review.ticket_id != ticket.pk:
                raise Http404
    except NotFound:
        raise Http404 from None
    key = action
    if assignment is not None:
        key = f"{action}-{assignment.pk}"
    if review is not None:
        key = f"{action}-{review.pk}"
    form = make_form(action, request.POST, Pickers(), assignment=assignment, review=review)
    bound = ActionForm(action, key, form, assignment=assignment, review=review)
    if form.is_valid():
        call = Call(
            form=form,
            ticket=ticket,
            user=user,
            now=clock.now(),
            assignment=assignment,
            review=review,
        )
        try:
            with transaction.atomic():
                spec.perform(call)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已完成：%(a)s") % {"a": spec.label})
            try:
                selectors.ticket_get(user=user, number=number)
            except NotFound:  # e.g. a unit returned its only assignment on it
                return see_other(reverse("console:home"))
            return see_other(reverse("console:ticket", args=[number]))
    ticket = ticket_or_404(request, number)
    context = ticket_context(request, ticket, bound=bound)
    return render(request, "console/ticket.html", context, status=422)
