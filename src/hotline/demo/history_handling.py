"""The demo history's handling steps (Art 15–16): return, extension, progress, reply, callback,
dispute and the reviews.

A mixin of :class:`hotline.demo.history.History`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.demo import topics as demo_topics
from hotline.demo.cases import Asg, Case
from hotline.demo.history_texts import (
    ASSIST_REPLIES,
    COUNTY_REPLY,
    DISPUTE_REASONS,
    DISPUTE_REJECTED,
    EXTENSION_REASONS,
    EXTENSION_REJECTED,
    INCIDENT_FIRST_RESPONSE,
    P_CALLBACK_EXPIRES,
    P_DISPUTE,
    P_LATE_REPLY,
    P_UNSATISFIED_REASONABLE,
    PROGRESS_TEXTS,
    REDO_REPLY_PREFIX,
    RETURN_REJECTED,
    RETURN_WEAK,
    RETURN_WRONG_BASIS,
    RETURN_WRONG_UNIT,
)
from hotline.tickets import deadlines, services
from hotline.tickets.choices import (
    CallbackOutcome,
    ReviewKind,
    ReviewState,
    TicketStatus,
)
from hotline.tickets.models import Review


class HandlingSteps:
    """Returns, extensions, progress, replies, callbacks and disputes of the demo history."""

    # -- return (Art 15(1)) -----------------------------------------------------------------------

    def return_request(self, asg: Asg) -> None:
        case = asg.case
        kind = asg.plan.removeprefix("return:")
        suggested = None
        if kind == "child":
            reason, basis = self.rng.choice(RETURN_WEAK)
        elif asg.wrong:
            suggested = self.orgs[case.lead]
            reason = RETURN_WRONG_UNIT.format(org=suggested.name)
            basis = RETURN_WRONG_BASIS.format(org=suggested.name)
        else:
            reason, basis = self.rng.choice(RETURN_WEAK)
        services.assignment_return(
            assignment=self._obj(asg),
            reason=reason,
            basis=basis,
            suggested_org=suggested,
            actor=self.unit_user(asg.org),
            now=self.now,
        )
        if case.scripted("halt") == "review":
            return
        review = self._pending_review(asg, ReviewKind.RETURN)
        when = self.office(self.now + self.minutes(30, 420), closes=21)
        self.at(when, self.review_return, asg, review)

    def _pending_review(self, asg: Asg, kind: str) -> int:
        return (
            Review.objects.filter(assignment_id=asg.pk, kind=kind, state=ReviewState.PENDING)
            .values_list("pk", flat=True)
            .get()
        )

    def _review(self, case: Case, pk: int) -> Review:
        review = Review(pk=pk, ticket_id=case.ticket.pk)
        review.ticket = case.ticket
        return review

    def review_return(self, asg: Asg, review_pk: int) -> None:
        case = asg.case
        kind = asg.plan.removeprefix("return:")
        review = self._review(case, review_pk)
        if kind == "child":
            reviewer = self.unit_user(asg.parent.org)
            if self.rng.random() < 0.6:
                lead = self._county_child(case, avoid=asg.org)
                services.review_approve(
                    review=review, lead=self.orgs[lead], actor=reviewer, now=self.now
                )
                asg.returned = True
                for child in self._new_assignments(case):
                    self._schedule_sign(child)
            else:
                services.review_reject(
                    review=review, reason=RETURN_REJECTED, actor=reviewer, now=self.now
                )
                self._schedule_reply(asg)
            return
        supervisor = self.user("supervisor")
        if kind == "reject":
            services.review_reject(
                review=review, reason=RETURN_REJECTED, actor=supervisor, now=self.now
            )
            self._schedule_reply(asg)
            return
        single = len([a for a in case.asgs if a.parent is None and not a.returned]) == 1
        requeue = kind == "approve_requeue" and single
        case.ticket = services.review_approve(
            review=review,
            lead=None if requeue else self.orgs[case.lead],
            actor=supervisor,
            now=self.now,
        )
        asg.returned = True
        if requeue:  # back to the dispatch queue; the dispatcher sends it on
            self.at(self.now + self.minutes(10, 90), self.dispatch, case, case.lead, [], False)
            return
        for new in self._new_assignments(case):
            self._schedule_sign(new)

    # -- extension (Art 15(3)) --------------------------------------------------------------------

    def _schedule_extension(self, asg: Asg) -> None:
        latest = deadlines.extension_latest(due_at=asg.due_at)
        when = self.office(self.now + timedelta(hours=self.rng.uniform(3, 30)))
        if when >= latest - timedelta(hours=1):
            self._schedule_reply(asg)
            return
        self.at(when, self.extension, asg)

    def extension(self, asg: Asg) -> None:
        case = asg.case
        base = deadlines.base_working_days(appeal_type=case.appeal_type)
        days = case.scripted("extension_days") or self.rng.randint(min(2, base), base)
        services.assignment_request_extension(
            assignment=self._obj(asg),
            working_days=days,
            reason=self.rng.choice(EXTENSION_REASONS),
            actor=self.unit_user(asg.org),
            now=self.now,
        )
        if case.scripted("halt") == "review":
            return
        review = self._pending_review(asg, ReviewKind.EXTENSION)
        when = self.office(self.now + self.minutes(40, 600), closes=21)
        self.at(when, self.review_extension, asg, review)

    def review_extension(self, asg: Asg, review_pk: int) -> None:
        case = asg.case
        review = self._review(case, review_pk)
        approve = case.scripted("extension_approved", self.rng.random() < 0.78)
        if approve:
            services.review_approve(review=review, actor=self.user("supervisor"), now=self.now)
            self._refresh_due(asg)
            self._schedule_reply(asg, late_chance=0.08, progress_first=self.rng.random() < 0.6)
        else:
            services.review_reject(
                review=review,
                reason=self.rng.choice(EXTENSION_REJECTED),
                actor=self.user("supervisor"),
                now=self.now,
            )
            self._schedule_reply(asg, late_chance=0.25)

    def progress(self, asg: Asg) -> None:
        due = self.cal.local(asg.due_at).date()
        expected = max(due, self.cal.local(self.now).date())
        services.assignment_progress(
            assignment=self._obj(asg),
            content=self.rng.choice(PROGRESS_TEXTS),
            expected_completion=expected,
            citizen_informed=not asg.case.confidential,
            actor=self.unit_user(asg.org),
            now=self.now,
        )

    def first_response(self, asg: Asg) -> None:
        hour = (self.cal.local(self.now) + timedelta(hours=3)).hour
        services.assignment_progress(
            assignment=self._obj(asg),
            content=INCIDENT_FIRST_RESPONSE.format(hour=hour),
            expected_completion=self.cal.local(self.now).date(),
            actor=self.unit_user(asg.org),
            now=self.now,
        )

    # -- reply (Art 15(4)) ------------------------------------------------------------------------

    def _reply_time(self, asg: Asg, *, late: bool = False) -> datetime:
        """When the unit replies: mostly early in the allowed time, in office hours."""
        rng = self.rng
        due = self.cal.local(asg.due_at)
        if asg.parent is None and asg.children:
            due = due - timedelta(hours=2)
        elif asg.parent is not None:
            due = due - timedelta(hours=rng.uniform(4, 20))
        if late:
            return self.office(due + timedelta(hours=rng.uniform(10, 72)))
        days = self.working_days(self.cal.local(self.now).date(), due.date()) or [due.date()]
        index = min(len(days) - 1, int(rng.triangular(0, len(days), 0)))
        when = self.clock(days[index], rng.uniform(8.5, 17.8))
        if when <= self.now + timedelta(minutes=15):
            when = self.now + self.minutes(20, 200)
        return min(when, due - self.minutes(5, 60)) if when > due else when

    def _schedule_reply(
        self, asg: Asg, *, late_chance: float | None = None, progress_first: bool = False
    ) -> None:
        case = asg.case
        if case.scripted("halt") == "reply":
            return
        if asg.children and not all(c.replied or c.returned for c in asg.children):
            return  # the county body replies once its units have
        paced = self.paced(case, 20, 50)
        if paced is not None:
            self.at(paced, self.reply, asg)
            return
        chance = P_LATE_REPLY if late_chance is None else late_chance
        late = not case.script and self.rng.random() < chance
        when = self._reply_time(asg, late=late)
        if progress_first:
            # an interim reply (未办结回复) with progress and the expected date, then the result
            update = self.office(self.now + timedelta(hours=self.rng.uniform(2, 20)))
            if update >= when - timedelta(minutes=30):
                update = self.now + (when - self.now) * self.rng.uniform(0.3, 0.7)
            self.at(update, self.progress, asg)
        self.at(when, self.reply, asg)

    def _reply_text(self, asg: Asg) -> str:
        case = asg.case
        if asg.role == "assist" or (asg.parent is not None and asg.parent.role == "assist"):
            return self.rng.choice(ASSIST_REPLIES)
        if asg.children:
            child = next((c for c in asg.children if c.role == "lead" and c.replied), None)
            if child is not None:
                county = demo_topics.COUNTY_NAMES[case.county]
                unit = self.orgs[child.org].short_name or self.orgs[child.org].name
                return COUNTY_REPLY.format(county=county, unit=unit) + child.reply_text
        scripted = case.scripted("reply_text")
        if scripted:
            return scripted(case)
        text = self._render(case, self.rng.choice(case.topic["reply_templates"]))
        return REDO_REPLY_PREFIX + text if case.redos else text

    def reply(self, asg: Asg) -> None:
        case = asg.case
        asg.reply_text = self._reply_text(asg)
        case.ticket = services.assignment_reply(
            assignment=self._obj(asg),
            content=asg.reply_text,
            citizen_contacted=not case.confidential,
            actor=self.unit_user(asg.org),
            now=self.now,
        )
        asg.replied = True
        if asg.parent is not None:
            siblings = asg.parent.children
            if all(c.replied or c.returned for c in siblings):
                when = self.office(self.now + self.minutes(30, 400))
                if case.scripted("pace") is not None:
                    when = self.paced(case, 1, 6) or when
                self.at(when, self.reply, asg.parent)
            return
        if case.ticket.status == TicketStatus.AWAITING_CALLBACK:
            self._schedule_callback(case)

    # -- callback and closing (Art 16) ----------------------------------------------------------

    def _schedule_callback(self, case: Case) -> None:
        if case.scripted("halt") == "callback":
            return
        outcomes = case.scripted("callbacks")
        if outcomes is not None and outcomes and outcomes[0] == "expire":
            return
        if outcomes is None and self.rng.random() < P_CALLBACK_EXPIRES:
            return  # nobody reached: the timer closes it as basically satisfied
        due = case.ticket.callback_due_at
        paced = self.paced(case, 16, 30)
        if paced is not None:
            self.at(paced, self.callback, case)
            return
        when = self.now + timedelta(hours=self.rng.uniform(1, 60))
        when = self.office(when, opens=8.5, closes=20.5, any_day=True)
        if due is not None and when >= due - timedelta(minutes=10):
            when = self.office(
                self.now + self.minutes(30, 180), opens=8.5, closes=20.5, any_day=True
            )
            if when >= due - timedelta(minutes=10):
                return
        self.at(when, self.callback, case)

    def _outcome(self, case: Case) -> tuple[str, bool | None, bool | None]:
        outcomes = case.scripted("callbacks")
        if outcomes:
            choice = outcomes.pop(0)
            if choice == "unsatisfied_reasonable":
                return CallbackOutcome.UNSATISFIED, False, True
            if choice == "unsatisfied_lawful":
                return CallbackOutcome.UNSATISFIED, False, False
            return choice, True, None
        r = self.rng.random()
        if case.redos:
            if r < 0.55:
                return CallbackOutcome.SATISFIED, True, None
            if r < 0.85:
                return CallbackOutcome.BASICALLY_SATISFIED, True, None
            return CallbackOutcome.UNSATISFIED, False, self.rng.random() < 0.1
        if r < 0.67:
            return CallbackOutcome.SATISFIED, True, None
        if r < 0.855:
            return CallbackOutcome.BASICALLY_SATISFIED, self.rng.random() < 0.9, None
        if r < 0.96:
            reasonable = self.rng.random() < P_UNSATISFIED_REASONABLE
            return CallbackOutcome.UNSATISFIED, self.rng.random() < 0.3, reasonable
        return CallbackOutcome.NO_RESPONSE, None, None

    def callback(self, case: Case) -> None:
        outcome, resolved, reasonable = self._outcome(case)
        case.ticket = services.ticket_callback(
            ticket=case.ticket,
            outcome=outcome,
            resolved=resolved,
            reasonable=reasonable,
            actor=self.user("callback"),
            now=self.now,
        )
        if case.ticket.status == TicketStatus.IN_HANDLING:  # sent back for redo
            case.redos += 1
            for asg in case.asgs:
                if asg.parent is None and not asg.returned:
                    self._refresh_due(asg)
                    self._schedule_reply(asg)
            return
        lawful = outcome == CallbackOutcome.UNSATISFIED
        if lawful and not case.script and self.rng.random() < P_DISPUTE:
            lead = next((a for a in case.asgs if a.parent is None and a.role == "lead"), None)
            if lead is not None and not lead.returned:
                when = self.office(self.now + timedelta(hours=self.rng.uniform(2, 48)))
                self.at(when, self.dispute, case, lead.org)

    def dispute(self, case: Case, org: str) -> None:
        case.ticket = services.ticket_dispute(
            ticket=case.ticket,
            reason=self.rng.choice(DISPUTE_REASONS),
            actor=self.unit_user(org),
            now=self.now,
        )
        review = (
            Review.objects.filter(
                ticket_id=case.ticket.pk, kind=ReviewKind.DISPUTE, state=ReviewState.PENDING
            )
            .values_list("pk", flat=True)
            .get()
        )
        when = self.office(self.now + timedelta(hours=self.rng.uniform(4, 72)))
        self.at(when, self.review_dispute, case, review)

    def review_dispute(self, case: Case, review_pk: int) -> None:
        review = self._review(case, review_pk)
        supervisor = self.user("supervisor")
        if self.rng.random() < 0.45:
            services.review_approve(review=review, actor=supervisor, now=self.now)
        else:
            services.review_reject(
                review=review, reason=DISPUTE_REJECTED, actor=supervisor, now=self.now
            )
