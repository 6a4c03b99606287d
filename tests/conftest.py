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
