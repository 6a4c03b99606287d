"""The /supervision/ pages (API.md "Pages"): the case list with filters and an Excel export,
a case page with its timeline, documents and the actions the guard allows, and the file
downloads — all through the scoped selectors (another organisation's case is 404)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from hotline.core import clock
from hotline.core.errors import DomainError, NotFound
from hotline.core.exports import append_row, xlsx_response
from hotline.core.policy import policy
from hotline.core.views import staff_required
from hotline.orgs.models import Organisation
from hotline.supervision import documents, selectors, services
from hotline.supervision.choices import CaseState, Instrument
from hotline.supervision.error_codes import SupervisionErrorCode
from hotline.tickets.selectors import sees_everything, tickets_visible_to

ACTIONS = ("confirm", "dismiss", "respond", "assess", "attach", "accountability")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict:
    get = request.GET
    return {
        "state": get.get("state") if get.get("state") in CaseState.values else None,
        "instrument": get.get("instrument") if get.get("instrument") in Instrument.values else None,
        "org": (get.get("org") or "").strip()[:40] or None,
        "article": (get.get("article") or "").strip()[:20] or None,
        "q": (get.get("q") or "").strip()[:100] or None,
    }


@require_GET
@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    qs = selectors.case_list(user=request.user, **filters)
    now = clock.now()
    if request.GET.get("format") == "xlsx":
        return _xlsx(qs, now)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/case_list.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.case_counts(user=request.user),
            "states": CaseState.choices,
            "instruments": Instrument.choices,
            "now": now,
            "today": now.date(),
            "may_create": services.is_supervisor(request.user),
            "sees_all": sees_everything(request.user),
            "query": request.GET.urlencode(),
        },
    )


def _xlsx(qs, now) -> HttpResponse:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("督办事项"))
    append_row(
        ws,
        [
            _("编号"),
            _("督办方式"),
            _("依据条款"),
            _("对象单位"),
            _("涉及单位"),
            _("状态"),
            _("理由"),
            _("督办要求"),
            _("反馈期限"),
            _("提出时间"),
            _("工单"),
        ],
    )
    for case in qs[:5000]:
        append_row(
            ws,
            [
                case.pk,
                case.get_instrument_display(),
                case.article,
                case.org.name if case.org_id else "",
                case.subject_org.name if case.subject_org_id else "",
                case.get_state_display(),
                case.reason,
                case.requirements,
                case.respond_by.isoformat() if case.respond_by else "",
                documents.chinese_time(case.created_at),
                " ".join(t.number for t in case.tickets.all()),
            ],
        )
    return xlsx_response(workbook, name="supervision-cases", now=now)


def _get(request: HttpRequest, case_id: int):
    try:
        return selectors.case_get(user=request.user, case_id=case_id)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
@staff_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(request, case_id)
    now = clock.now()
    visible = set(
        tickets_visible_to(request.user)
        .filter(pk__in=[t.pk for t in case.tickets.all()])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "supervision/case_detail.html",
        {
            "case": case,
            "now": now,
            "today": now.date(),
            "can": {a: services.allowed(request.user, a, case) for a in ACTIONS},
            "tickets": [t for t in case.tickets.all() if t.pk in visible],
            "default_respond_by": services.default_respond_by(now),
            "orgs": Organisation.objects.filter(active=True).order_by("path")
            if services.allowed(request.user, "accountability", case)
            else [],
        },
    )


@require_POST
@staff_required
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """One form per action, each calling its service; a refusal comes back as a message."""
    if action not in ACTIONS:
        raise Http404
    case = _get(request, case_id)
    post, user, now = request.POST, request.user, clock.now()
    try:
        if action == "confirm":
            services.case_confirm(
                case=case,
                requirements=post.get("requirements", ""),
                respond_by=_date(post.get("respond_by")),
                actor=user,
                now=now,
            )
        elif action == "dismiss":
            services.case_dismiss(case=case, reason=post.get("reason", ""), actor=user, now=now)
        elif action == "respond":
            services.case_respond(
                case=case,
                content=post.get("content", ""),
                measures=post.get("measures", ""),
                actor=user,
                now=now,
            )
        elif action == "assess":
            services.case_assess(
                case=case,
                effective=post.get("effective") == "1",
                comment=post.get("comment", ""),
                respond_by=_date(post.get("respond_by")),
                actor=user,
                now=now,
            )
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_("请选择文件"), code=SupervisionErrorCode.MISSING_FIELD)
            limit = policy("art26_attachment_max_mb") * 1024 * 1024
            services.case_attach(
                case=case, name=upload.name, data=upload.read(limit + 1), actor=user, now=now
            )
        else:
            org = Organisation.objects.filter(code=post.get("responsible_org", "")).first()
            services.accountability_record(
                case=case,
                finding=post.get("finding", ""),
                responsible_org=org,
                responsible_person=post.get("responsible_person", ""),
                measure=post.get("measure", ""),
                outcome=post.get("outcome", ""),
                decided_by=post.get("decided_by", ""),
                ground=post.get("ground", ""),
                actor=user,
                now=now,
            )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存"))
    back = post.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("supervision:case", case_id=case.pk)


@require_GET
@staff_required
def attachment(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    try:
        item = selectors.attachment_get(
            user=request.user, case_id=case_id, attachment_id=attachment_id
        )
    except NotFound as exc:
        raise Http404 from exc
    path = services.attachment_path(item)
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )


@require_GET
@staff_required
def document(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get(request, case_id)
    body, name = documents.case_document(case=case, user=request.user, now=clock.now())
    response = HttpResponse(body, content_type=documents.DOCX)
    response["Content-Disposition"] = documents.disposition(name)
    return response


@require_POST
@staff_required
def case_create(request: HttpRequest) -> HttpResponse:
    """A supervisor's own case (Art 27(5), 28(3), 29(6))."""
    post, now = request.POST, clock.now()
    numbers = list(dict.fromkeys((post.get("tickets") or "").split()))
    tickets = list(tickets_visible_to(request.user).filter(number__in=numbers))
    org = Organisation.objects.filter(code=(post.get("org") or "").strip()).first()
    try:
        if org is None:
            raise DomainError(_("未知的单位代码：%(code)s") % {"code": post.get("org", "")})
        if len(tickets) != len(numbers):
            raise DomainError(_("工单不存在"))
        case = services.case_create(
            instrument=post.get("instrument", ""),
            article=post.get("article", ""),
            org=org,
            tickets=tickets,
            reason=post.get("reason", ""),
            requirements=post.get("requirements", ""),
            respond_by=_date(post.get("respond_by")),
            actor=request.user,
            now=now,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:list")
    return redirect("supervision:case", case_id=case.pk)
