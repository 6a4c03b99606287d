"""The exchange over HTTP: partners' signed endpoints and the administrators' metrics.

Partners (the province, national platforms, sub-centers) sign every request with their
shared secret (``hotline.exchange.signing``); a wrong or missing signature, an unknown
partner or a timestamp outside the window is a 401, a replayed message id a 409, all in the
error format of API.md.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from hotline.core import clock
from hotline.core.api import ErrorOut, require_role
from hotline.core.auth import api_auth
from hotline.core.errors import NotAuthenticated
from hotline.core.policy import policy
from hotline.exchange import selectors, services, signing
from hotline.exchange.error_codes import ExchangeErrorCode
from hotline.exchange.models import InboundTicket, Partner
from hotline.orgs.choices import RoleCode
from hotline.tickets import deadlines
from hotline.tickets.choices import AppealType

router = Router(tags=["exchange"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _refused(exc: signing.SignatureError) -> NotAuthenticated:
    """The signature check's refusal in the request's language (signing.py has no Django)."""
    message = _(exc.template) % exc.params if exc.params else _(exc.template)
    return NotAuthenticated(message, code=exc.code)


def partner_auth(request: HttpRequest) -> Partner:
    """Authenticate a partner's signed request (docs/exchange.md «Signatures»)."""
    needs_id = request.method not in ("GET", "HEAD")
    try:
        signed = signing.read_headers(request.headers, require_message_id=needs_id)
    except signing.SignatureError as exc:
        raise _refused(exc) from exc
    if signed.partner == services.PROVINCE:
        services.province()  # the province configured only through the environment
    partner = Partner.objects.filter(code=signed.partner, active=True).first()
    if partner is None:
        raise NotAuthenticated(_("未知的交换平台"), code=ExchangeErrorCode.UNKNOWN_PARTNER)
    try:
        signing.verify(
            request.headers,
            request.body,
            secret=services.partner_secret(partner),
            now=clock.real_now().timestamp(),
            window=int(policy("art21_signature_window_seconds")),
            require_message_id=needs_id,
        )
    except signing.SignatureError as exc:
        raise _refused(exc) from exc
    request.signed = signed
    return partner


# -- schemas ---------------------------------------------------------------------------------


class CitizenIn(Schema):
    name: str = Field("", max_length=60)
    phone: str = Field(..., min_length=1, max_length=30)
    confidential: bool = False


class LocationIn(Schema):
    county: str = Field(..., min_length=1, max_length=40)
    address: str = Field(..., min_length=1, max_length=300)


class PartnerTicketIn(Schema):
    external_id: str = Field(..., min_length=1, max_length=100)
    appeal_type: AppealType
    content: str = Field(..., min_length=1, max_length=5000)
    citizen: CitizenIn
    location: LocationIn
    occurred_at: datetime | None = None
    category: str | None = Field(None, max_length=80)
    major_incident: bool = False
    working_days: int | None = Field(None, ge=1, le=60)


class ResultIn(Schema):
    content: str = Field(..., min_length=1, max_length=5000)
    citizen_contacted: bool | None = None


class AssignmentStatusOut(Schema):
    org: str
    org_name: str
    role: str
    status: str
    due_at: datetime | None
    overdue: bool
    replied_at: datetime | None
    reply: str | None


class PartnerTicketOut(Schema):
    number: str
    external_id: str
    partner: str
    channel: str
    status: str
    received_at: datetime
    working_days: int
    partner_working_days: int | None
    dispatched_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    evaluation: str | None
    assignments: list[AssignmentStatusOut]
    last_seq: int


class StreamOut(Schema):
    partner: str
    kind: str
    endpoint: str
    active: bool
    pending: int
    retrying: int
    dead: int
    oldest_undelivered_at: datetime | None
    current_lag_seconds: float | None
    sent: int
    failed_attempts: int
    lag_p50_seconds: float | None
    lag_p95_seconds: float | None
    lag_max_seconds: float | None


