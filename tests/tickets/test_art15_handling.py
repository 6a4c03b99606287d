"""Handling (Art 15): sign, deadlines by type, return, extension, interim replies, reply."""

import pytest

from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Review
from tests.tickets.flow import assignment_of, dispatched, error_code, signed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("appeal_type", "sign_at", "due"),
    [
        ("complaint", "2026-09-30 10:00", "2026-10-14"),  # 调休 Sat 10/10 counts
        ("consultation", "2026-02-13 10:00", "2026-02-14"),  # Sat 2/14 is a 调休 workday
        ("help", "2026-02-13 10:00", "2026-02-25"),  # Spring Festival
        ("help", "2026-04-30 10:00", "2026-05-08"),  # 5/1–5/5 holiday
        ("consultation", "2026-10-01 10:00", "2026-10-09"),  # signed on a holiday
    ],
)
def test_art15_2_deadline_counts_the_sign_day_worked_examples(
    api, intake, sim, appeal_type, sign_at, due
):
    _ticket, assignment = signed(
        api, intake, sim, when=sign_at[:10] + " 09:00", sign_at=sign_at, appeal_type=appeal_type
    )
    assert assignment["due_at"] == f"{due}T23:59:59+08:00"


def test_art15_2_suggestion_and_report_base_times(api, intake, sim):
    _t, suggestion = signed(api, intake, sim, sign_at="2026-09-30 10:00", appeal_type="suggestion")
    _t, report = signed(api, intake, sim, sign_at="2026-09-30 10:00", appeal_type="report")
    assert suggestion["due_at"].startswith("2026-10-10")  # 9/30, 10/8, 10/9, 调休 Sat 10/10
    assert report["due_at"].startswith("2026-10-14")


def test_art15_2_source_policy_overrides_the_type(api, intake, sim):
    from hotline.tickets.models import SourceDeadline

    SourceDeadline.objects.create(channel="national", appeal_type="", working_days=3)
    _t, assignment = signed(
        api, intake, sim, sign_at="2026-09-30 10:00", channel="national", external_id="GOV-1"
    )
    assert assignment["due_at"].startswith("2026-10-09")


def test_art15_3_category_legal_limit_overrides_the_type(api, intake, sim):
    from hotline.tickets.models import Category

    Category.objects.create(code="test.legal", name="法定时限类", handling_days=1)
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00", category="test.legal")
    assert assignment["due_at"].startswith("2026-09-30")


@pytest.mark.parametrize(
    ("sign_at", "window_ends"),
    [
        ("2026-06-12 16:00", "2026-06-15T16:00:00+08:00"),
        ("2026-05-08 16:00", "2026-05-09T16:00:00+08:00"),
        ("2026-09-30 20:00", "2026-10-08T20:00:00+08:00"),
    ],
)
def test_art15_1_return_window_is_24_working_day_hours_worked_examples(
    api, intake, sim, sign_at, window_ends
):
    when = sign_at[:11] + f"{int(sign_at[11:13]) - 1:02d}:30"  # dispatched 30 minutes before
    _t, assignment = signed(api, intake, sim, when=when, sign_at=sign_at)
    assert assignment["return_window_ends_at"] == window_ends


def test_art15_1_auto_sign_at_the_moment_two_working_hours_ended(api, intake, sim):
    ticket = dispatched(api, intake, sim, when="2026-06-12 23:00")  # Friday night
    assignment = ticket["assignments"][0]
    assert assignment["sign_due_at"] == "2026-06-15T01:00:00+08:00"
    sim.set("2026-06-15 00:59")
    assert sim.run_timers()["tickets.auto_sign"] == 0
    sim.set("2026-06-15 09:30")
    assert sim.run_timers()["tickets.auto_sign"] == 1
    assert sim.run_timers()["tickets.auto_sign"] == 0
    result = api("dispatcher").get(f"/tickets/{ticket['number']}").json()["assignments"][0]
    assert result["status"] == "in_progress"
    assert result["signed_at"] == "2026-06-15T01:00:00+08:00"
    assert result["auto_signed"] and result["signed_late"]
    assert result["due_at"].startswith("2026-06-24")  # 6/15 day 1 … 6/24 (6/19 Dragon Boat)


def test_art15_1_manual_late_sign_is_recorded_and_gains_no_time(api, intake, sim):
    _t, assignment = signed(api, intake, sim, when="2026-09-29 09:00", sign_at="2026-09-30 09:00")
    assert assignment["signed_late"] and not assignment["auto_signed"]
    assert assignment["due_at"].startswith("2026-10-13")  # the clock started 9/29 11:00


def test_art15_1_only_the_assigned_unit_signs(api, intake, sim):
    ticket = dispatched(api, intake, sim)
    aid = ticket["assignments"][0]["id"]
    response = api("org.411721").post(f"/assignments/{aid}/sign")
    assert response.status_code == 404  # another unit does not even see it
    response = api("dispatcher").post(f"/assignments/{aid}/sign")
    assert response.status_code == 403


