"""Art 31: the formulas as worked examples (a unit's tickets → indicator values → score →
grade), Art 16(2) screening and the mediation categories, draft → published and frozen, the
scoping of results, a county body's own scheme, and the documents."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from hotline.core.errors import PermissionDenied
from hotline.evaluation import services
from hotline.evaluation.error_codes import EvaluationErrorCode
from hotline.evaluation.models import Indicator, Scheme
from hotline.orgs.models import User
from hotline.tickets.models import Assignment, Category, Evaluation, Ticket
from tests.tickets.conftest import at
from tests.tickets.flow import dispatched

OCTOBER = "2026-10"


def _unit_tickets(api, intake, sim, n, lead="housing") -> list[Ticket]:
    numbers = [
        dispatched(
            api,
            intake,
            sim,
            when="2026-10-09 09:00",
            lead=lead,
            citizen={"name": "张三", "phone": f"1380013{i:04d}", "confidential": False},
        )["number"]
        for i in range(n)
    ]
    return list(Ticket.objects.filter(number__in=numbers).order_by("pk"))


def _given_ten_tickets_of_housing(api, intake, sim):
    """10 assignments of the housing department dispatched in October: all signed, 1 late;
    8 replied on time, 2 overdue; 1 redone; 10 callbacks, 8 satisfied, 9 resolved."""
    tickets = _unit_tickets(api, intake, sim, 10)
    rows = Assignment.objects.filter(ticket__in=tickets, org__code="housing")
    rows.update(
        signed_at=at("2026-10-09 10:00"),
        due_at=at("2026-10-16 23:59"),
        replied_at=at("2026-10-14 10:00"),
        status="replied",
    )
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    Assignment.objects.filter(pk=ids[0]).update(signed_late=True)
    Assignment.objects.filter(pk__in=ids[:2]).update(overdue=True)
    Assignment.objects.filter(pk=ids[2]).update(redo_count=1)
    for i, t in enumerate(tickets):
        Evaluation.objects.create(
            ticket=t,
            outcome="satisfied" if i < 8 else "unsatisfied",
            resolved=i < 9,
            at=at("2026-10-20 10:00"),
        )
    return tickets


def _row(period=OCTOBER, org="housing"):
    from hotline.evaluation.models import Result

    return Result.objects.get(run__period=period, org__code=org, run__owner__code="city")


@pytest.mark.parametrize(
    ("indicator", "value", "score"),
    [
        ("sign_on_time", 0.9, 50.0),  # 9/10, linear from 0.8 (0) to 1.0 (100)
        ("completed_on_time", 0.8, 33.33),  # 8/10, from 0.7 to 1.0
        ("return_rate", 0.0, 100.0),
        ("satisfaction", 0.8, 50.0),  # 8/10, from 0.6 to 1.0
        ("resolution", 0.9, 80.0),  # 9/10, from 0.5 to 1.0
        ("redo_rate", 0.1, 50.0),  # 1/10, from 0.2 (0) to 0 (100)
        ("repeat_rate", 0.0, 100.0),
        ("knowledge_upkeep", 0.0, 100.0),
        ("supervision", 0.0, 100.0),
    ],
)
def test_worked_example_indicator_values_and_scores(api, intake, sim, indicator, value, score):
    _given_ten_tickets_of_housing(api, intake, sim)
    services.run_compute(
        period=OCTOBER, actor=User.objects.get(username="supervisor"), now=at("2026-11-02 09:00")
    )
    row = _row()
    assert row.values[indicator] == pytest.approx(value)
    assert row.scores[indicator] == pytest.approx(score, abs=0.01)


def test_worked_example_total_score_and_grade(api, intake, sim):
    _given_ten_tickets_of_housing(api, intake, sim)
    run = services.run_compute(
        period=OCTOBER, actor=User.objects.get(username="supervisor"), now=at("2026-11-02 09:00")
    )
    row = _row()
    # weights 10,25,5,25,15,10,5,3,2 over the scores above
    expected = (
        10 * 50 + 25 * 33.33 + 5 * 100 + 25 * 50 + 15 * 80 + 10 * 50 + 5 * 100 + 3 * 100 + 2 * 100
    ) / 100
    assert row.score == pytest.approx(expected, abs=0.01)
    assert row.grade == "fail"  # 58.3 < 60
    assert row.rank == 1 and row.scheme_version == 1
    assert run.schemes["units"]["version"] == 1
    # a unit without tickets gets no grade rather than a made-up one
    assert _row(org="urban").grade == "" and _row(org="urban").score is None


def test_art16_2_upheld_disputes_and_mediation_categories_leave_the_rate(
    api, intake, sim, demo_orgs
):
    tickets = _given_ten_tickets_of_housing(api, intake, sim)
    unsatisfied = Evaluation.objects.filter(ticket__in=tickets, outcome="unsatisfied")
    unsatisfied[0].excluded_org.add(demo_orgs["housing"])  # screened: upheld for this unit
    mediation = Category.objects.create(code="test-mediation", name="调解", mediation=True)
    Ticket.objects.filter(pk=unsatisfied[1].ticket_id).update(category=mediation)
    services.run_compute(
        period=OCTOBER, actor=User.objects.get(username="supervisor"), now=at("2026-11-02 09:00")
    )
    row = _row()
    assert row.counts["satisfaction"] == [8, 8]
    assert row.values["satisfaction"] == 1.0
    # the mediation ticket still counts everywhere else
    assert row.counts["completed_on_time"][1] == 10


def test_publish_then_rerun_is_refused(api, intake, sim):
    sim.set("2026-11-02 09:00")
    _given_ten_tickets_of_housing(api, intake, sim)
    sim.set("2026-11-02 09:00")
    draft = api("supervisor").ok("/evaluation/runs", {"period": OCTOBER}, status=201)
    assert draft["state"] == "draft"
    assert api("org.housing").post("/evaluation/runs", {"period": OCTOBER}).status_code == 403
    again = api("supervisor").ok("/evaluation/runs", {"period": OCTOBER}, status=201)
    assert again["state"] == "draft"  # a draft may be recomputed
    assert api("supervisor").ok(f"/evaluation/runs/{OCTOBER}/publish")["state"] == "published"
    refused = api("supervisor").post("/evaluation/runs", {"period": OCTOBER})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == EvaluationErrorCode.EVALUATION_PUBLISHED
    assert api("supervisor").post("/evaluation/runs", {"period": "2026-13"}).status_code == 422


def test_results_are_scoped_and_drill_down_to_the_tickets(api, intake, sim):
    tickets = _given_ten_tickets_of_housing(api, intake, sim)
    sim.set("2026-11-02 09:00")
    api("supervisor").ok("/evaluation/runs", {"period": OCTOBER}, status=201)
    everyone = api("analyst").get("/evaluation", period=OCTOBER).json()
    assert {i["org"] for i in everyone["items"]} >= {"housing", "urban", "411702", "city"}
    mine = api("org.housing").get("/evaluation", period=OCTOBER).json()
    assert [i["org"] for i in mine["items"]] == ["housing"]
    assert api("supervisor").get("/evaluation", period="2026-09").status_code == 404
    drill = (
        api("org.housing")
        .get("/evaluation/drill", period=OCTOBER, org="housing", indicator="sign_on_time")
        .json()
    )
    assert drill["count"] == 10
    assert sorted(d["number"] for d in drill["items"]) == sorted(t.number for t in tickets)
    assert sum(not d["counted"] for d in drill["items"]) == 1
    other = api("org.urban").get("/evaluation/drill", period=OCTOBER, org="housing", indicator="x")
    assert other.status_code == 404


def test_schemes_are_listed_versioned_and_quarters_work(api, sim):
    sim.set("2026-11-02 09:00")
    schemes = api("supervisor").get("/evaluation/schemes").json()
    by_code = {s["code"]: s for s in schemes}
    assert set(by_code) >= {"units", "counties", "subcenters", "center"}
    units = by_code["units"]
    assert sum(i["weight"] for i in units["indicators"]) == 100
    assert [g["min_score"] for g in units["grades"]] == [90, 80, 60, 0]
    codes = {i["code"] for s in schemes for i in s["indicators"]}
    assert codes >= {
        "sign_on_time",
        "completed_on_time",
        "satisfaction",
        "resolution",
        "redo_rate",
        "return_rate",
        "repeat_rate",
        "knowledge_upkeep",
        "connection_rate",
        "answered_at_intake",
    }
    scheme = Scheme.objects.get(code="units")
    services.scheme_changed(scheme=scheme)
    run = api("supervisor").ok("/evaluation/runs", {"period": "2026Q3"}, status=201)
    assert run["schemes"]["units"] == 2


def test_a_county_runs_its_own_scheme_for_its_units(api, intake, sim, demo_orgs):
    county = demo_orgs["411702"]
    scheme = Scheme.objects.create(
        code="yc-units", name="驿城区承办单位考核", applies_to="unit", owner=county
    )
    Indicator.objects.create(
        scheme=scheme,
        code="completed_on_time",
        name="按时办结率",
        measure="completed_on_time",
        weight=100,
        direction="higher",
        full_at=1.0,
        zero_at=0.5,
    )
    sim.set("2026-11-02 09:00")
    run = services.run_compute(
        period=OCTOBER,
        owner=county,
        actor=User.objects.get(username="org.411702"),
        now=at("2026-11-02 09:00"),
    )
    orgs = set(run.results.values_list("org__code", flat=True))
    assert orgs and all(code.startswith("411702-") for code in orgs)
    with pytest.raises(PermissionDenied):
        services.run_compute(
            period=OCTOBER,
            owner=county,
            actor=User.objects.get(username="org.411721"),
            now=at("2026-11-02 09:00"),
        )


def test_the_circular_and_the_table(api, intake, sim):
    _given_ten_tickets_of_housing(api, intake, sim)
    sim.set("2026-11-02 09:00")
    api("supervisor").ok("/evaluation/runs", {"period": OCTOBER}, status=201)
    api("supervisor").ok(f"/evaluation/runs/{OCTOBER}/publish")
    docx = api("supervisor").get(f"/evaluation/runs/{OCTOBER}/document", format="docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "驻马店市12345政务服务便民热线" in text and "2026年10月" in text and "通报" in text
    cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "不合格" in cells and "满意率" in cells
    xlsx = api("supervisor").get(f"/evaluation/runs/{OCTOBER}/document", format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert "单位" in [c.value for c in sheet[2]]
    assert api("org.housing").get(f"/evaluation/runs/{OCTOBER}/document").status_code == 404


def test_the_pages(api, intake, sim):
    from django.test import Client

    _given_ten_tickets_of_housing(api, intake, sim)
    sim.set("2026-11-02 09:00")
    api("supervisor").ok("/evaluation/runs", {"period": OCTOBER}, status=201)
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get(f"/supervision/evaluation/?period={OCTOBER}").content.decode()
    assert "承办单位考核方案" in page and "不合格" in page
    client.force_login(User.objects.get(username="org.housing"))
    mine = client.get("/supervision/evaluation/mine/", follow=True).content.decode()
    assert "按时签收率" in mine and "不合格" in mine, mine[-3000:]
    drill = client.get(f"/supervision/evaluation/{OCTOBER}/housing/?indicator=satisfaction")
    assert drill.status_code == 200 and "计入该指标的工单" in drill.content.decode()
    assert client.get(f"/supervision/evaluation/{OCTOBER}/urban/").status_code == 404
