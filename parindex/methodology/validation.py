"""Is a criteria tree well-formed, and is it complete enough to score with?

`validate` reports problems; it never repairs. An ERROR means the input is malformed and nothing
may be loaded; a GAP means the tree loads as a draft but cannot be used for scoring yet; a
WARNING (only the importers raise those) says something was skipped.

`KINDS` holds the English wording of every kind any importer or `validate` reports. Templates
use `{where}` (the node code) and the problem's params; the line is not in the template, since
the caller prefixes it ("Line 12: ...") when the problem has one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from parindex.methodology.bands import infer_ranges
from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    NodeSpec,
    Problem,
    Scoring,
    Severity,
    Unit,
    problem,
)

KINDS: dict[str, str] = {
    # ERROR: malformed input
    "yaml_syntax": "The YAML cannot be read: {detail}",
    "bad_format": "The file says format {value}; this version reads parindex-criteria/1.",
    "bad_structure": "{field} should be {expected}.",
    "missing_field": "{where}: the field {field} is missing.",
    "bad_value": "{where}: {value} is not a valid {field}.",
    "bad_points": "{where}: {value} is not a number of points.",
    "unreadable_file": "The file {name} cannot be read: {detail}",
    "no_table": "No criteria table was found (expected the columns STT | name | max points).",
    "pdf_without_text": "The PDF has no text layer (it is a scanned image); paste the table's "
    "text instead.",
    "bad_code": "{where} is not a code like 1, 1.2 or 1.2.10.",
    "duplicate_code": "{where} appears more than once (first on line {first_line}).",
    "orphan": "{where}: its parent {parent} is not in the tree.",
    "order": "{where} comes after {previous}; rows must be in reading order.",
    "negative_points": "{where}: the maximum {max} is negative.",
    "band_negative": "{where}: the band '{label}' gives negative points ({points}).",
    "band_exceeds_max": "{where}: the band '{label}' gives {points} points, more than the "
    "row's maximum of {max}.",
    "bad_range": "{where}: the band '{label}' has an empty range {detail}.",
    # GAP: well-formed but not yet usable for scoring
    "no_nodes": "The tree has no criteria.",
    "no_total": "The tree has no declared total.",
    "total_mismatch": "The domains add up to {sum} points, not to the declared total of {total}.",
    "children_sum": "{where}: its parts add up to {sum} points, not to its maximum of {max}.",
    "leaf_without_bands": "{where} has no parts, no bands and is not proportional, so it cannot "
    "be scored yet.",
    "parent_with_bands": "{where} has parts and also its own bands or scoring; a parent scores "
    "the sum of its parts.",
    "bands_no_max": "{where}: no band gives the full {max} points.",
    "mixed_bands": "{where} mixes numeric ranges with categories.",
    "range_missing": "{where}: the band '{label}' has no numeric range, but the row is scored "
    "by ranges.",
    "ranges_gap": "{where}: no band covers the values {detail}.",
    "ranges_overlap": "{where}: the bands '{first}' and '{second}' both cover {detail}.",
    # WARNING: something was skipped; the tree is unaffected
    "unknown_key": "{where}: the key {key} is not part of the format and was ignored.",
    "skipped_line": "Not part of the table, skipped: {text}",
}

_CODE = re.compile(r"^[1-9][0-9]*(?:\.[1-9][0-9]*)*$")


def plain(value: Decimal) -> str:
    """A decimal as plain text without exponent or trailing zeros: 14.50 → "14.5", 20 → "20"."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def interval_text(
    lower: Decimal | None, lower_inclusive: bool, upper: Decimal | None, upper_inclusive: bool
) -> str:
    """Interval notation for messages: "[70, 90)", "(90, ∞)"; None is an open end."""
    low = "(-∞" if lower is None else ("[" if lower_inclusive else "(") + plain(lower)
    high = "∞)" if upper is None else plain(upper) + ("]" if upper_inclusive else ")")
    return f"{low}, {high}"


def code_key(code: str) -> tuple[int, ...] | None:
    """The numeric parts of a well-formed code (reading order is their tuple order), else None."""
    return tuple(int(part) for part in code.split(".")) if _CODE.match(code) else None


# ---------------------------------------------------------------------------------------------
# Inference


def infer_scoring(node: NodeSpec) -> Scoring:
    """The node's scoring as given, else from its bands: all ranges → ranges, else categorical."""
    if node.scoring != Scoring.NONE:
        return node.scoring
    if not node.bands:
        return Scoring.NONE
    return Scoring.RANGES if all(b.is_range for b in node.bands) else Scoring.CATEGORICAL


def _canonical_band(band: BandSpec) -> BandSpec:
    # An open end is inclusive by convention, so equal bands compare equal.
    return replace(
        band,
        lower_inclusive=band.lower_inclusive or band.lower is None,
        upper_inclusive=band.upper_inclusive or band.upper is None,
    )


