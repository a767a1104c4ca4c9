"""Organisations in reading order: each under its parent, kinds in a fixed order, names sorted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from parindex.lib.collation import sort_key
from parindex.orgs.models import Organisation, OrgKind

_KIND_ORDER = {kind: index for index, kind in enumerate(OrgKind.values)}


def reading_key(org: Organisation) -> tuple[int, bytes, int]:
    """Kinds in their fixed order, then names in Vietnamese alphabetical order."""
    return (_KIND_ORDER.get(org.kind, len(_KIND_ORDER)), sort_key(org.name), org.pk or 0)


def in_reading_order(orgs: Iterable[Organisation]) -> list[Organisation]:
    """Organisations by kind, then by name in Vietnamese alphabetical order."""
    return sorted(orgs, key=reading_key)


def tree_rows(orgs: Iterable[Organisation], root_id: int) -> list[tuple[Organisation, int]]:
    """(organisation, depth) pairs under `root_id`, depth-first.

    An organisation whose parent is not among `orgs` (closed, or filtered out) hangs from the root.
    """
    listed = list(orgs)
    ids = {o.pk for o in listed}
    children: dict[int | None, list[Organisation]] = defaultdict(list)
    for org in in_reading_order(listed):
        parent = org.parent_id if org.parent_id in ids else root_id
        children[parent].append(org)
    rows: list[tuple[Organisation, int]] = []
    stack = [(child, 0) for child in reversed(children.get(root_id, []))]
    while stack:
        org, depth = stack.pop()
        rows.append((org, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(org.pk, [])))
    return rows
