"""The structured plan a document parser proposes, as plain dataclasses (no Django here).

A proposal is what a reviewer confirms before anything is saved: the document's identity, the
baseline it states, the overall goals, the content areas with their targets and agencies, and the
recurring reporting duties. `to_json()` gives the documented JSON shape (docs/plan-import.md).

Numbers are `Decimal` in the dataclasses (exact, the way the document wrote them) and JSON
numbers in `to_json()` (an int when whole: 4, 82.85).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Comparator = Literal[">=", "<=", "=", ">", "<", "between"]
COMPARATORS: tuple[str, ...] = (">=", "<=", "=", ">", "<", "between")

# What a value counts. "amount" is anything else measured (money, days, an unsized change).
UnitKind = Literal["percent", "count", "points", "rank", "amount"]
UNITS: tuple[str, ...] = ("percent", "count", "points", "rank", "amount")

# What a change is measured against: a named year, the year before the plan, a fixed earlier
# reference year (e.g. staff cuts counted since 2015), or the figure the plan/higher level set.
RelativeKind = Literal["year", "previous_year", "baseline_year", "plan"]
Direction = Literal["increase", "decrease"]
# What the figure reported for a quantity is: the figure itself (a share achieved, a count,
# points), the share of the year's plan done so far ("hoàn thành 100% kế hoạch": it grows through
# the year), the result over a reference it must exceed or fall short of by the value in %
# ("vượt chỉ tiêu thu ngân sách từ 4 %": collected ÷ planned ≥ 104 %), or a rank (1 is best).
Measure = Literal["level", "year_progress", "above_reference", "below_reference", "rank"]
MEASURES: tuple[str, ...] = (
    "level",
    "year_progress",
    "above_reference",
    "below_reference",
    "rank",
)
PERIODS: tuple[str, ...] = (
    "week",
    "month",
    "quarter",
    "half_year",
    "nine_months",
    "year",
    "ad_hoc",
)


def _number(value: Decimal | None) -> int | float | None:
    """JSON number: an int when whole (4, 100), otherwise a float of the same digits (82.85)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass(frozen=True)
class RelativeTo:
    kind: RelativeKind
    year: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.year is not None:
            out["year"] = self.year
        return out


@dataclass
class Quantity:
    """One measurable quantity of a target: `subject comparator value [value_high] unit`.

    When `relative_to` is set the value is a change against that reference, measured in
    `direction` ("increase"/"decrease"): "giảm từ 10% so với năm 2015" is a decrease of at least
    10 %. `unit_label` keeps the document's own word for what is counted ("TTHC", "sáng kiến").
    `measure` says what the reported figure is; None when the wording does not tell, and the
    reviewer is asked.
    """

    subject: str
    comparator: Comparator
    value: Decimal
    unit: UnitKind
    value_high: Decimal | None = None
    relative_to: RelativeTo | None = None
    direction: Direction | None = None
    unit_label: str | None = None
    measure: Measure | None = "level"

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "comparator": self.comparator,
            "value": _number(self.value),
            "value_high": _number(self.value_high),
            "unit": self.unit,
            "relative_to": None if self.relative_to is None else self.relative_to.to_json(),
            "direction": self.direction,
            "unit_label": self.unit_label,
            "measure": self.measure,
        }


