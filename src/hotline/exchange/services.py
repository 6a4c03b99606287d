"""Every write of the exchange (ARCHITECTURE.md principle 1): partners and their system
accounts, Open311 keys, inbound tickets and results, re-drive of dead letters.

Tickets themselves are only ever changed through ``hotline.tickets.services`` with the
partner's system account as the actor, so an inbound ticket gets the same rules, archive and
outbox as one typed in by an agent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from hotline.exchange import conf
from hotline.exchange.choices import KIND_CHANNEL, PartnerKind, StreamState
from hotline.exchange.error_codes import ExchangeErrorCode
from hotline.exchange.models import ClientKey, InboundMessage, InboundTicket, Partner
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User
from hotline.orgs.selectors import center_org
from hotline.orgs.services import user_upsert
from hotline.tickets import services as ticket_services
from hotline.tickets.choices import AssignmentStatus
from hotline.tickets.models import Assignment, OutboxMessage, Ticket

PROVINCE = "province"


class Replayed(DomainError):
    status = 409
    code = ExchangeErrorCode.REPLAYED_MESSAGE
    default_message = gettext_lazy("该消息编号已处理过（重放）；如需重试请使用新的消息编号")


# -- partners ---------------------------------------------------------------------------------


def partner_channel(partner: Partner) -> str:
    return str(KIND_CHANNEL[PartnerKind(partner.kind)])


def _system_user(partner: Partner) -> User:
    """The actor of everything a partner does (Art 17: every action has an actor). A
    sub-center acts in its own organisation so it can sign and reply to what it holds."""
    if partner.org_id and partner.kind == PartnerKind.SUBCENTER:
        org, roles = partner.org, [RoleCode.AGENT, RoleCode.UNIT_HANDLER]
    else:
        org, roles = center_org(), [RoleCode.AGENT]
    return user_upsert(
        username=f"partner.{partner.code}",
        organisation=org,
        roles=roles,
        display_name=f"{partner.name}（接口）",
    )


@transaction.atomic
def partner_save(
    *,
    code: str,
    name: str,
    kind: str,
    secret: str | None = None,
    endpoint_url: str | None = None,
    receives_all: bool | None = None,
    org: Organisation | None = None,
    active: bool = True,
) -> Partner:
    """Create or update a partner and its system account. ``secret=None`` keeps the stored
    secret (a new partner without one gets a random secret)."""
    if kind not in PartnerKind.values:
        raise InvalidInput(
            _("未知的平台类型：%(kind)s") % {"kind": kind},
            code=ExchangeErrorCode.UNKNOWN_PARTNER_KIND,
        )
    if org is not None and org.kind != OrgKind.SUBCENTER:
        raise InvalidInput(
            _("只有分中心热线可对应组织"), code=ExchangeErrorCode.INVALID_PARTNER_ORG
        )
    partner = Partner.objects.filter(code=code).first() or Partner(code=code)
    partner.name = name
    partner.kind = kind
    partner.org = org
    partner.active = active
    if endpoint_url is not None:
        partner.endpoint_url = endpoint_url
    if receives_all is not None:
        partner.receives_all = receives_all
    elif partner.pk is None:
        partner.receives_all = kind == PartnerKind.PROVINCE
    if secret:
        partner.secret = secret
    elif not partner.secret:
        partner.secret = secrets.token_urlsafe(32)
    partner.save()
    if partner.user_id is not None:  # keep its account in step (organisation, roles)
        _system_user(partner)
    return partner


def partner_secret(partner: Partner) -> str:
    """The shared secret in force: the environment overrides the row for the province."""
    if partner.code == PROVINCE and conf.province_secret():
        return conf.province_secret()
    return partner.secret


def partner_endpoint(partner: Partner) -> str:
    if partner.code == PROVINCE and conf.province_url():
        return conf.province_url()
    return partner.endpoint_url


def province() -> Partner | None:
    """The provincial platform, created from the environment on first use when only
    ``HOTLINE_PROVINCE_URL`` / ``HOTLINE_PROVINCE_SECRET`` are configured."""
    partner = Partner.objects.filter(code=PROVINCE).first()
    if partner is None and (conf.province_url() or conf.province_secret()):
        if not Organisation.objects.filter(kind=OrgKind.CENTER).exists():
            return None  # not seeded yet: nothing to push or receive
        try:
            with transaction.atomic():
                partner = partner_save(
                    code=PROVINCE, name="省级12345平台", kind=PartnerKind.PROVINCE
                )
        except IntegrityError:  # another process created it at the same moment
            partner = Partner.objects.filter(code=PROVINCE).first()
    return partner


def partner_actor(partner: Partner) -> User:
    """The partner's system account, made the first time the partner acts (so seeding
    partners adds no users: ``seed --demo`` twice changes nothing)."""
    if partner.user_id is None:
        partner.user = _system_user(partner)
        partner.save(update_fields=["user"])
    return partner.user


def partner_authenticate(*, headers, body: bytes, require_message_id: bool) -> Partner:
    """A partner's signed request checked as ``exchange.api.partner_auth`` checks it, for the
    other contexts that accept the signed scheme (telephony's call events): the partner, or
    ``NotAuthenticated`` (401) with the signature check's code."""
    from hotline.core import clock
    from hotline.core.errors import NotAuthenticated
    from hotline.core.policy import policy
    from hotline.exchange import signing

    def refused(exc: signing.SignatureError) -> NotAuthenticated:
        message = _(exc.template) % exc.params if exc.params else _(exc.template)
        return NotAuthenticated(message, code=exc.code)

    try:
        signed = signing.read_headers(headers, require_message_id=require_message_id)
    except signing.SignatureError as exc:
        raise refused(exc) from exc
    if signed.partner == PROVINCE:
        province()
    partner = Partner.objects.filter(code=signed.partner, active=True).first()
    if partner is None:
        raise NotAuthenticated(_("未知的交换平台"), code=ExchangeErrorCode.UNKNOWN_PARTNER)
    try:
        signing.verify(
            headers,
            body,
            secret=partner_secret(partner),
            now=clock.real_now().timestamp(),
            window=int(policy("art21_signature_window_seconds")),
            require_message_id=require_message_id,
        )
    except signing.SignatureError as exc:
        raise refused(exc) from exc
    return partner


# -- Open311 keys -----------------------------------------------------------------------------


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def client_key_create(
    *, name: str, key: str | None = None, description: str = ""
) -> tuple[ClientKey, str]:
    """Create an Open311 client key; returns the row and the key, which is never stored."""
    key = key or f"o311_{secrets.token_urlsafe(24)}"
    row = ClientKey.objects.filter(name=name).first() or ClientKey(name=name)
    row.description = description or row.description
    row.prefix = key[:8]
    row.digest = key_digest(key)
    row.active = True
    row.save()
    return row, key


def client_actor(client: ClientKey) -> User:
    """The client's system account (role agent at the center), made on first use."""
    if client.user_id is None:
        client.user = user_upsert(
            username=f"open311.{client.name}",
            organisation=center_org(),
            roles=[RoleCode.AGENT],
            display_name=f"Open311 客户端 {client.name}",
        )
        client.save(update_fields=["user"])
    return client.user


def client_key_check(key: str | None, *, now: datetime) -> ClientKey | None:
    if not key:
        return None
    row = (
        ClientKey.objects.select_related("user", "user__organisation")
        .filter(digest=key_digest(key), active=True)
        .exclude(user__is_active=False)
        .first()
    )
    if row is not None:
        ClientKey.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


# -- inbound ----------------------------------------------------------------------------------


def _record_message(*, partner: Partner, message_id: str, kind: str, now: datetime) -> None:
    """Refuse a message id this partner used before (replay); inside the caller's
    transaction, so a refused or failed request does not use the id up."""
    try:
        with transaction.atomic():
            InboundMessage.objects.create(
                partner=partner, message_id=message_id, kind=kind, received_at=now
            )
    except IntegrityError as exc:
        raise Replayed() from exc


@dataclass(frozen=True)
class InboundResult:
    ticket: Ticket
    inbound: InboundTicket
    created: bool


@transaction.atomic
def inbound_ticket(
    *,
    partner: Partner,
    message_id: str,
    external_id: str,
    appeal_type: str,
    content: str,
    citizen_name: str,
    citizen_phone: str,
    confidential: bool,
    county_code: str,
    address: str,
    occurred_at: datetime | None,
    category_code: str | None,
    major_incident: bool,
    working_days: int | None,
    now: datetime,
) -> InboundResult:
    """A ticket assigned by the province or a national platform, or mirrored by a sub-center
    (Art 21). Idempotent on the partner's id: the same ``external_id`` again answers with the
    ticket already made. The ticket goes through ``ticket_intake`` like any other."""
    _record_message(partner=partner, message_id=message_id, kind="ticket", now=now)
    external_id = external_id.strip()
    if not external_id:
        raise InvalidInput(
            _("%(field)s不能为空") % {"field": _("对方工单编号")},
            code=ExchangeErrorCode.MISSING_FIELD,
        )
    existing = (
        InboundTicket.objects.select_related("ticket")
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    if existing is not None:
        InboundMessage.objects.filter(partner=partner, message_id=message_id).update(
            ticket=existing.ticket
        )
        return InboundResult(existing.ticket, existing, False)
    channel = partner_channel(partner)
    taken = InboundTicket.objects.filter(
        ticket__channel=channel, ticket__external_id=external_id
    ).exclude(partner=partner)
    # Two partners of one channel (two national platforms) may use the same id: the second
    # one's ticket is keyed "<partner>:<id>" so it never lands on the first one's ticket.
    key = f"{partner.code}:{external_id}"[:100] if taken.exists() else external_id
    result = ticket_services.ticket_intake(
        channel=channel,
        appeal_type=appeal_type,
        content=content,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        confidential=confidential,
        county=ticket_services.county_org(county_code),
        address=address,
        occurred_at=occurred_at,
        category=ticket_services.category_by_code(category_code),
        major_incident=major_incident,
        external_id=key,
        actor=partner_actor(partner),
        now=now,
    )
    inbound, _created = InboundTicket.objects.get_or_create(
        ticket=result.ticket,
        defaults={
            "partner": partner,
            "external_id": external_id,
            "working_days": working_days,
            "received_at": now,
        },
    )
    InboundMessage.objects.filter(partner=partner, message_id=message_id).update(
        ticket=result.ticket
    )
    return InboundResult(result.ticket, inbound, result.created)


def inbound_get(*, partner: Partner, external_id: str) -> InboundTicket:
    """A partner sees only the tickets it sent (404 otherwise, like every scope)."""
    inbound = (
        InboundTicket.objects.select_related("ticket", "ticket__county")
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    if inbound is None:
        raise NotFound(_("工单不存在"), code=ExchangeErrorCode.NOT_FOUND)
    return inbound


@transaction.atomic
def inbound_result(
    *,
    partner: Partner,
    message_id: str,
    external_id: str,
    content: str,
    citizen_contacted: bool | None,
    now: datetime,
) -> Ticket:
    """A sub-center reports the result of a ticket it mirrored and that the center
    dispatched to it: it signs (if not yet) and replies through the ticket services
    (Art 15(4): who handles, answers). Other partners do not handle tickets here."""
    _record_message(partner=partner, message_id=message_id, kind="result", now=now)
    inbound = inbound_get(partner=partner, external_id=external_id)
    if partner.kind != PartnerKind.SUBCENTER or partner.org_id is None:
        raise PermissionDenied(_("只有分中心可回传办理结果"), code=ExchangeErrorCode.FORBIDDEN)
    actor = partner_actor(partner)
    assignment = (
        Assignment.objects.select_related("ticket", "org", "parent")
        .filter(
            ticket=inbound.ticket,
            org=partner.org,
            status__in=[AssignmentStatus.AWAITING_SIGN, AssignmentStatus.IN_PROGRESS],
        )
        .order_by("-dispatched_at")
        .first()
    )
    if assignment is None:
        raise ticket_services.Conflict(
            _("该工单当前没有派给本分中心的待办派单"),
            code=ExchangeErrorCode.NOT_ASSIGNED_TO_PARTNER,
        )
    if assignment.status == AssignmentStatus.AWAITING_SIGN:
        ticket_services.assignment_sign(assignment=assignment, actor=actor, now=now)
        assignment.refresh_from_db()
    ticket_services.assignment_reply(
        assignment=assignment,
        content=content,
        citizen_contacted=citizen_contacted,
        actor=actor,
        now=now,
    )
    InboundMessage.objects.filter(partner=partner, message_id=message_id).update(
        ticket=inbound.ticket
    )
    inbound.ticket.refresh_from_db()
    return inbound.ticket


# -- re-drive (back-office) ---------------------------------------------------------------


@transaction.atomic
def outbox_redrive(*, messages: QuerySet[OutboxMessage], actor: User | None, now: datetime) -> int:
    """Put dead letters back in the queue (Art 21: nothing may be lost): the message and so
    its ticket's later messages flow again from the next sweep."""
    note = f"re-driven by {actor.username if actor else 'system'} at {now.isoformat()}"
    return messages.filter(state=OutboxMessage.State.DEAD).update(
        state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=now, last_error=note
    )


@transaction.atomic
def stream_redrive(*, streams: QuerySet[InboundTicket], actor: User | None, now: datetime) -> int:
    note = f"re-driven by {actor.username if actor else 'system'} at {now.isoformat()}"
    return streams.filter(push_state=StreamState.DEAD).update(
        push_state=StreamState.ACTIVE, attempts=0, next_attempt_at=now, last_error=note
    )


def prune_logs(*, before: datetime) -> dict[str, Any]:
    from hotline.exchange.models import DeliveryAttempt

    attempts, _by_model = DeliveryAttempt.objects.filter(at__lt=before).delete()
    messages, _by_model = InboundMessage.objects.filter(received_at__lt=before).delete()
    return {"attempts": attempts, "messages": messages}
