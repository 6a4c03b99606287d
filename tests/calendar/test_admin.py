"""The calendar back office: an administrator sees which years are unconfirmed and edits days
and years through the same write path as the importer (so every process reloads)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.calendar.services import calendar_year_load, get_calendar
from hotline.orgs.models import User

pytestmark = pytest.mark.django_db

MID_2026 = datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
WARNING = "2027 年的官方节假日安排尚未录入"


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    return html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/workcalendar/calendarday/", "国庆节调休"),
        ("/admin/workcalendar/calendarday/?date__year=2026&date__month=10", "国庆节"),
        ("/admin/workcalendar/calendarday/add/", "工作日"),
        ("/admin/workcalendar/calendaryear/", "chinese-calendar"),
        ("/admin/workcalendar/calendaryear/add/", "已确认官方安排"),
        ("/admin/workcalendar/calendaryear/2026/change/", "已确认官方安排"),
    ],
)
def test_calendar_admin_pages_render_in_chinese(admin_client, url, expected):
    # when the administrator opens a calendar page
    html = page(admin_client, url)
    # then it renders with the expected content
    assert expected in html


@time_machine.travel(MID_2026, tick=False)
@pytest.mark.parametrize("model", ["calendarday", "calendaryear"])
def test_calendar_changelists_warn_that_next_year_is_unconfirmed(admin_client, model):
    # given mid-2026: the 2027 schedule has not been published
    # when the administrator opens the calendar lists
    html = page(admin_client, f"/admin/workcalendar/{model}/")
    # then a warning says 2027 is unconfirmed and how to load it
    assert WARNING in html
    assert "hotline calendar import" in html


@time_machine.travel(MID_2026, tick=False)
def test_calendar_changelist_stops_warning_once_next_year_is_loaded(
    admin_client, django_capture_on_commit_callbacks
):
    # given a 2027 schedule loaded
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_load(
            year=2027, days={date(2027, 1, 1): (False, "元旦")}, source="holiday-cn: 2027.json"
        )
    # when the administrator opens the list of years
    html = page(admin_client, "/admin/workcalendar/calendaryear/")
    # then there is no warning any more
    assert "尚未录入" not in html


def test_marking_a_year_confirmed_in_the_admin_reaches_the_calendar(
    admin_client, django_capture_on_commit_callbacks
):
    # given a calendar already loaded in this process, with 2027 unconfirmed
    assert not get_calendar().is_confirmed(2027)
    # when the administrator records 2027 as confirmed
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workcalendar/calendaryear/add/", {"year": "2027", "confirmed": "on"}
        )
    # then the year is confirmed for every reader of the calendar at once
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).confirmed
    assert get_calendar().is_confirmed(2027)


def test_deleting_a_year_record_unconfirms_it(admin_client, django_capture_on_commit_callbacks):
    # given 2026 confirmed
    assert get_calendar().is_confirmed(2026)
    # when the administrator deletes its status record
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workcalendar/calendaryear/2026/delete/", {"post": "yes"}
        )
    # then 2026 is no longer confirmed, its days stay
    assert response.status_code == 302
    assert not get_calendar().is_confirmed(2026)
    assert not get_calendar().is_working_day(date(2026, 10, 1))


def test_a_holiday_entered_in_the_admin_changes_deadlines_at_once(
    admin_client, client, django_capture_on_commit_callbacks
):
    # given Monday 2027-03-01 counted as a working day
    assert get_calendar().is_working_day(date(2027, 3, 1))
    # when the administrator enters it as a day off
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workcalendar/calendarday/add/", {"date": "2027-03-01", "note": "临时假日"}
        )
    # then it is stored and deadlines skip it
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 3, 1)).working is False
    due = client.get("/api/v1/calendar/deadline", {"start": "2027-03-01", "working_days": 1})
    assert due.json()["due_date"] == "2027-03-02"


def test_a_day_that_matches_the_weekday_rule_is_refused_with_a_reason(admin_client):
    # given a Wednesday marked as a working day with no note (the weekday rule already says so)
    # when the administrator saves it
    response = admin_client.post(
        "/admin/workcalendar/calendarday/add/", {"date": "2027-03-03", "working": "on"}
    )
    # then the form says why instead of reporting a success that stored nothing
    assert response.status_code == 200
    assert "无需调整" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2027, 3, 3)).exists()


def test_changing_the_date_of_an_override_moves_it(
    admin_client, django_capture_on_commit_callbacks
):
    # given a day off entered on Thu 2027-03-04
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/workcalendar/calendarday/add/", {"date": "2027-03-04"})
    row = CalendarDay.objects.get(date=date(2027, 3, 4))
    # when the administrator changes its date to Fri 2027-03-05
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/workcalendar/calendarday/{row.pk}/change/", {"date": "2027-03-05"}
        )
    # then 3/5 is off and 3/4 is an ordinary working day again (not both off)
    assert response.status_code == 302
    dates = set(CalendarDay.objects.filter(date__month=3, date__year=2027).values_list("date"))
    assert dates == {(date(2027, 3, 5),)}
    assert get_calendar().is_working_day(date(2027, 3, 4))
    assert not get_calendar().is_working_day(date(2027, 3, 5))


def test_deleting_an_override_restores_the_weekday_rule(
    admin_client, django_capture_on_commit_callbacks
):
    # given Sat 2026-10-10, a 调休 working day
    row = CalendarDay.objects.get(date=date(2026, 10, 10))
    # when the administrator deletes the override
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/workcalendar/calendarday/{row.pk}/delete/", {"post": "yes"})
    # then the Saturday is a day off again
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()
    assert not get_calendar().is_working_day(date(2026, 10, 10))