class MetricsOut(Schema):
    now: datetime
    window_minutes: int
    streams: list[StreamOut]
    inbound_messages: dict[str, int]


def _out(inbound: InboundTicket) -> dict:
    ticket = inbound.ticket
    assignments = ticket.assignments.select_related("org").filter(parent__isnull=True)
    return {
        "number": ticket.number,
        "external_id": inbound.external_id,
        "partner": inbound.partner.code,
        "channel": ticket.channel,
        "status": ticket.status,
        "received_at": ticket.received_at,
        "working_days": deadlines.base_working_days(
            appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
        ),
        "partner_working_days": inbound.working_days,
        "dispatched_at": ticket.dispatched_at,
        "closed_at": ticket.closed_at,
        "close_reason": ticket.close_reason or None,
        "evaluation": ticket.evaluation_outcome or None,
        "assignments": [
            {
                "org": a.org.code,
                "org_name": a.org.name,
                "role": a.role,
                "status": a.status,
                "due_at": a.due_at,
                "overdue": a.overdue,
                "replied_at": a.replied_at,
                "reply": a.reply_content or None,
            }
            for a in assignments
        ],
        "last_seq": ticket.outbox_seq,
    }


# -- partners' endpoints ----------------------------------------------------------------------


@router.post(
    "/tickets", response={200: PartnerTicketOut, 201: PartnerTicketOut, **ERRORS}, auth=partner_auth
)
def receive_ticket(request: HttpRequest, payload: PartnerTicketIn):
    """A ticket assigned by the province (channel `provincial`) or a national platform
    (`national`), or mirrored by a sub-center (`subcenter`). Idempotent on `external_id`:
    sending it again answers 200 with the ticket made the first time."""
    partner: Partner = request.auth
    result = services.inbound_ticket(
        partner=partner,
        message_id=request.signed.message_id,
        external_id=payload.external_id,
        appeal_type=payload.appeal_type,
        content=payload.content,
        citizen_name=payload.citizen.name,
        citizen_phone=payload.citizen.phone,
        confidential=payload.citizen.confidential,
        county_code=payload.location.county,
        address=payload.location.address,
        occurred_at=payload.occurred_at,
        category_code=payload.category,
        major_incident=payload.major_incident,
        working_days=payload.working_days,
        now=clock.now(),
    )
    inbound = services.inbound_get(partner=partner, external_id=result.inbound.external_id)
    return Status(201 if result.created else 200, _out(inbound))


@router.get("/tickets/{external_id}", response={200: PartnerTicketOut, **ERRORS}, auth=partner_auth)
def ticket_status(request: HttpRequest, external_id: str):
    """Where a ticket the partner sent stands: status, units, deadlines, replies."""
    return _out(services.inbound_get(partner=request.auth, external_id=external_id))


@router.post(
    "/tickets/{external_id}/result",
    response={200: PartnerTicketOut, **ERRORS},
    auth=partner_auth,
)
def ticket_result(request: HttpRequest, external_id: str, payload: ResultIn):
    """A sub-center's result for a ticket it mirrored and the center dispatched to it."""
    partner: Partner = request.auth
    services.inbound_result(
        partner=partner,
        message_id=request.signed.message_id,
        external_id=external_id,
        content=payload.content,
        citizen_contacted=payload.citizen_contacted,
        now=clock.now(),
    )
    return _out(services.inbound_get(partner=partner, external_id=external_id))


# -- administrators ----------------------------------------------------------------------------


@router.get("/metrics", response={200: MetricsOut, **ERRORS}, auth=api_auth)
def metrics(request: HttpRequest, window_minutes: int = 60):
    """Delivery backlog, dead letters, current lag, and lag p50/p95 and failed attempts over
    the window, per partner (administrators)."""
    require_role(request, RoleCode.ADMINISTRATOR)
    window = max(1, min(window_minutes, 7 * 24 * 60))
    return selectors.exchange_metrics(now=clock.real_now(), window_minutes=window)
