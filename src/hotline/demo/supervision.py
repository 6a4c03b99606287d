"""The demo's supervision and evaluation (DEMO.md): cases in every state from the history's
own proposals (one escalated to the supervision office and worked there, one accountability
record), and an evaluation of the last complete month (published) and of the current quarter
(a draft) — all through the services, as the people would have done it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count

from hotline.calendar.services import get_calendar
from hotline.core import clock
from hotline.evaluation import services as evaluation
from hotline.evaluation.periods import month_code, quarter_code
from hotline.orgs.models import Organisation, User
from hotline.supervision import proposals
from hotline.supervision import services as supervision
from hotline.supervision.choices import CaseState, Instrument
from hotline.supervision.models import SupervisionCase

RESPONSE = "已逐件核查涉及工单，对超期原因进行了分析，相关工单均已办结并答复诉求人。"
MEASURES = "建立工单办理日调度台账，分管领导每周听取一次办理情况汇报，超期工单专人盯办。"


def _manual(org: str, instrument: str, article: str, reason: str, requirements: str, actor, now):
    return supervision.case_create(
        instrument=instrument,
        article=article,
        org=Organisation.objects.get(code=org),
        tickets=[],
        reason=reason,
        requirements=requirements,
        respond_by=None,
        actor=actor,
        now=now,
    )


def _unit_user(case: SupervisionCase) -> User | None:
    return User.objects.filter(organisation_id=case.org_id, is_active=True).order_by("pk").first()


def seed(*, days: int, per_day: int, seed: int, stdout: Any) -> None:
    if SupervisionCase.objects.filter(created_by__isnull=False).exists():
        return  # seeded before: safe to run twice
    now = clock.now()
    supervisor = User.objects.get(username="supervisor")
    inspector = User.objects.get(username="inspector")
    proposals_left = list(
        SupervisionCase.objects.filter(state=CaseState.PROPOSED)
        .exclude(instrument=Instrument.ESCALATION)
        .order_by("created_at")
    )
    # the proposals of the history, decided as a supervisor would: most confirmed, one
    # dismissed with a special reason; the rest stay proposed for the home page
    for org in ("housing", "urban", "market", "411721", "411722", "411723"):
        if len(proposals_left) >= 6:
            break
        case = supervision.case_propose(
            instrument=Instrument.NOTICE,
            article="27(4)",
            org=Organisation.objects.get(code=org),
            tickets=[],
            reason="当月超期办理、退回重办合计达到督办标准",
            dedupe_key=f"demo:27-4:{org}",
            now=now,
        )
        if case is not None:
            proposals_left.append(case)
    cases = proposals_left[:6]
    supervision.case_dismiss(
        case=cases[0],
        reason="特殊原因：该单位涉及工单已纳入专项整治统一处理",
        actor=supervisor,
        now=now,
    )
    for case in cases[1:]:
        supervision.case_confirm(
            case=case,
            requirements="请于反馈期限前核查整改，并反馈整改情况和措施。",
            actor=supervisor,
            now=now,
        )
    responded, closed, reopened = cases[2], cases[3], cases[4]
    for case in (responded, closed, reopened):
        unit = _unit_user(case)
        if unit is not None:
            supervision.case_respond(
                case=case, content=RESPONSE, measures=MEASURES, actor=unit, now=now
            )
    if closed.responses.exists():
        supervision.case_assess(
            case=closed, effective=True, comment="整改措施具体，已见成效", actor=supervisor, now=now
        )
    if reopened.responses.exists():
        supervision.case_assess(
            case=reopened,
            effective=False,
            comment="同类问题仍在发生，整改未见实效",
            actor=supervisor,
            now=now,
        )
        proposals.art30_3_no_effect(now=now)
        escalation = SupervisionCase.objects.filter(parent=reopened, article="30(3)").first()
        if escalation is not None:
            supervision.case_confirm(
                case=escalation,
                requirements="请督查室按“12345热线+督查”机制督办",
                actor=supervisor,
                now=now,
            )
            supervision.case_respond(
                case=escalation,
                content="已对该单位开展专项督查，约谈分管负责同志，督促限期整改。",
                measures="挂牌督办，督查室每周跟踪",
                actor=inspector,
                now=now,
            )
    # manual instruments: a coordination, an interview, and an accountability record
    _manual(
        "urban",
        Instrument.COORDINATION,
        "28(3)",
        "占道经营职责交叉，城管与市场监管相互推诿",
        "召开专题协调会，明确主办单位和办理时限",
        supervisor,
        now,
    )
    _manual(
        "housing",
        Instrument.INTERVIEW,
        "29(6)",
        "物业服务投诉持续集中，办理质效偏低",
        "分管负责同志到中心接受约谈，提交整改方案",
        supervisor,
        now,
    )
    accountability = _manual(
        "411725",
        Instrument.ACCOUNTABILITY,
        "33(1)",
        "承办人未实际处理即答复已办结（谎报办结）",
        "依纪依规追究责任",
        supervisor,
        now,
    )
    supervision.accountability_record(
        case=accountability,
        ground="33(1)",
        finding="承办人未实地核查即答复“已办结”，诉求人再次来电反映",
        responsible_org=Organisation.objects.get(code="411725"),
        responsible_person="承办人王某",
        measure="通报批评，责令书面检查",
        outcome="已作书面检查，涉及工单重新办理并办结",
        decided_by="确山县纪委监委",
        actor=inspector,
        now=now,
    )
    counts = dict(SupervisionCase.objects.values_list("state").annotate(n=Count("id")).order_by())
    stdout.write(f"supervision cases by state: {counts}")
    _evaluate(now=now, actor=supervisor, stdout=stdout)


def _evaluate(*, now, actor, stdout: Any) -> None:
    today = get_calendar().local(now).date()
    last_month = month_code(today.replace(day=1) - timedelta(days=1))
    month_run = evaluation.run_compute(period=last_month, actor=actor, now=now)
    month_run = evaluation.run_publish(run=month_run, actor=actor, now=now)
    quarter_run = evaluation.run_compute(period=quarter_code(today), actor=actor, now=now)
    for run in (month_run, quarter_run):
        grades = dict(
            run.results.filter(scheme_code="units")
            .values_list("grade")
            .annotate(n=Count("id"))
            .order_by()
        )
        stdout.write(f"evaluation {run.period} ({run.state}), units by grade: {grades}")
