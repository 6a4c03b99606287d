"""Demo partners and keys (API.md «Demo data»: demo mode only). Idempotent.

* ``province`` — the provincial 12345 platform, shared secret ``demo-province-secret``; it
  receives every change. Its push address comes from ``HOTLINE_PROVINCE_URL`` (e.g. the
  reference receiver, ``hotline exchange mock-province``).
* ``gov-cn`` — a national platform (国家政务服务平台), secret ``demo-national-secret``;
  its tickets keep the national time limit (a ``SourceDeadline`` for channel ``national``).
* ``sub-12315`` — the 12315 sub-center mirroring its tickets, secret ``demo-12315-secret``.
* The Open311 key ``demo-open311-key`` (client ``demo``).

The demo history that ``hotline.demo.history`` plays just before this hook is, in the story,
already pushed: its outbox rows are marked delivered (``sent_at`` = when they happened) the
first time the demo is seeded, so a demo connected to the reference receiver shows the
changes made from then on instead of first replaying sixty days of history.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from hotline.exchange import services
from hotline.exchange.choices import PartnerKind
from hotline.exchange.models import ClientKey, Partner
from hotline.orgs.models import Organisation
from hotline.tickets.choices import Channel
from hotline.tickets.models import OutboxMessage, SourceDeadline

PROVINCE_SECRET = "demo-province-secret"  # noqa: S105 — documented demo credentials
NATIONAL_SECRET = "demo-national-secret"  # noqa: S105
SUBCENTER_SECRET = "demo-12315-secret"  # noqa: S105
OPEN311_KEY = "demo-open311-key"
NATIONAL_WORKING_DAYS = 5  # (choice) the national platform's limit in the demo, every type


@transaction.atomic
def seed(*, days: int, per_day: int, seed: int, stdout) -> None:
    first_time = not Partner.objects.filter(code=services.PROVINCE).exists()
    services.partner_save(
        code=services.PROVINCE,
        name="河南省12345政务服务便民热线平台",
        kind=PartnerKind.PROVINCE,
        secret=PROVINCE_SECRET,
        receives_all=True,
    )
    services.partner_save(
        code="gov-cn",
        name="国家政务服务平台",
        kind=PartnerKind.NATIONAL,
        secret=NATIONAL_SECRET,
    )
    sub_org = Organisation.objects.filter(code="sub-12315").first()
    if sub_org is not None:
        services.partner_save(
            code="sub-12315",
            name="12315市场监管投诉举报热线分中心",
            kind=PartnerKind.SUBCENTER,
            secret=SUBCENTER_SECRET,
            org=sub_org,
        )
    if not ClientKey.objects.filter(name="demo").exists():
        services.client_key_create(name="demo", key=OPEN311_KEY, description="演示客户端")
    SourceDeadline.objects.get_or_create(
        channel=Channel.NATIONAL,
        appeal_type="",
        defaults={"working_days": NATIONAL_WORKING_DAYS},
    )
    delivered = 0
    if first_time:
        delivered = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).update(
            state=OutboxMessage.State.SENT, sent_at=F("created_at")
        )
    stdout.write(
        f"exchange: partners {Partner.objects.count()}, Open311 key 'demo', "
        f"history marked delivered: {delivered}"
    )
