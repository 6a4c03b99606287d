"""Evaluation runs (Art 31): compute a period's results from the tickets with SQL aggregates,
per scheme and organisation; a draft may be recomputed until it is published, then frozen."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError, PermissionDenied
from hotline.evaluation import metrics
from hotline.evaluation.choices import AppliesTo, Grade, RunState
from hotline.evaluation.defaults import SCHEMES
from hotline.evaluation.error_codes import EvaluationErrorCode
from hotline.evaluation.models import Indicator, Result, Run, Scheme
from hotline.evaluation.periods import parse_period
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User

KIND_OF = {
    AppliesTo.UNIT: OrgKind.UNIT,
    AppliesTo.COUNTY: OrgKind.COUNTY,
    AppliesTo.SUBCENTER: OrgKind.SUBCENTER,
    AppliesTo.CENTER: OrgKind.CENTER,
}


def center_org() -> Organisation:
    return Organisation.objects.filter(kind=OrgKind.CENTER).order_by("path").first()


def schemes_seed_defaults(*, owner: Organisation | None = None) -> int:
    """The default schemes (``defaults.SCHEMES``) for the center, once; a later change in the
    admin is kept. Returns how many schemes were created."""
    owner = owner or center_org()
    if owner is None:
        return 0
    made = 0
    for code, name, applies_to, indicators in SCHEMES:
        scheme, created = Scheme.objects.get_or_create(
            owner=owner, code=code, defaults={"name": name, "applies_to": applies_to}
        )
        if not created:
            continue
        made += 1
        Indicator.objects.bulk_create(
            Indicator(
                scheme=scheme,
                code=c,
                name=n,
                measure=m,
                weight=w,
                direction=d,
                full_at=full,
                zero_at=zero,
                basis=basis,
                order=i,
            )
            for i, (c, n, m, w, d, full, zero, basis) in enumerate(indicators)
        )
    return made


def scheme_changed(*, scheme: Scheme) -> Scheme:
    """Art 31 "动态调整": an edit in the admin makes a new version; runs already computed keep
    the version (and the snapshot) they used."""
    Scheme.objects.filter(pk=scheme.pk).update(version=scheme.version + 1)
    scheme.refresh_from_db()
    return scheme


def snapshot(scheme: Scheme) -> dict:
    return {
        "code": scheme.code,
        "name": scheme.name,
        "applies_to": scheme.applies_to,
        "version": scheme.version,
        "grades": [[g, m] for g, m in scheme.grades()],
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "measure": i.measure,
                "weight": float(i.weight),
                "direction": i.direction,
                "full_at": i.full_at,
                "zero_at": i.zero_at,
                "basis": i.basis,
            }
            for i in scheme.indicators.all()
        ],
    }


def indicator_score(value: float | None, full_at: float, zero_at: float) -> float | None:
    """Linear between ``zero_at`` (0 points) and ``full_at`` (100 points), clamped: one formula
    for both directions (for "lower is better" ``full_at`` is the smaller value)."""
    if value is None or full_at == zero_at:
        return None
    share = (value - zero_at) / (full_at - zero_at)
    return round(100 * min(1.0, max(0.0, share)), 2)


def total_score(scores: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted mean over the indicators that have data (an organisation with no calls is
    not marked down for connection rate: its weight is shared by the others)."""
    have = {c: s for c, s in scores.items() if s is not None and weights.get(c)}
    total_weight = sum(weights[c] for c in have)
    if not total_weight:
        return None
    return round(sum(weights[c] * s for c, s in have.items()) / total_weight, 2)


def grade_of(score: float | None, grades: list[list]) -> str:
    if score is None:
        return ""
    for grade, minimum in grades:
        if score >= minimum:
            return grade
    return Grade.FAIL


def may_run(user: User, owner: Organisation) -> bool:
    """The center's supervisors run the city's evaluation; a county body's staff its own
    (Art 31 third paragraph: "各县区…可结合实际建立健全本县区…考核评价机制")."""
    if user.is_superuser or user.has_role(RoleCode.ADMINISTRATOR):
        return True
    if owner.kind == OrgKind.CENTER:
        return user.has_role(RoleCode.SUPERVISOR)
    return user.organisation_id == owner.pk and user.has_role(
        RoleCode.COUNTY_DISPATCHER, RoleCode.UNIT_LEADER, RoleCode.SUPERVISOR
    )


