"""Demo monitoring data (API.md, Demo data: "the daily reports of its last week"): two
departments' sectors (Art 24), rollups built from the generated history, the alert rules run
once, and the daily reports of the last seven days archived.

The history already holds what makes the dashboards look like a real center's: seasonal
topics (``demo.topics``), one visible spike and a hot topic — the storm power cut at the end
of the history (``history_stories._incident_call``: ``INCIDENT_CALLS`` calls about one outage
in 驿城区 within two hours, raising the city and county × category volume alerts and a hot
topic alert) — and the scripted repeat appeals (the sewage at 柏苑小区, the street light at
月亮湾小区, the noisy shops at 电业新村) that the hot-topic and long-unresolved boards show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Art 24: the industry authorities of the demo city and the categories they oversee (the
# codes of ``demo.org_data`` and ``tickets.category_tree``; each category covers its subtree)
SECTORS: dict[str, tuple[str, ...]] = {
    "housing": ("public-services.property", "environment.noise.construction"),
    "hrss": ("social.labor", "public-services.social-insurance"),
}


def seed_sectors() -> int:
    from hotline.analytics.models import SectorCategory
    from hotline.orgs.models import Organisation
    from hotline.tickets.models import Category

    made = 0
    for org_code, categories in SECTORS.items():
        org = Organisation.objects.filter(code=org_code).first()
        if org is None:
            continue
        for category in Category.objects.filter(code__in=categories):
            made += SectorCategory.objects.get_or_create(org=org, category=category)[1]
    return made


def seed(*, now: datetime) -> dict[str, int]:
    from hotline.analytics.alerts import alerts_detect
    from hotline.analytics.models import Report
    from hotline.analytics.periods import period_of
    from hotline.analytics.rollups import local_day
    from hotline.analytics.services import report_create, rollups_rebuild

    sectors = seed_sectors()
    rows = rollups_rebuild(now=now)
    raised = alerts_detect(now=now, force=True)
    made = 0
    today = local_day(now)
    for back in range(1, 8):
        period = period_of("daily", today - timedelta(days=back))
        for fmt in ("docx", "xlsx"):
            if not Report.objects.filter(
                kind="daily", period=period, format=fmt, scope_org__isnull=True
            ).exists():
                report_create(kind="daily", period=period, fmt=fmt, actor=None, now=now)
                made += 1
    return {"sectors": sectors, "rollup_rows": rows, "alerts": raised, "reports": made}
