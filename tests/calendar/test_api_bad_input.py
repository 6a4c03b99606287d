"""Malformed calendar queries are 422 in the error format of API.md, never a 500; the messages
go through gettext (Chinese by default, English when the caller chose it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings

from hotline.calendar.api import MAX_RANGE_DAYS, MAX_WORKING_DAYS

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"start": "2026-13-01", "working_days": "7"}, id="month_13"),
        pytest.param({"start": "2026-02-30", "working_days": "7"}, id="february_30"),
        pytest.param({"start": "abc", "working_days": "7"}, id="not_a_date"),
        pytest.param({"start": "", "working_days": "7"}, id="empty_start"),
        pytest.param({"working_days": "7"}, id="start_missing"),
        pytest.param({"start": "2026-09-30"}, id="working_days_missing"),
        pytest.param({}, id="nothing"),
        pytest.param({"start": "2026-09-30", "working_days": "seven"}, id="n_not_a_number"),
        pytest.param({"start": "2026-09-30", "working_days": "1.5"}, id="n_fraction"),
        pytest.param({"start": "2026-09-30", "working_days": "0"}, id="n_zero"),
        pytest.param({"start": "2026-09-30", "working_days": "-3"}, id="n_negative"),
        pytest.param(
            {"start": "2026-09-30", "working_days": str(MAX_WORKING_DAYS + 1)}, id="n_over_limit"
        ),
        pytest.param({"start": "2026-09-30", "working_days": "9" * 40}, id="n_huge"),
        pytest.param({"start": "9999-12-30", "working_days": "5"}, id="past_year_9999"),
    ],
)
def test_deadline_with_malformed_input_is_422(client, query):
    # given a deadline query that is not a date and a count of 1 to 3650 working days
    # when it is sent
    response = client.get("/api/v1/calendar/deadline", query)
    # then the answer is 422 invalid_input with a readable message
    assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"from": "2026-10-14", "to": "2026-09-30"}, id="to_before_from"),
        pytest.param({"from": "2000-01-01", "to": "2026-12-31"}, id="range_too_long"),
        pytest.param(
            {"from": "2017-01-01", "to": str(date(2017, 1, 1) + timedelta(MAX_RANGE_DAYS + 1))},
            id="range_one_day_over_the_limit",
        ),
        pytest.param({"from": "2026-13-01", "to": "2026-12-31"}, id="month_13"),
        pytest.param({"from": "abc", "to": "2026-12-31"}, id="from_not_a_date"),
        pytest.param({"from": "2026-01-01"}, id="to_missing"),
        pytest.param({"to": "2026-01-01"}, id="from_missing"),
    ],
)
def test_days_with_malformed_input_is_422(client, query):
    # given a day-list query that is malformed, inverted or too long
    # when it is sent
    response = client.get("/api/v1/calendar/days", query)
    # then the answer is 422 invalid_input
    assert_error(response, 422, "invalid_input")


def test_days_accepts_a_single_day_and_the_longest_range(client):
    # given the limits of the day list: one day, and the longest range allowed
    last = date(2017, 1, 1) + timedelta(MAX_RANGE_DAYS)
    one = client.get("/api/v1/calendar/days", {"from": "2026-10-01", "to": "2026-10-01"})
    longest = client.get("/api/v1/calendar/days", {"from": "2017-01-01", "to": str(last)})
    # then both are answered, both ends included
    assert one.status_code == 200 and len(one.json()) == 1
    assert longest.status_code == 200
    assert longest.json()[0]["date"] == "2017-01-01"
    assert longest.json()[-1]["date"] == str(last)


def test_deadline_accepts_the_largest_count(client):
    # given the largest number of working days the API accepts
    query = {"start": "2026-09-30", "working_days": MAX_WORKING_DAYS}
    # then it is answered (unconfirmed: it reaches years without a published schedule)
    response = client.get("/api/v1/calendar/deadline", query)
    assert response.status_code == 200
    assert response.json()["confirmed"] is False


def test_days_at_the_end_of_the_representable_range_is_answered(client):
    # given the very last representable day
    response = client.get("/api/v1/calendar/days", {"from": "9999-12-31", "to": "9999-12-31"})
    # then it is listed (Friday, a working day by the weekday rule, unconfirmed)
    assert response.status_code == 200, response.content
    assert response.json() == [
        {"date": "9999-12-31", "working": True, "note": "", "confirmed": False}
    ]


def test_deadline_far_outside_the_official_years_is_answered_with_a_warning(client):
    # given a start long before any official schedule
    response = client.get("/api/v1/calendar/deadline", {"start": "1990-01-01", "working_days": 3})
    # then the weekday rule answers, marked unconfirmed
    assert response.status_code == 200
    body = response.json()
    assert body["due_date"] == "1990-01-03"
    assert body["confirmed"] is False and "1990" in body["warning"]


# -- the calendar API's refusals speak the caller's language -----------------------------------


def english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


API_REFUSALS = [
    (
        "/api/v1/calendar/deadline",
        {"start": "2026-09-30", "working_days": "0"},
        "工作日数须在 1 到 %(max)s 之间",
        {"max": 3650},
    ),
    (
        "/api/v1/calendar/deadline",
        {"start": "9999-12-30", "working_days": "5"},
        "到期日超出可计算的范围（最晚为 9999-12-31）",
        None,
    ),
    (
        "/api/v1/calendar/days",
        {"from": "2026-10-14", "to": "2026-09-30"},
        "结束日期不能早于开始日期",
        None,
    ),
    (
        "/api/v1/calendar/days",
        {"from": "2000-01-01", "to": "2026-12-31"},
        "一次最多查询 %(days)s 天",
        {"days": 3660},
    ),
]


@pytest.mark.parametrize(("path", "query", "msgid", "params"), API_REFUSALS)
def test_the_calendar_api_refuses_in_the_callers_language(
    client, english, path, query, msgid, params
):
    english(msgid)
    text = msgid % params if params else msgid
    chinese = client.get(path, query).json()["error"]
    assert chinese == {"code": "invalid_input", "message": text}
    english_answer = english_client(client).get(path, query).json()["error"]
    assert english_answer == {"code": "invalid_input", "message": f"[en] {text}"}
    # the query's own names (working_days, from, to) are not words of the message
    assert not any(name in text for name in ("working_days", "from", " to "))


def test_the_unconfirmed_year_warning_is_translated(client, english):
    msgid = "%(years)s 年的官方节假日安排尚未录入，按周一至周五为工作日计算，结果可能不准确"
    english(msgid)
    query = {"start": "2026-12-20", "working_days": 20}
    chinese = client.get("/api/v1/calendar/deadline", query).json()
    assert chinese["confirmed"] is False and chinese["warning"] == msgid % {"years": "2027"}
    answer = english_client(client).get("/api/v1/calendar/deadline", query).json()
    assert answer["warning"] == "[en] " + msgid % {"years": "2027"}
