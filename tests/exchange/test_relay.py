"""Art 21: every change of every ticket reaches the province, in per-ticket order, signed,
at least once and never lost; a failing receiver gets retries, then a dead letter that
blocks its ticket until re-driven. Results of a partner's ticket flow back to that partner.
(The same tests run on SQLite — one relay — and PostgreSQL — claims under row locks.)"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta

import pytest

from hotline.core.clock import real_now
from hotline.exchange import signing
from hotline.exchange.error_codes import ExchangeErrorCode
from hotline.exchange.mock import MockProvince
from hotline.exchange.models import DeliveryAttempt
from hotline.exchange.relay import message_body, relay_once
from hotline.tickets.models import OutboxMessage

from .conftest import NATIONAL_SECRET, partner_ticket

pytestmark = pytest.mark.django_db


def drain(rounds: int = 20, **kwargs) -> dict:
    total = defaultdict(int)
    for _ in range(rounds):
        summary = relay_once(now=real_now(), **kwargs)
        for key, value in summary.items():
            total[key] += value
        if not summary["sent"]:
            break
    return dict(total)


def seqs_by_ticket(messages: list[dict]) -> dict[str, list[int]]:
    order: dict[str, list[int]] = defaultdict(list)
    for body in messages:
        order[body["ticket"]].append(body["seq"])
    return dict(order)


def test_every_change_reaches_the_province_once_in_ticket_order(province, mock, changes):
    # given two tickets through their whole life, interleaved
    first = changes.intake()
    second = changes.intake(appeal_type="consultation")
    changes.dispatch(first)
    changes.dispatch(second)
    changes.close(changes.sign_and_reply(first))
    expected = {m.pk for m in OutboxMessage.objects.all()}
    assert len(expected) >= 8
    # when the relay runs
    summary = drain()
    # then every message was stored once, each ticket's in sequence, and all are marked sent
    assert summary["sent"] == len(expected) and summary["failed"] == 0
    bodies = mock.messages
    assert {b["id"] for b in bodies} == {str(pk) for pk in expected}
    for number, seqs in seqs_by_ticket(bodies).items():
        assert seqs == list(range(1, len(seqs) + 1)), number
    assert not OutboxMessage.objects.exclude(state="sent").exists()
    assert mock.store.stats()["rejected"] == 0  # every signature verified
    intake = next(b for b in bodies if b["ticket"] == first.number and b["seq"] == 1)
    assert intake["type"] == "intake" and intake["schema"] == "hotline.exchange.v1"
    assert intake["detail"]["content"] == first.content
    assert intake["detail"]["citizen"]["phone"] == "13800138000"
    closed = [b for b in bodies if b["ticket"] == first.number][-1]
    assert closed["type"] == "closed" and closed["payload"]["ticket"]["status"] == "closed"
    # and the attempt log records the deliveries with their lag
    assert DeliveryAttempt.objects.filter(ok=True).count() == len(expected)


def test_a_confidential_citizen_stays_in_the_city(province, mock, changes):
    changes.intake(confidential=True)
    drain()
    detail = mock.messages[0]["detail"]
    assert detail["citizen"] == {"name": None, "phone": None, "confidential": True}


def test_the_body_is_byte_identical_on_every_retry_and_signed_with_time_and_id(province, changes):
    ticket = changes.intake()
    message = OutboxMessage.objects.get(ticket=ticket, seq=1)
    body = message_body(message, ticket)
    assert body == message_body(OutboxMessage.objects.get(pk=message.pk), ticket)
    assert json.loads(body)["id"] == str(message.pk)
    headers = signing.sign_headers(
        secret="s", partner="zhumadian-12345", message_id=str(message.pk), body=body
    )
    assert signing.verify(headers, body, secret="s").message_id == str(message.pk)
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify({**headers, signing.MESSAGE_ID: "another"}, body, secret="s")
    assert refused.value.code == ExchangeErrorCode.BAD_SIGNATURE


def test_a_failed_push_is_retried_with_backoff_and_holds_back_the_ticket(province, mock, changes):
    from hotline.core.policy import policy_set

    policy_set(key="art21_push_backoff_seconds", value=30.0)
    ticket = changes.dispatch(changes.intake())  # seq 1 intake, seq 2 dispatched
    mock.store.control(fail_rate=1.0)
    now = real_now()
    # when the province answers 503
    assert relay_once(now=now) == {"sent": 0, "failed": 1, "dead": 0}
    # then the head is still pending, scheduled later, and seq 2 was not sent before it
    head = OutboxMessage.objects.get(ticket=ticket, seq=1)
    assert head.state == "pending" and head.attempts == 1 and "503" in head.last_error
    assert head.next_attempt_at >= now + timedelta(seconds=30)
    assert OutboxMessage.objects.get(ticket=ticket, seq=2).attempts == 0
    # and nothing is retried before the backoff has passed, even once the province is back
    mock.store.control(fail_rate=0.0)
    assert relay_once(now=now + timedelta(seconds=10))["sent"] == 0
    assert relay_once(now=now + timedelta(seconds=40))["sent"] == 2
    assert [b["seq"] for b in mock.messages] == [1, 2]


def test_a_dead_letter_blocks_its_ticket_until_re_driven(
    province, mock, changes, fast_retries, admin_client
):
    blocked = changes.dispatch(changes.intake())
    mock.store.control(fail_rate=1.0)
    for _ in range(3):
        relay_once(now=real_now())
    head = OutboxMessage.objects.get(ticket=blocked, seq=1)
    assert head.state == "dead" and head.attempts == 3
    # the province is back: other tickets flow, the dead one's later messages wait
    mock.store.control(fail_rate=0.0)
    other = changes.intake()
    drain()
    assert {b["ticket"] for b in mock.messages} == {other.number}
    assert OutboxMessage.objects.get(ticket=blocked, seq=2).state == "pending"
    # when an administrator re-drives it from the back-office
    response = admin_client.post(
        "/admin/exchange/outboxdelivery/",
        {"action": "redrive", "_selected_action": [str(head.pk)]},
    )
    assert response.status_code == 302
    drain()
    # then the ticket's messages arrive in order
    assert seqs_by_ticket(mock.messages)[blocked.number] == [1, 2]
    assert not OutboxMessage.objects.exclude(state="sent").exists()


def test_an_unreachable_province_loses_nothing(province, changes, fast_retries):
    from hotline.exchange import services

    with MockProvince(secret="x") as gone:
        url = gone.url
    services.partner_save(
        code="province", name="省平台", kind="province", endpoint_url=url
    )  # nobody listens there any more
    ticket = changes.intake()
    summary = relay_once(now=real_now())
    assert summary["failed"] == 1
    message = OutboxMessage.objects.get(ticket=ticket)
    assert message.state == "pending" and message.sent_at is None and message.last_error


def test_results_flow_back_to_the_partner_that_sent_the_ticket(
    province, mock, national, changes, as_partner
):
    from hotline.exchange import services

    with MockProvince(secret=NATIONAL_SECRET) as national_side:
        services.partner_save(
            code="gov-cn", name="国家政务服务平台", kind="national", endpoint_url=national_side.url
        )
        response = as_partner("gov-cn", NATIONAL_SECRET).post(
            "/tickets", partner_ticket("GOV-2026-0001")
        )
        assert response.status_code == 201, response.content
        from hotline.tickets.models import Ticket

        ticket = Ticket.objects.get(number=response.json()["number"])
        assert ticket.channel == "national"
        changes.close(changes.sign_and_reply(changes.dispatch(ticket)))
        unrelated = changes.intake()
        drain()
        # the national platform gets its own ticket's every change, in order, and nothing else
        back = national_side.messages
        assert [b["seq"] for b in back] == list(range(1, ticket.outbox.count() + 1))
        assert {b["ticket"] for b in back} == {ticket.number}
        assert back[-1]["type"] == "closed" and back[0]["external_id"] == "GOV-2026-0001"
        assert any(b["type"] == "replied" and b["payload"]["data"]["content"] for b in back)
        # and the province still gets everything, including the national ticket
        assert {b["ticket"] for b in mock.messages} == {ticket.number, unrelated.number}
        ticket.inbound.refresh_from_db()
        assert ticket.inbound.pushed_seq == ticket.outbox.count()


def test_nothing_is_pushed_without_a_configured_province(db, changes, settings):
    settings.HOTLINE_PROVINCE_URL = ""
    settings.HOTLINE_PROVINCE_SECRET = ""
    changes.intake()
    assert relay_once(now=real_now()) == {"sent": 0, "failed": 0, "dead": 0}
    assert OutboxMessage.objects.get().state == "pending"


def test_the_environment_configures_the_province(db, changes, settings):
    with MockProvince(secret="env-secret") as receiver:
        settings.HOTLINE_PROVINCE_URL = receiver.url
        settings.HOTLINE_PROVINCE_SECRET = "env-secret"
        changes.intake()
        assert relay_once(now=real_now())["sent"] == 1
        assert len(receiver.messages) == 1
