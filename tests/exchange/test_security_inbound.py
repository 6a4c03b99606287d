"""Issue 19, finding 4 on the signed partner interface: a naive ``occurred_at`` is the
platform's local time (no 500); year 0001 is refused (422) and stores nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.tickets.models import Ticket

from .conftest import SECRET, partner_ticket

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def prov(province, as_partner):
    return as_partner("province", SECRET)


def test_finding4_a_partners_naive_occurred_at_is_local_time(prov):
    response = prov.post("/tickets", partner_ticket("HN-SEC-1", occurred_at="2026-01-01T00:00:00"))
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.occurred_at == datetime(2026, 1, 1, tzinfo=TZ)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00"])
def test_finding4_a_partners_year_0001_is_refused(prov, value):
    response = prov.post("/tickets", partner_ticket("HN-SEC-2", occurred_at=value))
    assert response.status_code == 422, response.content
    assert "error" in response.json()
    assert not Ticket.objects.filter(external_id="HN-SEC-2").exists()
