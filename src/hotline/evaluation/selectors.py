"""Scoped reads of the evaluation (Art 31): the center, the oversight bodies and the supervision
office see every row; an organisation sees only its own row (and a county body the rows of the
run it owns)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hotline.core.errors import NotFound
from hotline.evaluation import metrics
from hotline.evaluation.models import Result, Run, Scheme
from hotline.evaluation.periods import parse_period
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation, User
from hotline.tickets.selectors import sees_everything


def satisfaction_by_org(*, start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """Per handling organisation, (satisfied, judged) callbacks in [start, end) after the Art
    16(2) screening — what Art 29(4) and the satisfaction indicator read."""
    ids = list(
        Organisation.objects.filter(
            kind__in=[OrgKind.UNIT, OrgKind.COUNTY, OrgKind.SUBCENTER]
        ).values_list("pk", flat=True)
    )
    return metrics.satisfaction_counts(ids, start, end)


def scheme_list(*, owner: Organisation | None = None) -> QuerySet[Scheme]:
    qs = Scheme.objects.filter(active=True).select_related("owner").prefetch_related("indicators")
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.order_by("owner__path", "code")


def _owner_for(user: User, owner: str | None) -> Organisation | None:
    if owner:
        return Organisation.objects.filter(code=owner).first()
    return Organisation.objects.filter(kind=OrgKind.CENTER).order_by("path").first()


def run_get(*, user: User, period: str, owner: str | None = None) -> Run:
    parsed = parse_period(period)
    org = _owner_for(user, owner)
    run = Run.objects.filter(period=parsed.code, owner=org).select_related("owner").first()
    if run is None or not (sees_everything(user) or user.organisation_id is not None):
        raise NotFound(_("该考核期尚无考核结果"))
    return run


def result_rows(*, user: User, run: Run) -> QuerySet[Result]:
    rows = run.results.select_related("org").order_by("scheme_code", "rank", "org__path")
    if sees_everything(user) or user.organisation_id == run.owner_id:
        return rows
    return rows.filter(org_id=user.organisation_id)


def run_list(*, user: User) -> QuerySet[Run]:
    qs = Run.objects.select_related("owner").order_by("-start", "owner__path")
    if sees_everything(user):
        return qs
    if user.organisation is None:
        return qs.none()
    # a county body's own runs, and every run that has a row of the user's organisation
    return qs.filter(
        Q(results__org_id=user.organisation_id) | Q(owner_id=user.organisation_id)
    ).distinct()


def result_get(*, user: User, run: Run, org_code: str) -> Result:
    row = result_rows(user=user, run=run).filter(org__code=org_code).first()
    if row is None:
        raise NotFound(_("考核结果不存在"))
    return row


def drill(*, result: Result, indicator: str) -> list[tuple[str, bool]]:
    """The tickets behind one figure: every ticket counted in the denominator, and whether it
    counted in the numerator (Art 31: how each indicator was computed)."""
    snap = result.run.schemes.get(result.scheme_code, {})
    measure = next(
        (i["measure"] for i in snap.get("indicators", []) if i["code"] == indicator), None
    )
    if measure is None:
        raise NotFound(_("考核指标不存在"))
    fn = metrics.DRILLS.get(measure)
    if fn is None:
        return []
    return fn(result.org_id, result.run.start, result.run.end)


def indicator_rows(result: Result) -> list[dict]:
    """Per indicator of the result's scheme: name, weight, value, counts, score and formula."""
    snap = result.run.schemes.get(result.scheme_code, {})
    rows = []
    for ind in snap.get("indicators", []):
        num, den = result.counts.get(ind["code"], [0, 0])
        rows.append(
            ind
            | {
                "value": result.values.get(ind["code"]),
                "num": num,
                "den": den,
                "score": result.scores.get(ind["code"]),
                "is_count": ind["measure"] in metrics.COUNT_MEASURES,
                "drill": ind["measure"] in metrics.DRILLS,
            }
        )
    return rows


__all__ = ["parse_period"]


def sees_all_rows(*, user: User, run: Run) -> bool:
    return sees_everything(user) or user.organisation_id == run.owner_id
