"""Calendar reads and writes. The working calendar is cached per process and reloaded when
the shared version changes (checked at most every few seconds)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.calendar.core import WorkCalendar, weekday_rule
from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.core.cache import VersionedCache
from hotline.core.errors import InvalidInput


def _load() -> WorkCalendar:
    overrides: dict[date, bool] = {}
    notes: dict[date, str] = {}
    for day, working, note in CalendarDay.objects.values_list("date", "working", "note"):
        overrides[day] = working
        notes[day] = note
    confirmed = CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)
    return WorkCalendar(overrides, notes=notes, confirmed_years=confirmed)


_cache: VersionedCache[WorkCalendar] = VersionedCache("calendar", _load)


def get_calendar() -> WorkCalendar:
    """The platform's working calendar (cached; reloaded after any edit in any process)."""
    return _cache.get()


def invalidate_cache() -> None:
    _cache.invalidate()


def _bump_version() -> None:
    _cache.bump()


@transaction.atomic
def calendar_day_set(*, day: date, working: bool, note: str = "") -> CalendarDay | None:
    """Record one day. A day that matches the weekday rule needs no override and is removed."""
    if working == weekday_rule(day) and not note:
        CalendarDay.objects.filter(date=day).delete()
        _bump_version()
        return None
    obj, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"working": working, "note": note}
    )
    _bump_version()
    return obj


@transaction.atomic
def calendar_day_move(
    *, old_day: date, day: date, working: bool, note: str = ""
) -> CalendarDay | None:
    """An administrator moved an override to another date: the old date reverts to the weekday
    rule, the new one takes the override."""
    if old_day != day:
        calendar_day_set(day=old_day, working=weekday_rule(old_day), note="")
    return calendar_day_set(day=day, working=working, note=note)


@transaction.atomic
def calendar_year_mark(*, year: int, confirmed: bool) -> CalendarYear:
    """An administrator declares a year's schedule complete (confirmed) or not, e.g. after
    entering the State Council's notice day by day."""
    row, _created = CalendarYear.objects.get_or_create(year=year, defaults={"source": "admin"})
    if row.confirmed != confirmed:
        row.confirmed = confirmed
        row.save(update_fields=["confirmed", "updated_at"])
    _bump_version()
    return row


@transaction.atomic
def calendar_year_forget(*, year: int) -> None:
    """Remove a year's status record (its days stay); the year becomes unconfirmed."""
    CalendarYear.objects.filter(year=year).delete()
    _bump_version()


@dataclass(frozen=True)
class YearImport:
    year: int
    days: int
    confirmed: bool
    # An empty schedule changes nothing when the year already has one (see calendar_year_load).
    kept_existing: bool = False


# The State Council's notice for year Y may move days at the very end of Y-1 to bridge the
# New Year holiday (元旦); holiday-cn lists them in Y's file (e.g. 2019.json has 2018-12-29).
NEW_YEAR_BRIDGE_FROM = (12, 25)


def _bridge_start(year: int) -> date:
    """First day of ``year``'s last days that the next year's schedule may move."""
    return date(year, *NEW_YEAR_BRIDGE_FROM)


def _check_days_belong_to(year: int, days: dict[date, tuple[bool, str]]) -> None:
    for day in days:
        if day.year != year and not (day.year == year - 1 and day >= _bridge_start(year - 1)):
            raise InvalidInput(_("日期 %(day)s 不属于 %(year)s 年") % {"day": day, "year": year})


@transaction.atomic
def calendar_year_load(
    *, year: int, days: dict[date, tuple[bool, str]], source: str, papers: list[str] | None = None
) -> YearImport:
    """Replace one year's overrides with an official schedule and mark the year confirmed.

    The schedule may include the New Year bridge days at the end of the previous year; the
    bridge days at the end of this year are left alone unless the schedule names them, because
    they belong to the next year's notice. A schedule with no days (holiday-cn publishes an
    empty file before the State Council notice) carries no information: it deletes nothing,
    and the year stays as it was (unconfirmed when it had no schedule yet).
    """
    _check_days_belong_to(year, days)
    if not days:
        row, _created = CalendarYear.objects.get_or_create(
            year=year, defaults={"confirmed": False, "source": source}
        )
        if not row.confirmed and row.source != source:
            row.source = source
            row.save(update_fields=["source", "updated_at"])
        _bump_version()
        return YearImport(year=year, days=0, confirmed=row.confirmed, kept_existing=row.confirmed)
    replaced = CalendarDay.objects.filter(date__year=year, date__lt=_bridge_start(year))
    replaced.delete()
    CalendarDay.objects.filter(date__in=list(days)).delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, working=working, note=note)
            for day, (working, note) in sorted(days.items())
            if working != weekday_rule(day) or note
        ]
    )
    CalendarYear.objects.update_or_create(
        year=year,
        defaults={"confirmed": True, "source": source, "papers": "\n".join(papers or [])},
    )
    _bump_version()
    return YearImport(year=year, days=len(days), confirmed=True)


