"""What the screens, the API, the exports and the command line read about an assessment, built
from the cached scores in a fixed number of queries. Callers pass objects they obtained through
`orgs.access` (`assessment_for`, `unit_for`), which decides who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from parindex.assessment import results as pure
from parindex.assessment.models import AssessedUnit, Assessment, AssessmentStatus, Document, Entry
from parindex.lib.collation import vi_sorted
from parindex.methodology.models import Band, Node


def _points(cached: dict[str, Any], part: str) -> dict[str, Decimal]:
    return {code: Decimal(text) for code, text in cached.get(part, {}).items() if text is not None}


def node_infos(assessment: Assessment) -> list[pure.NodeInfo]:
    nodes = list(assessment.framework.nodes.order_by("position", "pk"))
    parents = {n.parent_id for n in nodes}
    return [
        pure.NodeInfo(
            code=n.code,
            name=n.name,
            max_points=n.max_points,
            depth=n.depth,
            leaf=n.pk not in parents,
        )
        for n in nodes
    ]


def unit_row(unit: AssessedUnit) -> pure.UnitRow:
    return pure.UnitRow(
        unit_id=unit.pk,
        organisation_id=unit.organisation_id,
        name=unit.organisation.name,
        status=unit.status,
        self_points=_points(unit.scores, "self"),
        appraised_points=_points(unit.scores, "appraised"),
        final_points=_points(unit.scores, "final"),
        self_total=unit.self_total,
        appraised_total=unit.appraised_total,
        final_total=unit.final_total,
    )


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """Last year's assessment of the same tree (any version, by code) and scope, published."""
    return (
        Assessment.objects.filter(
            province_id=assessment.province_id,
            framework__code=assessment.framework.code,
            scope=assessment.scope,
            year=assessment.year - 1,
            status=AssessmentStatus.PUBLISHED,
        )
        .order_by("-pk")
        .first()
    )


def results_of(assessment: Assessment) -> pure.Results:
    """Every unit's results and the ranking (the caller decides who may read them)."""
    units = vi_sorted(
        assessment.units.select_related("organisation").order_by("pk"),
        key=lambda u: u.organisation.name,
    )
    before = previous_assessment(assessment)
    previous: dict[int, Decimal] = {}
    if before is not None:
        previous = dict(before.units.values_list("organisation_id", "final_total"))
    classes = [
        pure.ClassBand(label=str(c["label"]), minimum=Decimal(str(c["min"])))
        for c in assessment.classes
    ]
    return pure.compute(node_infos(assessment), [unit_row(u) for u in units], classes, previous)


@dataclass
class TreeNode:
    """One node of a unit's tree as the self-assessment and appraisal screens show it."""

    node: Node
    self_points: Decimal | None
    appraised_points: Decimal | None
    final_points: Decimal | None
    entry: Entry | None = None  # leaves only
    bands: list[Band] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def unit_tree(unit: AssessedUnit) -> list[TreeNode]:
    """The unit's tree in reading order: every node with its cached points, and each leaf with
    its entry, bands and cited documents. Five queries (tree, nodes, bands, entries, documents)
    whatever the tree holds."""
    nodes = list(
        unit.assessment.framework.nodes.order_by("position", "pk").prefetch_related(
            Prefetch("bands", queryset=Band.objects.order_by("position", "pk"))
        )
    )
    entries = {
        e.node_id: e
        for e in unit.entries.select_related("node", "appraised_by", "source_report__round")
        .prefetch_related("documents")
        .order_by("position")
    }
    cached = unit.scores
    self_points = _points(cached, "self")
    appraised = _points(cached, "appraised")
    final = _points(cached, "final")
    return [
        TreeNode(
            node=n,
            self_points=self_points.get(n.code),
            appraised_points=appraised.get(n.code),
            final_points=final.get(n.code),
            entry=entries.get(n.pk),
            bands=list(n.bands.all()),
            documents=list(entries[n.pk].documents.all()) if n.pk in entries else [],
        )
        for n in nodes
    ]
