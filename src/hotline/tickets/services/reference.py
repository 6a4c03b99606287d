"""Organisations and categories by code, cached per process (issue 14).

Every intake names its county, every dispatch its units, every return and extension request
goes to the center: a query each, for tables an administrator edits a few times a year. They
are kept per process like the calendar and the policy values (``core.cache.VersionedCache``):
an edit (a ``save()`` or ``delete()``, in the admin or a service) bumps the table's version,
the editing process reloads at once and every other one within
``HOTLINE_CACHE_CHECK_SECONDS``. A code the cache does not know is looked up in the table
(an organisation created a moment ago in another process is found at once).

Callers get their own copy of a cached row, so nothing one request sets on it is seen by
another.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from hotline.core.cache import VersionedCache
from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation
from hotline.tickets.models import Category


@dataclass
class _Orgs:
    by_code: dict[str, Organisation] = field(default_factory=dict)
    center: Organisation | None = None


def _load_orgs() -> _Orgs:
    loaded = _Orgs()
    for org in Organisation.objects.order_by("id"):
        loaded.by_code[org.code] = org
        if org.kind == OrgKind.CENTER and loaded.center is None:
            loaded.center = org
    return loaded


def _load_categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.all()}


_orgs: VersionedCache[_Orgs] = VersionedCache("tickets.organisations", _load_orgs)
_categories: VersionedCache[dict[str, Category]] = VersionedCache(
    "tickets.categories", _load_categories
)


def org_by_code(code: str) -> Organisation | None:
    org = _orgs.get().by_code.get(code)
    if org is None:
        return Organisation.objects.filter(code=code).first()
    return copy.copy(org)


def center() -> Organisation | None:
    """The hotline center (the lowest id of its kind, as ``orgs.selectors.center_org``)."""
    org = _orgs.get().center
    if org is None:
        return Organisation.objects.filter(kind=OrgKind.CENTER).order_by("id").first()
    return copy.copy(org)


def category_by_code(code: str) -> Category | None:
    category = _categories.get().get(code)
    if category is None:
        return Category.objects.filter(code=code).first()
    return copy.copy(category)


def _orgs_edited(**_kwargs) -> None:
    _orgs.bump()


def _categories_edited(**_kwargs) -> None:
    _categories.bump()


def connect() -> None:
    """Bump the versions on every edit (``TicketsConfig.ready``)."""
    for signal in (post_save, post_delete):
        signal.connect(_orgs_edited, sender=Organisation, dispatch_uid="tickets-orgs-cache")
        signal.connect(_categories_edited, sender=Category, dispatch_uid="tickets-categories-cache")


def invalidate() -> None:
    """Drop both caches in this process (tests whose rolled-back rows the cache may hold)."""
    _orgs.invalidate()
    _categories.invalidate()