def normalise_node(node: NodeSpec) -> NodeSpec:
    bands = [_canonical_band(b) for b in node.bands]
    if node.scoring in (Scoring.NONE, Scoring.RANGES):
        # An explicit "categorical" is respected even when labels mention numbers.
        bands = infer_ranges(bands)
    result = replace(node, bands=bands)
    result.scoring = infer_scoring(result)
    if result.unit == Unit.NONE:
        if result.scoring == Scoring.RANGES:
            labels_say_percent = any("%" in b.label for b in bands)
            result.unit = Unit.PERCENT if labels_say_percent else Unit.COUNT
        elif result.scoring == Scoring.PROPORTIONAL:
            result.unit = Unit.PERCENT
    return result


def normalise(spec: FrameworkSpec) -> FrameworkSpec:
    """A copy with band ranges read from labels, scoring and unit inferred. Order is kept."""
    return replace(spec, nodes=[normalise_node(n) for n in spec.nodes])


# ---------------------------------------------------------------------------------------------
# Validation


def validate(spec: FrameworkSpec) -> list[Problem]:
    """Every problem of the tree, errors first within each node, in reading order."""
    problems: list[Problem] = []
    if not spec.nodes:
        problems.append(problem(Severity.GAP, "no_nodes"))
    problems += _check_codes(spec)
    children: dict[str, list[NodeSpec]] = defaultdict(list)
    for node in spec.nodes:
        if node.parent_code is not None:
            children[node.parent_code].append(node)
    for node in spec.nodes:
        problems += _check_node(node, children.get(node.code, []))
    problems += _check_total(spec)
    return problems


def _check_codes(spec: FrameworkSpec) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, NodeSpec] = {}
    codes = {n.code for n in spec.nodes}
    previous: tuple[tuple[int, ...], str] | None = None
    for node in spec.nodes:
        key = code_key(node.code)
        if key is None:
            problems.append(problem(Severity.ERROR, "bad_code", node.code, node.line))
            continue
        if node.code in first_seen:
            first = first_seen[node.code].line
            problems.append(
                problem(
                    Severity.ERROR,
                    "duplicate_code",
                    node.code,
                    node.line,
                    first_line="" if first is None else first,
                )
            )
            continue
        first_seen[node.code] = node
        parent = node.parent_code
        if parent is not None and parent not in codes:
            problems.append(problem(Severity.ERROR, "orphan", node.code, node.line, parent=parent))
        # Reading order is depth-first, which is the order of the codes' number tuples.
        if previous is not None and key < previous[0]:
            problems.append(
                problem(Severity.ERROR, "order", node.code, node.line, previous=previous[1])
            )
        previous = (key, node.code)
    return problems


def _check_node(node: NodeSpec, children: list[NodeSpec]) -> list[Problem]:
    where, line = node.code, node.line
    problems: list[Problem] = []
    if node.max_points < 0:
        problems.append(
            problem(Severity.ERROR, "negative_points", where, line, max=plain(node.max_points))
        )
    for band in node.bands:
        label, points = band.label, plain(band.points)
        if band.points < 0:
            problems.append(
                problem(Severity.ERROR, "band_negative", where, line, label=label, points=points)
            )
        elif band.points > node.max_points:
            problems.append(
                problem(
                    Severity.ERROR,
                    "band_exceeds_max",
                    where,
                    line,
                    label=label,
                    points=points,
                    max=plain(node.max_points),
                )
            )
        if band.is_range and _Interval.of(band).is_empty(integers=False):
            problems.append(
                problem(
                    Severity.ERROR,
                    "bad_range",
                    where,
                    line,
                    label=label,
                    detail=_Interval.of(band).text(),
                )
            )
    if any(p.severity == Severity.ERROR for p in problems):
        return problems

    if children:
        total = sum((c.max_points for c in children), Decimal(0))
        if total != node.max_points:
            problems.append(
                problem(
                    Severity.GAP,
                    "children_sum",
                    where,
                    line,
                    max=plain(node.max_points),
                    sum=plain(total),
                )
            )
        if node.bands or node.scoring != Scoring.NONE:
            problems.append(problem(Severity.GAP, "parent_with_bands", where, line))
        return problems

    scoring = infer_scoring(node)
    if scoring == Scoring.PROPORTIONAL:
        return problems
    if not node.bands:
        problems.append(problem(Severity.GAP, "leaf_without_bands", where, line))
        return problems
    if not any(b.points == node.max_points for b in node.bands):
        problems.append(
            problem(Severity.GAP, "bands_no_max", where, line, max=plain(node.max_points))
        )
    ranged = [b for b in node.bands if b.is_range]
    if scoring == Scoring.RANGES:
        for band in node.bands:
            if not band.is_range:
                problems.append(
                    problem(Severity.GAP, "range_missing", where, line, label=band.label)
                )
        problems += _check_coverage(node, ranged)
    elif ranged and len(ranged) < len(node.bands):
        problems.append(problem(Severity.GAP, "mixed_bands", where, line))
    return problems


