"""Calendar fixtures: the official calendar without a database, and the holiday-cn files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.calendar.core import WorkCalendar

from .official import HOLIDAY_CN_DIR, package_calendar


@pytest.fixture(scope="session")
def official() -> WorkCalendar:
    """The official calendar as a pure WorkCalendar, built without Django."""
    return package_calendar()


@pytest.fixture(scope="session")
def holiday_cn_dir() -> Path:
    if not (HOLIDAY_CN_DIR / "2026.json").is_file():
        pytest.skip(f"holiday-cn data not found at {HOLIDAY_CN_DIR}")
    return HOLIDAY_CN_DIR
