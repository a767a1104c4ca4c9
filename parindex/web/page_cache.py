"""Costly parts of busy pages, kept between requests while the data under them is unchanged.

A part is keyed on what it is made from, never on time: the newest audit entry (every write to
domain data records one, so any write anywhere makes a new key), a signature of the rows the
reader may see (so two people with different rights never share a part, and a row changed by a
path that does not audit still changes the key), the day (lights and lateness depend on it) and
the language. Stale parts are never served, only forgotten when the cache is full. The cache is
each server process's own memory (`CACHES["pages"]`): nothing to run beside the product, and a
process that has not seen a part yet builds it once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from django.core.cache import caches
from django.db.models import Max
from django.utils import translation

from parindex.orgs.models import AuditEntry

T = TypeVar("T")


def data_version() -> int:
    """The newest audit entry's id: one index lookup, and it moves on every audited write."""
    newest: int | None = AuditEntry.objects.aggregate(newest=Max("pk"))["newest"]
    return newest or 0


def signature(rows: Iterable[tuple[object, ...]]) -> str:
    """A short digest of the rows a reader sees (ids with their last change)."""
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        digest.update(repr(row).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def cached(name: str, parts: tuple[object, ...], *, today: date, build: Callable[[], T]) -> T:
    """`build()`'s result for these parts, from the cache when an equal one was built before."""
    language = translation.get_language() or ""
    fields = [name, *(str(part) for part in parts), str(data_version()), str(today), language]
    key = ":".join(fields)
    cache = caches["pages"]
    found: T | None = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found)
    return found
