"""Shared test helpers for the pure criteria-tree core (no Django here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    ImportResult,
    Level,
    Method,
    NodeSpec,
    Problem,
    Scoring,
    Unit,
)
from parindex.methodology.validation import normalise

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "parindex" / "methodology" / "data"
# Copies of published material the importers are checked against (sources named in each file).
REFERENCE = ROOT / "tests" / "methodology" / "data" / "reference"


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


def without_lines(spec: FrameworkSpec) -> FrameworkSpec:
    """The spec with the importer's line numbers cleared, for comparing trees."""
    return replace(spec, nodes=[replace(n, line=None) for n in spec.nodes])


def essentials(spec: FrameworkSpec) -> list[tuple[object, ...]]:
    """What a tree scores with: everything of each node but its note and line."""
    return [
        (n.code, n.name, n.max_points, n.method, n.scoring, n.unit, n.bands) for n in spec.nodes
    ]


def spec_of(result: ImportResult) -> FrameworkSpec:
    assert result.spec is not None, result.problems
    return result.spec


def node_of(spec: FrameworkSpec, code: str) -> NodeSpec:
    found = spec.node(code)
    assert found is not None, code
    return found


def kinds(
    result: ImportResult | list[Problem], severity: str | None = None
) -> list[tuple[str, str]]:
    problems = result.problems if isinstance(result, ImportResult) else result
    return [(p.kind, p.where) for p in problems if severity is None or p.severity == severity]


def band(label: str, points: str | int, lower=None, upper=None, *, lo_in=True, up_in=True):
    return BandSpec(
        label=label,
        points=D(points),
        lower=None if lower is None else D(lower),
        lower_inclusive=lo_in,
        upper=None if upper is None else D(upper),
        upper_inclusive=up_in,
    )


def node(code: str, max_points: str | int, *bands: BandSpec, **fields) -> NodeSpec:
    return NodeSpec(
        code=code, name=f"Tiêu chí {code}", max_points=D(max_points), bands=list(bands), **fields
    )


def tree(*nodes: NodeSpec, total: str | int | None = "sum", **fields) -> FrameworkSpec:
    """A tree whose declared total is, unless given, the sum of its domains."""
    declared = (
        sum((n.max_points for n in nodes if "." not in n.code), Decimal(0))
        if total == "sum"
        else None
        if total is None
        else D(total)
    )
    return FrameworkSpec(name="Cây thử", nodes=list(nodes), declared_total=declared, **fields)


def complete_tree() -> FrameworkSpec:
    """A complete, valid tree using every scoring kind, both methods and both units."""
    return normalise(
        FrameworkSpec(
            name="Bộ tiêu chí thử nghiệm: đủ các cách chấm",
            code="thu-nghiem",
            version=2,
            decision_number="12/QĐ-UBND",
            decision_date=date(2024, 3, 5),
            issuer="UBND tỉnh Thử Nghiệm",
            first_year=2024,
            last_year=2025,
            level=Level.DEPARTMENT,
            declared_total=D(10),
            description='Dòng thứ nhất.\nDòng thứ hai có "ngoặc kép" và dấu: hai chấm.',
            source="https://example.vn/qd-12 # không phải chú thích",
            nodes=[
                NodeSpec("1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", D(6)),
                NodeSpec(
                    "1.1",
                    "Ban hành kế hoạch CCHC năm",
                    D("1.5"),
                    scoring=Scoring.CATEGORICAL,
                    bands=[
                        band("Ban hành kịp thời", "1.5"),
                        band("Ban hành không kịp thời", "0.75"),
                        band("Không ban hành", 0),
                    ],
                    note="Ghi chú\nhai dòng",
                ),
                NodeSpec(
                    "1.2",
                    "Tỷ lệ hồ sơ giải quyết đúng hạn",
                    D("2.5"),
                    scoring=Scoring.RANGES,
                    unit=Unit.PERCENT,
                    bands=[
                        band("Từ 95% trở lên", "2.5", 95),
                        band("Từ 80% đến dưới 95%", 1, 80, 95, up_in=False),
                        band("Dưới 80%", 0, None, 80, up_in=False),
                    ],
                ),
                NodeSpec(
                    "1.3",
                    "Số sáng kiến được công nhận",
                    D(2),
                    scoring=Scoring.RANGES,
                    unit=Unit.COUNT,
                    bands=[
                        band("Không có", 0, 0, 0),
                        band("Từ 1 đến 2 sáng kiến", 1, 1, 2),
                        band("Từ 3 sáng kiến trở lên", 2, 3),
                    ],
                ),
                NodeSpec("2", "Khảo sát sự hài lòng", D(4), method=Method.SURVEY),
                NodeSpec(
                    "2.1",
                    "Mức độ hài lòng của người dân",
                    D(4),
                    method=Method.SURVEY,
                    scoring=Scoring.PROPORTIONAL,
                    unit=Unit.PERCENT,
                    note="Điểm = tỷ lệ % × điểm tối đa",
                ),
            ],
        )
    )
