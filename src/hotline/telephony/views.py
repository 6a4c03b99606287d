"""Telephony pages (htmx): the agent's call bar with the screen pop and the call-back offer,
the call-back queue, the supervisor's live wallboard and the connection-rate report with its
xlsx export and printable table."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.exports import append_row, xlsx_response
from hotline.core.policy import policy
from hotline.telephony import selectors, services
from hotline.telephony.choices import AgentState, CallbackOutcome
from hotline.telephony.services.common import AGENT_ROLES, FLOOR_ROLES
from hotline.tickets.models import Ticket


def _require(request: HttpRequest, *roles: str) -> None:
    user = request.user
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied


def _bar_context(request: HttpRequest, error: str = "") -> dict:
    now = clock.now()
    user = request.user
    call = selectors.current_call(agent=user, now=now)
    restriction = (
        selectors.restriction_in_force(number=call.caller, now=now)
        if call and call.caller
        else None
    )
    return {
        "status": selectors.agent_status(user),
        "states": [(s.value, s.label) for s in AgentState],
        "call": call,
        "restriction": restriction,
        "offer": selectors.callback_offer(agent=user, now=now) if call is None else None,
        "outcomes": CallbackOutcome.choices,
        "error": error,
    }


@login_required
def call_bar(request: HttpRequest) -> HttpResponse:
    """The agent's call bar (polled by htmx): state, the call ringing or connected (its
    number fills the intake form: the screen pop), a restriction warning (Art 34), and a
    call-back offered while the queue is quiet (Art 13)."""
    _require(request, *AGENT_ROLES)
    return render(request, "telephony/partials/call_bar.html", _bar_context(request))


@login_required
@require_POST
def call_bar_state(request: HttpRequest) -> HttpResponse:
    _require(request, *AGENT_ROLES)
    error = ""
    try:
        services.agent_state_set(
            agent=request.user,
            state=request.POST.get("state", ""),
            actor=request.user,
            now=clock.now(),
        )
    except DomainError as exc:
        error = exc.message
    return render(request, "telephony/partials/call_bar.html", _bar_context(request, error))


@login_required
@require_http_methods(["GET", "POST"])
def callbacks(request: HttpRequest) -> HttpResponse:
    """The call-back queue (Art 13): pending tasks, earliest due first, with an attempt form."""
    _require(request, *AGENT_ROLES, *FLOOR_ROLES)
    error = ""
    if request.method == "POST":
        _require(request, *AGENT_ROLES)
        try:
            task = selectors.callback_get(user=request.user, task_id=int(request.POST["task"]))
            number = request.POST.get("ticket", "").strip()
            ticket = Ticket.objects.filter(number=number).first() if number else None
            services.callback_attempt(
                task=task,
                outcome=request.POST.get("outcome", ""),
                ticket=ticket,
                no_appeal=bool(request.POST.get("no_appeal")),
                note=request.POST.get("note", ""),
                actor=request.user,
                now=clock.now(),
            )
            return redirect("telephony:callbacks")
        except (DomainError, KeyError, ValueError) as exc:
            error = getattr(exc, "message", "") or _("输入内容不正确")
    tasks = selectors.callback_list(user=request.user, state="pending")[:200]
    rows = [(t, selectors.caller_shown(request.user, t.number)) for t in tasks]
    return render(
        request,
        "telephony/callbacks.html",
        {"rows": rows, "outcomes": CallbackOutcome.choices, "error": error},
    )


@login_required
def wallboard(request: HttpRequest) -> HttpResponse:
    """The supervisor's live wallboard; the panel is polled (htmx) every few seconds."""
    _require(request, *FLOOR_ROLES)
    board = selectors.wallboard(user=request.user, now=clock.now())
    template = (
        "telephony/partials/wallboard_panel.html"
        if request.headers.get("HX-Request")
        else "telephony/wallboard.html"
    )
    return render(request, template, {"board": board, "states": list(AgentState)})


def _report_range(request: HttpRequest) -> tuple[date, date, str]:
    today = clock.now().astimezone(selectors.tz()).date()
    try:
        start = date.fromisoformat(
            request.GET.get("from") or (today - timedelta(days=6)).isoformat()
        )
        end = date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        start, end = today - timedelta(days=6), today
    if end < start:
        start, end = end, start
    if (end - start).days > 400:
        start = end - timedelta(days=400)
    granularity = request.GET.get("granularity") or "day"
    if granularity not in selectors.TRUNC:
        granularity = "day"
    if granularity == "hour" and (end - start).days > 31:
        granularity = "day"
    return start, end, granularity


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Connection-rate report (Art 13, 29(1)): per period, per center/sub-center and per
    queue; ``?format=xlsx`` downloads it. Tables only: the ECharts charts come with the
    analytics pages."""
    _require(request, *FLOOR_ROLES)
    start, end, granularity = _report_range(request)
    begin, _x = selectors.local_day_bounds(start)
    _y, finish = selectors.local_day_bounds(end)
    org = request.GET.get("org") or None
    periods = selectors.connection_rate(
        user=request.user, start=begin, end=finish, granularity=granularity, org=org
    )
    scope = selectors.org_scope(request.user)
    orgs = selectors.rate_by_org(start=begin, end=finish, scope=scope)
    queues = selectors.rate_by_queue(start=begin, end=finish, scope=scope)
    target = policy("art13_connection_target")
    minimum = policy("art29_connection_rate_min")
    if request.GET.get("format") == "xlsx":
        return _report_xlsx(periods, orgs, queues, start=start, end=end)
    return render(
        request,
        "telephony/report.html",
        {
            "start": start,
            "end": end,
            "granularity": granularity,
            "org": org or "",
            "periods": periods,
            "orgs": orgs,
            "queues": queues,
            "target": target,
            "minimum": minimum,
            "granularities": [
                ("hour", _("按小时")),
                ("day", _("按日")),
                ("month", _("按月")),
                ("quarter", _("按季度")),
            ],
            "query": request.GET.urlencode(),
        },
    )


def _report_xlsx(periods, orgs, queues, *, start: date, end: date) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("接通率")
    header = [_("统计周期"), _("呼入"), _("接通"), _("未接通"), _("接通率")]
    append_row(ws, [_("12345热线接通率"), f"{start} — {end}"])
    append_row(ws, header)
    for r in periods:
        append_row(ws, [r["period"], r["offered"], r["answered"], r["abandoned"], r["rate"]])
    by_org = wb.create_sheet(_("分中心"))
    append_row(by_org, [_("单位"), _("代码"), *header[1:]])
    for r in orgs:
        append_row(
            by_org, [r["name"], r["org"], r["offered"], r["answered"], r["abandoned"], r["rate"]]
        )
    by_queue = wb.create_sheet(_("队列"))
    append_row(by_queue, [_("队列"), _("代码"), *header[1:]])
    for r in queues:
        append_row(
            by_queue,
            [r["name"], r["queue"], r["offered"], r["answered"], r["abandoned"], r["rate"]],
        )
    return xlsx_response(wb, name="connection-rate", now=clock.now())
