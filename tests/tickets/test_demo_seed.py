"""The demo history (DEMO.md): generated through the services, deterministic, idempotent,
with open work at every stage and the stories DEMO.md asks for.

One short history (3 days × 20 appeals a day, ending on a Thursday afternoon) is generated
once for the module and rolled back at the end; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from hotline.core.models import TimerRun
from hotline.demo import history as demo
from hotline.demo.history_texts import INCIDENT_CALLS, REPEATER_COUNTY
from hotline.supervision.models import SupervisionCase
from hotline.tickets.categories import category_tree_load, default_tree
from hotline.tickets.choices import NotAcceptedReason
from hotline.tickets.models import (
    Assignment,
    Category,
    Evaluation,
    Incident,
    OutboxMessage,
    Review,
    Ticket,
    TicketEvent,
    TicketSequence,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 15, 30, tzinfo=TZ)  # a Thursday afternoon
PARAMS = {"days": 3, "per_day": 20, "seed": 7, "now": NOW, "progress": False}


def generate(**changes) -> tuple[dict | None, str]:
    out = io.StringIO()
    stats = demo.seed(**{**PARAMS, **changes}, stdout=out)
    return stats, out.getvalue()


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker, tmp_path_factory):
    # the history trains a first category model into the data directory: a private one, so
    # no other test finds a model it did not make
    data_dir = tmp_path_factory.mktemp("demo-data")
    with (
        override_settings(DATA_DIR=data_dir),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        stats, output = generate()
        yield stats, output
        transaction.set_rollback(True)


@pytest.fixture
def stats(history, db):
    return history[0]


def snapshot() -> list[tuple]:
    """Everything a user would see of the history, without database ids."""
    rows = []
    tickets = (
        Ticket.objects.order_by("number")
        .select_related("county", "repeat_of")
        .prefetch_related("assignments__org", "events__org")
    )
    for t in tickets:
        rows.append(
            (
                t.number,
                t.status,
                t.channel,
                t.appeal_type,
                t.content,
                t.citizen_name,
                t.citizen_phone,
                t.county.code,
                t.address,
                t.received_at,
                t.closed_at,
                t.close_reason,
                t.repeat_of.number if t.repeat_of else None,
                t.redo_total,
                t.evaluation_outcome,
                tuple(
                    (a.org.code, a.role, a.status, a.overdue, a.due_at) for a in t.assignments.all()
                ),
                tuple((e.type, e.at, e.org.code if e.org else None) for e in t.events.all()),
            )
        )
    return rows


def wipe() -> None:
    """Empty the ticket tables (inside the test's savepoint, rolled back afterwards)."""
    SupervisionCase.objects.all().delete()
    Ticket.objects.all().delete()
    Incident.objects.all().delete()
    TicketSequence.objects.all().delete()


# -- the whole history comes through the services -----------------------------------------------


def test_the_history_is_generated_with_no_refused_action(stats):
    assert stats["tickets"] >= 60
    assert stats["refused"] == {}
    assert TimerRun.objects.filter(trigger=demo.TIMER_TRIGGER).count() == stats["timer_runs"] > 0


def test_every_ticket_starts_with_its_intake_and_has_an_event_for_every_state(stats):
    first = {}
    types: dict[int, set[str]] = {}
    for ticket_id, type_ in TicketEvent.objects.order_by("at", "id").values_list(
        "ticket_id", "type"
    ):
        first.setdefault(ticket_id, type_)
        types.setdefault(ticket_id, set()).add(type_)
    tickets = list(Ticket.objects.all())
    assert {t.pk for t in tickets} == set(first)
    assert set(first.values()) == {"intake"}
    expected = {
        "closed": {"closed", "answered"},
        "not_accepted": {"not_accepted"},
        "new": {"intake"},
        "in_handling": {"dispatched"},
        "awaiting_callback": {"awaiting_callback"},
    }
    for t in tickets:
        assert types[t.pk] & expected[t.status], (t.number, t.status, types[t.pk])
        if t.dispatched_at:
            assert "dispatched" in types[t.pk]
        # the archive and the outbox were written by the services, in step
        assert OutboxMessage.objects.filter(ticket=t).count() == t.outbox_seq


def test_every_assignment_change_has_its_event(stats):
    for a in Assignment.objects.select_related("ticket"):
        kinds = set(a.events.values_list("type", flat=True))
        if a.signed_at:
            assert kinds & {"signed", "auto_signed"}, a
        if a.replied_at:
            assert "replied" in kinds, a
        if a.overdue:
            assert kinds & {"overdue", "replied", "return_requested"}, a
        if a.status == "returned":
            assert "return_approved" in kinds, a


# -- determinism and idempotency ------------------------------------------------------------------


def test_same_seed_same_history(history, db):
    before = snapshot()
    wipe()
    stats, _output = generate()
    assert stats is not None
    assert snapshot() == before


def test_suggestions_are_recorded_along_the_history(history, db):
    """The catalogue is there from the start and a first category model is trained a third of
    the way in, so the acceptance report has dispatches and intakes to show."""
    from django.conf import settings

    from hotline.routing.models import RoutingSuggestion
    from hotline.routing.training import model_versions, models_dir

    kinds = set(RoutingSuggestion.objects.values_list("kind", flat=True))
    assert kinds == {"category", "unit"}
    first_category = RoutingSuggestion.objects.filter(kind="category").order_by("at").first()
    assert first_category.at > Ticket.objects.order_by("received_at").first().received_at
    assert model_versions(models_dir(settings.DATA_DIR))
    # the models learned from past dispatches read them day by day, not after minutes of
    # real time (the whole history takes seconds)
    sources = {
        source
        for per_unit in RoutingSuggestion.objects.filter(kind="unit").values_list(
            "sources", flat=True
        )
        for unit_sources in per_unit
        for source in unit_sources
    }
    assert {"catalogue", "model", "neighbours"} <= sources


def test_the_history_ends_at_the_simulated_now(history, db):
    from django.test import override_settings

    from hotline.core.clock import set_simulated_now

    wipe()
    simulated = datetime(2026, 7, 15, 10, 0, tzinfo=TZ)
    with override_settings(SIMULATION=True):
        set_simulated_now(simulated)
        stats, _output = generate(days=1, per_day=10, now=None)
    assert stats["now"] == simulated.isoformat()
    received = list(Ticket.objects.values_list("received_at", flat=True))
    assert received and max(received) <= simulated
    assert min(received) >= simulated - timedelta(days=1)


def test_running_twice_does_not_double_the_history(history, db):
    count = Ticket.objects.count()
    stats, output = generate()
    assert stats is None
    assert "skipped" in output
    assert Ticket.objects.count() == count


# -- what DEMO.md asks to see ---------------------------------------------------------------------


def test_open_work_at_every_stage_now(stats):
    tickets = Ticket.objects.all()
    assert tickets.filter(status="new", dispatch_due_at__gt=NOW).exists()  # counting down
    assignments = Assignment.objects.all()
    assert assignments.filter(status="awaiting_sign").exists()
    in_progress = assignments.filter(status="in_progress")
    assert in_progress.filter(due_at__gt=NOW).exists()
    assert in_progress.filter(due_at__gte=NOW, due_at__lt=NOW + timedelta(days=2)).exists()
    assert in_progress.filter(overdue=True).exists()
    assert assignments.filter(status="replied").exists()
    assert Review.objects.filter(kind="return", state="pending").exists()
    assert Review.objects.filter(kind="extension", state="pending").exists()
    assert tickets.filter(status="awaiting_callback", callback_due_at__gt=NOW).exists()
    assert set(tickets.values_list("status", flat=True)) == {
        "new",
        "in_handling",
        "awaiting_callback",
        "closed",
        "not_accepted",
    }
    assert max(tickets.values_list("received_at", flat=True)) <= NOW


def test_the_major_incident_has_a_dozen_linked_calls_from_the_last_two_hours(stats):
    incident = Incident.objects.get()
    assert incident.kind == "power"
    assert incident.county.code == "411702"
    calls = list(incident.tickets.order_by("received_at"))
    assert len(calls) == INCIDENT_CALLS
    assert all(t.major_incident for t in calls)
    assert all(NOW - timedelta(hours=2) <= t.received_at <= NOW for t in calls)
    first = calls[0].assignments.get()
    assert first.org.code == "util-power"
    assert first.first_response_at is not None
    assert calls[0].events.filter(type="first_response").exists()


def test_the_stories(stats):
    # one caller, one matter, four appeals — linked by the intake service itself
    root = Ticket.objects.get(repeat_of=None, repeat_count=3, county__code=REPEATER_COUNTY)
    chain = list(root.repeats.all())
    assert len(chain) == 3
    assert {t.citizen_phone for t in chain} == {root.citizen_phone}
    # one ticket sent back for redo four times, and the Art 30(2) proposal
    redone = Ticket.objects.get(redo_total=4)
    assert redone.events.filter(type="redo").count() == 4
    case = SupervisionCase.objects.get(article="30(2)")
    assert case.state == "proposed"
    assert list(case.tickets.all()) == [redone]
    # a repeat of a closed appeal, not accepted and linked to it (Art 11(7))
    repeat = Ticket.objects.get(not_accepted_reason="repeat_after_closure")
    assert repeat.repeat_of.status == "closed"
    # every Art 11 reason, the emergencies transferred to their line
    reasons = set(
        Ticket.objects.exclude(not_accepted_reason="").values_list("not_accepted_reason", flat=True)
    )
    assert reasons == set(NotAcceptedReason.values)
    for t in Ticket.objects.filter(not_accepted_reason="emergency"):
        assert t.transferred_to in {"110", "119", "120", "122"}


def test_the_mix_looks_like_a_hotline(stats):
    assert max(stats["channels"], key=stats["channels"].get) == "phone"
    types = sorted(stats["types"], key=stats["types"].get, reverse=True)
    assert types[0] == "consultation"
    assert {"complaint", "help", "suggestion"} <= set(types)
    assert Ticket.objects.filter(close_reason="answered_at_intake").exists()
    assert Ticket.objects.exclude(special_seat="").exists() or stats["tickets"] < 200
    assert Evaluation.objects.filter(outcome="satisfied").exists()
    assert Assignment.objects.filter(parent__isnull=False).exists()  # county re-dispatch
    assert len(set(Ticket.objects.values_list("county__code", flat=True))) >= 8
    assert Review.objects.filter(kind="return", state="approved").exists() or (
        Review.objects.filter(kind="return").count() >= 2
    )


def test_counts_reported_match_the_database(stats):
    assert stats["tickets"] == Ticket.objects.count()
    assert sum(stats["statuses"].values()) == stats["tickets"]
    assert stats["incident_calls"] == INCIDENT_CALLS
    assert 0 < stats["satisfaction"] <= 1
    assert Counter(Ticket.objects.values_list("status", flat=True)) == Counter(stats["statuses"])


# -- the category tree ----------------------------------------------------------------------------


def test_category_tree_load_is_an_idempotent_upsert(db):
    first = category_tree_load(tree=default_tree())
    again = category_tree_load(tree=default_tree())
    assert again.created == [] and again.updated == []
    assert again.unchanged == first.total == Category.objects.count()
    leaf = Category.objects.get(code="public-services.property")
    assert leaf.mediation and leaf.parent.code == "public-services"
    leaf.name = "物业（管理员改名）"
    leaf.save(update_fields=["name"])
    kept = category_tree_load(tree=default_tree(), update_existing=False)
    assert kept.updated == []
    assert Category.objects.get(code="public-services.property").name == "物业（管理员改名）"
    restored = category_tree_load(tree=default_tree())
    assert restored.updated == ["public-services.property"]
    assert Category.objects.get(code="public-services.property").name == "物业服务"


def test_plain_seed_loads_the_category_tree(db):
    category_tree_load(tree=default_tree())
    Category.objects.filter(code="economic.business-env.approval").delete()  # no ticket uses it
    out = io.StringIO()
    call_command("seed", stdout=out)
    assert "categories: 85 in the tree: 1 created" in out.getvalue()
    assert Category.objects.filter(code="economic.business-env.approval").exists()
    assert Category.objects.filter(parent=None).count() == len(default_tree())