@dataclass
class Target:
    """One task or objective of an area, with its sub-items (`children`).

    `lead` is the lead agency resolved for this target (the area's, or the part of a multi-lead
    area that owns it); `coordinating` and `deadline` are set only when the document gives them
    for this target itself (appendix tables, "Cơ quan chủ trì:" lines under a task).
    """

    text: str
    line: int
    quantities: list[Quantity] = field(default_factory=list)
    children: list[Target] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    coordinating: list[str] = field(default_factory=list)
    deadline: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "line": self.line,
            "quantities": [q.to_json() for q in self.quantities],
            "children": [c.to_json() for c in self.children],
            "lead": list(self.lead),
            "coordinating": list(self.coordinating),
            "deadline": self.deadline,
        }

    def walk(self) -> list[Target]:
        """This target and all its descendants, in reading order."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass
class LeadPart:
    """In an area with several lead agencies: which agency leads which part.

    "+ Sở Thông tin và Truyền thông chủ trì các nội dung: Ứng dụng CNTT; ..." is a part with
    lead ["Sở Thông tin và Truyền thông"] and those topics. `targets` are indices into the area's
    `targets` that the part was matched to (by the words they share with the topics).
    """

    lead: list[str]
    topics: list[str]
    line: int
    targets: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "lead": list(self.lead),
            "topics": list(self.topics),
            "line": self.line,
            "targets": list(self.targets),
        }


@dataclass
class Area:
    """A content area ("Chỉ số nội dung ...", a domain) and who leads and coordinates it.

    Agency names are as written; groups ("Các sở, ban, ngành", "UBND cấp huyện") stay group
    names for the caller to expand into its own organisations.
    """

    number: str
    title: str
    line: int
    lead: list[str] = field(default_factory=list)
    coordinating: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    lead_parts: list[LeadPart] = field(default_factory=list)
    source: Literal["body", "table"] = "body"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "line": self.line,
            "lead": list(self.lead),
            "coordinating": list(self.coordinating),
            "lead_parts": [p.to_json() for p in self.lead_parts],
            "source": self.source,
            "targets": [t.to_json() for t in self.targets],
        }


@dataclass
class BaselinePart:
    """A component of last year's score (appraisal, impact, SIPAS, ...), possibly with parts.

    `key` names the known components: appraisal, impact, sipas, leader_survey, socio_economic.
    """

    name: str
    points: Decimal
    key: str | None = None
    parts: list[BaselinePart] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "points": _number(self.points),
            "parts": [p.to_json() for p in self.parts],
        }


@dataclass
class RankedDomain:
    """A domain the baseline singles out with its rank (usually the weak ones)."""

    name: str
    rank: int
    rank_of: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "rank": self.rank, "rank_of": self.rank_of}


@dataclass
class Baseline:
    """What the document says about the latest published result the plan improves on.

    `points_change` and `rank_change` are against the year before the baseline; a positive
    `rank_change` is a climb ("tăng 06 bậc" → 6).
    """

    line: int
    year: int | None = None
    points: Decimal | None = None
    points_change: Decimal | None = None
    parts: list[BaselinePart] = field(default_factory=list)
    rank: int | None = None
    rank_of: int | None = None
    rank_change: int | None = None
    weak_domains: list[RankedDomain] = field(default_factory=list)
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "points": _number(self.points),
            "points_change": _number(self.points_change),
            "parts": [p.to_json() for p in self.parts],
            "rank": self.rank,
            "rank_of": self.rank_of,
            "rank_change": self.rank_change,
            "weak_domains": [d.to_json() for d in self.weak_domains],
            "source": self.source,
            "line": self.line,
        }

    def part(self, key: str) -> BaselinePart | None:
        """The component with this key, searched at every depth."""
        stack = list(self.parts)
        while stack:
            item = stack.pop(0)
            if item.key == key:
                return item
            stack.extend(item.parts)
        return None


@dataclass
class Goal:
    """An overall goal of the plan: the index points, the rank, citizens' satisfaction, ...

    `kind` is points, rank, satisfaction or other; `source` says whether it was stated in the
    objectives ("objectives") or taken from an area's target ("target", for satisfaction). In
    JSON the quantity's keys sit on the goal itself (subject, comparator, value, ...).
    """

    kind: Literal["points", "rank", "satisfaction", "other"]
    text: str
    line: int
    quantity: Quantity
    source: Literal["objectives", "target"] = "objectives"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "line": self.line,
            "source": self.source,
            **self.quantity.to_json(),
        }


@dataclass
class Duty:
    """A recurring reporting obligation: `who` reports `what` to `to`, every one of `periods`."""

    who: str
    what: str
    to: str | None
    periods: list[str]
    text: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {
            "who": self.who,
            "what": self.what,
            "to": self.to,
            "periods": list(self.periods),
            "text": self.text,
            "line": self.line,
        }


@dataclass(frozen=True)
class Warning:
    """Something the reviewer should look at, machine-readable so any channel can word it.

    `line` is 1-based in the document's text (for DOCX/HTML: the extracted text, see
    docs/plan-import.md); a warning about the whole document has line 1.
    """

    line: int
    kind: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "kind": self.kind, "params": dict(self.params)}


def warning(line: int, kind: str, **params: object) -> Warning:
    return Warning(max(1, line), kind, tuple((k, str(v)) for k, v in params.items()))


@dataclass
class Proposal:
    """Everything read from one plan document; empty fields mean "not found"."""

    number: str | None = None
    date: date | None = None
    issuer: str | None = None
    signer: str | None = None
    title: str | None = None
    year: int | None = None
    index: str | None = None
    baseline: Baseline | None = None
    goals: list[Goal] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    # The text the line numbers refer to (for a DOCX/HTML file: the text read from it), so a
    # review screen can show each item beside its original lines. Not part of to_json().
    source_text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": None if self.date is None else self.date.isoformat(),
            "issuer": self.issuer,
            "signer": self.signer,
            "title": self.title,
            "year": self.year,
            "index": self.index,
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "goals": [g.to_json() for g in self.goals],
            "areas": [a.to_json() for a in self.areas],
            "duties": [d.to_json() for d in self.duties],
            "warnings": [w.to_json() for w in self.warnings],
        }

    @property
    def is_empty(self) -> bool:
        return not (self.areas or self.goals or self.duties or self.baseline or self.number)

    def targets(self) -> list[Target]:
        """Every target of every area (children included), in reading order."""
        return [t for area in self.areas for top in area.targets for t in top.walk()]
