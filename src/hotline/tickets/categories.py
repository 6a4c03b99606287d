"""The appeal category tree (诉求分类, Art 10, Art 21): loading a tree into ``Category``.

A tree is a list of nodes ``{"code", "name", "name_en", "children": [...]}`` with optional
flags ``mediation`` / ``law_enforcement`` (Art 16(2)) and ``handling_days`` (a legal time
limit, Art 15(3)); ``hotline.tickets.category_tree.CATEGORIES`` is the default tree that
``hotline seed`` loads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput
from hotline.tickets import category_tree
from hotline.tickets.models import Category

# The fields a tree node sets; ``active`` is the administrators' (a category they switched
# off stays off), and ``handling_days`` is only set when the node names one.
TREE_FIELDS = ("name", "name_en", "mediation", "law_enforcement")


@dataclass
class CategoryLoad:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + self.unchanged

    def __str__(self) -> str:
        return (
            f"{self.total} in the tree: {len(self.created)} created, "
            f"{len(self.updated)} updated, {self.unchanged} unchanged"
        )


def default_tree() -> list[dict]:
    """The tree `hotline seed` loads (five domains of Art 10 and their categories)."""
    return category_tree.CATEGORIES


def _code(node: dict) -> str:
    return str(node.get("code") or "").strip()


def _walk(nodes: Sequence[dict], parent: str | None) -> Iterator[tuple[dict, str | None]]:
    for node in nodes:
        yield node, parent
        yield from _walk(node.get("children") or (), _code(node))


def _wanted(node: dict) -> dict:
    code = _code(node)
    name = str(node.get("name") or "").strip()
    if not code or not name:
        raise InvalidInput(
            _("每个分类都需要代码和名称（code, name）"), code="invalid_category_tree"
        )
    if len(code) > 80 or len(name) > 60:
        raise InvalidInput(
            _("分类 %(code)s 的代码或名称过长") % {"code": code}, code="invalid_category_tree"
        )
    values = {
        "name": name,
        "name_en": str(node.get("name_en") or "")[:80],
        "mediation": bool(node.get("mediation", False)),
        "law_enforcement": bool(node.get("law_enforcement", False)),
    }
    if node.get("handling_days") is not None:
        try:
            days = int(node["handling_days"])
        except (TypeError, ValueError):
            days = 0  # not a number: refused below with the same readable message
        if days < 1:
            raise InvalidInput(
                _("分类 %(code)s 的法定时限必须为正数") % {"code": code},
                code="invalid_category_tree",
            )
        values["handling_days"] = days
    return values


@transaction.atomic
def category_tree_load(*, tree: Sequence[dict], update_existing: bool = True) -> CategoryLoad:
    """Upsert ``tree`` into the category table by code (Art 21: one city-wide tree).

    Idempotent: a second load of the same tree changes nothing (no write at all). Existing
    categories get the tree's name, English name, parent and Art 16(2) flags when
    ``update_existing`` is set, otherwise they are left as the administrators keep them;
    ``active`` is never touched and categories that are not in the tree are left alone.
    """
    nodes = [(_code(node), _wanted(node), parent) for node, parent in _walk(tree, None)]
    codes = [code for code, _wanted_values, _parent in nodes]
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("分类代码重复"), code="invalid_category_tree")
    existing = {c.code: c for c in Category.objects.filter(code__in=codes)}
    result = CategoryLoad()
    # parents come before their children in the walk, so a parent exists when it is needed
    for code, wanted, parent_code in nodes:
        parent = existing[parent_code] if parent_code else None
        category = existing.get(code)
        if category is None:
            category = Category.objects.create(code=code, parent=parent, **wanted)
            existing[code] = category
            result.created.append(code)
            continue
        if not update_existing:
            result.unchanged += 1
            continue
        changed = [key for key, value in wanted.items() if getattr(category, key) != value]
        if category.parent_id != (parent.pk if parent else None):
            changed.append("parent")
        if not changed:
            result.unchanged += 1
            continue
        for key in changed:
            setattr(category, key, parent if key == "parent" else wanted[key])
        category.save(update_fields=changed)
        result.updated.append(code)
    return result
