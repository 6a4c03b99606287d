"""API.md "Evaluation (Art 31)": schemes, runs (draft → published), results, documents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from hotline.core import clock
from hotline.core.api import ErrorOut
from hotline.core.errors import InvalidInput, NotFound
from hotline.core.exports import xlsx_response
from hotline.evaluation import documents, selectors, services
from hotline.evaluation.error_codes import EvaluationErrorCode
from hotline.evaluation.models import Run
from hotline.orgs.models import Organisation

router = Router(tags=["evaluation"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class IndicatorOut(Schema):
    code: str
    name: str
    weight: float
    direction: str
    measure: str
    full_at: float
    zero_at: float
    basis: str


class GradeOut(Schema):
    grade: str
    min_score: float


class SchemeOut(Schema):
    code: str
    name: str
    applies_to: str
    owner: str
    version: int
    indicators: list[IndicatorOut]
    grades: list[GradeOut]


class RunIn(Schema):
    period: str = Field(..., max_length=8)
    owner: str | None = Field(None, max_length=40)


class RunOut(Schema):
    period: str
    owner: str
    state: str
    created_at: str
    published_at: str | None
    schemes: dict


class ItemOut(Schema):
    org: str
    scheme: str
    scheme_version: int
    indicators: dict
    counts: dict
    score: float | None
    grade: str
    rank: int | None


class ResultsOut(Schema):
    period: str
    owner: str
    state: str
    items: list[ItemOut]


class PeriodQuery(Schema):
    period: str = Field(..., max_length=8)
    owner: str | None = Field(None, max_length=40)


class DocumentQuery(Schema):
    format: str = Field("docx", pattern="^(docx|xlsx)$")
    owner: str | None = Field(None, max_length=40)


def _owner(code: str | None) -> Organisation | None:
    if not code:
        return None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise InvalidInput(
            _("未知的单位代码：%(code)s") % {"code": code}, code=EvaluationErrorCode.UNKNOWN_ORG
        )
    return org


def run_out(run: Run) -> dict:
    return {
        "period": run.period,
        "owner": run.owner.code,
        "state": run.state,
        "created_at": run.created_at.isoformat(),
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "schemes": {c: s["version"] for c, s in run.schemes.items()},
    }


@router.get("/schemes", response={200: list[SchemeOut], **ERRORS})
def schemes(request: HttpRequest, owner: str | None = None):
    """The indicator schemes (edited in the admin, Art 31 "动态调整")."""
    services.schemes_seed_defaults()
    rows = selectors.scheme_list(owner=_owner(owner))
    return [
        {
            "code": s.code,
            "name": s.name,
            "applies_to": s.applies_to,
            "owner": s.owner.code,
            "version": s.version,
            "indicators": [
                {
                    "code": i.code,
                    "name": i.name,
                    "weight": float(i.weight),
                    "direction": i.direction,
                    "measure": i.measure,
                    "full_at": i.full_at,
                    "zero_at": i.zero_at,
                    "basis": i.basis,
                }
                for i in s.indicators.all()
            ],
            "grades": [{"grade": g, "min_score": m} for g, m in s.grades()],
        }
        for s in rows
    ]


@router.post("/runs", response={201: RunOut, **ERRORS})
def run_create(request: HttpRequest, payload: RunIn):
    """Compute the draft of a month, quarter or year (409 `evaluation_published` once published)."""
    run = services.run_compute(
        period=payload.period, owner=_owner(payload.owner), actor=request.user, now=clock.now()
    )
    return Status(201, run_out(run))


def _run(request: HttpRequest, period: str, owner: str | None) -> Run:
    return selectors.run_get(user=request.user, period=period, owner=owner)


@router.post("/runs/{period}/publish", response={200: RunOut, **ERRORS})
def run_publish(request: HttpRequest, period: str, owner: str | None = None):
    run = services.run_publish(
        run=_run(request, period, owner), actor=request.user, now=clock.now()
    )
    return run_out(run)


@router.get("/runs/{period}/document", response={200: None, **ERRORS})
def run_document(request: HttpRequest, period: str, query: Query[DocumentQuery]):
    """The results as a Word circular or an xlsx table (the whole table: staff who see all)."""
    run = _run(request, period, query.owner)
    if not selectors.sees_all_rows(user=request.user, run=run):
        raise NotFound(_("该考核期尚无考核结果"))
    now = clock.now()
    if query.format == "xlsx":
        return xlsx_response(
            documents.results_workbook(run=run), name=f"evaluation-{run.period}", now=now
        )
    response = HttpResponse(documents.circular_docx(run=run, now=now), content_type=documents.DOCX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{run.period}.docx"'
    return response


@router.get("", response={200: ResultsOut, **ERRORS})
def results(request: HttpRequest, query: Query[PeriodQuery]):
    """The results of a period; an organisation sees only its own row. 404 without a run."""
    run = _run(request, query.period, query.owner)
    return {
        "period": run.period,
        "owner": run.owner.code,
        "state": run.state,
        "items": [
            {
                "org": r.org.code,
                "scheme": r.scheme_code,
                "scheme_version": r.scheme_version,
                "indicators": r.values,
                "counts": r.counts,
                "score": r.score,
                "grade": r.grade,
                "rank": r.rank,
            }
            for r in selectors.result_rows(user=request.user, run=run)
        ],
    }


@router.get("/drill", response={200: dict, **ERRORS})
def drill(request: HttpRequest, period: str, org: str, indicator: str, owner: str | None = None):
    """The tickets behind one figure of one organisation's result."""
    run = _run(request, period, owner)
    result = selectors.result_get(user=request.user, run=run, org_code=org)
    rows = selectors.drill(result=result, indicator=indicator)
    return {"items": [{"number": n, "counted": c} for n, c in rows], "count": len(rows)}
