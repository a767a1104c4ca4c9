"""Conversion between the plain FrameworkSpec and the database rows, both ways."""

from __future__ import annotations

from collections import defaultdict

from parindex.lib.text import clean_input
from parindex.methodology import validation
from parindex.methodology.models import Band, Framework, Node
from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    Level,
    Method,
    NodeSpec,
    Scoring,
    Unit,
)
from parindex.orgs.dbstats import refresh_statistics


def code_key(code: str) -> tuple[int, ...]:
    """Sort key that puts 1.10 after 1.9; a malformed code sorts last."""
    return validation.code_key(code) or (10**9,)


def spec_from_framework(framework: Framework) -> FrameworkSpec:
    nodes = list(framework.nodes.order_by("position", "id"))
    bands_by_node: dict[int, list[Band]] = defaultdict(list)
    for band in Band.objects.filter(node__framework=framework).order_by("position", "id"):
        bands_by_node[band.node_id].append(band)
    return FrameworkSpec(
        name=framework.name,
        code=framework.code,
        version=framework.version,
        decision_number=framework.decision_number,
        decision_date=framework.decision_date,
        issuer=framework.issuer,
        first_year=framework.first_year,
        last_year=framework.last_year,
        level=Level(framework.level),
        declared_total=framework.declared_total,
        description=framework.description,
        source=framework.source,
        nodes=[
            NodeSpec(
                code=node.code,
                name=node.name,
                max_points=node.max_points,
                method=Method(node.method),
                scoring=Scoring(node.scoring),
                unit=Unit(node.unit),
                note=node.note,
                bands=[
                    BandSpec(
                        label=b.label,
                        points=b.points,
                        lower=b.lower,
                        lower_inclusive=b.lower_inclusive,
                        upper=b.upper,
                        upper_inclusive=b.upper_inclusive,
                    )
                    for b in bands_by_node[node.pk]
                ],
            )
            for node in nodes
        ],
    )


def write_nodes(framework: Framework, spec: FrameworkSpec) -> None:
    """Replace the framework's nodes and bands with the spec's (inside the caller's transaction)."""
    framework.nodes.all().delete()
    created: dict[str, Node] = {}
    ordered = sorted(spec.nodes, key=lambda n: code_key(n.code))
    for position, node_spec in enumerate(ordered, start=1):
        parent_code = node_spec.parent_code
        node = Node.objects.create(
            framework=framework,
            parent=created.get(parent_code) if parent_code else None,
            code=node_spec.code,
            name=node_spec.name,
            max_points=node_spec.max_points,
            method=node_spec.method.value,
            scoring=node_spec.scoring.value,
            unit=node_spec.unit.value,
            note=node_spec.note,
            position=position * 10,
        )
        created[node_spec.code] = node
    bands = Band.objects.bulk_create(
        Band(
            node=created[node_spec.code],
            label=clean_input(band.label),
            points=band.points,
            lower=band.lower,
            lower_inclusive=band.lower_inclusive,
            upper=band.upper,
            upper_inclusive=band.upper_inclusive,
            position=index,
        )
        for node_spec in ordered
        for index, band in enumerate(node_spec.bands, start=1)
    )
    refresh_statistics({Node: len(created), Band: len(bands)})


def renumber(framework: Framework) -> None:
    """Keep `position` in code order after a node was added or its code changed."""
    nodes = sorted(framework.nodes.all(), key=lambda n: code_key(n.code))
    by_code = {n.code: n for n in nodes}
    for position, node in enumerate(nodes, start=1):
        parent_code = node.code.rsplit(".", 1)[0] if "." in node.code else None
        parent = by_code.get(parent_code) if parent_code else None
        node.position = position * 10
        node.parent = parent
    Node.objects.bulk_update(nodes, ["position", "parent"])
