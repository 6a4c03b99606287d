"""Recording an appeal (Art 11, 14): the intake panel of the agents' home page posts here and
finishes the new ticket one of four ways through the ticket page's action table."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotline.console import queries
from hotline.console.views.actions import ACTIONS, Call
from hotline.console.views.common import forbidden, form_error
from hotline.console.views.home import intake_forms, render_home
from hotline.console.views.routing import intake_incident
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.views import see_other
from hotline.tickets import services

# What the agent is told, per way to finish ("queued": dispatch chosen without the right to
# dispatch — the ticket waits in the dispatchers' queue).
DONE = {
    "dispatch": gettext_lazy("工单 %(n)s 已受理并派单。"),
    "answer": gettext_lazy("工单 %(n)s 已即时答复（直接办结）。"),
    "reject": gettext_lazy("工单 %(n)s 已登记为不予受理。"),
    "contact": gettext_lazy("工单 %(n)s 已受理，转接/三方通话已记录。"),
    "queued": gettext_lazy("工单 %(n)s 已受理，进入派单队列。"),
}

# The service error codes shown on the form of the way to finish (others: on the main form).
FINISHING_CODES = {
    "dispatch": {"unknown_org", "duplicate_org", "invalid_input"},
    "answer": {"missing_field", "unknown_entry", "invalid_entries"},
    "reject": {"unknown_reason", "transfer_required", "unknown_line", "closed_ticket_required"},
    "contact": {"consent_required", "unknown_contact_kind"},
}


@require_POST
@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Record an appeal and finish it one of four ways, in one transaction: dispatch (or
    leave it for the dispatchers), answer at once, not accepted, or transfer/three-way call."""
    if "agent" not in queries.home_sections(request.user):
        return forbidden(request, _("只有话务员和嘉宾坐席可以受理登记诉求"))
    f = intake_forms(request, request.POST)
    action = f.selected
    finishing = f.finishing
    valid = f.main.is_valid() & f.action.is_valid()
    if finishing is not None:
        valid = finishing.is_valid() & valid
    if not valid:
        return render_home(request, intake=f, status=422)
    now = clock.now()
    user = request.user
    try:
        with transaction.atomic():
            grouping = intake_incident(request)  # 并单 chosen at intake
            ticket = services.ticket_intake(
                **f.main.service_kwargs(),
                **grouping,
                actor=user,
                now=now,
            ).ticket
            if finishing is not None:
                ACTIONS[action].perform(Call(form=finishing, ticket=ticket, user=user, now=now))
    except DomainError as exc:
        target = (
            finishing if finishing is not None and exc.code in FINISHING_CODES[action] else None
        )
        form_error(target or f.main, exc)
        return render_home(request, intake=f, status=422)
    done = DONE[action if finishing is not None else "queued"]
    messages.success(request, done % {"n": ticket.number})
    if action == "contact":
        return see_other(reverse("console:ticket", args=[ticket.number]))
    return see_other(reverse("console:home"))
