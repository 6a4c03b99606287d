"""Bulk maintenance with xlsx (all rows or none) and the demo knowledge base."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from hotline.core.errors import InvalidInput
from hotline.knowledge import xlsx
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, EntryVersion, Feedback, KnowledgeEvent

pytestmark = pytest.mark.django_db


def _workbook(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_export_then_import_round_trip_changes_nothing(api, make_entry, users, business_now):
    make_entry(org="medins", title="医保电子凭证怎么激活", keywords=["医保码", "激活"])
    make_entry(org="hrss", title="社保卡补办", public=False)
    response = api.get("/entries/export.xlsx", as_user="supervisor")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["编号", "标题", "正文"]
    assert sheet.max_row == 3
    logged = KnowledgeEvent.objects.get(type="entries.exported")  # Art 25
    assert logged.actor == users["supervisor"] and logged.data["count"] == 2
    assert logged.data["via"] == "api" and len(logged.data["entries"]) == 2

    versions = EntryVersion.objects.count()
    result = xlsx.import_entries(data=response.content, actor=users["supervisor"], now=business_now)
    assert len(result.unchanged) == 2 and not result.created and not result.updated
    assert EntryVersion.objects.count() == versions

    # a unit exports only its own entries
    own = load_workbook(io.BytesIO(api.get("/entries/export.xlsx", as_user="org.medins").content))
    assert own.active.max_row == 2
    assert api.get("/entries/export.xlsx", as_user="agent").status_code == 403


def test_import_creates_and_updates_through_the_services(make_entry, users, now):
    existing = make_entry(org="medins", title="旧标题")
    data = _workbook(
        [
            [
                "编号",
                "标题",
                "正文",
                "分类代码",
                "分类名称",
                "责任单位代码",
                "关键词",
                "对公众公开",
                "生效日期",
            ],
            [
                existing.pk,
                "新标题",
                existing.body,
                existing.category_code,
                "医保报销",
                "medins",
                "医保、报销",
                "是",
                None,
            ],
            [
                None,
                "门诊慢特病认定",
                "携带病历到定点医院申请。",
                "public-services.medical-insurance",
                "医疗保障",
                "medins",
                "慢特病",
                "否",
                "2026-04-01",
            ],
        ]
    )
    result = xlsx.import_entries(data=data, actor=users["org.medins"], now=now)
    assert len(result.created) == 1 and result.updated == [existing.pk]
    existing.refresh_from_db()
    assert existing.title == "新标题" and existing.status == EntryStatus.DRAFT
    assert existing.keywords == ["医保", "报销"]
    new = Entry.objects.get(pk=result.created[0])
    assert new.status == EntryStatus.DRAFT and not new.public
    assert str(new.effective_from) == "2026-04-01"


def test_bad_import_writes_nothing_and_names_the_rows(make_entry, users, now, tmp_path):
    other = make_entry(org="hrss", title="人社条目")
    data = _workbook(
        [
            ["标题", "正文", "分类代码", "责任单位代码", "生效日期", "编号"],
            ["好的一行", "内容", "public-services", "medins", "2026-04-01", None],
            ["", "没有标题", "public-services", "medins", None, None],
            ["坏日期", "内容", "public-services", "medins", "明天", None],
            ["未知单位", "内容", "public-services", "nowhere", None, None],
            ["别人的条目", "内容", "public-services", "hrss", None, other.pk],
            ["坏分类", "内容", "医保 报销", "medins", None, None],
        ]
    )
    before = Entry.objects.count()
    with pytest.raises(xlsx.ImportRejected) as caught:
        xlsx.import_entries(data=data, actor=users["org.medins"], now=now)
    assert [row for row, _message in caught.value.errors] == [3, 4, 5, 6, 7]
    assert Entry.objects.count() == before

    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="5 bad row"):
        call_command("knowledge", "import", str(path), "--user", "org.medins", stderr=err)
    assert "row 3:" in err.getvalue() and "row 7:" in err.getvalue()
    assert Entry.objects.count() == before
    with pytest.raises(InvalidInput):
        xlsx.import_entries(data=b"not a workbook", actor=users["org.medins"], now=now)


def test_command_export_and_import_with_publish(make_entry, tmp_path):
    make_entry(org="police", title="身份证到期换领")
    path = tmp_path / "kb.xlsx"
    out = io.StringIO()
    call_command("knowledge", "export", str(path), stdout=out)
    assert path.exists() and "exported 1 entries" in out.getvalue()
    assert KnowledgeEvent.objects.get(type="entries.exported").data["via"] == "command"
    with pytest.raises(CommandError, match="cannot write"):
        call_command("knowledge", "export", str(tmp_path / "missing" / "kb.xlsx"))
    wb = load_workbook(path)
    wb.active.append(
        [None, "临时身份证", "急需用证可申请临时身份证。", "social.household", "户政管理", "police"]
    )
    wb.save(path)
    out = io.StringIO()
    call_command("knowledge", "import", str(path), "--publish", stdout=out)
    assert "created 1" in out.getvalue() and "published 1" in out.getvalue()
    assert Entry.objects.get(title="临时身份证").status == EntryStatus.PUBLISHED


def test_demo_knowledge_base_is_rich_and_idempotent(db, api, business_now):
    from hotline.demo import knowledge as demo

    created = demo.seed(days=0, per_day=0, seed=1, stdout=io.StringIO())
    assert created >= 200
    assert demo.seed(days=0, per_day=0, seed=1, stdout=None) == 0
    assert Entry.objects.filter(source_key__startswith="demo:").count() == created
    published = Entry.objects.filter(status=EntryStatus.PUBLISHED)
    assert published.filter(public=True).count() >= 150
    assert published.exclude(public=True).exists()
    assert Entry.objects.filter(status__in=[EntryStatus.DRAFT, EntryStatus.IN_REVIEW]).exists()
    assert len({e.org_id for e in published}) >= 30
    assert Feedback.objects.filter(state="open", overdue=True).count() >= 2
    art27 = api.get("/art27", as_user="supervisor").json()
    assert sum(len(u["stale_entries"]) for u in art27["items"]) >= 5
    for query, expected in [
        ("医保报销", "medins"),
        ("社保卡补办", "hrss"),
        ("居住证", "police"),
        ("公积金提取", "housing"),
        ("户口", "police"),
        ("入学", "education"),
        ("不动产登记", "natres"),
        ("停水通知", "util-water"),
        ("停电", "util-power"),
        ("供暖", "util-heat"),
        ("拖欠工资", "hrss"),
        ("物业", "housing"),
        ("噪音", "police"),
    ]:
        items = api.get("/search", q=query).json()["items"]
        assert items and items[0]["org"] == expected, (query, items[:1])


def test_command_lists_the_first_bad_rows_and_counts_the_rest(users, tmp_path):
    from hotline.knowledge.management.commands.knowledge import ROWS_SHOWN

    # given a workbook with more bad rows than a terminal should get
    bad = ROWS_SHOWN + 15
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        _workbook(
            [["标题", "正文", "分类代码", "责任单位代码"]]
            + [["", "没有标题", "public-services", "medins"]] * bad
        )
    )
    err = io.StringIO()
    # when it is imported from the command line
    with pytest.raises(CommandError, match=f"{bad} bad row"):
        call_command("knowledge", "import", str(path), "--user", "org.medins", stderr=err)
    # then the first rows are listed and the rest counted in one line
    lines = err.getvalue().splitlines()
    assert len(lines) == ROWS_SHOWN + 1
    assert lines[-1] == "… and 15 more bad row(s)"


def test_import_and_reindex_report_progress_when_not_on_a_terminal(make_entry, tmp_path):
    make_entry(org="police", title="身份证到期换领")
    path = tmp_path / "kb.xlsx"
    call_command("knowledge", "export", str(path), stdout=io.StringIO())
    # when the long commands run with their output going to a file (no terminal)
    out = io.StringIO()
    call_command("knowledge", "import", str(path), stdout=out)
    call_command("knowledge", "reindex", stdout=out)
    # then each says how far it got, ending at 100%
    assert "  import: 100%" in out.getvalue()
    assert "  reindex: 100%" in out.getvalue()
