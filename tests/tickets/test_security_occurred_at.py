"""Issue 19, findings 4 and 6 (occurred_at): a time without an offset is read as the
platform's local time (Asia/Shanghai, API.md), never a 500; a year-0001 or far-future time is
refused with 422 ``invalid_occurred_at`` and creates nothing."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.tickets.models import Ticket

from .conftest import INTAKE

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _body(occurred_at: str) -> dict:
    body = json.loads(json.dumps(INTAKE))
    body["occurred_at"] = occurred_at
    return body


def test_finding4_a_naive_occurred_at_is_read_as_local_time(api):
    response = api("agent").post("/tickets", _body("2026-01-01T00:00:00"))
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.occurred_at == datetime(2026, 1, 1, tzinfo=TZ)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00+14:00",
        "1999-12-31T23:59:59+08:00",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59-12:00",
    ],
)
def test_finding6_an_occurred_at_out_of_range_is_422(api, value):
    before = Ticket.objects.count()
    response = api("agent").post("/tickets", _body(value))
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] in {"invalid_occurred_at", "invalid_input"}
    assert Ticket.objects.count() == before
