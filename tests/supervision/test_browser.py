"""The supervision pages clicked through in Chromium: a supervisor confirms a proposal on the
home page, the unit answers it from its home page, the supervisor assesses it on the case page;
another unit gets 404. Reuses the console's browser fixtures (tests/console/test_browser.py)."""

from __future__ import annotations

import pytest

from tests.console.test_browser import browser, seeded, session  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_notice_from_proposal_to_closed(session):  # noqa: F811  (the fixture)
    from hotline.core import clock
    from hotline.orgs.models import Organisation
    from hotline.supervision import services

    case = services.case_propose(
        instrument="notice",
        article="27(4)",
        org=Organisation.objects.get(code="housing"),
        tickets=[],
        reason="当月超期办理 5 件",
        dedupe_key="browser-case",
        now=clock.now(),
    )
    supervisor = session("supervisor")
    page = supervisor.page
    page.locator("#sec-supervisor button:has-text('确认督办')").first.click()
    page.wait_for_selector(".msg-success:has-text('已保存')")

    unit = session("org.housing")
    unit.page.locator(f"#sec-my-cases a[href='/supervision/cases/{case.pk}/']").click()
    form = unit.action("整改反馈")
    form.locator("textarea[name=content]").fill("已全部办结")
    form.locator("textarea[name=measures]").fill("专人盯办")
    unit.submit(form, "已保存")

    page.goto(f"{supervisor.base}/supervision/cases/{case.pk}/")
    form = supervisor.action("成效评估")
    form.locator("textarea[name=comment]").fill("整改到位")
    supervisor.submit(form, "已保存")
    assert "已办结" in page.locator("h1").inner_text()
    assert page.locator("ol.timeline li").count() == 4  # proposed, confirmed, responded, assessed

    other = session("org.urban")
    other.expect_404 = True
    response = other.page.goto(f"{other.base}/supervision/cases/{case.pk}/")
    assert response.status == 404
