"""`hotline calendar import FILE` (API.md command line; holiday-cn JSON format).

The official 2027 schedule is not published yet (holiday-cn's 2027.json is empty), which is
why the calendar is editable: an unconfirmed year follows the weekday rule, and every answer
that reaches into it says so.

A file of the wrong shape is refused with a message that names the problem (the file, the field,
the day), never Python's own error text, in the active language; it imports nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.calendar.services import (
    calendar_day_set,
    calendar_import_files,
    get_calendar,
    parse_holiday_cn,
)
from hotline.core.errors import InvalidInput
from tests.cli.process import run_main, the_one_line

pytestmark = pytest.mark.django_db

# A made-up 2027 schedule (not the real one): New Year Fri 1/1 to Mon 1/4, Sat 1/9 worked.
MADE_UP_2027 = {
    "year": 2027,
    "papers": ["https://example.invalid/made-up-2027"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-02", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-03", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-04", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-09", "isOffDay": False},
    ],
}


def write_json(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def calendar_rows() -> tuple[list, list]:
    """Everything the calendar stores, to show that a failed import changed nothing."""
    days = list(CalendarDay.objects.order_by("date").values_list("date", "working", "note"))
    years = list(CalendarYear.objects.order_by("year").values_list("year", "confirmed", "source"))
    return days, years


def deadline(client, start: str, n: int) -> dict:
    response = client.get("/api/v1/calendar/deadline", {"start": start, "working_days": n})
    assert response.status_code == 200, response.content
    return response.json()


def test_importing_the_empty_2027_file_leaves_2027_unconfirmed_and_deadlines_warn(
    monkeypatch, capsys, client, holiday_cn_dir, django_capture_on_commit_callbacks
):
    # given the holiday-cn file for 2027, published empty before the State Council's notice
    # when it is imported
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = run_main(
            monkeypatch, capsys, "calendar", "import", str(holiday_cn_dir / "2027.json")
        )
    # then the command succeeds but says the year is unconfirmed
    assert code == 0, err
    assert "2027" in out and "UNCONFIRMED" in out
    assert CalendarYear.objects.get(year=2027).confirmed is False
    # and a deadline reaching into 2027 is computed by the weekday rule with a warning
    body = deadline(client, "2026-12-20", 20)
    assert body["confirmed"] is False
    assert "2027" in body["warning"]
    # while one inside confirmed 2026 carries none
    assert deadline(client, "2026-12-01", 5) | {"due_date": None} == {
        "due_date": None,
        "start": "2026-12-01",
        "working_days": 5,
        "confirmed": True,
        "warning": None,
    }


def test_importing_a_2027_schedule_confirms_it_and_moves_deadlines_at_once(
    monkeypatch, capsys, client, tmp_path, django_capture_on_commit_callbacks
):
    # given a deadline that reaches into unconfirmed 2027: Thu 2026-12-31 + 3 working days
    before = deadline(client, "2026-12-31", 3)
    assert (before["due_date"], before["confirmed"]) == ("2027-01-04", False)
    # when a 2027 schedule with a New Year holiday 1/1–1/4 is imported
    path = write_json(tmp_path, "2027.json", MADE_UP_2027)
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = run_main(monkeypatch, capsys, "calendar", "import", str(path))
    # then 2027 is confirmed, and the same process answers with the new schedule right away
    assert code == 0, err
    assert "2027: 5 days loaded, confirmed" in out
    year = CalendarYear.objects.get(year=2027)
    assert year.confirmed and year.papers == "https://example.invalid/made-up-2027"
    after = deadline(client, "2026-12-31", 3)
    assert after == {
        "due_date": "2027-01-06",
        "start": "2026-12-31",
        "working_days": 3,
        "confirmed": True,
        "warning": None,
    }
    listed = client.get("/api/v1/calendar/days", {"from": "2027-01-09", "to": "2027-01-09"})
    assert listed.json() == [
        {"date": "2027-01-09", "working": True, "note": "元旦", "confirmed": True}
    ]


def test_an_empty_file_does_not_erase_days_an_administrator_entered(
    monkeypatch, capsys, holiday_cn_dir, django_capture_on_commit_callbacks
):
    # given an administrator who entered a 2027 holiday by hand before the notice
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=date(2027, 2, 8), working=False, note="春节（预排）")
        # when the still-empty holiday-cn file for 2027 is imported
        code, _out, err = run_main(
            monkeypatch, capsys, "calendar", "import", str(holiday_cn_dir / "2027.json")
        )
    # then the hand-entered day is still there (the empty file carries no information)
    assert code == 0, err
    assert CalendarDay.objects.filter(date=date(2027, 2, 8), working=False).exists()
    assert get_calendar().is_working_day(date(2027, 2, 8)) is False


def test_an_empty_file_keeps_a_confirmed_schedule(
    monkeypatch, capsys, tmp_path, holiday_cn_dir, django_capture_on_commit_callbacks
):
    # given a confirmed 2027 schedule
    made_up = write_json(tmp_path, "2027.json", MADE_UP_2027)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_main(monkeypatch, capsys, "calendar", "import", str(made_up))[0] == 0
    rows = calendar_rows()
    # when an empty 2027 file is imported afterwards (e.g. an old copy of holiday-cn)
    with django_capture_on_commit_callbacks(execute=True):
        code, out, _err = run_main(
            monkeypatch, capsys, "calendar", "import", str(holiday_cn_dir / "2027.json")
        )
    # then nothing is lost and the year stays confirmed
    assert code == 0
    assert "kept" in out
    assert calendar_rows() == rows
    assert get_calendar().is_confirmed(2027)


def test_every_official_holiday_cn_file_imports_and_matches_the_package(
    monkeypatch, capsys, holiday_cn_dir, django_capture_on_commit_callbacks
):
    # given the holiday-cn files 2007–2027; five of them start the New Year holiday in the
    # previous December (2007, 2008, 2012, 2019, 2023)
    files = [str(holiday_cn_dir / f"{year}.json") for year in range(2007, 2028)]
    # when they are imported in one command
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = run_main(monkeypatch, capsys, "calendar", "import", *files)
    # then every file loads and the calendar still agrees with the package for 2007–2026
    assert code == 0, err
    assert out.count(" days loaded, confirmed") == 20
    assert "2027: 0 days loaded, UNCONFIRMED" in out
    cal = get_calendar()
    for day, _name in chinese_calendar.holidays.items():
        if day.year >= 2007:
            assert not cal.is_working_day(day), day
    for day in chinese_calendar.workdays:
        if day.year >= 2007:
            assert cal.is_working_day(day), day
    assert CalendarYear.objects.get(year=2019).source == "holiday-cn: 2019.json"


def test_reimporting_a_year_keeps_the_next_years_new_year_bridge(
    monkeypatch, capsys, holiday_cn_dir, django_capture_on_commit_callbacks
):
    # given 2019's schedule, which makes Sat 2018-12-29 a working day and Mon 12-31 a holiday
    with django_capture_on_commit_callbacks(execute=True):
        run_main(monkeypatch, capsys, "calendar", "import", str(holiday_cn_dir / "2019.json"))
        # when 2018's own file (which does not mention those days) is imported afterwards
        code, _out, err = run_main(
            monkeypatch, capsys, "calendar", "import", str(holiday_cn_dir / "2018.json")
        )
    # then the bridge days keep the status 2019's notice gave them
    assert code == 0, err
    cal = get_calendar()
    assert cal.is_working_day(date(2018, 12, 29)) is True
    assert cal.is_working_day(date(2018, 12, 31)) is False
    assert cal.is_working_day(date(2018, 12, 28)) is True


MALFORMED = {
    "not_json": b"{ this is not json",
    "no_days": json.dumps({"year": 2027}).encode(),
    "days_not_a_list": json.dumps({"year": 2027, "days": 5}).encode(),
    "offday_not_boolean": json.dumps(
        {"year": 2027, "days": [{"name": "x", "date": "2027-01-01", "isOffDay": "yes"}]}
    ).encode(),
    "impossible_date": json.dumps(
        {"year": 2027, "days": [{"name": "x", "date": "2027-02-30", "isOffDay": True}]}
    ).encode(),
    "day_of_another_year": json.dumps(
        {"year": 2027, "days": [{"name": "x", "date": "2030-05-01", "isOffDay": True}]}
    ).encode(),
    "year_out_of_range": json.dumps({"year": 99999, "days": []}).encode(),
    "not_utf8": '{"year": 2027, "days": [], "papers": ["通知"]}'.encode("utf-16"),
    "a_json_list": b"[1, 2, 3]",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_file_is_refused_with_one_line_and_changes_nothing(
    monkeypatch, capsys, tmp_path, kind
):
    # given a file that is not a valid holiday-cn year
    path = tmp_path / f"{kind}.json"
    path.write_bytes(MALFORMED[kind])
    rows = calendar_rows()
    # when it is imported
    code, _out, err = run_main(monkeypatch, capsys, "calendar", "import", str(path))
    # then the command fails with one readable line naming the file, and nothing changed
    assert code != 0
    assert f"{kind}.json" in the_one_line(err)
    assert calendar_rows() == rows


@pytest.mark.parametrize("target", ["missing.json", "."])
def test_a_missing_or_unreadable_file_is_refused_with_one_line(
    monkeypatch, capsys, tmp_path, target
):
    # given a path that does not exist, or a directory
    rows = calendar_rows()
    # when it is imported
    code, _out, err = run_main(monkeypatch, capsys, "calendar", "import", str(tmp_path / target))
    # then the command fails with one readable line, and nothing changed
    assert code != 0
    assert "无法读取文件" in the_one_line(err)
    assert calendar_rows() == rows


def test_a_bad_file_among_several_imports_none_of_them(monkeypatch, capsys, tmp_path):
    # given a good 2027 schedule followed by a malformed file
    good = write_json(tmp_path, "2027.json", MADE_UP_2027)
    bad = tmp_path / "2028.json"
    bad.write_text("{", encoding="utf-8")
    rows = calendar_rows()
    # when both are imported in one command
    code, _out, err = run_main(monkeypatch, capsys, "calendar", "import", str(good), str(bad))
    # then the command fails and the good file was not half-applied
    assert code != 0
    assert "2028.json" in the_one_line(err)
    assert calendar_rows() == rows


def test_a_file_saved_with_a_byte_order_mark_is_accepted(
    monkeypatch, capsys, tmp_path, django_capture_on_commit_callbacks
):
    # given a schedule saved by an editor that writes a UTF-8 byte order mark
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(MADE_UP_2027, ensure_ascii=False), encoding="utf-8-sig")
    # when it is imported
    with django_capture_on_commit_callbacks(execute=True):
        code, _out, err = run_main(monkeypatch, capsys, "calendar", "import", str(path))
    # then it loads like any other
    assert code == 0, err
    assert get_calendar().is_confirmed(2027)


def test_calendar_status_lists_confirmed_and_unconfirmed_years(monkeypatch, capsys, holiday_cn_dir):
    # given the official years and an imported empty 2027
    run_main(monkeypatch, capsys, "calendar", "import", str(holiday_cn_dir / "2027.json"))
    # when the status is listed
    code, out, _err = run_main(monkeypatch, capsys, "calendar", "status")
    # then 2026 is confirmed and 2027 is not
    assert code == 0
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()}
    assert lines["2026"] == "confirmed"
    assert lines["2027"] == "unconfirmed"


# -- a file of the wrong shape: its message names the problem, in the active language ----------


# What Python says about a bad shape; none of it may reach the user.
PYTHON_TEXTS = (
    "list indices",
    "invalid literal",
    "'isOffDay'",
    "KeyError",
    "TypeError",
    "object has no attribute",
    "not subscriptable",
    "Expecting",
    "must be true or false",
)


# (file content, msgid, params)
BAD_SHAPES = {
    "a_list": ([], "文件格式不对：应为 holiday-cn 的 JSON 对象", None),
    "year_not_a_number": ({"year": "abc"}, "%(field)s 必须是数字", {"field": "year"}),
    "day_without_isoffday": (
        {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01"}]},
        "缺少字段 %(field)s（第 %(n)s 天）",
        {"field": "isOffDay", "n": 1},
    ),
    "second_day_without_date": (
        {
            "year": 2027,
            "days": [
                {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
                {"name": "元旦", "isOffDay": True},
            ],
        },
        "缺少字段 %(field)s（第 %(n)s 天）",
        {"field": "date", "n": 2},
    ),
    "no_year": ({"days": []}, "缺少字段 %(field)s", {"field": "year"}),
    "no_days": ({"year": 2027}, "缺少字段 %(field)s", {"field": "days"}),
    "days_not_a_list": ({"year": 2027, "days": 5}, "%(field)s 必须是列表", {"field": "days"}),
    "papers_not_a_list": (
        {"year": 2027, "days": [], "papers": 3},
        "%(field)s 必须是列表",
        {"field": "papers"},
    ),
    "day_not_an_object": (
        {"year": 2027, "days": [3]},
        "第 %(n)s 天的格式不对：应为 JSON 对象",
        {"n": 1},
    ),
    "impossible_date": (
        {"year": 2027, "days": [{"date": "2027-02-30", "isOffDay": True}]},
        "第 %(n)s 天的日期 %(value)s 无效，应为 YYYY-MM-DD 格式的日期",
        {"n": 1, "value": '"2027-02-30"'},
    ),
    "offday_not_boolean": (
        {"year": 2027, "days": [{"date": "2027-01-01", "isOffDay": "yes"}]},
        "第 %(n)s 天的 %(field)s 必须是 true 或 false",
        {"n": 1, "field": "isOffDay"},
    ),
}


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(BAD_SHAPES))
def test_a_bad_file_shape_is_named_and_imports_nothing(tmp_path, english, name):
    # given a file whose shape is not holiday-cn's
    data, msgid, params = BAD_SHAPES[name]
    english(msgid)
    path = write(tmp_path, name, data)
    rows = calendar_rows()
    for language, prefix in (("zh-hans", ""), ("en", "[en] ")):
        # when it is imported with the command
        with translation.override(language), pytest.raises(CommandError) as caught:
            call_command("calendar", "import", str(path))
        # then the one message names the file and the problem, in the active language
        text = msgid % params if params else msgid
        assert str(caught.value) == f"{path.name}: {prefix}{text}"
        assert not any(python in str(caught.value) for python in PYTHON_TEXTS)
    # and nothing was imported
    assert calendar_rows() == rows


def test_a_bad_file_after_a_good_one_imports_neither(tmp_path):
    good = write(
        tmp_path, "2027", {"year": 2027, "days": [{"date": "2027-01-01", "isOffDay": True}]}
    )
    bad = write(tmp_path, "2028", {"year": 2028, "days": [{"date": "2028-01-01"}]})
    rows = calendar_rows()
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        calendar_import_files(paths=[good, bad])
    assert caught.value.message == "2028.json: 缺少字段 isOffDay（第 1 天）"
    assert calendar_rows() == rows


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_no_malformed_file_leaks_pythons_error_text(tmp_path, kind):
    path = tmp_path / f"{kind}.json"
    path.write_bytes(MALFORMED[kind])
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        calendar_import_files(paths=[path])
    assert f"{kind}.json" in caught.value.message
    assert not any(python in caught.value.message for python in PYTHON_TEXTS), caught.value


def test_a_file_that_is_not_json_names_the_line_and_column():
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        parse_holiday_cn('{"year": 2027,\n  "days": [,]}')
    assert caught.value.message == "文件不是有效的 JSON（第 2 行第 12 列）"


def test_the_year_may_be_written_as_digits():
    year, days, papers = parse_holiday_cn('{"year": "2027", "days": [], "papers": null}')
    assert (year, days, papers) == (2027, {}, [])
