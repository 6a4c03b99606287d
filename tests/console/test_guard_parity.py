"""The ticket page offers an action's form exactly when the service accepts the action
(ARCHITECTURE.md principle 2; issue 13 item 6).

Given a ticket in each state the lifecycle (and the demo history) produces, for every role
that works on tickets: the page is rendered for that user and the forms it offers are
collected (``id="act-<key>"``); then every action the page knows (``console.views.actions``)
— on the ticket, on each of its assignments, on each of its reviews — is tried through its
service with valid input, each inside a savepoint rolled back afterwards. The two sets must be
the same: no form the service would refuse (the extension form inside the last 48 hours was
one), no action the service would take that the page hides.

Scope is the selectors' business before the guard's: a user who may not see the ticket gets
a 404 page and is not asked about its actions.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction

from hotline.console.views.actions import ACTIONS, ASSIGNMENT, REVIEW, TICKET
from hotline.core.errors import DomainError

UNIT = "411702-01"  # a township of 驿城区: the assigned unit
SIBLING = "411702-02"  # another township of the same county (an assisting unit)
OTHER = "411721-01"  # a township of another county
COUNTY = "411702"  # the county body (county dispatcher and unit handler)

ROLES = {
    "agent": "agent",
    "dispatcher": "dispatcher",
    "callback": "callback",
    "supervisor": "supervisor",
    "analyst": "analyst",
    "inspector": "inspector",
    "unit handler (assigned)": f"org.{UNIT}",
    "unit handler (assisting)": f"org.{SIBLING}",
    "unit handler (other unit)": f"org.{OTHER}",
    "county dispatcher": f"org.{COUNTY}",
}


class _Rollback(Exception):
    pass


class States:
    """Tickets in the states the lifecycle produces, each made through the services."""

    def __init__(self, build, users, sim):
        self.build = build
        self.users = users
        self.sim = sim

    def _services(self):
        from hotline.tickets import services

        return services

    def _sign(self, ticket, org):
        s = self._services()
        s.assignment_sign(
            assignment=self.build.assignment(ticket, org),
            actor=self.users(f"org.{org}"),
            now=self.sim.now,
        )

    def _reply(self, ticket, org):
        s = self._services()
        s.assignment_reply(
            assignment=self.build.assignment(ticket, org),
            content="已修复路灯，已电话告知诉求人",
            citizen_contacted=True,
            actor=self.users(f"org.{org}"),
            now=self.sim.now,
        )

    def new(self):
        return self.build.new()

    def awaiting_sign(self):
        return self.build.dispatched(lead=UNIT)

    def in_progress(self):
        return self.build.signed(lead=UNIT)

    def return_requested(self):
        return self.build.returned(lead=UNIT)

    def one_replied(self):
        """In handling: the assisting unit has replied, the lead is still at work."""
        ticket = self.build.dispatched(lead=UNIT, assists=[SIBLING])
        self._sign(ticket, UNIT)
        self._sign(ticket, SIBLING)
        self._reply(ticket, SIBLING)
        return ticket

    def extension_pending(self):
        return self.build.extension(lead=UNIT)

    def last_48_hours(self):
        """In progress, 47 hours before the assignment's deadline (Art 15(3): too late to
        ask for an extension; everything else still open)."""
        ticket = self.build.signed(lead=UNIT)
        due = self.build.assignment(ticket, UNIT).due_at
        self.sim.advance(seconds=(due - timedelta(hours=47) - self.sim.now).total_seconds())
        return ticket

    def awaiting_callback(self):
        return self.build.replied(lead=UNIT)

    def closed_evaluated(self):
        ticket = self.build.replied(lead=UNIT)
        self._services().ticket_callback(
            ticket=ticket,
            outcome="unsatisfied",
            resolved=False,
            reasonable=False,
            actor=self.users("callback"),
            now=self.sim.now,
        )
        return ticket

    def dispute_pending(self):
        ticket = self.closed_evaluated()
        self._services().ticket_dispute(
            ticket=ticket,
            reason="诉求人反映的问题不属实，已现场核实",
            actor=self.users(f"org.{UNIT}"),
            now=self.sim.now,
        )
        return ticket

    def county_redispatched(self):
        """The county body signed and passed the ticket to its township, which is at work."""
        ticket = self.build.redispatched(county=COUNTY, child=UNIT)
        self._sign(ticket, UNIT)
        return ticket

    def county_child_return(self):
        """The township asks the county (not the center) to take its assignment back."""
        ticket = self.county_redispatched()
        self._services().assignment_return(
            assignment=self.build.assignment(ticket, UNIT),
            reason="不属于本单位职责",
            basis="三定方案",
            actor=self.users(f"org.{UNIT}"),
            now=self.sim.now,
        )
        return ticket

    def answered_at_intake(self):
        ticket = self.build.new()
        self._services().ticket_answer(
            ticket=ticket,
            answer="已告知诉求人办理流程",
            knowledge_entries=[],
            actor=self.users("agent"),
            now=self.sim.now,
        )
        return ticket


STATES = [
    "new",
    "awaiting_sign",
    "in_progress",
    "return_requested",
    "one_replied",
    "extension_pending",
    "last_48_hours",
    "awaiting_callback",
    "closed_evaluated",
    "dispute_pending",
    "county_redispatched",
    "county_child_return",
    "answered_at_intake",
]


# -- the service calls, with valid input -------------------------------------------------------


def _child_of(org):
    from hotline.orgs.models import Organisation

    child = (
        Organisation.objects.filter(path__startswith=org.path, active=True)
        .exclude(pk=org.pk)
        .order_by("path")
        .first()
    )
    return child or org


def _call(action: str, *, user, now, ticket, assignment=None, review=None) -> None:
    from hotline.tickets import services

    common = {"actor": user, "now": now}
    calls = {
        "dispatch": lambda: services.ticket_dispatch(
            ticket=ticket, lead=services.handling_org(UNIT), assists=[], **common
        ),
        "answer": lambda: services.ticket_answer(
            ticket=ticket, answer="已答复诉求人", knowledge_entries=[], **common
        ),
        "reject": lambda: services.ticket_reject(
            ticket=ticket,
            reason="petition",
            explanation="已进入信访渠道，请按信访程序办理",
            **common,
        ),
        "contact": lambda: services.ticket_contact(
            ticket=ticket, kind="three_way_call", party="供电公司客服", consent=True, **common
        ),
        "sudden_report": lambda: services.ticket_sudden_report(
            ticket=ticket, kind="accident", recipients=[COUNTY], note="", **common
        ),
        "callback": lambda: services.ticket_callback(
            ticket=ticket, outcome="satisfied", resolved=True, reasonable=None, **common
        ),
        "dispute": lambda: services.ticket_dispute(
            ticket=ticket, reason="评价与事实不符，已现场核实", **common
        ),
        "sign": lambda: services.assignment_sign(assignment=assignment, **common),
        "redispatch": lambda: services.assignment_redispatch(
            assignment=assignment, lead=_child_of(assignment.org), assists=[], **common
        ),
        "progress": lambda: services.assignment_progress(
            assignment=assignment, content="正在协调供电部门", expected_completion=None, **common
        ),
        "reply": lambda: services.assignment_reply(
            assignment=assignment, content="已修复", citizen_contacted=True, **common
        ),
        "extension": lambda: services.assignment_request_extension(
            assignment=assignment, working_days=3, reason="需要协调供电部门", **common
        ),
        "return": lambda: services.assignment_return(
            assignment=assignment, reason="不属于本单位职责", basis="三定方案", **common
        ),
        "review_approve": lambda: services.review_approve(
            review=review, lead=None, assists=(), override=False, **common
        ),
        "review_reject": lambda: services.review_reject(
            review=review, reason="理由不充分，请继续办理", **common
        ),
    }
    calls[action]()


def _accepts(action: str, *, user, now, ticket_pk, assignment_pk=None, review_pk=None) -> bool:
    """Whether the service takes the action, on fresh objects, in a savepoint rolled back."""
    from hotline.tickets.models import Assignment, Review, Ticket

    try:
        with transaction.atomic():
            ticket = Ticket.objects.get(pk=ticket_pk)
            assignment = (
                Assignment.objects.select_related("org", "ticket").get(pk=assignment_pk)
                if assignment_pk
                else None
            )
            review = Review.objects.get(pk=review_pk) if review_pk else None
            _call(action, user=user, now=now, ticket=ticket, assignment=assignment, review=review)
            raise _Rollback
    except _Rollback:
        return True
    except DomainError:
        return False


def _candidates(ticket) -> list[tuple[str, str, dict]]:
    """(action, page key, objects) for every action the page could offer on this ticket."""
    out = []
    for name, spec in ACTIONS.items():
        if spec.on == TICKET:
            out.append((name, name, {}))
        elif spec.on == ASSIGNMENT:
            for a in ticket.assignments.order_by("id"):
                out.append((name, f"{name}-{a.pk}", {"assignment_pk": a.pk}))
        elif spec.on == REVIEW:
            for r in ticket.reviews.order_by("id"):
                out.append((name, f"{name}-{r.pk}", {"review_pk": r.pk}))
    return out


OFFERED = re.compile(r'<details class="action action-[\w-]+" id="act-([\w-]+)"')


@pytest.mark.parametrize("state", STATES)
def test_page_offers_exactly_what_the_service_accepts(state, build, users, sim, login):
    from hotline.core import clock

    ticket = getattr(States(build, users, sim), state)()
    now = clock.now()
    checked = 0
    mismatches = []
    for role, username in ROLES.items():
        response = login(username).get(f"/tickets/{ticket.number}/")
        if response.status_code == 404:
            continue  # out of scope: the selectors decide before the guard is asked
        assert response.status_code == 200, (role, response.status_code)
        offered = set(OFFERED.findall(response.content.decode()))
        user = users(username)
        for action, key, objects in _candidates(ticket):
            accepted = _accepts(action, user=user, now=now, ticket_pk=ticket.pk, **objects)
            checked += 1
            if accepted != (key in offered):
                mismatches.append(
                    f"{role}: {key} {'accepted' if accepted else 'refused'} by the service, "
                    f"{'offered' if key in offered else 'not offered'} by the page"
                )
    assert checked, "no role could see the ticket"
    assert not mismatches, f"{state}:\n" + "\n".join(mismatches)


def test_extension_form_not_offered_inside_the_last_48_hours(build, users, sim, login):
    """The defect this test was written for: the page offered the form, the service refused."""
    ticket = States(build, users, sim).last_48_hours()
    assignment = build.assignment(ticket, UNIT)
    html = login(f"org.{UNIT}").get(f"/tickets/{ticket.number}/").content.decode()
    offered = set(OFFERED.findall(html))
    assert f"progress-{assignment.pk}" in offered  # the unit's page does offer its work
    assert f"extension-{assignment.pk}" not in offered
    from hotline.core import clock

    assert not _accepts(
        "extension",
        user=users(f"org.{UNIT}"),
        now=clock.now(),
        ticket_pk=ticket.pk,
        assignment_pk=assignment.pk,
    )
