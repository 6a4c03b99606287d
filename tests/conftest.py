"""Shared fixtures. The test database is created once per session with the official calendar
and the demo organisations, users (API.md) and place names, so tests start from a realistic
tree; each test runs in a transaction that is rolled back."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_places, seed_users

    with django_db_blocker.unblock():
        calendar_seed_official()
        seed_users(seed_organisations())
        seed_places()  # the gazetteer's demo landmarks, as `seed --demo` loads them


@pytest.fixture
def demo_orgs(db):
    from hotline.orgs.models import Organisation

    return {org.code: org for org in Organisation.objects.all()}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache, caches

    from hotline.calendar.services import invalidate_cache as calendar_reload
    from hotline.core.policy import invalidate_cache as policy_reload
    from hotline.tickets.services import reference

    def clear():
        cache.clear()
        # the login throttle's own store (issue 19 F7); as a database table (PostgreSQL) it is
        # rolled back with the test, and a test without the database may not touch it
        if caches["throttle"].__class__.__name__ != "DatabaseCache":
            caches["throttle"].clear()
        calendar_reload()
        policy_reload()
        reference.invalidate()  # organisations and categories by code (a test's rows go)

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A request in English leaves English active in the test's thread (the middleware
    activates the request's language; nothing deactivates it): the next test must not start
    in it."""
    from django.utils import translation

    yield
    translation.deactivate()


_MISSING = object()


@pytest.fixture
def english():
    """``english(msgid, …)``: marked entries ("[en] msgid") in the English catalogue for the
    msgids a test names, removed after it, so English text equal to the marked entry can only
    have come through gettext (whatever the real catalogue holds)."""
    from django.utils import translation
    from django.utils.translation import trans_real

    with translation.override("en"):
        catalog = trans_real.translation("en")._catalog
    saved: dict[str, object] = {}

    def add(*msgids: str) -> None:
        for msgid in msgids:
            saved.setdefault(msgid, catalog._catalogs[0].get(msgid, _MISSING))
            catalog[msgid] = f"[en] {msgid}"

    yield add
    for msgid, before in saved.items():
        if before is _MISSING:
            catalog._catalogs[0].pop(msgid, None)
        else:
            catalog._catalogs[0][msgid] = before


# -- Open311 ---------------------------------------------------------------------------------

OPEN311_KEY = "demo-open311-key"
OPEN311_BASE = "/open311/v2"
LIGHTS = "public-services.municipal.street-lights"


@pytest.fixture
def open311(db, demo_orgs):
    """A client of the Open311 interface, with the category tree and the demo key."""
    from django.test import Client

    from hotline.exchange.services import client_key_create
    from hotline.tickets.categories import category_tree_load, default_tree

    category_tree_load(tree=default_tree(), update_existing=False)
    client_key_create(name="demo", key=OPEN311_KEY)
    return Client()


def open311_params(**changes) -> dict:
    """A valid POST requests.json form; ``None`` drops a field."""
    data = {
        "api_key": OPEN311_KEY,
        "service_code": LIGHTS,
        "address_string": "驿城区雪松路与开源大道交叉口",
        "description": "路灯连续一周不亮，夜间出行不安全。",
        "phone": "13800138000",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}
