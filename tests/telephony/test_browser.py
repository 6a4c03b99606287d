"""The screen pop and the wallboard in Debian's Chromium (Playwright, headless) against a
live server: a call answered by the agent fills the intake form's phone field and loads the
caller-history panel; the saved ticket is linked to the call; the wallboard polls the floor.

Needs /usr/bin/chromium; skipped without it (except in CI)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.console.test_browser import PASSWORD, browser, seeded  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base, username, errors):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def _event(call_id, event, at, **extra):
    from hotline.telephony import services

    services.event_record(
        call_id=call_id, event=event, at=at, actor=None, now=timezone.now(), **extra
    )


def test_screen_pop_fills_the_intake_form_and_links_the_ticket(browser, live_server):  # noqa: F811
    from hotline.orgs.selectors import center_org
    from hotline.telephony import services
    from hotline.telephony.models import Call
    from hotline.tickets import services as ticket_services

    services.queue_upsert(code="12345", name="12345", org=center_org())
    errors: list[str] = []
    context, page = _login(browser, live_server.url, "agent", errors)
    page.wait_for_selector("#call-bar .callbar")
    now = timezone.now()
    _event("BR-1", "offered", now - timedelta(seconds=20), caller="13800007001", queue="12345")
    _event("BR-1", "answered", now - timedelta(seconds=5), agent="agent")
    page.wait_for_selector("#call-bar [data-screen-pop]", timeout=10000)
    expect(page.locator("#intake-form [name=citizen_phone]")).to_have_value("13800007001")
    page.wait_for_selector("#caller-history .hint", timeout=10000)
    assert page.locator("#intake-form input[name=call_id]").input_value() == "BR-1"
    # the agent saves the ticket: it is linked to the call (call_id passed or the agent's call)
    from hotline.orgs.models import Organisation, User

    ticket = ticket_services.ticket_intake(
        channel="phone",
        appeal_type="help",
        content="屏幕弹出后登记：小区路灯不亮，请维修。",
        citizen_phone="13800007001",
        county=Organisation.objects.get(code="411702"),
        address="雪松路1号",
        actor=User.objects.get(username="agent"),
        now=timezone.now(),
    ).ticket
    assert Call.objects.get(call_id="BR-1").ticket_id == ticket.pk
    context.close()
    assert errors == [], errors


def test_wallboard_polls_the_floor(browser, live_server):  # noqa: F811
    from hotline.orgs.selectors import center_org
    from hotline.telephony import services

    services.queue_upsert(code="12345", name="12345", org=center_org())
    errors: list[str] = []
    context, page = _login(browser, live_server.url, "supervisor", errors)
    page.goto(f"{live_server.url}/telephony/wallboard/")
    assert page.locator("[data-waiting]").inner_text() == "0"
    _event(
        "BR-2",
        "offered",
        timezone.now() - timedelta(seconds=10),
        caller="13800007002",
        queue="12345",
    )
    expect(page.locator("[data-waiting]")).to_have_text("1", timeout=12000)
    context.close()
    assert errors == [], errors
