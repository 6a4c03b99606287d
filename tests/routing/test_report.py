"""The report of how often the routing suggestions were taken (智能推荐采纳情况): the
selectors' numbers on a small constructed set, local-time periods, the per-source hit rates,
the page (permissions, bad input, empty state, xlsx) and its query count."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from hotline.routing import selectors
from hotline.routing.models import DispatchRule, RoutingSuggestion
from hotline.tickets import services

TZ = ZoneInfo("Asia/Shanghai")
URL = "/console/routing/report/"
# two local weeks: Mon 2026-09-21 … Sun 09-27, Mon 09-28 … Sun 10-04
RANGE = {"from": "2026-09-21", "to": "2026-10-04", "period": "week"}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def make_ticket(users, orgs, county: str, now: datetime):
    return services.ticket_intake(
        channel="phone",
        appeal_type="complaint",
        content="驿城区雪松路路灯连续一周不亮，夜间出行很不安全，请尽快维修。",
        citizen_name="张三",
        citizen_phone="13800138000",
        county=orgs[county],
        address="雪松路",
        actor=users("agent"),
        now=now,
    ).ticket


def suggestion(ticket, kind, at, suggested, chosen, sources=()):
    rank = suggested.index(chosen) + 1 if chosen in suggested else None
    return RoutingSuggestion(
        ticket=ticket,
        kind=kind,
        suggested=suggested,
        reasons=[[] for _ in suggested],
        sources=list(sources),
        chosen=chosen,
        accepted=rank is not None,
        rank=rank,
        at=at,
    )


@pytest.fixture
def records(users, orgs):
    """Category and unit records in two local weeks, two counties, and two just outside."""
    yc = make_ticket(users, orgs, "411702", local("2026-09-20 09:00"))  # 驿城区
    sc = make_ticket(users, orgs, "411722", local("2026-09-20 09:00"))  # 上蔡县
    rows = [
        # week 1
        suggestion(yc, "category", local("2026-09-21 08:00"), ["a", "b", "c"], "a"),
        suggestion(sc, "category", local("2026-09-27 23:30"), ["a", "b", "c"], "b"),
        suggestion(
            yc,
            "unit",
            local("2026-09-22 10:00"),
            ["A", "B", "C"],
            "A",
            [["catalogue", "model"], ["neighbours"], ["precedent"]],
        ),
        suggestion(
            yc, "unit", local("2026-09-23 10:00"), ["A", "B"], "B", [["model"], ["catalogue"]]
        ),
        # week 2 — Monday 07:00 and 00:30 in Zhumadian are still Sunday in UTC
        suggestion(sc, "category", local("2026-09-28 07:00"), ["a", "b"], "x"),
        suggestion(sc, "unit", local("2026-09-28 00:30"), ["A"], "X", [["neighbours"]]),
        suggestion(
            sc,
            "unit",
            local("2026-10-04 23:59"),
            ["B", "A"],
            "A",
            [["precedent", "catalogue"], ["model"]],
        ),
        # outside: the Sunday before, and the Monday after (local midnight)
        suggestion(sc, "unit", local("2026-09-20 23:59"), ["A"], "A", [["catalogue"]]),
        suggestion(sc, "category", local("2026-10-05 00:00"), ["a"], "a"),
    ]
    RoutingSuggestion.objects.bulk_create(rows)
    return {"yc": yc, "sc": sc}


def periods(period="week", first=date(2026, 9, 21), last=date(2026, 10, 4)):
    return selectors.report_periods(first=first, last=last, period=period)


# -- selectors -----------------------------------------------------------------------------------


def test_report_periods_are_local_weeks_and_months_cut_to_the_range(db):
    weeks = periods(first=date(2026, 9, 23), last=date(2026, 10, 6))
    assert [(p.first, p.last) for p in weeks] == [
        (date(2026, 9, 23), date(2026, 9, 27)),
        (date(2026, 9, 28), date(2026, 10, 4)),
        (date(2026, 10, 5), date(2026, 10, 6)),
    ]
    assert weeks[0].since == local("2026-09-23 00:00")
    assert weeks[-1].until == local("2026-10-07 00:00")
    months = periods("month", date(2026, 1, 31), date(2026, 3, 1))
    assert [(p.first, p.last) for p in months] == [
        (date(2026, 1, 31), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ]
    with pytest.raises(ValueError):
        selectors.report_periods(first=date(2026, 1, 1), last=date(2026, 2, 1), period="day")


def test_acceptance_by_period_counts_each_kind_in_local_weeks(records):
    report = selectors.acceptance_by_period(periods=periods())
    week1, week2 = report["rows"]
    assert week1["category"] == {
        "shown": 2,
        "accepted": 2,
        "first": 1,
        "rate": 1.0,
        "first_rate": 0.5,
    }
    assert week1["unit"] == {"shown": 2, "accepted": 2, "first": 1, "rate": 1.0, "first_rate": 0.5}
    # the records of Monday 00:30 and 07:00 local (Sunday in UTC) are in the second week
    assert week2["category"] == {"shown": 1, "accepted": 0, "first": 0, "rate": 0, "first_rate": 0}
    assert week2["unit"] == {"shown": 2, "accepted": 1, "first": 0, "rate": 0.5, "first_rate": 0}
    assert report["total"]["unit"] == {
        "shown": 4,
        "accepted": 3,
        "first": 1,
        "rate": 0.75,
        "first_rate": 0.25,
    }
    assert report["total"]["category"]["shown"] == 3
    one_day = selectors.acceptance_by_period(
        periods=periods(first=date(2026, 9, 22), last=date(2026, 9, 22))
    )
    assert [r["unit"]["shown"] for r in one_day["rows"]] == [1]
    # the totals agree with the existing selector over the same instants
    whole = selectors.acceptance(
        kind="unit", since=local("2026-09-21 00:00"), until=local("2026-10-05 00:00")
    )
    assert (whole["shown"], whole["accepted"], whole["first"]) == (4, 3, 1)


def test_by_month_and_a_period_without_records(records):
    report = selectors.acceptance_by_period(
        periods=periods("month", date(2026, 8, 1), date(2026, 10, 31))
    )
    august, september, october = report["rows"]
    assert august["unit"] == {
        "shown": 0,
        "accepted": 0,
        "first": 0,
        "rate": None,
        "first_rate": None,
    }
    assert september["unit"]["shown"] == 4  # the Sunday before counts in September
    assert october["unit"]["shown"] == 1 and october["category"]["shown"] == 1
    assert selectors.acceptance_by_period(periods=[]) == {
        "rows": [],
        "total": {
            k: {"shown": 0, "accepted": 0, "first": 0, "rate": None, "first_rate": None}
            for k in ("category", "unit")
        },
    }


def test_unit_acceptance_by_source(records):
    p = periods()
    result = selectors.unit_acceptance_by_source(since=p[0].since, until=p[-1].until)
    assert result["shown"] == 4
    rows = {r["source"]: r for r in result["rows"]}
    assert list(rows) == ["catalogue", "precedent", "model", "neighbours"]
    pick = ("offered", "hit", "top", "top_hit")
    assert {s: tuple(r[k] for k in pick) for s, r in rows.items()} == {
        "catalogue": (3, 2, 2, 1),
        "model": (3, 2, 2, 1),
        "neighbours": (2, 0, 1, 0),
        "precedent": (2, 0, 1, 0),
    }
    assert rows["catalogue"]["hit_rate"] == pytest.approx(2 / 3)
    assert rows["catalogue"]["top_rate"] == 0.5
    assert rows["neighbours"]["hit_rate"] == 0 and rows["neighbours"]["top_rate"] == 0


def test_unit_acceptance_by_source_with_nothing_recorded(db):
    result = selectors.unit_acceptance_by_source(
        since=local("2026-01-01 00:00"), until=local("2026-02-01 00:00")
    )
    assert result["shown"] == 0
    assert all(r["offered"] == 0 and r["hit_rate"] is None for r in result["rows"])


def test_acceptance_by_county(records, orgs):
    p = periods()
    rows = selectors.acceptance_by_county(since=p[0].since, until=p[-1].until)
    by_id = {r["county_id"]: r for r in rows}
    yc, sc = by_id[orgs["411702"].pk], by_id[orgs["411722"].pk]
    assert yc["unit"] == {"shown": 2, "accepted": 2, "first": 1, "rate": 1.0, "first_rate": 0.5}
    assert yc["category"]["shown"] == 1 and yc["category"]["first"] == 1
    assert sc["unit"] == {"shown": 2, "accepted": 1, "first": 0, "rate": 0.5, "first_rate": 0}
    assert (sc["category"]["shown"], sc["category"]["accepted"]) == (2, 1)
    assert len(rows) == 2


def test_sources_as_recorded_by_a_real_dispatch(users, orgs, categories):
    """The record the dispatch hook writes is read the same way (its ``sources`` shape)."""
    lights = categories["public-services.municipal.street-lights"]
    DispatchRule.objects.create(category=lights, unit=orgs["urban"])
    at = local("2026-09-30 10:00")
    ticket = services.ticket_intake(
        channel="phone",
        appeal_type="complaint",
        content="驿城区雪松路路灯连续一周不亮，夜间出行很不安全。",
        citizen_name="张三",
        citizen_phone="13800138000",
        county=orgs["411702"],
        address="雪松路",
        category=lights,
        actor=users("agent"),
        now=at,
    ).ticket
    services.ticket_dispatch(
        ticket=ticket, lead=orgs["urban"], assists=[], actor=users("dispatcher"), now=at
    )
    record = RoutingSuggestion.objects.get(ticket=ticket, kind="unit")
    assert record.rank == 1 and "catalogue" in record.sources[0]
    result = selectors.unit_acceptance_by_source(since=at, until=at + timedelta(minutes=1))
    catalogue = next(r for r in result["rows"] if r["source"] == "catalogue")
    assert (catalogue["offered"], catalogue["hit"], catalogue["top_hit"]) == (1, 1, 1)


# -- the page ------------------------------------------------------------------------------------


@pytest.fixture
def client_for(users):
    def make(username: str) -> Client:
        client = Client()
        client.force_login(users(username))
        return client

    return make


def test_login_required(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("username", ["org.411702", "org.urban", "agent", "callback", "inspector"])
def test_others_are_refused(client_for, username):
    response = client_for(username).get(URL, RANGE)
    assert response.status_code == 403
    response = client_for(username).get(URL, {**RANGE, "format": "xlsx"})
    assert response.status_code == 403


@pytest.mark.parametrize("username", ["supervisor", "analyst", "admin", "dispatcher"])
def test_the_roles_that_oversee_the_center_see_it_and_the_home_link(client_for, username):
    client = client_for(username)
    assert client.get(URL).status_code == 200
    assert URL.encode() in client.get("/").content


def test_no_home_link_for_agents_and_units(client_for):
    for username in ("agent", "org.411702"):
        assert URL.encode() not in client_for(username).get("/").content


def test_page_shows_the_rates_as_percentages(client_for, records):
    response = client_for("supervisor").get(URL, RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "智能推荐采纳情况" in html
    assert "2026-09-21 – 2026-09-27" in html and "2026-09-28 – 2026-10-04" in html
    assert "75.0%" in html and "25.0%" in html  # unit total: accepted, first
    assert "66.7%" in html  # the catalogue's hit rate
    assert 'style="width:75.0%"' in html
    assert "上蔡" in html and "驿城" in html
    assert "format=xlsx" in html


def test_default_range_is_the_last_12_weeks(client_for, records):
    with override_settings(SIMULATION=True):
        from hotline.core.clock import set_simulated_now

        set_simulated_now(local("2026-10-01 10:00"))  # a Thursday
        response = client_for("analyst").get(URL)
    assert response.status_code == 200
    kinds = response.context["report"]["kinds"]
    rows = kinds[0]["rows"]
    assert len(rows) == 12
    assert rows[0]["period"].first == date(2026, 7, 13)  # a Monday, 11 weeks before
    assert rows[-1]["period"].last == date(2026, 10, 1)  # today
    assert kinds[1]["total"]["shown"] == 4  # the unit records up to today (not 10-04)
    month = client_for("analyst").get(URL, {"period": "month", "to": "2026-10-01"})
    assert len(month.context["report"]["kinds"][0]["rows"]) == 12


def test_empty_state_says_where_the_records_come_from(client_for, db):
    response = client_for("analyst").get(URL, RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "所选时间内没有推荐记录" in html and "话务员受理工单" in html
    assert "format=xlsx" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-10-04"}, "请按“年-月-日”填写日期"),
        ({"from": "yesterday"}, "请按“年-月-日”填写日期"),
        ({"from": "2026-10-05", "to": "2026-10-04"}, "起始日期不能晚于截止日期"),
        ({"from": "1900-01-01", "to": "2026-10-04", "period": "month"}, "日期须在"),
        ({"from": "9999-12-25", "to": "9999-12-31"}, "日期须在"),
        ({"from": "2020-01-01", "to": "2026-10-04"}, "时间范围过长"),
        ({"period": "year"}, "统计周期"),
    ],
)
def test_bad_input_is_a_message_on_the_form(client_for, db, params, message):
    for extra in ({}, {"format": "xlsx"}):
        response = client_for("supervisor").get(URL, {**params, **extra})
        assert response.status_code == 422
        html = response.content.decode()
        assert message in html and 'class="filters"' in html
        assert "report" not in response.context


def test_xlsx_has_the_same_tables(client_for, records):
    from openpyxl import load_workbook

    response = client_for("dispatcher").get(URL, {**RANGE, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "诉求分类推荐（受理）",
        "承办单位推荐（派单）",
        "承办单位推荐按来源",
        "按县区",
    ]
    units = [[c.value for c in row] for row in wb["承办单位推荐（派单）"].iter_rows(min_row=2)]
    assert units[0] == ["统计周期", "推荐次数", "采纳次数", "采纳率", "采纳第一项", "首选采纳率"]
    assert units[1] == ["2026-09-21 – 2026-09-27", 2, 2, 1.0, 1, 0.5]
    assert units[2] == ["2026-09-28 – 2026-10-04", 2, 1, 0.5, 0, 0]
    assert units[3] == ["合计", 4, 3, 0.75, 1, 0.25]
    assert wb["承办单位推荐（派单）"]["D3"].number_format == "0.0%"
    sources = {
        row[0].value: [c.value for c in row[1:]]
        for row in wb["承办单位推荐按来源"].iter_rows(min_row=3)
    }
    assert sources["派单目录"][:3] == [3, 2, pytest.approx(2 / 3)]
    assert sources["先例（协调派单）"] == [2, 0, 0, 1, 0, 0]
    counties = {
        row[0].value: [c.value for c in row[1:]] for row in wb["按县区"].iter_rows(min_row=3)
    }
    assert counties["上蔡县"][5:] == [2, 1, 0.5, 0, 0]


def _many(users, orgs, n: int) -> None:
    tickets = [
        make_ticket(users, orgs, county, local("2026-09-20 09:00"))
        for county in ("411702", "411722", "411721")
    ]
    start = local("2026-09-21 00:00")
    rows = []
    for i in range(n):
        at = start + timedelta(hours=(i * 7) % (14 * 24))
        ticket = tickets[i % 3]
        rows.append(suggestion(ticket, "category", at, ["a", "b", "c"], "abcx"[i % 4]))
        rows.append(
            suggestion(
                ticket,
                "unit",
                at,
                ["A", "B", "C"],
                "ABCX"[i % 4],
                [["catalogue"], ["model", "neighbours"], ["precedent"]],
            )
        )
    RoutingSuggestion.objects.bulk_create(rows)


def test_query_count_does_not_grow_with_the_records(client_for, users, orgs):
    client = client_for("supervisor")
    client.get(URL, RANGE)  # session and user caches warm

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, RANGE)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _many(users, orgs, 10)
    small = count()
    _many(users, orgs, 30)
    large = count()
    assert small == large
    # session, user, roles; periods, sources, counties, county names; the page's header
    # names the user's organisation
    assert large == 8
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {**RANGE, "format": "xlsx"}).status_code == 200
    assert len(ctx.captured_queries) == 7
