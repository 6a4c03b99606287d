"""Shared fixtures. The test database is created once per session with the official calendar
and the demo organisations and users (API.md), so tests start from a realistic tree; each
test runs in a transaction that is rolled back."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from hotline.calendar.services import calendar_seed_official
    from hotline.orgs.demo import seed_organisations, seed_users

    with django_db_blocker.unblock():
        calendar_seed_official()
        seed_users(seed_organisations())


@pytest.fixture
def demo_orgs(db):
    from hotline.orgs.models import Organisation

    return {org.code: org for org in Organisation.objects.all()}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from hotline.calendar.services import invalidate_cache as calendar_reload
    from hotline.core.policy import invalidate_cache as policy_reload

    def clear():
        cache.clear()
        calendar_reload()
        policy_reload()

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
