"""The scripted stories of the demo history (DEMO.md): the repeat caller, the redo, the closed
repeat, and the work in hand at "now" with its major incident.

A mixin of :class:`hotline.demo.history.History`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hotline.demo import topics as demo_topics
from hotline.demo.cases import Asg, Case
from hotline.demo.history_texts import (
    CLOSED_REPEAT_CONTENT,
    CLOSED_REPEAT_COUNTY,
    CLOSED_REPEAT_REPLY,
    INCIDENT_CALLS,
    INCIDENT_COMMUNITIES,
    INCIDENT_COUNTY,
    INCIDENT_ROADS,
    INCIDENT_TEXTS,
    INCIDENT_TOWNSHIP,
    REDO_CONTENT,
    REDO_COUNTY,
    REDO_REPLIES,
    REDO_UNSATISFIED,
    REJECT_WEIGHTS,
    REPEAT_CLOSED_EXPLANATION,
    REPEATER_APPEALS,
    REPEATER_COUNTY,
    REPEATER_MATTER,
    REPEATER_OUTCOMES,
    REPEATER_REPLIES,
)
from hotline.tickets.choices import (
    NotAcceptedReason,
)


class Stories:
    """The scripted stories DEMO.md asks for and the work in hand at "now"."""

    # -- the stories DEMO.md asks for -------------------------------------------------------------

    def _at_fraction(self, fraction: float, hour: float) -> datetime:
        """A moment ``fraction`` of the way through the window, at ``hour`` o'clock."""
        moment = self.start + (self.end - self.start) * fraction
        candidate = self.clock(self.cal.local(moment).date(), hour)
        return candidate if self.start < candidate < self.end else moment

    def _repeater_fractions(self) -> tuple[float, float, float, float]:
        """When in the window the four appeals of the repeat caller fall: spread so that they
        cover three consecutive calendar months when the window allows it (any window of 60
        days or more does), which is Art 30(1)'s "连续" limb — the supervisor then finds it
        proposed; else evenly spread."""
        default = (0.1, 0.35, 0.6, 0.9)
        span = self.end - self.start
        first = self.start.date().replace(day=1)
        second = (first + timedelta(days=32)).replace(day=1)
        third = (second + timedelta(days=32)).replace(day=1)
        month2 = self.clock(second, 0)
        month3 = self.clock(third, 0)
        if month2 - self.start < timedelta(days=1) or self.end - month3 < timedelta(days=6):
            return default
        moments = (
            self.start + min(span * 0.1, (month2 - self.start) / 2),
            month2 + (month3 - month2) * 0.45,
            month3 + (self.end - month3) * 0.2,
            month3 + (self.end - month3) * 0.75,
        )
        return tuple((m - self.start) / span for m in moments)  # type: ignore[return-value]

    def _script_stories(self) -> None:
        if self.days < 2:
            return
        pace = (self.end - self.start).total_seconds() / 3600 / 24  # hours per step, compressed
        # one ticket sent back for redo four times (Art 30(2))
        redo = self._new_case(
            self._at_fraction(0.06, 9.6),
            county=REDO_COUNTY,
            lead="urban",
            pace=pace,
            callbacks=["unsatisfied_reasonable"] * REDO_UNSATISFIED + ["satisfied"],
            reply_text=lambda case: REDO_REPLIES[min(case.redos, len(REDO_REPLIES) - 1)],
            category="environment.noise.commercial",
            address="驿城区东风街道交通路电业新村临街商铺",
        )
        redo.topic = demo_topics.TOPIC_BY_CODE["noise-shops"]
        redo.appeal_type, redo.content = "complaint", REDO_CONTENT
        self.at(redo.received_at, self._intake_scripted, redo)
        # one caller, one matter, four appeals
        citizen = self._new_citizen()
        township = self.townships[REPEATER_COUNTY][2]  # 柏苑街道
        urban = self.county_departments[REPEATER_COUNTY]["urban"]
        fractions = self._repeater_fractions()
        for index, (prefix, suffix) in enumerate(REPEATER_APPEALS):
            fraction = fractions[index]
            outcome = REPEATER_OUTCOMES[index] if index < len(REPEATER_OUTCOMES) else None
            case = self._new_case(
                self._at_fraction(fraction, 10.2 + index),
                county=REPEATER_COUNTY,
                citizen=citizen,
                lead=REPEATER_COUNTY,
                redispatch=True,
                redispatch_to=urban,
                pace=pace,
                callbacks=[outcome] if outcome else None,
                halt="reply" if outcome is None else None,
                reply_text=lambda case, i=index: REPEATER_REPLIES[min(i, 2)],
                category="environment.water.sewage",
                address="西平县柏苑街道柏苑小区北门外",
            )
            case.township = township
            case.topic = demo_topics.TOPIC_BY_CODE["sewage"]
            case.appeal_type, case.confidential = "complaint", False
            case.content = prefix + REPEATER_MATTER + suffix
            self.at(case.received_at, self._intake_scripted, case)
        # a closed appeal raised again with the same facts → not accepted (Art 11(7))
        citizen = self._new_citizen()
        for index, fraction in enumerate((0.15, 0.8)):
            case = self._new_case(
                self._at_fraction(fraction, 15.3),
                county=CLOSED_REPEAT_COUNTY,
                citizen=citizen,
                lead=CLOSED_REPEAT_COUNTY,
                redispatch=False,
                pace=pace,
                callbacks=["satisfied"],
                reply_text=lambda case: CLOSED_REPEAT_REPLY,
                category="public-services.municipal.street-lights",
                address="新蔡县今是街道月亮湾小区东门外",
                reject=NotAcceptedReason.REPEAT_AFTER_CLOSURE if index else None,
            )
            case.topic = demo_topics.TOPIC_BY_CODE["street-lights"]
            case.appeal_type, case.confidential = "help", False
            case.content = ("来电人称此前反映过的问题又出现了：" if index else "") + (
                CLOSED_REPEAT_CONTENT
            )
            self.at(case.received_at, self._intake_scripted, case)
        # one of each Art 11 reason, spread over the window
        for index, reason in enumerate(REJECT_WEIGHTS):
            moment = self._at_fraction((index + 0.5) / len(REJECT_WEIGHTS), 9 + index)
            self.at(moment, self._intake_scripted_reject, reason)

    def _intake_scripted(self, case: Case) -> None:
        case.received_at = self.now
        self._intake(case)
        reject = case.scripted("reject")
        if reject:
            self.at(
                self.now + self.minutes(3, 8),
                self.reject,
                case,
                reject,
                REPEAT_CLOSED_EXPLANATION,
                "",
            )
            return
        self._schedule_dispatch(case)

    def _intake_scripted_reject(self, reason: str) -> None:
        case = self._new_case(self.now)
        self._intake_rejected(case, reason)

    # -- the work in hand at "now" --------------------------------------------------------------

    def _script_now(self) -> None:
        """Open work at every stage at "now" (DEMO.md «Now»), whatever the time of day."""
        end, rng = self.end, self.rng
        hours = (end - self.start).total_seconds() / 3600

        def fits(*moments: datetime) -> bool:
            return all(self.start < m < end for m in moments)

        # the major incident: a power cut in 驿城区, a dozen calls in the last two hours
        if hours >= 2.5:
            first = end - self.minutes(110, 118)
            last = end - self.minutes(2, 8)
            step = (last - first) / (INCIDENT_CALLS - 1)
            for index in range(INCIDENT_CALLS):
                moment = first + step * index + self.minutes(-2, 2) * (index > 0)
                self.at(moment, self._incident_call, index)
        # awaiting dispatch, with the dispatch deadline counting down
        for _ in range(3):
            moment = end - self.minutes(15, 150)
            if fits(moment):
                self.at(moment, self._intake_pinned, {"halt": "dispatch"})
        # awaiting signature
        for _ in range(2):
            dispatch = end - self.minutes(8, 45)
            moment = dispatch - self.minutes(30, 90)
            if fits(moment):
                self.at(moment, self._intake_pinned, {"dispatch_at": dispatch, "halt": "sign"})
        # a return and an extension awaiting the center's review
        for kind in ("return", "return", "extension", "extension"):
            moment = end - timedelta(hours=rng.uniform(20, 30))
            dispatch = moment + self.minutes(10, 30)
            sign = dispatch + self.minutes(10, 40)
            request = end - self.minutes(30, 150)
            if not fits(moment) or request <= sign + timedelta(minutes=10):
                continue
            script: dict[str, Any] = {"dispatch_at": dispatch, "sign_at": sign, "halt": "review"}
            if kind == "return":
                script.update({"return": "approve", "return_at": request})
            else:
                script.update({"appeal_type": "complaint", "extension_at": request})
            self.at(moment, self._intake_pinned, script)
        # overdue: consultations signed long enough ago that their deadline has passed
        today = self.cal.local(end).date()
        day = today - timedelta(days=1)
        found = 0
        while found < 3 and day >= self.cal.local(self.start).date():
            if self.cal.is_working_day(day) and self.cal.nth_working_day(day, 2) < today:
                moment = self.clock(day, 9 + found * 1.3) + self.minutes(0, 40)
                dispatch = moment + self.minutes(10, 30)
                sign = dispatch + self.minutes(5, 30)
                if fits(moment):
                    script = {
                        "dispatch_at": dispatch,
                        "sign_at": sign,
                        "halt": "reply",
                        "appeal_type": "consultation",
                    }
                    self.at(moment, self._intake_pinned, script)
                    found += 1
                    continue
            day -= timedelta(days=1)

    def _intake_pinned(self, script: dict) -> None:
        rng = self.rng
        case = self._new_case(self.now, **script)
        pairs, weights, _p = self._mix(self.cal.local(self.now).month)
        wanted = script.get("appeal_type")
        options = [
            (p, w)
            for p, w in zip(pairs, weights, strict=True)
            if (not wanted or p[1] == wanted)
            and not p[0].get("special_seat")
            and (p[0]["units"][0] not in ("county", "township"))
        ]
        (case.topic, case.appeal_type), _w = rng.choices(options, weights=[w for _p, w in options])[
            0
        ]
        case.content = self._render(case, rng.choice(case.topic["templates"]))
        case.script.setdefault("redispatch", False)
        if "extension_at" in script:
            case.script["after_sign"] = self._pinned_extension
        self._intake(case)
        self._schedule_dispatch(case)

    def _pinned_extension(self, asg: Asg) -> None:
        self.at(asg.case.scripted("extension_at"), self.extension, asg)

    def _incident_call(self, index: int) -> None:
        rng = self.rng
        clock = self.cal.local(self.end - timedelta(minutes=118))
        case = self._new_case(self.now, county=INCIDENT_COUNTY, lead="util-power")
        case.township = INCIDENT_TOWNSHIP
        case.appeal_type = "help" if index % 3 else "complaint"
        case.topic = demo_topics.TOPIC_BY_CODE["storm-power-cut"]
        case.confidential = False
        text = INCIDENT_TEXTS[0] if index == 0 else rng.choice(INCIDENT_TEXTS)
        case.content = text.format(
            road=rng.choice(INCIDENT_ROADS),
            community=rng.choice(INCIDENT_COMMUNITIES),
            clock=f"{clock.hour}点{clock.minute // 10 * 10:02d}分",
        )
        community = next((c for c in INCIDENT_COMMUNITIES if c in case.content), "雪松花园小区")
        case.script.update(
            {
                "category": "public-services.power-supply.outage",
                "dispatch_at": self.now + self.minutes(6, 22),
                "redispatch": False,
                "address": f"驿城区西园街道{community}",
            }
        )
        self._intake(case, major=True)
        if self.incident is None:
            self.incident = case.ticket.incident
        self._schedule_dispatch(case)
