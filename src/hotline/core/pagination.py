"""List endpoints return ``{"items": [...], "count": N}`` and accept ``page``/``page_size``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ninja import Field, Schema

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class Paged(Schema, Generic[T]):
    items: list[T]
    count: int


def page_of(qs, query: PageQuery, render: Callable[[Any], Any]) -> dict:
    count = qs.count()
    start = (query.page - 1) * query.page_size
    return {"items": [render(obj) for obj in qs[start : start + query.page_size]], "count": count}
