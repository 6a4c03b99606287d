"""Reads of the organisation tree."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

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


def org_groups(orgs: list[Organisation]) -> list:
    """Grouped choices for an organisation picker: city departments and utilities, the
    sub-centers, then each county with its body and its units, in tree order."""
    city, subs, counties = [], [], {}
    county_of: dict[int, Organisation] = {}
    for org in orgs:
        if org.kind == OrgKind.COUNTY:
            county_of[org.pk] = org
            counties[org.pk] = [(org.code, f"{org.name}")]
        elif org.parent_id in county_of:
            counties[org.parent_id].append((org.code, f"{org.name}"))
        elif org.kind == OrgKind.SUBCENTER:
            subs.append((org.code, org.name))
        else:
            city.append((org.code, org.name))
    groups: list = []
    if city:
        groups.append((_("市直单位及公用事业"), city))
    if subs:
        groups.append((_("分中心热线"), subs))
    for pk, items in counties.items():
        org = county_of[pk]
        groups.append((org.short_name or org.name, items))
    return groups