def test_art15_1_return_is_reviewed_and_redispatched_with_a_fresh_clock(api, intake, sim):
    ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    sim.set("2026-09-30 15:00")
    ticket = api("org.411702").ok(
        f"/assignments/{assignment['id']}/return",
        {"reason": "不属于本单位职责", "basis": "《城市照明管理规定》", "suggested_org": "urban"},
    )
    assert ticket["assignments"][0]["status"] == "return_requested"
    reviews = api("supervisor").get("/reviews", kind="return", state="pending").json()
    review = next(r for r in reviews["items"] if r["ticket"] == ticket["number"])
    assert review["data"]["suggested_org"] == "urban"
    sim.set("2026-10-08 10:00")
    ticket = api("supervisor").ok(f"/reviews/{review['id']}/approve", {"lead": "urban"})
    assert ticket["status"] == "in_handling"
    new = assignment_of(ticket, "urban")
    assert new["role"] == "lead" and new["status"] == "awaiting_sign"
    ticket = api("org.urban").ok(f"/assignments/{new['id']}/sign")
    assert assignment_of(ticket, "urban")["due_at"].startswith("2026-10-15")  # 10/8 is day 1


def test_art15_1_return_rejected_goes_back_to_in_progress(api, intake, sim):
    ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    api("org.411702").ok(
        f"/assignments/{assignment['id']}/return", {"reason": "不属于本单位", "basis": "职责清单"}
    )
    review = Review.objects.get(assignment_id=assignment["id"])
    ticket = api("supervisor").ok(f"/reviews/{review.pk}/reject", {"reason": "属于属地管理"})
    assert ticket["assignments"][0]["status"] == "in_progress"
    again = api("supervisor").post(f"/reviews/{review.pk}/reject", {"reason": "x"})
    assert again.status_code == 409


def test_art15_1_return_approved_without_a_unit_goes_back_to_dispatch(api, intake, sim):
    ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    api("org.411702").ok(
        f"/assignments/{assignment['id']}/return", {"reason": "不属于本单位", "basis": "职责清单"}
    )
    review = Review.objects.get(assignment_id=assignment["id"])
    ticket = api("supervisor").ok(f"/reviews/{review.pk}/approve", {})
    assert ticket["status"] == "new"
    assert ticket["assignments"][0]["status"] == "returned"