def _check_total(spec: FrameworkSpec) -> list[Problem]:
    if spec.declared_total is None:
        return [problem(Severity.GAP, "no_total")]
    domains = [n for n in spec.nodes if n.parent_code is None]
    total = sum((n.max_points for n in domains), Decimal(0))
    if domains and total != spec.declared_total:
        return [
            problem(
                Severity.GAP,
                "total_mismatch",
                total=plain(spec.declared_total),
                sum=plain(total),
            )
        ]
    return []


# ---------------------------------------------------------------------------------------------
# Range coverage


@dataclass(frozen=True)
class _Interval:
    """Bounds of a set of values; None is unbounded."""

    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool

    @classmethod
    def of(cls, band: BandSpec) -> _Interval:
        return cls(band.lower, band.lower_inclusive, band.upper, band.upper_inclusive)

    def is_empty(self, *, integers: bool) -> bool:
        low, high = self.lower, self.upper
        if integers:
            # Counts are whole numbers: (2, 3) holds none of them.
            if low is not None:
                low = _ceil(low) if self.lower_inclusive else _floor(low) + 1
            if high is not None:
                high = _floor(high) if self.upper_inclusive else _ceil(high) - 1
            return low is not None and high is not None and low > high
        if low is None or high is None:
            return False
        return low > high or (low == high and not (self.lower_inclusive and self.upper_inclusive))

    def intersect(self, other: _Interval) -> _Interval:
        lower, lower_inclusive = _max_lower(
            (self.lower, self.lower_inclusive), (other.lower, other.lower_inclusive)
        )
        upper, upper_inclusive = _min_upper(
            (self.upper, self.upper_inclusive), (other.upper, other.upper_inclusive)
        )
        return _Interval(lower, lower_inclusive, upper, upper_inclusive)

    def text(self) -> str:
        return interval_text(self.lower, self.lower_inclusive, self.upper, self.upper_inclusive)


_Bound = tuple[Decimal | None, bool]


def _floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding="ROUND_FLOOR")


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding="ROUND_CEILING")


def _max_lower(a: _Bound, b: _Bound) -> _Bound:
    if a[0] is None:
        return b
    if b[0] is None or a[0] > b[0]:
        return a
    if b[0] > a[0]:
        return b
    return a[0], a[1] and b[1]


def _min_upper(a: _Bound, b: _Bound) -> _Bound:
    if a[0] is None:
        return b
    if b[0] is None or a[0] < b[0]:
        return a
    if b[0] < a[0]:
        return b
    return a[0], a[1] and b[1]


_PERCENT_DOMAIN = _Interval(Decimal(0), True, Decimal(100), True)
_COUNT_DOMAIN = _Interval(Decimal(0), True, None, True)


def _check_coverage(node: NodeSpec, bands: list[BandSpec]) -> list[Problem]:
    """Ranges must cover 0–100 (percent) or 0–∞ (counts, whole numbers) once and only once."""
    integers = node.unit != Unit.PERCENT
    domain = _COUNT_DOMAIN if integers else _PERCENT_DOMAIN
    where, line = node.code, node.line
    problems: list[Problem] = []
    clipped = [(b, _Interval.of(b).intersect(domain)) for b in bands]
    for i, (first, a) in enumerate(clipped):
        for second, b in clipped[i + 1 :]:
            common = a.intersect(b)
            if not common.is_empty(integers=integers):
                problems.append(
                    problem(
                        Severity.GAP,
                        "ranges_overlap",
                        where,
                        line,
                        first=first.label,
                        second=second.label,
                        detail=common.text(),
                    )
                )
    live = sorted(
        (iv for _, iv in clipped if not iv.is_empty(integers=integers)),
        key=lambda iv: (iv.lower is not None, iv.lower or 0, not iv.lower_inclusive),
    )
    # Sweep from the bottom of the domain: everything below `covered` is covered, and the
    # value `covered` itself is too when `covered_inclusive`.
    covered: Decimal | None = Decimal(0)
    covered_inclusive = False
    for iv in live:
        if covered is None:
            break
        hole = _Interval(covered, not covered_inclusive, iv.lower, not iv.lower_inclusive)
        if iv.lower is not None and not hole.is_empty(integers=integers):
            problems.append(problem(Severity.GAP, "ranges_gap", where, line, detail=hole.text()))
        if iv.upper is None:
            covered = None
        elif iv.upper > covered or (iv.upper == covered and iv.upper_inclusive):
            covered, covered_inclusive = iv.upper, iv.upper_inclusive
    if covered is not None:
        hole = _Interval(covered, not covered_inclusive, domain.upper, domain.upper_inclusive)
        if not hole.is_empty(integers=integers):
            problems.append(problem(Severity.GAP, "ranges_gap", where, line, detail=hole.text()))
    return problems
