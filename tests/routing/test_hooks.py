"""How routing hangs on the work order (ARCHITECTURE.md, Layers): tickets never imports routing;
routing registers its handlers and providers with ``tickets.hooks`` at start-up, and below the
service layer the moment is always a parameter (principle 3)."""

from __future__ import annotations

import inspect

import pytest

from hotline.routing import duplicates, recording, suggestions
from hotline.routing.models import DispatchRule, Precedent, RoutingSuggestion
from hotline.tickets import hooks

from .test_integration import LIGHT_TEXT, LIGHTS, dispatch, intake


def test_routing_registers_its_ticket_hooks_at_start_up():
    assert recording.on_ticket_received in hooks.handlers("ticket_received")
    assert recording.on_ticket_dispatching in hooks.handlers("ticket_dispatching")
    assert hooks.provided("repeat_match") is duplicates.repeat_match
    assert hooks.provided("text_similarity") is duplicates.similarity


def test_an_intake_and_a_dispatch_are_recorded_through_the_hooks(users, orgs, categories):
    """Given a catalogue line and a ticket dispatched with coordination, when the service
    emits its hook, then routing stores its unit suggestion against the lead chosen and keeps
    the dispatch as a precedent (Art 14(3))."""
    DispatchRule.objects.create(category=categories[LIGHTS], unit=orgs["urban"])
    ticket = intake(users, orgs, category=categories[LIGHTS])
    dispatch(users, ticket, orgs["urban"], coordinated=True)
    record = RoutingSuggestion.objects.get(ticket=ticket, kind="unit")
    assert record.chosen == "urban" and record.rank == 1
    assert Precedent.objects.get(ticket=ticket).lead == orgs["urban"]


def test_the_repeat_provider_answers_with_the_pk_of_the_same_matter():
    candidates = [(7, "幼儿园收费太高还乱收费"), (9, LIGHT_TEXT.replace("一周", "两周"))]
    assert duplicates.repeat_match(LIGHT_TEXT, candidates, threshold=0.6) == 9
    assert duplicates.repeat_match(LIGHT_TEXT, candidates[:1], threshold=0.6) is None
    assert duplicates.repeat_match("", candidates, threshold=0.6) is None


@pytest.mark.parametrize("fn", [suggestions.neighbour_model, suggestions.suggest_units])
def test_the_learned_models_take_the_moment_as_a_required_argument(fn):
    """Issue 13: ``neighbour_model(now=None)`` used to fall back to the system clock."""
    parameter = inspect.signature(fn).parameters["now"]
    assert parameter.default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        fn(LIGHT_TEXT, county="411702")