def test_art15_1_late_return_is_accepted_and_counts_as_overdue(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-06-12 16:00", when="2026-06-12 15:30")
    sim.set("2026-06-15 16:01")  # the window ended Mon 16:00 (weekend not counted)
    ticket = api("org.411702").ok(
        f"/assignments/{assignment['id']}/return", {"reason": "不属于本单位", "basis": "职责清单"}
    )
    late = ticket["assignments"][0]
    assert late["status"] == "return_requested" and late["overdue"]
    assert Assignment.objects.get(pk=assignment["id"]).returned_late


def test_art15_1_coordinated_dispatch_cannot_be_returned(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00", coordinated=True)
    response = api("org.411702").post(
        f"/assignments/{assignment['id']}/return", {"reason": "不属于本单位", "basis": "职责清单"}
    )
    assert response.status_code == 409
    assert error_code(response) == Code.COORDINATED_NOT_RETURNABLE


def test_art15_3_extension_must_be_48_hours_before_the_deadline(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")  # due 10/14 24:00
    path = f"/assignments/{assignment['id']}/extension"
    sim.set("2026-10-13 00:00")
    late = api("org.411702").post(path, {"working_days": 3, "reason": "需现场勘查"})
    assert late.status_code == 409 and error_code(late) == Code.EXTENSION_TOO_LATE
    sim.set("2026-10-12 23:59")
    ticket = api("org.411702").ok(path, {"working_days": 3, "reason": "需现场勘查"})
    assert ticket["events"][-1]["type"] == "extension_requested"


def test_art15_3_extension_at_most_the_base_time(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    response = api("org.411702").post(
        f"/assignments/{assignment['id']}/extension", {"working_days": 8, "reason": "工程量大"}
    )
    assert response.status_code == 409 and error_code(response) == Code.EXTENSION_TOO_LONG
    response = api("org.411702").post(
        f"/assignments/{assignment['id']}/extension", {"working_days": 0, "reason": "x"}
    )
    assert response.status_code == 422


def test_art15_3_extension_approved_once_and_a_second_needs_an_override(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    path = f"/assignments/{assignment['id']}/extension"
    api("org.411702").ok(path, {"working_days": 3, "reason": "需现场勘查"})
    review = Review.objects.get(assignment_id=assignment["id"], kind="extension")
    ticket = api("supervisor").ok(f"/reviews/{review.pk}/approve", {})
    extended = ticket["assignments"][0]
    assert extended["due_at"].startswith("2026-10-19")  # 10/15, 10/16, 10/19
    assert extended["extension_count"] == 1
    again = api("org.411702").post(path, {"working_days": 2, "reason": "仍需时间"})
    assert again.status_code == 409 and error_code(again) == Code.EXTENSION_LIMIT


def test_art15_3_supervisor_override_grants_a_second_extension(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    path = f"/assignments/{assignment['id']}/extension"
    api("org.411702").ok(path, {"working_days": 3, "reason": "需现场勘查"})
    first = Review.objects.get(assignment_id=assignment["id"], kind="extension")
    Assignment.objects.filter(pk=assignment["id"]).update(extension_count=1)  # granted elsewhere
    refused = api("supervisor").post(f"/reviews/{first.pk}/approve", {})
    assert refused.status_code == 409 and error_code(refused) == Code.EXTENSION_LIMIT
    ticket = api("supervisor").ok(f"/reviews/{first.pk}/approve", {"override": True})
    assert ticket["assignments"][0]["extension_count"] == 2
    assert ticket["events"][-1]["data"]["override"] is True


def test_art15_interim_reply_records_progress_and_expected_completion(api, intake, sim):
    _t, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    ticket = api("org.411702").ok(
        f"/assignments/{assignment['id']}/progress",
        {"content": "已联系施工方", "expected_completion": "2026-10-20"},
    )
    assert ticket["events"][-1]["type"] == "progress"
    assert ticket["events"][-1]["data"]["expected_completion"] == "2026-10-20"
    bad = api("org.411702").post(
        f"/assignments/{assignment['id']}/progress",
        {"content": "x", "expected_completion": "2020-01-01"},
    )
    assert bad.status_code == 422


def test_art15_overdue_is_flagged_by_the_timer_and_never_cleared(api, intake, sim):
    ticket, assignment = signed(api, intake, sim, sign_at="2026-09-30 10:00")
    sim.set("2026-10-14 23:59")
    assert sim.run_timers()["tickets.handling_overdue"] == 0
    sim.set("2026-10-15 00:00")
    assert sim.run_timers()["tickets.handling_overdue"] == 1
    ticket = api("org.411702").ok(
        f"/assignments/{assignment['id']}/reply", {"content": "已处理", "citizen_contacted": True}
    )
    assert ticket["assignments"][0]["overdue"] is True
    listed = api("dispatcher").get("/tickets", overdue="true").json()
    assert ticket["number"] in [t["number"] for t in listed["items"]]


def test_art15_4_each_unit_replies_and_the_ticket_waits_for_all(api, intake, sim):
    ticket = dispatched(api, intake, sim, lead="411702", assists=["urban"])
    sim.set("2026-09-30 10:00")
    for org in ("411702", "urban"):
        api(f"org.{org}").ok(f"/assignments/{assignment_of(ticket, org)['id']}/sign")
    ticket = api("org.urban").ok(
        f"/assignments/{assignment_of(ticket, 'urban')['id']}/reply", {"content": "协办意见已反馈"}
    )
    assert ticket["status"] == "in_handling"
    ticket = api("org.411702").ok(
        f"/assignments/{assignment_of(ticket, '411702')['id']}/reply", {"content": "已修复"}
    )
    assert ticket["status"] == "awaiting_callback"


def test_art15_4_confidential_citizen_is_never_shown_to_a_unit(api, intake, sim):
    ticket = dispatched(
        api, intake, sim, citizen={"name": "王五", "phone": "13900001111", "confidential": True}
    )
    seen_by_unit = api("org.411702").get(f"/tickets/{ticket['number']}").json()
    assert seen_by_unit["citizen"] == {
        "name": None,
        "phone": None,
        "confidential": True,
        "masked": True,
    }
    assert "13900001111" not in str(seen_by_unit)
    listed = api("org.411702").get("/tickets").json()
    assert "13900001111" not in str(listed)
    seen_by_center = api("dispatcher").get(f"/tickets/{ticket['number']}").json()
    assert seen_by_center["citizen"]["phone"] == "13900001111"


def test_art18_first_response_within_an_hour_then_daily_progress(api, intake, sim):
    content = "驿城区新华街一带大面积停电，已经两个小时了"
    _t, assignment = signed(
        api,
        intake,
        sim,
        lead="util-power",
        sign_at="2026-09-30 09:30",
        major_incident=True,
        content=content,
    )
    assert assignment["first_response_due_at"] == "2026-09-30T10:30:00+08:00"
    sim.set("2026-09-30 10:20")
    ticket = api("org.util-power").ok(
        f"/assignments/{assignment['id']}/progress", {"content": "已派抢修队，预计14时恢复"}
    )
    assert ticket["events"][-1]["type"] == "first_response"
    sim.set("2026-10-01 10:19")
    assert sim.run_timers()["tickets.incident_progress"] == 0
    sim.set("2026-10-01 10:21")
    assert sim.run_timers()["tickets.incident_progress"] == 1
    assert Assignment.objects.get(pk=assignment["id"]).progress_missed == 1
