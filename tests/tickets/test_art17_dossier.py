"""The dossier export (RULES.md §7, Art 17; Art 25 access logging)."""

from __future__ import annotations

import io

import pytest
from docx import Document

from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import CitizenDataAccess

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(content: bytes) -> str:
    """Every paragraph and table cell of the document, one per line."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _walk_with_redo(api, intake, sim, **changes) -> tuple[str, int]:
    sim.set("2026-09-30 09:00")
    number = intake(**changes)["number"]
    t = api("dispatcher").ok(f"/tickets/{number}/dispatch", {"lead": "411702", "note": "路灯"})
    aid = t["assignments"][0]["id"]
    sim.set("2026-09-30 10:00")
    api("org.411702").ok(f"/assignments/{aid}/sign")
    api("org.411702").ok(
        f"/assignments/{aid}/extension", {"working_days": 3, "reason": "需更换线缆"}
    )
    review = api("supervisor").get("/reviews", kind="extension", state="pending").json()
    api("supervisor").ok(f"/reviews/{review['items'][0]['id']}/approve", {})
    sim.set("2026-10-09 15:00")
    api("org.411702").ok(f"/assignments/{aid}/reply", {"content": "已更换灯具"})
    sim.set("2026-10-10 09:00")
    api("callback").ok(
        f"/tickets/{number}/callback",
        {"outcome": "unsatisfied", "resolved": False, "reasonable": True},
    )
    sim.set("2026-10-12 11:00")
    api("org.411702").ok(f"/assignments/{aid}/reply", {"content": "已彻底修复线路"})
    sim.set("2026-10-13 09:30")
    api("callback").ok(f"/tickets/{number}/callback", {"outcome": "satisfied", "resolved": True})
    return number, aid


def test_the_dossier_holds_the_whole_archive(api, intake, sim):
    # given a ticket that went through an extension, a redo and two callbacks
    number, aid = _walk_with_redo(api, intake, sim)
    sim.set("2026-10-14 08:00")
    # when the administrator exports its dossier
    response = api("admin").get(f"/tickets/{number}/dossier.docx")
    # then it is a Word document with the header, the citizen, the content and every clock
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == DOCX
    assert f'filename="{number}-dossier-20261014.docx"' in response["Content-Disposition"]
    text = _text(response.content)
    assert f"工单档案 {number}" in text
    assert "状态 | 已办结" in text
    assert "诉求类型 | 投诉" in text
    assert "来源渠道 | 电话" in text
    assert "驿城区" in text and "雪松路与开源大道交叉口" in text
    assert "受理时间 | 2026-09-30 09:00:00" in text  # Asia/Shanghai local time
    assert "派单时限 | 2026-09-30 21:00:00" in text
    assert "姓名 | 张三" in text and "联系电话 | 13800138000" in text
    assert "路灯连续一周不亮" in text
    # every assignment with its clocks
    assert f"派单 {aid}" in text
    assert "签收时间 | 2026-09-30 10:00:00" in text
    assert "延期次数 | 1" in text and "重办次数 | 1" in text
    assert "办理结果 | 已彻底修复线路" in text
    # every review and evaluation
    assert "延期审核" in text and "已通过" in text
    assert "不满意" in text and "满意" in text
    # the timeline, in Chinese (the one EventType label table), with actor and organisation
    for label in ("受理", "派单", "签收", "延期申请", "延期审核通过", "答复 / 办理结果回传"):
        assert f" | {label} | " in text, label
    for label in ("待回访", "回访", "重办（退回重办）", "办结"):
        assert f" | {label} | " in text, label
    assert "派单员 李强（dispatcher）" in text
    assert "2026-10-13 09:30:00" in text
    # and the export is logged as a citizen-data access (Art 25)
    log = CitizenDataAccess.objects.filter(ticket__number=number, purpose="dossier_export")
    assert [a.user.username for a in log] == ["admin"]


def test_the_dossier_is_a_404_outside_the_callers_scope(api, intake, sim):
    number, _aid = _walk_with_redo(api, intake, sim)
    response = api("org.411721").get(f"/tickets/{number}/dossier.docx")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == Code.NOT_FOUND
    assert api("agent").get("/tickets/ZMD2026000000000/dossier.docx").status_code == 404
    assert not CitizenDataAccess.objects.filter(
        ticket__number=number, purpose="dossier_export"
    ).exists()


def test_a_unit_never_sees_the_citizen_of_a_confidential_ticket(api, intake, sim):
    # given a confidential ticket handled by 驿城区
    citizen = {"name": "李四", "phone": "13912345678", "confidential": True}
    number, _aid = _walk_with_redo(api, intake, sim, citizen=citizen)
    # when the unit exports the dossier
    response = api("org.411702").get(f"/tickets/{number}/dossier.docx")
    # then name and phone are hidden, as citizen_view decides, and the export is still logged
    assert response.status_code == 200
    text = _text(response.content)
    assert "李四" not in text and "13912345678" not in text and "5678" not in text
    assert "保密，已隐藏" in text
    assert CitizenDataAccess.objects.filter(
        ticket__number=number, user__username="org.411702", purpose="dossier_export"
    ).exists()
    # while the center's supervisor sees them
    text = _text(api("supervisor").get(f"/tickets/{number}/dossier.docx").content)
    assert "姓名 | 李四" in text and "13912345678" in text


def test_roles_without_citizen_data_get_it_masked(api, intake, sim):
    number, _aid = _walk_with_redo(api, intake, sim)
    text = _text(api("analyst").get(f"/tickets/{number}/dossier.docx").content)
    assert "姓名 | 张*" in text and "138****8000" in text
    assert "13800138000" not in text
    assert CitizenDataAccess.objects.filter(
        ticket__number=number, user__username="analyst", purpose="dossier_export"
    ).exists()


@pytest.mark.django_db
def test_the_dossier_page_for_signed_in_staff(api, intake, sim, client):
    from hotline.orgs.models import User

    number, _aid = _walk_with_redo(api, intake, sim)
    url = f"/tickets/{number}/dossier.docx"
    # anonymous: to the sign-in page
    assert client.get(url).status_code == 302
    # staff in scope: the document
    client.force_login(User.objects.get(username="org.411702"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert "已彻底修复线路" in _text(response.content)
    # staff outside scope: 404
    client.force_login(User.objects.get(username="org.411721"))
    assert client.get(url).status_code == 404


def test_the_dossier_is_in_the_openapi_document(api):
    document = api("agent").get("/openapi.json").json()
    operation = document["paths"]["/api/v1/tickets/{number}/dossier.docx"]["get"]
    assert DOCX in operation["responses"]["200"]["content"]


def test_a_ticket_answered_at_intake_has_a_short_dossier(api, intake, sim):
    sim.set("2026-09-30 09:00")
    number = intake()["number"]
    api("agent").ok(f"/tickets/{number}/answer", {"answer": "已告知市民路灯报修电话"})
    text = _text(api("agent").get(f"/tickets/{number}/dossier.docx").content)
    assert "办结方式 | 即时答复（直接办结）" in text
    assert "已告知市民路灯报修电话" in text
    assert "无派单记录。" in text and "无审核记录。" in text and "无回访评价。" in text
    assert " | 即时答复（直接办结） | " in text and " | 受理 | " in text
