"""The demo history's first steps (Art 10–15(1)): intake, dispatch, sign, county re-dispatch.

A mixin of :class:`hotline.demo.history.History`; every step calls the services with the
business time of its event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hotline.demo import org_data as demo_data
from hotline.demo.cases import Asg, Case
from hotline.demo.history_texts import (
    ANSWER_FALLBACK,
    ANSWERS,
    CHANNEL_PREFIX,
    CONTACT_PARTIES,
    COORDINATION_NOTE,
    NOT_ACCEPTED,
    P_ASSIST,
    P_CHILD_RETURN,
    P_CONTACT,
    P_COORDINATED,
    P_EXTENSION,
    P_LATE_DISPATCH,
    P_LOCAL_LEAD_CITY,
    P_LOCAL_LEAD_COUNTY,
    P_OCCURRED_UNKNOWN,
    P_PROGRESS,
    P_REDISPATCH,
    P_REJECT,
    P_REPEAT,
    P_REPEAT_REJECTED,
    P_RETURN,
    P_RETURN_LATE,
    REPEAT_CLOSED_EXPLANATION,
    REPEAT_PREFIXES,
    REPEAT_SUFFIXES,
    SUBCENTER_PREFIX,
)
from hotline.orgs.choices import OrgKind
from hotline.tickets import deadlines, services
from hotline.tickets.choices import (
    AssignmentStatus,
    NotAcceptedReason,
    TicketStatus,
)
from hotline.tickets.models import Assignment, Ticket


class IntakeSteps:
    """Intake, dispatch, signing and the county re-dispatch of the demo history."""

    # -- intake (Art 10–14) -----------------------------------------------------------------------

    def intake_random(self) -> None:
        rng = self.rng
        moment = self.now
        if rng.random() < P_REPEAT and (original := self._repeatable(moment)) is not None:
            self._intake_repeat(original)
            return
        case = self._new_case(moment)
        if rng.random() < P_REJECT:
            self._intake_rejected(case, self.reject_cycle[self.intakes % len(self.reject_cycle)])
            return
        pairs, weights, p_answer = self._mix(self.cal.local(moment).month)
        case.topic, case.appeal_type = rng.choices(pairs, weights=weights)[0]
        case.content = self._render(case, rng.choice(case.topic["templates"]))
        self._channel(case)
        answer = (
            case.appeal_type == "consultation"
            and case.topic.get("answerable")
            and case.channel in ("phone", "web", "mobile")
            and rng.random() < p_answer
        )
        self._intake(case)
        if answer:
            answer_at = self.now + self.minutes(3, 9)
            if rng.random() < P_CONTACT and case.topic["code"] in CONTACT_PARTIES:
                self.at(self.now + self.minutes(1, 3), self.contact, case)
                answer_at += self.minutes(2, 5)  # after the three-way call or transfer
            self.at(answer_at, self.answer, case)
        else:
            self.recent.append(case)
            self._schedule_dispatch(case)

    def _intake(self, case: Case, *, major: bool = False) -> None:
        topic = case.topic or {}
        category = self.categories.get(topic.get("category", case.scripted("category", "")))
        occurred = None
        if self.rng.random() >= P_OCCURRED_UNKNOWN:
            occurred = self.now - timedelta(hours=self.rng.uniform(0.5, 96))
        seat = topic.get("special_seat") or ""
        if seat and self.rng.random() < 0.25:
            seat = "enterprise"
        result = services.ticket_intake(
            channel=case.channel,
            appeal_type=case.appeal_type,
            content=case.content,
            citizen_name=case.citizen[0],
            citizen_phone=case.citizen[1],
            confidential=case.confidential,
            county=self.orgs[case.county],
            address=case.scripted("address") or self._address(case),
            occurred_at=case.scripted("occurred_at", occurred),
            category=category,
            major_incident=major,
            special_seat=seat or None,
            external_id=self._external_id(case),
            incident=self.incident if major else None,
            actor=self.user("agent"),
            now=self.now,
        )
        case.ticket = result.ticket
        self.intakes += 1

    def contact(self, case: Case) -> None:
        kind = self.rng.choice(("three_way_call", "transfer", "expert_seat"))
        services.ticket_contact(
            ticket=case.ticket,
            kind=kind,
            party=CONTACT_PARTIES[case.topic["code"]],
            consent=True,
            actor=self.user("agent"),
            now=self.now,
        )

    def answer(self, case: Case) -> None:
        text = self.rng.choice(ANSWERS.get(case.topic["code"], [ANSWER_FALLBACK]))
        case.ticket = services.ticket_answer(
            ticket=case.ticket, answer=text, actor=self.user("agent"), now=self.now
        )

    def _intake_rejected(self, case: Case, reason: str) -> None:
        content, explanation, line = self.rng.choice(NOT_ACCEPTED[reason])
        case.appeal_type = "help" if reason == NotAcceptedReason.EMERGENCY else "consultation"
        case.content = self._fill(content, case)
        case.channel = "phone"
        self._intake(case)
        self.at(self.now + self.minutes(2, 6), self.reject, case, reason, explanation, line)

    def reject(self, case: Case, reason: str, explanation: str, line: str) -> None:
        case.ticket = services.ticket_reject(
            ticket=case.ticket,
            reason=reason,
            explanation=explanation,
            transferred_to=line or None,
            actor=self.user("agent"),
            now=self.now,
        )

    def _repeatable(self, moment: datetime) -> Case | None:
        earliest = moment - timedelta(days=25)
        latest = moment - timedelta(days=2)
        self.recent = [c for c in self.recent if c.received_at >= earliest]
        candidates = [
            c
            for c in self.recent
            if c.received_at <= latest and not c.script and not c.repeated and c.topic
        ]
        return self.rng.choice(candidates) if candidates else None

    def _intake_repeat(self, original: Case) -> None:
        rng = self.rng
        case = Case(
            received_at=self.now,
            county=original.county,
            appeal_type=original.appeal_type,
            topic=original.topic,
            citizen=original.citizen,
            confidential=original.confidential,
            township=original.township,
            text_seed=original.text_seed,
            repeat_of=original,
            repeated=True,
        )
        body = original.content
        for prefix in (*CHANNEL_PREFIX.values(), *SUBCENTER_PREFIX.values()):
            body = body.removeprefix(prefix)
        case.content = rng.choice(REPEAT_PREFIXES) + body + rng.choice(REPEAT_SUFFIXES)
        self._intake(case)
        original.repeated = True  # one repeat per original is enough for the demo
        status = Ticket.objects.filter(pk=original.ticket.pk).values_list("status", flat=True)
        if status.get() == TicketStatus.CLOSED and rng.random() < P_REPEAT_REJECTED:
            self.at(
                self.now + self.minutes(3, 8),
                self.reject,
                case,
                NotAcceptedReason.REPEAT_AFTER_CLOSURE,
                REPEAT_CLOSED_EXPLANATION,
                "",
            )
            return
        case.lead = original.lead
        self._schedule_dispatch(case)

    # -- dispatch (Art 14, 18) ----------------------------------------------------------------

    def _resolve(self, unit: str, case: Case) -> str:
        """A topic's unit token: a unit code, or the ticket's county body or township."""
        return {"county": case.county, "township": case.township}.get(unit, unit)

    def _choose_units(self, case: Case) -> tuple[str, list[str], bool]:
        rng = self.rng
        topic = case.topic or {}
        tokens = list(topic.get("units", ["county"]))
        resolved = list(dict.fromkeys(self._resolve(t, case) for t in tokens))
        city = [t for t in tokens if t not in ("county", "township")]
        local = [self._resolve(t, case) for t in tokens if t in ("county", "township")]
        if case.lead:
            lead = case.lead
        elif topic.get("special_seat"):
            lead = "devreform" if rng.random() < 0.75 else "commerce"
        elif not city:
            lead = local[0] if rng.random() < 0.8 or len(local) == 1 else local[-1]
        elif local:
            in_city = case.county == "411702" or case.county.startswith("zone-")
            p_local = P_LOCAL_LEAD_CITY if in_city else P_LOCAL_LEAD_COUNTY
            if rng.random() < p_local:
                lead = local[0] if rng.random() < 0.8 or len(local) == 1 else local[-1]
            else:
                lead = city[0] if rng.random() < 0.85 or len(city) == 1 else rng.choice(city[1:])
        else:
            lead = city[0] if rng.random() < 0.85 or len(city) == 1 else rng.choice(city[1:])
        others = [u for u in resolved if u != lead and u in self.orgs]
        coordinated = (
            case.appeal_type in ("complaint", "report")
            and len(others) >= 1
            and not case.script
            and rng.random() < P_COORDINATED
        )
        assists: list[str] = []
        if coordinated:
            assists = rng.sample(others, min(len(others), rng.choice((1, 2))))
        elif others and not case.script and rng.random() < P_ASSIST:
            assists = [rng.choice(others)]
        return lead, assists, coordinated

    def _wrong_unit(self, case: Case, right: str) -> str:
        """A plausible wrong unit for a dispatch that will be returned (Art 15(1))."""
        topic_units = {self._resolve(t, case) for t in (case.topic or {}).get("units", [])}
        if self.orgs[right].kind == OrgKind.COUNTY or right.startswith(case.county + "-"):
            others = [c for c in demo_data.COUNTY_CODES if c != case.county]
            return self.rng.choice(others)
        options = [u for u in self.city_units if u not in topic_units and u != right]
        return self.rng.choice(options)

    def _dispatch_delay(self, moment: datetime) -> datetime:
        rng = self.rng
        local = self.cal.local(moment)
        if rng.random() < P_LATE_DISPATCH:
            return moment + timedelta(hours=rng.uniform(12.3, 20))
        if 7 <= local.hour < 22:
            return moment + timedelta(minutes=min(240.0, rng.lognormvariate(3.2, 0.8) + 3))
        if rng.random() < 0.5:  # the night shift dispatches what it can
            return moment + self.minutes(20, 150)
        return self.office(moment, opens=8, closes=22, any_day=True)

    def _schedule_dispatch(self, case: Case) -> None:
        if case.scripted("halt") == "dispatch":
            return
        when = case.scripted("dispatch_at") or self._dispatch_delay(self.now)
        lead, assists, coordinated = self._choose_units(case)
        if case.scripted("lead"):
            lead, assists, coordinated = case.scripted("lead"), [], False
        plan = case.scripted("return")
        if plan is None and not case.script and not coordinated and self.rng.random() < P_RETURN:
            plan = self.rng.choice(("approve", "approve", "approve_requeue", "reject"))
        sent_to = lead
        if plan in ("approve", "approve_requeue"):
            sent_to = self._wrong_unit(case, lead)
        self.at(when, self.dispatch, case, sent_to, assists, coordinated, plan, lead)

    def dispatch(
        self,
        case: Case,
        lead: str,
        assists: list[str],
        coordinated: bool,
        plan: str | None = None,
        right: str = "",
    ) -> None:
        note = ""
        if coordinated:
            note = COORDINATION_NOTE.format(
                lead=self.orgs[lead].name, assists="、".join(self.orgs[a].name for a in assists)
            )
        case.ticket = services.ticket_dispatch(
            ticket=case.ticket,
            lead=self.orgs[lead],
            assists=[self.orgs[a] for a in assists],
            coordinated=coordinated,
            note=note,
            actor=self.user("dispatcher"),
            now=self.now,
        )
        case.lead = case.lead or right or lead
        for asg in self._new_assignments(case, case.ticket):
            if asg.role == "lead" and plan:
                asg.plan = f"return:{plan}"
                asg.wrong = plan.startswith("approve")
            self._schedule_sign(asg)

    def _new_assignments(self, case: Case, returned: Ticket | None = None) -> list[Asg]:
        """The assignments not yet known, read back in one query (the services return the
        ticket, not the rows they created)."""
        known = {a.pk for a in case.asgs}
        rows: Any = (
            Assignment.objects.filter(ticket_id=case.ticket.pk)
            .order_by("id")
            .values_list("pk", "org__code", "role", "sign_due_at", "parent_id")
        )
        created = []
        for pk, org, role, sign_due, parent_id in rows:
            if pk in known:
                continue
            asg = Asg(pk=pk, org=org, role=role, case=case, sign_due_at=sign_due)
            asg.parent = next((a for a in case.asgs if a.pk == parent_id), None)
            if asg.parent is not None:
                asg.parent.children.append(asg)
            case.asgs.append(asg)
            created.append(asg)
        return created

    def _obj(self, asg: Asg) -> Assignment:
        obj = Assignment(pk=asg.pk, ticket_id=asg.case.ticket.pk)
        obj.ticket = asg.case.ticket
        obj.org = self.orgs[asg.org]  # reference data the services need not read again
        return obj

    # -- sign (Art 15(1)) -------------------------------------------------------------------------

    def _schedule_sign(self, asg: Asg) -> None:
        case = asg.case
        if case.scripted("halt") == "sign":
            return
        rng = self.rng
        local = self.cal.local(self.now)
        scripted = case.scripted("sign_at")
        if scripted and asg.parent is None:
            self.at(scripted, self.sign, asg)
            return
        working = self.cal.is_working_day(local.date())
        if case.ticket.major_incident:
            p_manual, delay = 1.0, self.minutes(2, 9)
        elif case.script:
            p_manual, delay = 1.0, self.minutes(3, 40)
        elif working and 8 <= local.hour < 18:
            p_manual, delay = 0.96, self.minutes(3, 70)
        elif 7 <= local.hour < 22:  # evenings and weekends: the unit's duty officer
            p_manual, delay = 0.85, self.minutes(10, 100)
        else:
            p_manual, delay = 0.35, self.minutes(10, 60)
        when = self.now + delay
        if rng.random() < p_manual and (asg.sign_due_at is None or when < asg.sign_due_at):
            self.at(when, self.sign, asg)
        elif asg.sign_due_at is not None:
            # left to the auto-sign timer, which signs at the due moment (Art 15(1) choice)
            self.at(asg.sign_due_at + self.minutes(125, 200), self.after_auto_sign, asg)

    def sign(self, asg: Asg) -> None:
        services.assignment_sign(
            assignment=self._obj(asg), actor=self.unit_user(asg.org), now=self.now
        )
        # the handling deadline the service set, read back in one query
        asg.due_at = Assignment.objects.filter(pk=asg.pk).values_list("due_at", flat=True).get()
        self._after_sign(asg, refresh=False)

    def after_auto_sign(self, asg: Asg) -> None:
        status, due_at = Assignment.objects.filter(pk=asg.pk).values_list("status", "due_at").get()
        if status == AssignmentStatus.AWAITING_SIGN:  # the sweep has not come yet
            self.at(self.now + timedelta(hours=1), self.after_auto_sign, asg)
            return
        asg.due_at = due_at  # read with the status: no second read
        self._after_sign(asg, refresh=False)

    def _refresh_due(self, asg: Asg) -> datetime:
        asg.due_at = Assignment.objects.filter(pk=asg.pk).values_list("due_at", flat=True).get()
        return asg.due_at

    def _after_sign(self, asg: Asg, *, refresh: bool = True) -> None:
        rng = self.rng
        case = asg.case
        if refresh:
            self._refresh_due(asg)
        if case.ticket.major_incident:
            self.at(self.now + self.minutes(10, 35), self.first_response, asg)
            return
        if asg.plan.startswith("return:"):
            low, high = (26, 60) if rng.random() < P_RETURN_LATE else (1, 20)
            when = case.scripted("return_at") or self.office(
                self.now + timedelta(hours=rng.uniform(low, high))
            )
            self.at(when, self.return_request, asg)
            return
        scripted = case.scripted("after_sign")
        if scripted:
            scripted(asg)
            return
        is_county = self.orgs[asg.org].kind == OrgKind.COUNTY
        if (
            asg.parent is None
            and is_county
            and case.scripted("redispatch", rng.random() < P_REDISPATCH)
        ):
            self.at(self.office(self.now + self.minutes(10, 180)), self.redispatch, asg)
            return
        if not case.script:
            if asg.parent is not None and rng.random() < P_CHILD_RETURN:
                asg.plan = "return:child"
                when = self.office(self.now + timedelta(hours=rng.uniform(1, 16)))
                self.at(when, self.return_request, asg)
                return
            base = deadlines.base_working_days(appeal_type=case.appeal_type)
            if asg.parent is None and asg.role == "lead" and base >= 4:
                if rng.random() < P_EXTENSION:
                    self._schedule_extension(asg)
                    return
                if rng.random() < P_PROGRESS:
                    self._schedule_reply(asg, progress_first=True)
                    return
        self._schedule_reply(asg)

    # -- county re-dispatch (Art 7, Art 14(2)) -----------------------------------------------------

    def _county_child(self, case: Case, *, avoid: str = "") -> str:
        departments = self.county_departments[case.county]
        topic_units = [u for u in (case.topic or {}).get("units", []) if u in departments]
        options = [departments[u] for u in topic_units] + [case.township]
        if self.rng.random() < 0.4:
            options.append(self.rng.choice(self.townships[case.county]))
        options = [o for o in options if o != avoid] or [
            t for t in self.townships[case.county] if t != avoid
        ]
        return self.rng.choice(options)

    def redispatch(self, asg: Asg) -> None:
        case = asg.case
        lead = case.scripted("redispatch_to") or self._county_child(case)
        assists: list[str] = []
        if not case.script and self.rng.random() < 0.08:
            other = self._county_child(case, avoid=lead)
            if other != lead:
                assists = [other]
        ticket = services.assignment_redispatch(
            assignment=self._obj(asg),
            lead=self.orgs[lead],
            assists=[self.orgs[a] for a in assists],
            actor=self.unit_user(asg.org),
            now=self.now,
        )
        for child in self._new_assignments(asg.case, ticket):
            self._schedule_sign(child)
