"""The one table of the ticket page's actions: for each action name, what it acts on (the
ticket, one of its assignments, or a pending review), the form that collects its input and
the service call it makes. The intake panel finishes an appeal through the same entries
(dispatch, answer, reject, contact).

Whether an action's form is offered is the guard's (``rules.allowed`` with the action's name;
``review`` for the review decisions), asked by ``views.ticket`` — never by this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms as django_forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.console import forms, queries
from hotline.core.errors import DomainError, NotFound
from hotline.orgs.models import Organisation, User
from hotline.tickets import selectors, services
from hotline.tickets.choices import ReviewKind
from hotline.tickets.models import Assignment, Review, Ticket

TICKET = "ticket"
ASSIGNMENT = "assignment"
REVIEW = "review"


class Pickers:
    """Handling units for the pickers, loaded once per request and only when needed."""

    def __init__(self) -> None:
        self._all: list[Organisation] | None = None

    def all(self) -> list[Organisation]:
        if self._all is None:
            self._all = queries.handling_orgs()
        return self._all

    def under(self, org: Organisation) -> list[Organisation]:
        return [o for o in self.all() if o.path.startswith(org.path) and o.pk != org.pk]


@dataclass
class Call:
    """One submitted action: its validated form and what it acts on."""

    form: django_forms.Form
    ticket: Ticket
    user: User
    now: datetime
    assignment: Assignment | None = None
    review: Review | None = None

    @property
    def data(self) -> dict[str, Any]:
        return self.form.cleaned_data


FormFactory = Callable[..., django_forms.Form]


@dataclass(frozen=True)
class Action:
    label: Promise
    on: str  # TICKET, ASSIGNMENT or REVIEW
    form: FormFactory  # (data, pickers, *, assignment, review) -> the bound or blank form
    perform: Callable[[Call], object]  # the service call (inside the page's transaction)


def _plain(form_class: type[django_forms.Form]) -> FormFactory:
    return lambda data, pickers, **_objects: form_class(data)


# -- the service calls -------------------------------------------------------------------------


def _dispatch(c: Call):
    lead, assists = c.form.units()
    return services.ticket_dispatch(
        ticket=c.ticket,
        lead=lead,
        assists=assists,
        coordinated=c.data["coordinated"],
        note=c.data["note"],
        actor=c.user,
        now=c.now,
    )


def _answer(c: Call):
    # the knowledge entries' use (Art 22) is recorded by the knowledge context on the
    # service's ``ticket_answered`` hook, for the page and the API alike
    return services.ticket_answer(
        ticket=c.ticket,
        answer=c.data["answer"],
        knowledge_entries=c.data["knowledge_entries"],
        actor=c.user,
        now=c.now,
    )


def _reject(c: Call):
    closed = None
    if c.data.get("closed_ticket"):
        try:
            closed = selectors.ticket_get(user=c.user, number=c.data["closed_ticket"].strip())
        except NotFound:
            raise DomainError(_("原工单不存在"), code="closed_ticket_required") from None
    return services.ticket_reject(
        ticket=c.ticket,
        reason=c.data["reason"],
        explanation=c.data["explanation"],
        transferred_to=c.data.get("transferred_to") or None,
        closed_ticket=closed,
        actor=c.user,
        now=c.now,
    )


def _contact(c: Call):
    return services.ticket_contact(
        ticket=c.ticket,
        kind=c.data["contact_kind"],
        party=c.data["party"],
        consent=bool(c.data.get("consent")),
        actor=c.user,
        now=c.now,
    )


def _sudden_report(c: Call):
    return services.ticket_sudden_report(
        ticket=c.ticket,
        kind=c.data["kind"],
        recipients=c.form.all_recipients(),
        note=c.data["note"],
        actor=c.user,
        now=c.now,
    )


def _redispatch(c: Call):
    lead, assists = c.form.units()
    return services.assignment_redispatch(
        assignment=c.assignment, lead=lead, assists=assists, actor=c.user, now=c.now
    )


def _return(c: Call):
    return services.assignment_return(
        assignment=c.assignment,
        reason=c.data["reason"],
        basis=c.data["basis"],
        suggested_org=c.form.suggested(),
        actor=c.user,
        now=c.now,
    )


def _review_approve(c: Call):
    lead, assists = c.form.units()
    return services.review_approve(
        review=c.review,
        lead=lead,
        assists=assists,
        override=c.data.get("override", False),
        actor=c.user,
        now=c.now,
    )


def _review_approve_form(data, pickers: Pickers, *, review: Review, **_objects):
    if review.kind == ReviewKind.RETURN:
        parent = review.assignment.parent if review.assignment_id else None
        pool = pickers.under(parent.org) if parent is not None else pickers.all()
    else:
        pool = []
    return forms.ReviewApproveForm(data, orgs=pool)


# -- the table ---------------------------------------------------------------------------------

# In the order the page shows them: the ticket's own actions, then each assignment's.
ACTIONS: dict[str, Action] = {
    "dispatch": Action(
        gettext_lazy("派单"),
        TICKET,
        lambda data, pickers, **_o: forms.DispatchForm(data, orgs=pickers.all()),
        _dispatch,
    ),
    "answer": Action(gettext_lazy("即时答复"), TICKET, _plain(forms.AnswerForm), _answer),
    "reject": Action(gettext_lazy("不予受理"), TICKET, _plain(forms.RejectForm), _reject),
    "contact": Action(gettext_lazy("转接 / 三方通话"), TICKET, _plain(forms.ContactForm), _contact),
    "sudden_report": Action(
        gettext_lazy("突发事件报告"),
        TICKET,
        lambda data, pickers, **_o: forms.SuddenReportForm(data, orgs=queries.report_recipients()),
        _sudden_report,
    ),
    "callback": Action(
        gettext_lazy("回访"),
        TICKET,
        _plain(forms.CallbackForm),
        lambda c: services.ticket_callback(
            ticket=c.ticket, **c.form.values(), actor=c.user, now=c.now
        ),
    ),
    "dispute": Action(
        gettext_lazy("异议"),
        TICKET,
        _plain(forms.DisputeForm),
        lambda c: services.ticket_dispute(
            ticket=c.ticket, reason=c.data["reason"], actor=c.user, now=c.now
        ),
    ),
    "sign": Action(
        gettext_lazy("签收"),
        ASSIGNMENT,
        _plain(forms.SignForm),
        lambda c: services.assignment_sign(assignment=c.assignment, actor=c.user, now=c.now),
    ),
    "redispatch": Action(
        gettext_lazy("二次派单"),
        ASSIGNMENT,
        lambda data, pickers, *, assignment, **_o: forms.RedispatchForm(
            data, orgs=pickers.under(assignment.org)
        ),
        _redispatch,
    ),
    "progress": Action(
        gettext_lazy("办理进度反馈"),
        ASSIGNMENT,
        _plain(forms.ProgressForm),
        lambda c: services.assignment_progress(
            assignment=c.assignment,
            content=c.data["content"],
            expected_completion=c.data.get("expected_completion"),
            actor=c.user,
            now=c.now,
        ),
    ),
    "reply": Action(
        gettext_lazy("答复 / 办理结果回传"),
        ASSIGNMENT,
        _plain(forms.ReplyForm),
        lambda c: services.assignment_reply(
            assignment=c.assignment,
            content=c.data["content"],
            citizen_contacted=c.data.get("citizen_contacted"),
            actor=c.user,
            now=c.now,
        ),
    ),
    "extension": Action(
        gettext_lazy("延期申请"),
        ASSIGNMENT,
        _plain(forms.ExtensionForm),
        lambda c: services.assignment_request_extension(
            assignment=c.assignment,
            working_days=c.data["working_days"],
            reason=c.data["reason"],
            actor=c.user,
            now=c.now,
        ),
    ),
    "return": Action(
        gettext_lazy("退回"),
        ASSIGNMENT,
        lambda data, pickers, **_o: forms.ReturnForm(data, orgs=pickers.all()),
        _return,
    ),
    "review_approve": Action(
        gettext_lazy("审核通过"), REVIEW, _review_approve_form, _review_approve
    ),
    "review_reject": Action(
        gettext_lazy("审核驳回"),
        REVIEW,
        _plain(forms.ReviewRejectForm),
        lambda c: services.review_reject(
            review=c.review, reason=c.data["reason"], actor=c.user, now=c.now
        ),
    ),
}

TICKET_ACTIONS = [name for name, a in ACTIONS.items() if a.on == TICKET]
ASSIGNMENT_ACTIONS = [name for name, a in ACTIONS.items() if a.on == ASSIGNMENT]
REVIEW_ACTIONS = [name for name, a in ACTIONS.items() if a.on == REVIEW]


def make_form(name: str, data, pickers: Pickers, *, assignment=None, review=None):
    return ACTIONS[name].form(data, pickers, assignment=assignment, review=review)


@dataclass
class ActionForm:
    """One action form as the page shows it (``key`` names it among the page's forms)."""

    name: str
    key: str
    form: django_forms.Form
    assignment: Assignment | None = None
    review: Review | None = None

    @property
    def label(self) -> str:
        return str(ACTIONS[self.name].label)
