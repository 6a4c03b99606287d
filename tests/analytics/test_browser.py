"""The dashboards in Debian's Chromium (Playwright, headless) against a live server: the
analyst (city), a county and the supervisor each see the ECharts charts drawn and the tables
of their own scope, without JavaScript errors. With HOTLINE_SCREENSHOTS=1 the pages are saved
to docs/screenshots/analytics-{analyst,county,supervisor}.png.

Needs /usr/bin/chromium (./dev setup installs it); skipped without it, except in CI."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from .conftest import Maker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PASSWORD = "Demo#12345"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _seed() -> None:
    from hotline.calendar.models import CalendarYear
    from hotline.calendar.services import calendar_seed_official, invalidate_cache
    from hotline.demo.orgs import seed_organisations, seed_users
    from hotline.orgs.models import Organisation

    if not CalendarYear.objects.exists():
        calendar_seed_official()
        invalidate_cache()
    if not Organisation.objects.exists():
        seed_users(seed_organisations())


@pytest.fixture(scope="module")
def browser(django_db_blocker):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: ./dev setup installs it (apt-get)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield launched
            launched.close()
    finally:
        with django_db_blocker.unblock():
            _seed()  # leave the session's demo data for whatever runs next (tests/conftest.py)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def history(browser, transactional_db):
    """Three weeks of tickets in two counties and two category trees, rolled up."""
    from hotline.analytics.rollups import rollups_rebuild
    from hotline.core import clock
    from hotline.orgs.models import Organisation
    from hotline.tickets.models import Category

    _seed()
    orgs = {o.code: o for o in Organisation.objects.all()}
    urban, _ = Category.objects.get_or_create(code="b-urban", defaults={"name": "城市管理"})
    lights, _ = Category.objects.get_or_create(
        code="b-urban.lights", defaults={"name": "路灯", "parent": urban}
    )
    health, _ = Category.objects.get_or_create(code="b-health", defaults={"name": "医疗卫生"})
    make = Maker(orgs)
    now = clock.now()
    for day in range(21):
        received = now - timedelta(days=day, hours=2)
        for i in range(1 + day % 4):
            make(
                received=received,
                category=lights if i % 2 else health,
                closed=received + timedelta(days=1) if day > 2 else None,
                overdue=i == 2,
                outcome="satisfied" if i % 3 == 0 else "",
                channel=("phone", "web", "mobile")[i % 3],
                appeal_type=("complaint", "help", "consultation")[i % 3],
            )
        make(
            received=received,
            county="411721",
            unit="411721-01",
            category=lights,
            appeal_type="suggestion",
        )
    rollups_rebuild(now=now)


def _open(browser, base: str, username: str, errors: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    page.on(
        "console", lambda m: errors.append(f"{username}: {m.text}") if m.type == "error" else None
    )
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


@pytest.mark.parametrize(
    ("username", "shot", "sees_other_county"),
    [
        ("analyst", "analyst", True),
        ("supervisor", "supervisor", True),
        ("org.411702", "county", False),
    ],
)
def test_dashboard_draws_charts_and_tables(
    browser, live_server, history, username, shot, sees_other_county
):
    errors: list[str] = []
    context, page = _open(browser, live_server.url, username, errors)
    try:
        page.goto(f"{live_server.url}/analytics/")
        for name in ("volume", "channel", "appeal_type", "category", "county"):
            # ECharts draws into a canvas inside the chart's box
            page.wait_for_selector(f'[data-chart="{name}"] canvas', timeout=10_000)
        county_table = page.locator("#chart-county table").inner_text()
        assert "驿城区" in county_table
        assert ("西平县" in county_table) is sees_other_county
        assert page.locator("#chart-volume tbody tr").count() >= 21
        if os.environ.get("HOTLINE_SCREENSHOTS") == "1":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.wait_for_timeout(800)  # let the charts' entry animation finish
            page.screenshot(path=str(SHOTS / f"analytics-{shot}.png"), full_page=True)
    finally:
        context.close()
    assert errors == [], errors


def test_home_polls_the_alerts_panel(browser, live_server, history):
    errors: list[str] = []
    context, page = _open(browser, live_server.url, "supervisor", errors)
    try:
        page.wait_for_selector("#home-alerts #an-alerts")
        assert page.locator("a[href='/analytics/']").count() >= 1
    finally:
        context.close()
    assert errors == [], errors
