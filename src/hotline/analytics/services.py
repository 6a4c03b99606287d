"""Every write of the monitoring context: closing alerts, generating and archiving reports,
scheduled exports to units (Art 23–24)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.analytics.error_codes import AnalyticsErrorCode
from hotline.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from hotline.orgs.models import Organisation, User

from . import alerts
from .models import Alert, AlertEvent, AlertState, Report, ReportKind, ScheduledExport
from .periods import period_of, period_range, period_title
from .rollups import local_day, rollups_rebuild, rollups_refresh
from .scope import CITY, Scope, may_report, scope_for

FORMATS = ("docx", "xlsx")

__all__ = ["rollups_rebuild", "rollups_refresh"]


def register_connection_rate_source(fn: Callable[[datetime, datetime], tuple[int, int]]) -> None:
    """For telephony (Art 29(1)): ``fn(since, until) -> (offered, answered)`` feeds the
    connection-rate alert."""
    if fn not in alerts.connection_rate_source:
        alerts.connection_rate_source.append(fn)


def alert_close(*, alert: Alert, note: str, actor: User, now: datetime) -> Alert:
    """Close an alert with a note (Art 23); the close is recorded with who and when."""
    if not may_report(actor):
        raise PermissionDenied()
    if not (note or "").strip():
        raise InvalidInput(_("请填写处理说明"), code=AnalyticsErrorCode.NOTE_REQUIRED)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.state != AlertState.OPEN:
            raise InvalidTransition(_("预警已关闭"), code=AnalyticsErrorCode.ALERT_CLOSED)
        alert.state, alert.note, alert.closed_at, alert.closed_by = (
            AlertState.CLOSED,
            note.strip(),
            now,
            actor,
        )
        alert.save(update_fields=["state", "note", "closed_at", "closed_by"])
        AlertEvent.objects.create(
            alert=alert, at=now, type="closed", actor=actor, data={"note": alert.note}
        )
    return alert


def reports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_create(
    *,
    kind: str,
    period: str,
    fmt: str = "docx",
    title: str = "",
    actor: User | None,
    now: datetime,
    scope: Scope | None = None,
) -> Report:
    """Generate and archive a report (Art 23: 日报、周报、月报、季报、年报、专报)."""
    from .reports import build_report

    if actor is not None and not may_report(actor):
        raise PermissionDenied()
    if kind not in ReportKind.values:
        raise InvalidInput(
            _("未知的报告类型：%(kind)s") % {"kind": kind}, code=AnalyticsErrorCode.INVALID_KIND
        )
    if fmt not in FORMATS:
        raise InvalidInput(
            _("未知的格式：%(format)s") % {"format": fmt}, code=AnalyticsErrorCode.INVALID_FORMAT
        )
    if kind == "special" and not title.strip():
        raise InvalidInput(_("专报须填写标题"), code=AnalyticsErrorCode.TITLE_REQUIRED)
    lo, hi = period_range(period, kind)
    scope = scope or (scope_for(actor) if actor is not None else Scope(CITY))
    name = title.strip() or _("驻马店市12345政务服务便民热线%(period)s") % {
        "period": period_title(kind, period, lo, hi)
    }
    content, figures = build_report(
        kind=kind, title=name, date_from=lo, date_to=hi, scope=scope, fmt=fmt, now=now, user=actor
    )
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    org_part = scope.org.code if scope.kind != CITY and scope.org else "city"
    path = reports_dir() / f"{kind}-{period.replace('/', '_')}-{org_part}-{stamp}.{fmt}"
    path.write_bytes(content)
    return Report.objects.create(
        kind=kind,
        period=period,
        format=fmt,
        title=name,
        scope_org=scope.org if scope.kind != CITY else None,
        date_from=lo,
        date_to=hi,
        file=path.name,
        figures=figures,
        created_at=now,
        created_by=actor,
    )


def report_path(report: Report) -> Path:
    return reports_dir() / report.file


def due_periods(*, now: datetime) -> list[tuple[str, str]]:
    """The periods whose report is due at ``now`` (after ``art23_report_hour``): yesterday's
    daily report, and the week, month, quarter, year that ended yesterday."""
    from hotline.core.policy import policy

    from .rollups import zone

    local = now.astimezone(zone())
    if local.hour < policy("art23_report_hour"):
        return []
    yesterday: date = local.date() - timedelta(days=1)
    out = [("daily", period_of("daily", yesterday))]
    for kind in ("weekly", "monthly", "quarterly", "annual"):
        period = period_of(kind, yesterday)
        if period_range(period, kind)[1] == yesterday:
            out.append((kind, period))
    return out


def reports_due(*, now: datetime) -> int:
    """Timer: the city's periodic reports (docx and xlsx) once each; the scheduled exports
    to units (Art 24)."""
    from .selectors import figures

    made = 0
    for kind, period in due_periods(now=now):
        lo, hi = period_range(period, kind)
        quiet = figures(Scope(CITY), lo, hi)
        if not (quiet["received"] or quiet["closed"]):
            continue  # nothing happened: no report to file
        for fmt in FORMATS:
            if not Report.objects.filter(
                kind=kind, period=period, format=fmt, scope_org__isnull=True
            ).exists():
                report_create(kind=kind, period=period, fmt=fmt, actor=None, now=now)
                made += 1
        for export in ScheduledExport.objects.filter(active=True, frequency=kind).select_related(
            "org"
        ):
            if export.last_period != period:
                report_create(
                    kind=kind,
                    period=period,
                    fmt="xlsx",
                    actor=None,
                    now=now,
                    scope=_scope_of(export.org),
                )
                export.last_period = period
                export.save(update_fields=["last_period"])
                made += 1
    return made


def _scope_of(org: Organisation) -> Scope:
    from .models import SectorCategory
    from .scope import COUNTY, SECTOR, UNIT, category_subtree

    if org.kind == "county":
        return Scope(COUNTY, org)
    sector = set(SectorCategory.objects.filter(org=org).values_list("category_id", flat=True))
    if sector:
        return Scope(SECTOR, org, category_subtree(sector))
    return Scope(UNIT, org)


def today(now: datetime) -> date:
    return local_day(now)
