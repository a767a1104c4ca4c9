"""A criteria tree as plain data: what importers produce, validation checks and exporters write.

No Django here. Codes are dotted ("1", "1.1", "1.1.2"); a node's parent is the code without its
last part, so the tree is a flat list in reading order. Depth names the level: 1 domain (lĩnh vực),
2 criterion (tiêu chí), 3 and deeper sub-criterion (tiêu chí thành phần).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Level(StrEnum):
    """What a framework assesses."""

    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"


class Method(StrEnum):
    SELF = "self"  # self-assessed by the unit, appraised by Home Affairs / the ministry
    SURVEY = "survey"  # from a sociological survey (SIPAS, leaders' survey)


class Scoring(StrEnum):
    NONE = ""  # an inner node: its score is the sum of its children
    CATEGORICAL = "categorical"  # one of the labelled bands is chosen
    RANGES = "ranges"  # bands are numeric ranges on a rate or a count
    PROPORTIONAL = "proportional"  # points = max × rate


class Unit(StrEnum):
    NONE = ""
    PERCENT = "percent"
    COUNT = "count"


@dataclass
class BandSpec:
    """One scoring band. For range bands, `lower`/`upper` bound the measured value (None = open)."""

    label: str
    points: Decimal
    lower: Decimal | None = None
    lower_inclusive: bool = True
    upper: Decimal | None = None
    upper_inclusive: bool = True

    @property
    def is_range(self) -> bool:
        return self.lower is not None or self.upper is not None

    def contains(self, value: Decimal) -> bool:
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper is not None
            and (value > self.upper or (value == self.upper and not self.upper_inclusive))
        )


@dataclass
class NodeSpec:
    code: str
    name: str
    max_points: Decimal
    method: Method = Method.SELF
    scoring: Scoring = Scoring.NONE
    unit: Unit = Unit.NONE
    bands: list[BandSpec] = field(default_factory=list)
    note: str = ""
    line: int | None = None  # where the importer found it, for messages

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@dataclass
class FrameworkSpec:
    name: str
    code: str = ""
    version: int = 1
    decision_number: str = ""
    decision_date: date | None = None
    issuer: str = ""
    first_year: int | None = None
    last_year: int | None = None
    level: Level = Level.PROVINCE
    declared_total: Decimal | None = None
    description: str = ""
    source: str = ""
    nodes: list[NodeSpec] = field(default_factory=list)

    def node(self, code: str) -> NodeSpec | None:
        return next((n for n in self.nodes if n.code == code), None)

    def children(self, code: str | None) -> list[NodeSpec]:
        return [n for n in self.nodes if n.parent_code == code]


class Severity(StrEnum):
    ERROR = "error"  # the input is malformed: nothing is loaded
    GAP = "gap"  # well-formed but incomplete: loads as a draft, cannot be used for scoring
    WARNING = "warning"  # something was skipped or guessed; the tree is unaffected


@dataclass(frozen=True)
class Problem:
    """One finding, machine-readable so every channel can word it in the user's language.

    `kind` is a stable identifier (see methodology/messages.py for the wording of each),
    `where` the node code ("" for the framework), `line` the input line or row (1-based).
    """

    severity: Severity
    kind: str
    where: str = ""
    line: int | None = None
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")


def problem(
    severity: Severity, kind: str, where: str = "", line: int | None = None, **params: object
) -> Problem:
    return Problem(severity, kind, where, line, tuple((k, str(v)) for k, v in params.items()))


@dataclass
class ImportResult:
    spec: FrameworkSpec | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def gaps(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.GAP]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors
