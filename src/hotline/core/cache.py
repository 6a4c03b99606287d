"""A per-process cache of rarely edited tables (calendar, policy values), shared-version checked.

Every process keeps its own copy and compares a version counter in the database at most every
``check_seconds``; an edit bumps the counter, so every process reloads within that time, and
the editing process reloads at once (on commit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import transaction
from django.db.models import F

T = TypeVar("T")


class VersionedCache(Generic[T]):
    def __init__(
        self, name: str, loader: Callable[[], T], check_seconds: float | None = None
    ) -> None:
        self.name = name
        self.loader = loader
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: int | None = None
        self._checked = 0.0

    @property
    def check_seconds(self) -> float:
        if self._check_seconds is not None:
            return self._check_seconds
        from django.conf import settings

        return settings.HOTLINE_CACHE_CHECK_SECONDS

    def _current_version(self) -> int:
        from hotline.core.models import CacheVersion

        row = CacheVersion.objects.filter(name=self.name).values_list("version", flat=True).first()
        return row or 0

    def get(self) -> T:
        with self._lock:
            clock = time.monotonic()
            if self._value is not None and clock - self._checked < self.check_seconds:
                return self._value
            version = self._current_version()
            if self._value is None or version != self._version:
                self._value = self.loader()
                self._version = version
            self._checked = clock
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None

    def bump(self) -> None:
        """Call inside the transaction that edits the cached table."""
        from hotline.core.models import CacheVersion

        updated = CacheVersion.objects.filter(name=self.name).update(version=F("version") + 1)
        if not updated:
            CacheVersion.objects.create(name=self.name, version=1)
        # reload now (this transaction sees its own edit) and again once others can see it
        self.invalidate()
        transaction.on_commit(self.invalidate)
