import io
from datetime import date, timedelta

import pytest

from hotline.analytics import alerts, hot_topics, services
from hotline.analytics.models import Alert, AlertEvent
from hotline.analytics.rollups import rollups_rebuild
from hotline.analytics.scope import CITY, Scope
from hotline.analytics.selectors import figures

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def _history(make, cats, today_count):
    for d in range(1, 29):
        for _ in range(2):
            make(received=NOW - timedelta(days=d, hours=1), category=cats["leaf"])
    for i in range(today_count):
        make(
            received=NOW - timedelta(minutes=5 + i),
            category=cats["leaf"],
            content=f"其他问题{i}号，情况各不相同{i * 7919}",
        )
    rollups_rebuild(now=NOW)


def test_volume_spike_fires(make, cats):
    _history(make, cats, 15)
    assert alerts.volume_spikes(now=NOW) >= 1
    assert Alert.objects.filter(kind="volume_spike", scope="city").exists()
    assert alerts.volume_spikes(now=NOW) == 0  # one alert per scope and day


def test_volume_spike_quiet(make, cats):
    _history(make, cats, 3)
    assert alerts.volume_spikes(now=NOW) == 0


def test_hot_topic_forming(make, cats):
    for i in range(6):
        make(
            received=NOW - timedelta(hours=i + 1),
            phone=f"1390000000{i}",
            content=f"驿城区雪松路与开源大道交叉口的路灯已经连续一周不亮了，夜间出行很不安全，请尽快维修{i}",
        )
    assert alerts.hot_topics_forming(now=NOW) == 1
    alert = Alert.objects.get(kind="hot_topic")
    assert len(alert.data["tickets"]) == 6


def test_hot_topic_quiet(make):
    for i, text in enumerate(
        ["路灯不亮", "医保报销咨询", "小区噪音扰民", "学校入学", "停水通知", "公积金提取"]
    ):
        make(received=NOW - timedelta(hours=i + 1), content=text * 3)
    assert alerts.hot_topics_forming(now=NOW) == 0


def test_long_unresolved(make):
    make(received=NOW - timedelta(days=40))
    make(received=NOW - timedelta(days=3))
    assert alerts.long_unresolved(now=NOW) == 1


def test_overdue_rate(make, cats):
    for i in range(25):
        make(received=NOW - timedelta(days=2), overdue=i < 5)
    rollups_rebuild(now=NOW)
    assert alerts.overdue_rates(now=NOW) == 1  # 20 % > 10 %


def test_overdue_rate_quiet(make):
    for i in range(25):
        make(received=NOW - timedelta(days=2), overdue=i < 1)
    rollups_rebuild(now=NOW)
    assert alerts.overdue_rates(now=NOW) == 0


def test_connection_rate(monkeypatch):
    monkeypatch.setattr(alerts, "connection_rate_source", [lambda since, until: (100, 80)])
    assert alerts.connection_rates(now=NOW) == 1
    monkeypatch.setattr(alerts, "connection_rate_source", [lambda since, until: (100, 95)])
    Alert.objects.all().delete()
    assert alerts.connection_rates(now=NOW) == 0


def test_close_alert_with_note_is_audited(api, make):
    make(received=NOW - timedelta(days=40))
    alerts.long_unresolved(now=NOW)
    alert = Alert.objects.get()
    r = api("analyst").get("/analytics/alerts", state="open")
    assert [a["id"] for a in r.json()] == [alert.pk]
    r = api("analyst").post(f"/analytics/alerts/{alert.pk}/close", {"note": "已督办"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "closed"
    assert AlertEvent.objects.filter(alert=alert, type="closed", actor__username="analyst").exists()
    assert (
        api("analyst").post(f"/analytics/alerts/{alert.pk}/close", {"note": "x"}).status_code == 409
    )
    assert api("org.411721-01").get("/analytics/alerts").json() == []


def test_identical_bodies_fall_in_one_topic():
    from hotline.tickets import hooks

    same = "小区门口的垃圾堆放多日无人清理，气味难闻，蚊蝇滋生。"
    others = [
        "医保报销比例咨询",
        "孩子入学需要什么材料",
        "公积金如何提取",
        "楼上漏水无人处理",
        "出租车拒载",
    ]
    items = [hot_topics.Item(id=i, text=same if i % 2 else others[i // 2]) for i in range(10)]
    groups = hot_topics.group(items, similarity=hooks.provided("text_similarity"), threshold=0.3)
    big = [g for g in groups if len(g) > 1]
    assert len(big) == 1 and {i.id for i in big[0]} == {1, 3, 5, 7, 9}


def test_report_figures_equal_overview_and_documents_open(api, make, cats, settings, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    settings.DATA_DIR = tmp_path
    make(
        received=at("2026-11-19 09:00"),
        category=cats["leaf"],
        closed=at("2026-11-19 15:00"),
        outcome="satisfied",
    )
    make(received=at("2026-11-19 10:00"), category=cats["other"], overdue=True)
    rollups_rebuild(now=NOW)
    r = api("analyst").post("/reports", {"kind": "daily", "period": "2026-11-19", "format": "docx"})
    assert r.status_code == 201, r.content
    report_id = r.json()["id"]
    overview = (
        api("analyst")
        .get("/analytics/overview", **{"from": "2026-11-19", "to": "2026-11-19"})
        .json()
    )
    from hotline.analytics.models import Report

    stored = Report.objects.get(pk=report_id).figures
    for key in overview:
        assert stored[key] == overview[key], key
    file = api("analyst").get(f"/reports/{report_id}/file")
    assert file.status_code == 200
    doc = Document(io.BytesIO(b"".join(file.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for heading in (
        "总体情况",
        "诉求类型",
        "热点问题",
        "办理情况",
        "满意度",
        "超期与督办",
        "县区和部门排名",
        "意见建议",
    ):
        assert heading in text
    assert "驻马店市12345政务服务便民热线" in text
    x = api("supervisor").post(
        "/reports", {"kind": "monthly", "period": "2026-11", "format": "xlsx"}
    )
    assert x.status_code == 201
    wb = load_workbook(
        io.BytesIO(b"".join(api("supervisor").get(x.json()["file"][7:]).streaming_content))
    )
    assert "总体情况" in wb.sheetnames and "热点问题" in wb.sheetnames
    assert [r["id"] for r in api("analyst").get("/reports").json()] == [x.json()["id"], report_id]
    assert api("org.411702").get(f"/reports/{report_id}/file").status_code == 404
    assert (
        api("agent").post("/reports", {"kind": "daily", "period": "2026-11-19"}).status_code == 403
    )
    assert (
        api("analyst").post("/reports", {"kind": "weekly", "period": "2026-11"}).status_code == 422
    )


def test_timer_writes_yesterdays_report(make, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    make(received=at("2026-11-19 09:00"))
    rollups_rebuild(now=NOW)
    assert services.reports_due(now=NOW) == 2
    assert services.reports_due(now=NOW) == 0
    assert figures(Scope(CITY), date(2026, 11, 19), date(2026, 11, 19))["received"] == 1
