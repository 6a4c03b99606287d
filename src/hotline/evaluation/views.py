"""The evaluation pages under /supervision/evaluation/ (Art 31): the results of a period with
a bar per organisation, run and publish for the center (or a county body's own run), a unit's
own score with each indicator, how it was computed and the tickets behind a figure."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.core import clock
from hotline.core.errors import DomainError, NotFound
from hotline.core.exports import xlsx_response
from hotline.core.views import staff_required
from hotline.evaluation import documents, selectors, services
from hotline.evaluation.choices import Grade
from hotline.evaluation.periods import month_code, quarter_code
from hotline.orgs.models import Organisation


def _owner_code(request: HttpRequest) -> str | None:
    return (request.GET.get("owner") or request.POST.get("owner") or "").strip()[:40] or None


@require_GET
@staff_required
def results(request: HttpRequest) -> HttpResponse:
    user, now = request.user, clock.now()
    runs = list(selectors.run_list(user=user)[:24])
    period = request.GET.get("period") or (runs[0].period if runs else quarter_code(now.date()))
    owner = _owner_code(request)
    run, groups = None, []
    try:
        run = selectors.run_get(user=user, period=period, owner=owner)
    except (NotFound, DomainError):
        run = None
    if run is not None:
        rows = list(selectors.result_rows(user=user, run=run))
        if request.GET.get("format") in ("docx", "xlsx") and selectors.sees_all_rows(
            user=user, run=run
        ):
            if request.GET["format"] == "xlsx":
                return xlsx_response(
                    documents.results_workbook(run=run), name=f"evaluation-{run.period}", now=now
                )
            response = HttpResponse(
                documents.circular_docx(run=run, now=now), content_type=documents.DOCX
            )
            response["Content-Disposition"] = f'attachment; filename="evaluation-{run.period}.docx"'
            return response
        for code, snap in sorted(run.schemes.items()):
            mine = [r for r in rows if r.scheme_code == code]
            mine.sort(key=lambda r: (r.rank is None, r.rank or 0))
            if mine:
                spread = [
                    (label, sum(1 for r in mine if r.grade == g)) for g, label in Grade.choices
                ]
                groups.append({"snap": snap, "rows": mine, "spread": spread})
    owner_org = Organisation.objects.filter(code=owner).first() if owner else services.center_org()
    return render(
        request,
        "evaluation/results.html",
        {
            "run": run,
            "period": period,
            "runs": runs,
            "groups": groups,
            "grades": dict(Grade.choices),
            "may_run": owner_org is not None and services.may_run(user, owner_org),
            "owner": owner or "",
            "suggest": [month_code(now.date()), quarter_code(now.date()), str(now.year)],
            "sees_all": run is not None and selectors.sees_all_rows(user=user, run=run),
        },
    )


@require_POST
@staff_required
def run_action(request: HttpRequest, action: str) -> HttpResponse:
    period = (request.POST.get("period") or "").strip()[:8]
    owner_code = _owner_code(request)
    owner = Organisation.objects.filter(code=owner_code).first() if owner_code else None
    try:
        if action == "compute":
            services.run_compute(period=period, owner=owner, actor=request.user, now=clock.now())
            messages.success(request, _("已完成测算（草稿）"))
        elif action == "publish":
            run = selectors.run_get(user=request.user, period=period, owner=owner_code)
            services.run_publish(run=run, actor=request.user, now=clock.now())
            messages.success(request, _("考核结果已发布"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    query = f"?period={period}" + (f"&owner={owner_code}" if owner_code else "")
    return redirect(f"/supervision/evaluation/{query}")


@require_GET
@staff_required
def mine(request: HttpRequest) -> HttpResponse:
    """ "My evaluation": the latest run that has a row of the user's organisation."""
    org = request.user.organisation
    if org is None:
        raise Http404
    for run in selectors.run_list(user=request.user):
        if run.results.filter(org=org).exists():
            return redirect("evaluation:result", period=run.period, org=org.code)
    return render(request, "evaluation/result.html", {"result": None})


@require_GET
@staff_required
def result(request: HttpRequest, period: str, org: str) -> HttpResponse:
    owner = _owner_code(request)
    try:
        run = selectors.run_get(user=request.user, period=period, owner=owner)
        row = selectors.result_get(user=request.user, run=run, org_code=org)
    except (NotFound, DomainError) as exc:
        raise Http404 from exc
    indicator = request.GET.get("indicator")
    drill = None
    if indicator:
        try:
            drill = selectors.drill(result=row, indicator=indicator)
        except NotFound as exc:
            raise Http404 from exc
    return render(
        request,
        "evaluation/result.html",
        {
            "result": row,
            "run": run,
            "rows": selectors.indicator_rows(row),
            "grades": dict(Grade.choices),
            "indicator": indicator,
            "drill": drill[:500] if drill is not None else None,
            "drill_count": len(drill) if drill is not None else 0,
            "owner": owner or "",
        },
    )