def _targets(scheme: Scheme) -> list[Organisation]:
    qs = Organisation.objects.filter(kind=KIND_OF[scheme.applies_to], active=True)
    if scheme.owner.kind != OrgKind.CENTER:
        # a county body's own scheme covers the organisations below it (Art 31, 3rd para.)
        qs = qs.filter(path__startswith=scheme.owner.path).exclude(pk=scheme.owner.pk)
    return list(qs.order_by("path"))


def compute_results(run: Run, schemes: list[Scheme]) -> list[Result]:
    """Every indicator of every scheme as one GROUP BY over the period (``metrics.COUNTS``),
    then scores, grades and ranks per scheme in Python over the few hundred result rows."""
    results: list[Result] = []
    run.schemes = {}
    for scheme in schemes:
        snap = snapshot(scheme)
        run.schemes[scheme.code] = snap
        orgs = _targets(scheme)
        ids = [o.pk for o in orgs]
        measured = {
            ind["code"]: metrics.COUNTS[ind["measure"]](ids, run.start, run.end)
            for ind in snap["indicators"]
        }
        weights = {ind["code"]: ind["weight"] for ind in snap["indicators"]}
        rows = []
        for org in orgs:
            values, counts, scores = {}, {}, {}
            for ind in snap["indicators"]:
                num, den = measured[ind["code"]].get(org.pk, (0, 0))
                counts[ind["code"]] = [num, den]
                if ind["measure"] in metrics.COUNT_MEASURES:
                    value = float(num) if den else None
                else:
                    value = round(num / den, 4) if den else None
                values[ind["code"]] = value
                scores[ind["code"]] = indicator_score(value, ind["full_at"], ind["zero_at"])
            # only the case counts have a value: nothing of this organisation was handled
            if all(
                values[i["code"]] is None or i["measure"] in metrics.COUNT_MEASURES
                for i in snap["indicators"]
            ):
                score = None
            else:
                score = total_score(scores, weights)
            rows.append(
                Result(
                    run=run,
                    org=org,
                    scheme_code=scheme.code,
                    scheme_version=scheme.version,
                    values=values,
                    counts=counts,
                    scores=scores,
                    score=score,
                    grade=grade_of(score, snap["grades"]),
                )
            )
        ranked = sorted((r for r in rows if r.score is not None), key=lambda r: -r.score)
        for rank, row in enumerate(ranked, start=1):
            row.rank = rank
        results.extend(rows)
    return results


@transaction.atomic
def run_compute(
    *, period: str, actor: User, now: datetime, owner: Organisation | None = None
) -> Run:
    """Art 31: compute (or recompute) the draft of ``period`` (``2026-11``, ``2026Q4``,
    ``2026``) for ``owner`` (the center by default, or a county body for its own units) with
    the owner's active schemes. A published period is frozen: 409 ``evaluation_published``."""
    owner = owner or center_org()
    if not may_run(actor, owner):
        raise PermissionDenied()
    parsed = parse_period(period)
    start, end = parsed.bounds()
    run = Run.objects.select_for_update().filter(owner=owner, period=parsed.code).first()
    if run is not None and run.state == RunState.PUBLISHED:
        raise DomainError(
            _("该考核期结果已发布，不能重新测算"), code=EvaluationErrorCode.EVALUATION_PUBLISHED
        )
    if run is None:
        run = Run(owner=owner, period=parsed.code)
    run.start, run.end = start, end
    run.created_at, run.created_by = now, actor
    if owner.kind == OrgKind.CENTER:
        schemes_seed_defaults(owner=owner)
    schemes = list(
        Scheme.objects.filter(owner=owner, active=True)
        .prefetch_related("indicators")
        .order_by("code")
    )
    results = compute_results(run, schemes)
    run.save()
    run.results.all().delete()
    Result.objects.bulk_create(results)
    return run


@transaction.atomic
def run_publish(*, run: Run, actor: User, now: datetime) -> Run:
    """The center reviewed the draft: publish it (Art 31 "通报各县区政府、市直各部门"); from now
    on the results are frozen."""
    if not may_run(actor, run.owner):
        raise PermissionDenied()
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.state == RunState.PUBLISHED:
        raise DomainError(
            _("该考核期结果已发布，不能重新测算"), code=EvaluationErrorCode.EVALUATION_PUBLISHED
        )
    run.state = RunState.PUBLISHED
    run.published_at, run.published_by = now, actor
    run.save(update_fields=["state", "published_at", "published_by"])
    return run
