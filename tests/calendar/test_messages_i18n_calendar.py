"""A holiday-cn file of the wrong shape is refused with a message that names the problem (the
file, the field, the day), never Python's own error text; it imports nothing. The calendar's
messages, like every refusal, go through gettext (Chinese by default, English when chosen)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from hotline.calendar.services import calendar_import_files, parse_holiday_cn
from hotline.core.errors import InvalidInput
from tests.calendar.test_import import MALFORMED, calendar_rows

pytestmark = pytest.mark.django_db

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


# -- the calendar API ---------------------------------------------------------------------------


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
