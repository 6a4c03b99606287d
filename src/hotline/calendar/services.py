"""Calendar reads and writes. The working calendar is cached per process and reloaded when
the shared version changes (checked at most every few seconds)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from hotline.calendar.core import WorkCalendar, weekday_rule
from hotline.calendar.models import CalendarDay, CalendarVersion, CalendarYear
from hotline.core.errors import InvalidInput

_VERSION_CHECK_SECONDS = 2.0
_lock = threading.Lock()
_cached: dict[str, Any] = {"calendar": None, "version": None, "checked": 0.0}


def _current_version() -> int:
    row = CalendarVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def _load() -> WorkCalendar:
    overrides: dict[date, bool] = {}
    notes: dict[date, str] = {}
    for day, working, note in CalendarDay.objects.values_list("date", "working", "note"):
        overrides[day] = working
        notes[day] = note
    confirmed = CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)
    return WorkCalendar(overrides, notes=notes, confirmed_years=confirmed)


def get_calendar() -> WorkCalendar:
    """The platform's working calendar (cached; reloaded after any edit in any process)."""
    with _lock:
        clock = time.monotonic()
        if _cached["calendar"] is not None and clock - _cached["checked"] < _VERSION_CHECK_SECONDS:
            return _cached["calendar"]
        version = _current_version()
        if _cached["calendar"] is None or version != _cached["version"]:
            _cached["calendar"] = _load()
            _cached["version"] = version
        _cached["checked"] = clock
        return _cached["calendar"]


def invalidate_cache() -> None:
    with _lock:
        _cached["calendar"] = None


def _bump_version() -> None:
    updated = CalendarVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        CalendarVersion.objects.create(pk=1, version=1)
    transaction.on_commit(invalidate_cache)


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


@dataclass(frozen=True)
class YearImport:
    year: int
    days: int
    confirmed: bool


@transaction.atomic
def calendar_year_load(
    *, year: int, days: dict[date, tuple[bool, str]], source: str, papers: list[str] | None = None
) -> YearImport:
    """Replace one year's overrides with an official schedule and mark the year confirmed.

    A schedule with no days (holiday-cn publishes an empty file before the State Council
    notice) leaves the year unconfirmed.
    """
    for day in days:
        if day.year != year:
            raise InvalidInput(_("日期 %(day)s 不属于 %(year)s 年") % {"day": day, "year": year})
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, working=working, note=note)
            for day, (working, note) in sorted(days.items())
            if working != weekday_rule(day) or note
        ]
    )
    confirmed = bool(days)
    CalendarYear.objects.update_or_create(
        year=year,
        defaults={"confirmed": confirmed, "source": source, "papers": "\n".join(papers or [])},
    )
    _bump_version()
    return YearImport(year=year, days=len(days), confirmed=confirmed)


def parse_holiday_cn(text: str) -> tuple[int, dict[date, tuple[bool, str]], list[str]]:
    """Parse one year file in the holiday-cn JSON format; raise InvalidInput when malformed."""
    try:
        data = json.loads(text)
        year = int(data["year"])
        papers = [str(p) for p in data.get("papers", [])]
        days: dict[date, tuple[bool, str]] = {}
        for item in data["days"]:
            day = date.fromisoformat(item["date"])
            off = item["isOffDay"]
            if not isinstance(off, bool):
                raise TypeError("isOffDay must be true or false")
            days[day] = (not off, str(item.get("name", "")))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(_("不是有效的 holiday-cn 日历文件：%(error)s") % {"error": exc}) from exc
    if not 1900 <= year <= 2200:
        raise InvalidInput(_("年份超出范围：%(year)s") % {"year": year})
    return year, days, papers


def calendar_import_file(*, path: Path) -> YearImport:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            _("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    year, days, papers = parse_holiday_cn(text)
    return calendar_year_load(
        year=year, days=days, source=f"holiday-cn: {path.name}", papers=papers
    )


def calendar_seed_official() -> list[YearImport]:
    """Seed every year the ``chinese-calendar`` package knows (official data, 2004 onwards)."""
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
    results = []
    for year in sorted(by_year):
        if (
            CalendarYear.objects.filter(year=year, confirmed=True)
            .exclude(source="chinese-calendar")
            .exists()
        ):
            continue  # an administrator's own import wins over the package data
        results.append(calendar_year_load(year=year, days=by_year[year], source="chinese-calendar"))
    return results


def year_status(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()
