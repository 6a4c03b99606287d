"""Whose figures a user sees (API.md, Monitoring: city / county territory / a department's
sector / a unit's own tickets), and the rollup rows that make them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hotline.core.errors import PermissionDenied
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation, User
from hotline.tickets.models import Category
from hotline.tickets.selectors import sees_everything

from .models import DailyRollup, SectorCategory

CITY, COUNTY, SECTOR, UNIT = "city", "county", "sector", "unit"
REPORT_ROLES = (RoleCode.ANALYST, RoleCode.SUPERVISOR, RoleCode.ADMINISTRATOR)


@dataclass(frozen=True)
class Scope:
    kind: str
    org: Organisation | None = None
    categories: frozenset[int] | None = None  # a sector's categories and those below them

    @property
    def masked(self) -> bool:
        # Art 24/25: a department reads its sector's tickets without the citizens
        return self.kind == SECTOR

    @property
    def label(self) -> str:
        if self.kind == CITY or self.org is None:
            return _("全市")
        return self.org.short_name or self.org.name


def category_subtree(ids: set[int]) -> frozenset[int]:
    """The categories ``ids`` and every category below them (the tree is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = set(), list(ids)
    while stack:
        pk = stack.pop()
        if pk not in out:
            out.add(pk)
            stack.extend(children.get(pk, ()))
    return frozenset(out)


def scope_for(user: User) -> Scope:
    """The scope of every figure the user reads; 403 for users without an organisation."""
    if sees_everything(user) or (user.acts_for_center and user.organisation is None):
        return Scope(CITY)
    org = user.organisation
    if org is None:
        raise PermissionDenied(_("当前用户不属于任何单位，无统计数据"))
    if org.kind == OrgKind.COUNTY:
        return Scope(COUNTY, org)
    sector = set(SectorCategory.objects.filter(org=org).values_list("category_id", flat=True))
    if sector:
        return Scope(SECTOR, org, category_subtree(sector))
    return Scope(UNIT, org)


def may_report(user: User) -> bool:
    return user.is_superuser or user.has_role(*REPORT_ROLES)


def rollup_rows(
    scope: Scope,
    *,
    county: Organisation | None = None,
    category: Category | None = None,
    org: Organisation | None = None,
) -> QuerySet[DailyRollup]:
    """The rollup rows of ``scope`` narrowed by the dashboard's filters. An ``org`` filter
    reads that organisation's own rows (its scope), and only inside the caller's."""
    qs = DailyRollup.objects.all()
    if org is not None:
        inside = scope.kind == CITY or (
            scope.kind in (COUNTY, UNIT)
            and scope.org is not None
            and org.path.startswith(scope.org.path)
        )
        if scope.kind == SECTOR:
            qs = qs.filter(org=org, category_id__in=scope.categories or ())
        elif inside:
            qs = qs.filter(org=org)
        else:
            return qs.none()
    elif scope.kind == CITY:
        qs = qs.filter(org__isnull=True)
    elif scope.kind == SECTOR:
        qs = qs.filter(org__isnull=True, category_id__in=scope.categories or ())
    else:
        qs = qs.filter(org=scope.org)
    if county is not None:
        qs = qs.filter(county=county)
    if category is not None:
        qs = qs.filter(category_id__in=category_subtree({category.pk}))
    return qs


def ticket_filter(scope: Scope) -> Q:
    """The same scope as a filter on tickets, for the few lists (hot topics, long-unresolved,
    major incidents) that show tickets rather than counts; a county and a unit go through
    ``tickets.selectors.tickets_visible_to`` instead (see selectors)."""
    if scope.kind == SECTOR:
        return Q(category_id__in=scope.categories or ())
    return Q()
