"""RULES.md "Worked examples (official 2026 calendar)", through the Python API and the HTTP API.

Art 15(2): N working days counting the sign day as day 1 when it is a working day, due at
the end (24:00) of the last one; a ticket signed on a non-working day starts counting on the
next working day. Art 15(1): the 24-hour return window and the 2-hour auto-sign count only
time on working days. Art 15(3): an extension is requested at least 48 hours before the
deadline.

``WorkCalendar.deadline`` returns the last second of the due day (23:59:59); the deadline
itself passes one second later, at 24:00 (``hotline.tickets.deadlines.deadline_instant``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_SECOND = timedelta(seconds=1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def last_second_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)


# (appeal type, base working days, signed, due date, the working days counted — the "why")
HANDLING_EXAMPLES = [
    pytest.param(
        "complaint",
        7,
        date(2026, 9, 30),
        date(2026, 10, 14),
        [
            "2026-09-30",
            "2026-10-08",
            "2026-10-09",
            "2026-10-10",
            "2026-10-12",
            "2026-10-13",
            "2026-10-14",
        ],
        id="complaint_2026_09_30",
    ),
    pytest.param(
        "consultation",
        2,
        date(2026, 2, 13),
        date(2026, 2, 14),
        ["2026-02-13", "2026-02-14"],
        id="consultation_2026_02_13",
    ),
    pytest.param(
        "help",
        4,
        date(2026, 2, 13),
        date(2026, 2, 25),
        ["2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25"],
        id="help_2026_02_13",
    ),
    pytest.param(
        "help",
        4,
        date(2026, 4, 30),
        date(2026, 5, 8),
        ["2026-04-30", "2026-05-06", "2026-05-07", "2026-05-08"],
        id="help_2026_04_30",
    ),
    pytest.param(
        "consultation",
        2,
        date(2026, 10, 1),
        date(2026, 10, 9),
        ["2026-10-08", "2026-10-09"],
        id="consultation_2026_10_01_holiday",
    ),
]

# (signed, the 24-hour return window ends)
RETURN_WINDOW_EXAMPLES = [
    pytest.param(at(2026, 6, 12, 16), at(2026, 6, 15, 16), id="weekend_not_counted"),
    pytest.param(at(2026, 5, 8, 16), at(2026, 5, 9, 16), id="tiaoxiu_saturday_counts"),
    pytest.param(at(2026, 9, 30, 20), at(2026, 10, 8, 20), id="national_day_not_counted"),
]


# -- Python API ---------------------------------------------------------------------------------


def test_art15_deadline_counts_sign_day_complaint_2026_09_30(official):
    # given a complaint (7 working days) signed on Wed 2026-09-30, a working day
    # when the deadline is computed
    due = official.deadline(date(2026, 9, 30), 7)
    # then it is the end of Wed 2026-10-14: 9/30 is day 1, the National Day week is skipped
    # and Sat 10/10 (调休) counts
    assert due == last_second_of(date(2026, 10, 14))
    assert official.nth_working_day(date(2026, 9, 30), 7) == date(2026, 10, 14)


def test_art15_deadline_tiaoxiu_saturday_is_day_two_consultation_2026_02_13(official):
    # given a consultation (2 working days) signed on Fri 2026-02-13
    # when the deadline is computed
    due = official.deadline(date(2026, 2, 13), 2)
    # then it is Sat 2026-02-14, a weekend made into a working day before the Spring Festival
    assert due.date() == date(2026, 2, 14)
    assert official.is_working_day(date(2026, 2, 14))


def test_art15_deadline_skips_spring_festival_help_2026_02_13(official):
    # given a request for help (4 working days) signed on Fri 2026-02-13
    # when the deadline is computed
    due = official.nth_working_day(date(2026, 2, 13), 4)
    # then 2/13 and Sat 2/14 count, 2/15–2/23 are off, and 2/24, 2/25 complete the four
    assert due == date(2026, 2, 25)


def test_art15_deadline_skips_labour_day_help_2026_04_30(official):
    # given a request for help (4 working days) signed on Thu 2026-04-30
    # when the deadline is computed
    due = official.nth_working_day(date(2026, 4, 30), 4)
    # then the 5/1–5/5 holiday is skipped
    assert due == date(2026, 5, 8)


def test_art15_deadline_signed_on_holiday_starts_next_working_day_consultation_2026_10_01(
    official,
):
    # given a consultation (2 working days) signed on Thu 2026-10-01, National Day
    # when the deadline is computed
    due = official.deadline(date(2026, 10, 1), 2)
    # then counting starts on Thu 10/8, the next working day: due at the end of Fri 10/9
    assert due.date() == date(2026, 10, 9)


@pytest.mark.parametrize(("appeal", "days", "signed", "due", "counted"), HANDLING_EXAMPLES)
def test_art15_deadline_counts_exactly_the_working_days_of_the_worked_example(
    official, appeal, days, signed, due, counted
):
    # given a worked example of RULES.md
    # when every day from the sign day to the deadline is listed
    working = [str(i.day) for i in official.days(signed, due) if i.working]
    # then the working days among them are exactly those the example counts
    assert working == counted
    assert official.working_days_between(signed, due) == days
    assert official.deadline(signed, days) == last_second_of(due)


def test_art15_extension_must_be_requested_48_hours_before_the_deadline_2026_09_30(official):
    # given a complaint signed Wed 2026-09-30, due by 24:00 on Wed 2026-10-14
    last_second = official.deadline(date(2026, 9, 30), 7)
    deadline_passes = last_second + ONE_SECOND
    assert deadline_passes == at(2026, 10, 15)  # 24:00 of 10/14
    # when the latest moment to request an extension is 48 calendar hours before it
    latest_request = deadline_passes - timedelta(hours=48)
    # then that is 2026-10-13 00:00
    assert latest_request == at(2026, 10, 13)


@pytest.mark.parametrize(("signed", "window_end"), RETURN_WINDOW_EXAMPLES)
def test_art15_return_window_is_24_working_hours(official, signed, window_end):
    # given an assignment signed at a worked example's time
    # when 24 hours of working-day time are added
    end = official.add_working_time(signed, timedelta(hours=24))
    # then the window ends when the example says, and exactly 24 working hours lie between
    assert end == window_end
    assert official.working_time_between(signed, end) == timedelta(hours=24)


def test_art15_auto_sign_after_2_working_hours_dispatched_friday_2300(official):
    # given an assignment dispatched at 23:00 on Fri 2026-06-12 (a normal weekend follows)
    # when the 2-hour sign limit counts only working-day time
    signed_by = official.add_working_time(at(2026, 6, 12, 23), timedelta(hours=2))
    # then one hour is used on Friday and one on Monday: signed by Mon 2026-06-15 01:00
    assert signed_by == at(2026, 6, 15, 1)


def test_art15_auto_sign_dispatched_on_a_holiday_starts_next_working_day(official):
    # given an assignment dispatched at 10:00 on Thu 2026-10-01 (National Day holiday)
    # when the 2-hour sign limit is computed
    signed_by = official.add_working_time(at(2026, 10, 1, 10), timedelta(hours=2))
    # then the clock starts at 00:00 of Thu 10/8, the next working day
    assert signed_by == at(2026, 10, 8, 2)


def test_art15_return_window_signed_on_a_weekend_ends_at_end_of_next_working_day(official):
    # given an assignment signed at 09:00 on Sat 2026-06-13, a normal weekend
    # when the 24-hour return window is computed
    end = official.add_working_time(at(2026, 6, 13, 9), timedelta(hours=24))
    # then the whole of Monday counts: the window ends at 24:00 on Mon 2026-06-15
    assert end == at(2026, 6, 16)


def test_art15_working_time_accepts_other_offsets_and_answers_in_platform_zone(official):
    # given a sign time given in UTC (Fri 2026-06-12 08:00 UTC = 16:00 in Zhumadian)
    signed = datetime(2026, 6, 12, 8, tzinfo=ZoneInfo("UTC"))
    # when the return window is computed
    end = official.add_working_time(signed, timedelta(hours=24))
    # then it is the same instant as for 16:00 local time, shown in Asia/Shanghai
    assert end == at(2026, 6, 15, 16)
    assert end.utcoffset() == timedelta(hours=8)


# -- HTTP API -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("appeal", "days", "signed", "due", "counted"), HANDLING_EXAMPLES)
def test_art15_deadline_via_http_api(client, appeal, days, signed, due, counted):
    # given the official calendar seeded in the database
    # when a client asks for the deadline of the worked example
    response = client.get(
        "/api/v1/calendar/deadline", {"start": signed.isoformat(), "working_days": days}
    )
    # then the due date is the example's and the year's schedule is confirmed
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due_date"] == due.isoformat()
    assert body["confirmed"] is True
    assert body["warning"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(("appeal", "days", "signed", "due", "counted"), HANDLING_EXAMPLES)
def test_art15_calendar_days_via_http_api_show_why(client, appeal, days, signed, due, counted):
    # given the official calendar seeded in the database
    # when a client lists the days from the sign day to the deadline
    response = client.get(
        "/api/v1/calendar/days", {"from": signed.isoformat(), "to": due.isoformat()}
    )
    # then both ends are included and the working days are exactly those the example counts
    assert response.status_code == 200, response.content
    listed = response.json()
    assert listed[0]["date"] == signed.isoformat()
    assert listed[-1]["date"] == due.isoformat()
    assert len(listed) == (due - signed).days + 1
    assert [d["date"] for d in listed if d["working"]] == counted


@pytest.mark.django_db
def test_art15_calendar_days_via_http_api_name_the_holidays_and_tiaoxiu(client):
    # given the official calendar seeded in the database
    # when a client lists the National Day week of 2026
    response = client.get("/api/v1/calendar/days", {"from": "2026-10-01", "to": "2026-10-10"})
    days = {d["date"]: d for d in response.json()}
    # then 10/1–10/7 are days off named for the holiday, and Sat 10/10 is a 调休 working day
    for day in range(1, 8):
        assert days[f"2026-10-0{day}"]["working"] is False
        assert "国庆" in days[f"2026-10-0{day}"]["note"]
    assert days["2026-10-10"]["working"] is True
    assert "调休" in days["2026-10-10"]["note"]
    assert set(days["2026-10-08"]) >= {"date", "working", "note"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-06-13", False),  # weekend of the first return-window example
        ("2026-06-14", False),
        ("2026-05-09", True),  # 调休 Saturday of the second
        ("2026-10-01", False),  # National Day, third
        ("2026-10-07", False),
        ("2026-10-08", True),
    ],
)
def test_art15_return_window_days_via_http_api(client, day, working):
    # given the official calendar seeded in the database
    # when a client asks about a day the return-window examples depend on
    response = client.get("/api/v1/calendar/days", {"from": day, "to": day})
    # then its working status is the one the example relies on, from a confirmed schedule
    assert response.status_code == 200
    [listed] = response.json()
    assert (listed["date"], listed["working"], listed["confirmed"]) == (day, working, True)
