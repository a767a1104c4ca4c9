"""Reading the files that say which measured figures feed which sub-criteria, per criteria tree
code and version (the survey feeds and the dossier feeds: the same frame, each with its own leaf
shape). Pure: no Django."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import yaml


class FeedError(ValueError):
    """The mapping file is malformed; the message says where."""


class HasCode(Protocol):
    @property
    def code(self) -> str: ...


Leaf = TypeVar("Leaf", bound=HasCode)


def read_trees(
    text: str, format_name: str, read_leaf: Callable[[Any, str], Leaf]
) -> dict[tuple[str, int], tuple[Leaf, ...]]:
    """The leaves of a feeds file by (tree code, version); `read_leaf(leaf, where)` reads one
    leaf or raises FeedError saying where."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FeedError(f"not YAML: {error}") from None
    if not isinstance(data, dict) or data.get("format") != format_name:
        raise FeedError(f"the file must say format: {format_name}")
    trees = data.get("trees")
    if not isinstance(trees, list):
        raise FeedError("trees: a list of criteria trees is expected")
    found: dict[tuple[str, int], tuple[Leaf, ...]] = {}
    for number, tree in enumerate(trees, start=1):
        where = f"trees[{number}]"
        if not isinstance(tree, dict):
            raise FeedError(f"{where}: a mapping is expected")
        code, version, leaves = tree.get("code"), tree.get("version"), tree.get("leaves")
        if not isinstance(code, str) or not code or type(version) is not int:
            raise FeedError(f"{where}: code (text) and version (a whole number) are needed")
        if (code, version) in found:
            raise FeedError(f"{where}: {code} v{version} is mapped twice")
        if not isinstance(leaves, list) or not leaves:
            raise FeedError(f"{where}: leaves: a list of sub-criteria is expected")
        read = [read_leaf(leaf, where) for leaf in leaves]
        codes = [leaf.code for leaf in read]
        if len(set(codes)) != len(codes):
            raise FeedError(f"{where}: a sub-criterion is mapped twice")
        found[(code, version)] = tuple(read)
    return found
