"""Vietnamese alphabetical order, the order of Vietnamese dictionaries, from ICU's `vi` collation.

Letters sort a ă â b c d đ e ê … o ô ơ … u ư …; tone marks count only after the letters
("Bảo Thắng" before "Bát Xát"); numbers inside names sort by value ("Phường 2" before
"Phường 10"). Database ORDER BY follows neither SQLite's nor PostgreSQL's default collation
this way, so lists people read are sorted in Python with `sort_key`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

from parindex.lib.text import nfc

T = TypeVar("T")

_local = threading.local()


def _collator() -> icu.Collator:
    # A collator per thread: ICU collators keep per-call state and are not shared across threads.
    collator: icu.Collator | None = getattr(_local, "collator", None)
    if collator is None:
        collator = icu.Collator.createInstance(icu.Locale("vi"))
        collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
        _local.collator = collator
    return collator


def sort_key(text: str | None) -> bytes:
    """The key that puts `text` in Vietnamese alphabetical order (None sorts first)."""
    return bytes(_collator().getSortKey(nfc(text or "")))


def vi_sorted(items: Iterable[T], key: Callable[[T], str | None]) -> list[T]:
    """`items` in Vietnamese alphabetical order of `key(item)`; ties keep their given order."""
    return sorted(items, key=lambda item: sort_key(key(item)))
