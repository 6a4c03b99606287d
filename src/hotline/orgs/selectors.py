"""Reads of the organisation tree."""

from __future__ import annotations

from django.db.models import QuerySet

from hotline.orgs.choices import OrgKind
from hotline.orgs.models import Organisation


def organisation_list(*, kind: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(active=True).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def organisation_subtree(*, org: Organisation) -> QuerySet[Organisation]:
    """The organisation and everything below it (one indexed prefix query)."""
    return Organisation.objects.filter(path__startswith=org.path)


def organisation_by_code(code: str) -> Organisation | None:
    return Organisation.objects.filter(code=code).select_related("parent").first()


def center_org() -> Organisation:
    """The hotline center (the reviewer of returns, extensions and disputes)."""
    org = Organisation.objects.filter(kind=OrgKind.CENTER).order_by("id").first()
    if org is None:
        raise Organisation.DoesNotExist("no center organisation: run `hotline seed`")
    return org