def _holiday_cn_year(data: dict) -> int:
    if "year" not in data:
        raise InvalidInput(_("缺少字段 %(field)s") % {"field": "year"})
    value = data["year"]
    text = isinstance(value, str) and value.strip().isdecimal()
    if text or (isinstance(value, float) and value.is_integer()):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(_("%(field)s 必须是数字") % {"field": "year"})
    if not 1900 <= value <= 2200:
        raise InvalidInput(_("年份超出范围：%(year)s") % {"year": value})
    return value


def _holiday_cn_day(item: object, n: int) -> tuple[date, bool, str]:
    """One entry of ``days`` (``n`` counts from 1, as a person reading the file would)."""
    if not isinstance(item, dict):
        raise InvalidInput(_("第 %(n)s 天的格式不对：应为 JSON 对象") % {"n": n})
    for field in ("date", "isOffDay"):
        if field not in item:
            raise InvalidInput(_("缺少字段 %(field)s（第 %(n)s 天）") % {"field": field, "n": n})
    try:
        day = date.fromisoformat(item["date"])
    except (TypeError, ValueError):
        raise InvalidInput(
            _("第 %(n)s 天的日期 %(value)s 无效，应为 YYYY-MM-DD 格式的日期")
            % {"n": n, "value": json.dumps(item["date"], ensure_ascii=False)}
        ) from None
    off = item["isOffDay"]
    if not isinstance(off, bool):
        raise InvalidInput(
            _("第 %(n)s 天的 %(field)s 必须是 true 或 false") % {"n": n, "field": "isOffDay"}
        )
    name = item.get("name")
    return day, off, "" if name is None else str(name)


def parse_holiday_cn(text: str) -> tuple[int, dict[date, tuple[bool, str]], list[str]]:
    """Parse one year file in the holiday-cn JSON format; raise InvalidInput when malformed,
    with a message that names what is wrong (never Python's own error text)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested beyond reason
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        if line is None:
            raise InvalidInput(_("文件不是有效的 JSON")) from exc
        raise InvalidInput(
            _("文件不是有效的 JSON（第 %(line)s 行第 %(column)s 列）")
            % {"line": line, "column": column}
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput(_("文件格式不对：应为 holiday-cn 的 JSON 对象"))
    year = _holiday_cn_year(data)
    papers = data.get("papers") or []
    if not isinstance(papers, list):
        raise InvalidInput(_("%(field)s 必须是列表") % {"field": "papers"})
    if "days" not in data:
        raise InvalidInput(_("缺少字段 %(field)s") % {"field": "days"})
    if not isinstance(data["days"], list):
        raise InvalidInput(_("%(field)s 必须是列表") % {"field": "days"})
    days: dict[date, tuple[bool, str]] = {}
    for n, item in enumerate(data["days"], start=1):
        day, off, name = _holiday_cn_day(item, n)
        days[day] = (not off, name)
    _check_days_belong_to(year, days)
    return year, days, [str(p) for p in papers]


def read_holiday_cn(path: Path) -> tuple[int, dict[date, tuple[bool, str]], list[str]]:
    """Read and parse one holiday-cn file; every problem is an InvalidInput naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is fine
        return parse_holiday_cn(text)
    except OSError as exc:
        raise InvalidInput(
            _("无法读取文件 %(path)s：%(error)s")
            % {"path": path, "error": exc.strerror or type(exc).__name__}
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("%(path)s 不是 UTF-8 编码的文本文件") % {"path": path.name}) from exc
    except InvalidInput as exc:
        raise InvalidInput(f"{path.name}: {exc.message}") from exc


def calendar_import_file(*, path: Path) -> YearImport:
    year, days, papers = read_holiday_cn(path)
    return calendar_year_load(
        year=year, days=days, source=f"holiday-cn: {path.name}", papers=papers
    )


@transaction.atomic
def calendar_import_files(*, paths: list[Path]) -> list[YearImport]:
    """Import several holiday-cn files all or nothing: every file is read and checked first."""
    parsed = [(path, read_holiday_cn(path)) for path in paths]
    return [
        calendar_year_load(year=year, days=days, source=f"holiday-cn: {path.name}", papers=papers)
        for path, (year, days, papers) in parsed
    ]


def calendar_seed_official() -> list[YearImport]:
    """Seed every year the ``chinese-calendar`` package knows (official data, 2004 onwards)
    that is not confirmed yet."""
    import chinese_calendar

    notes = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    by_year: dict[int, dict[date, tuple[bool, str]]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.weekday() < 5 or name:
            by_year.setdefault(day.year, {})[day] = (False, notes.get(str(name), str(name or "")))
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            label = notes.get(str(name), str(name or ""))
            by_year.setdefault(day.year, {})[day] = (True, f"{label}调休" if label else "调休")
    # A year already confirmed is kept as it is: an administrator's import or day-by-day
    # correction wins over the package data, and `hotline seed` may run any number of times.
    confirmed = set(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    return [
        calendar_year_load(year=year, days=by_year[year], source="chinese-calendar")
        for year in sorted(by_year)
        if year not in confirmed
    ]


def year_status(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()
