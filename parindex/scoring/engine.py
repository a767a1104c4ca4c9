"""Scores of a criteria tree from the inputs of its leaves: exact decimals, a trace per leaf.

No Django here: the web, the API, the command line and the exports all call this.

    tree = compile_tree(spec)                  # once per tree; cheap to score many units on it
    inputs = {"1.1": LeafInput.number(Decimal("93.5")), "1.2": LeafInput.choice("Đạt")}
    result = score(tree, inputs)               # Result: total, nodes, missing, problems
    display(result.total)                      # "71.25"; display(..., lang="vi") → "71,25"

Rules (docs/scoring.md says the same for users):
- A leaf scores by its bands: categorical (the chosen label), ranges (the band whose range holds
  the value, a rate in percent or a count) or proportional (max × rate / 100, capped at max).
  Survey leaves (method `survey`) take their value from survey results the same way.
- A leaf without input scores 0 and is named in `missing`. An input that cannot be used (an
  unknown label, a zero denominator, a value no band holds...) scores 0 and is reported in
  `problems`, naming the leaf; it is never an exception.
- An inner node scores the exact sum of its children, the total the exact sum of the domains.
  Nothing is rounded here: rounding half-up to 2 decimals is for display (`display`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum

from parindex.lib.numbers import NumberFormatError, parse_decimal, round_half_up
from parindex.lib.text import clean, fold
from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    Method,
    NodeSpec,
    Scoring,
    Severity,
    Unit,
)
from parindex.methodology.validation import KINDS as TREE_KINDS
from parindex.methodology.validation import (
    code_key,
    interval_text,
    normalise,
    plain,
    validate,
)

__all__ = [
    "KINDS",
    "MAX_INPUT",
    "CompiledTree",
    "InputProblem",
    "LeafInput",
    "NodeScore",
    "Outcome",
    "Result",
    "TreeError",
    "compile_tree",
    "display",
    "parse_inputs",
    "points_text",
    "score",
    "score_leaf",
]

# Inputs are counts and rates: anything this large is a typing or export error, not a value.
MAX_INPUT = Decimal(10) ** 15
_MAX_EXPONENT = 15  # |value| ≥ 10^15 ⇔ value.adjusted() ≥ 15
_MAX_DIGITS = 30  # significant digits an input may carry
_MIN_EXPONENT = -20  # decimals an input may carry
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

# Rates num/den × 100 are quotients: 40 significant digits keep them exact for every value that
# ends, and far closer than any band boundary (bounds have a few decimals) for those that do not.
_RATE_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN)
# Points (max × rate, at most ~47 digits) and their sums fit in 60 digits: sums are exact.
_SUM_CONTEXT = Context(
    prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class LeafInput:
    """What was entered for one leaf: exactly one of the forms, made by the class methods.

    `value` is the rate in percent for a percent leaf, or the count; `numerator`/`denominator`
    give the rate as num / den × 100; `label` chooses a categorical band; `points` sets the
    leaf's points directly (an appraised score, survey points imported as such).
    """

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    label: str | None = None
    points: Decimal | None = None

    @classmethod
    def number(cls, value: Decimal | int | str) -> LeafInput:
        return cls(value=Decimal(value))  # plain text only ("93.5"); see parse_inputs

    @classmethod
    def ratio(cls, numerator: Decimal | int | str, denominator: Decimal | int | str) -> LeafInput:
        return cls(numerator=Decimal(numerator), denominator=Decimal(denominator))

    @classmethod
    def choice(cls, label: str) -> LeafInput:
        return cls(label=label)

    @classmethod
    def given(cls, points: Decimal | int | str) -> LeafInput:
        return cls(points=Decimal(points))

    @property
    def forms(self) -> int:
        """How many forms are set (a valid input has exactly one; a ratio counts once)."""
        return sum(
            x is not None
            for x in (
                self.value,
                self.numerator if self.numerator is not None else self.denominator,
                self.label,
                self.points,
            )
        )


# The English wording of each input problem; `where` is the leaf's code. Channels that speak
# Vietnamese word the kind and params themselves.
KINDS: dict[str, str] = {
    "unknown_leaf": "{where}: there is no criterion with this code in the tree.",
    "not_a_leaf": "{where} is scored as the sum of its parts; give inputs for its parts ({parts}).",
    "not_a_number": "{where}: {value} is not a number.",
    "formula": "{where}: {value} is a formula; give its value, formulas are not computed.",
    "too_large": "{where}: {value} is too large for a count or a rate.",
    "too_precise": "{where}: {value} has more decimals than a count or a rate can have.",
    "negative": "{where}: {value} is negative; counts, rates and points are 0 or more.",
    "not_whole": "{where}: {value} is not a whole number, and {where} counts.",
    "bad_input": "{where}: {detail}",
    "zero_denominator": "{where}: the denominator is 0, so there is no rate.",
    "unknown_label": "{where}: “{value}” is not one of its bands; choose one of: {allowed}.",
    "wrong_kind": "{where}: {detail}",
    "no_band": "{where}: no band holds {value}; the bands cover {covered}.",
    "points_out_of_range": "{where}: {value} points is outside 0–{max}.",
    "cannot_score": "{where} has no bands and is not proportional, so only points can be given.",
}


@dataclass(frozen=True)
class InputProblem:
    """An input that cannot be used. `kind` is a key of KINDS; `code` the leaf's code."""

    code: str
    kind: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")

    @property
    def message(self) -> str:
        return KINDS[self.kind].format_map({**dict(self.params), "where": self.code})


def _problem(code: str, kind: str, **params: object) -> InputProblem:
    return InputProblem(code, kind, tuple((k, str(v)) for k, v in params.items()))


# ---------------------------------------------------------------------------------------------
# Results


class Outcome(StrEnum):
    """How a node got its points."""

    BAND = "band"  # a band was chosen or its range holds the value
    RATE = "rate"  # proportional: max × rate
    GIVEN = "given"  # points were given directly
    MISSING = "missing"  # no input: 0
    INVALID = "invalid"  # the input cannot be used (see Result.problems): 0
    SUM = "sum"  # an inner node: the sum of its parts


@dataclass(frozen=True)
class NodeScore:
    """The score of one node. `points` is exact; `value` the measured rate or count, if any.

    `trace` says how the points came about ("93.5% is within (90%, 100%]", "missing"); it is
    worded only when read, so scoring many units costs no text.
    """

    code: str
    points: Decimal
    max: Decimal
    band: BandSpec | None
    outcome: Outcome
    value: Decimal | None = None  # the rate in percent, or the count
    unit: Unit = Unit.NONE
    ratio: tuple[Decimal, Decimal] | None = None  # numerator, denominator as entered
    problem: InputProblem | None = None

    @property
    def is_leaf(self) -> bool:
        return self.outcome != Outcome.SUM

    @property
    def lost(self) -> Decimal:
        """Points lost against the maximum."""
        return self.max - self.points

    @property
    def trace(self) -> str:
        outcome = self.outcome
        if outcome == Outcome.SUM:
            return "sum of its parts"
        if outcome == Outcome.MISSING:
            return "missing"
        if outcome == Outcome.INVALID:
            return self.problem.message if self.problem is not None else "unusable input"
        if outcome == Outcome.GIVEN:
            return f"{plain(self.points)} points given"
        how = f"{plain(self.ratio[0])}/{plain(self.ratio[1])} = " if self.ratio else ""
        if outcome == Outcome.RATE and self.value is not None:
            with localcontext(_SUM_CONTEXT):
                uncapped = (
                    _RATE_CONTEXT.divide(self.max * self.ratio[0], self.ratio[1])
                    if self.ratio
                    else self.max * self.value / _HUNDRED
                )
            text = f"{how}{_shown(self.value, Unit.PERCENT)} × {plain(self.max)} = "
            text += _shown(uncapped, Unit.NONE)
            if uncapped > self.points:
                text += f", capped at the maximum {plain(self.max)}"
            return text
        if self.band is not None and self.value is not None:
            shown = _shown(self.value, self.unit)
            return f"{how}{shown} is within {_interval(self.band, self.unit)}"
        if self.band is not None:
            return f"“{self.band.label}” chosen"
        return ""


@dataclass(frozen=True)
class Result:
    """Scores of every node in reading order, the total, and what was missing or unusable."""

    total: Decimal
    max: Decimal
    nodes: Mapping[str, NodeScore]
    missing: tuple[str, ...]
    problems: tuple[InputProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def display(value: Decimal, *, lang: str = "en") -> str:
    """Points as published: half-up to 2 decimals, "71.25" ("71,25" with lang="vi")."""
    text = format(round_half_up(value), "f")
    return text.replace(".", ",") if lang == "vi" else text


def points_text(node: NodeScore, *, lang: str = "en") -> str:
    """A node's points as the command line and exports write them.

    A leaf whose points come from a band shows the band's points as the tree writes them ("1",
    "0.5"), like `max`; every computed figure (sums, proportional points, 0 for missing) shows
    2 decimals half-up ("8.50").
    """
    if node.band is not None and node.outcome == Outcome.BAND:
        text = plain(node.band.points)
        return text.replace(".", ",") if lang == "vi" else text
    return display(node.points, lang=lang)


# ---------------------------------------------------------------------------------------------
# Compiled tree


class TreeError(ValueError):
    """The tree is malformed (bad or duplicate codes, orphans, bad bands): it cannot score."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class _Leaf:
    index: int
    code: str
    max: Decimal
    scoring: Scoring
    unit: Unit
    method: Method
    bands: tuple[BandSpec, ...]
    ranges: tuple[BandSpec, ...]  # the bands with a numeric range, in order
    percent: bool  # the value is a rate in percent (percent ranges, proportional)
    # Categorical choice keys: exact after spacing and case; then folded (no tone marks) when
    # that still names one band.
    by_label: Mapping[str, BandSpec]
    by_folded: Mapping[str, BandSpec]
    covered: str  # the ranges' union, for "no band holds" messages


def _label_key(text: str) -> str:
    return clean(text).casefold()


@dataclass(frozen=True)
class CompiledTree:
    """A tree prepared for scoring: leaves with their band lookups, parents by index.

    Make it once with `compile_tree` and score any number of units with it.
    """

    spec: FrameworkSpec
    codes: tuple[str, ...]  # reading order
    maxima: tuple[Decimal, ...]
    parents: tuple[int, ...]  # index of each node's parent, -1 for a domain
    leaves: Mapping[str, _Leaf]
    inner: Mapping[str, tuple[str, ...]]  # inner node → its children's codes
    max_total: Decimal

    def leaf_codes(self) -> tuple[str, ...]:
        return tuple(self.leaves)

    def is_numeric(self, code: str) -> bool:
        """Does this leaf take a number (ranges or proportional), rather than a label?"""
        leaf = self.leaves.get(code)
        return leaf is not None and leaf.scoring in (Scoring.RANGES, Scoring.PROPORTIONAL)


def compile_tree(spec: FrameworkSpec) -> CompiledTree:
    """Normalise the tree (ranges from labels, scoring and unit inferred) and index it.

    A malformed tree raises TreeError; a draft (gaps such as uncovered ranges) still compiles,
    and an input no band holds is then an input problem.
    """
    # Points and bounds the size of a typing error would make the arithmetic overflow.
    absurd = [
        f"{n.code}: {number} is too large or not a number."
        for n in spec.nodes
        for number in (
            n.max_points,
            *(b.points for b in n.bands),
            *(x for b in n.bands for x in (b.lower, b.upper) if x is not None),
        )
        if not number.is_finite() or number.adjusted() >= _MAX_EXPONENT
    ]
    if absurd:
        raise TreeError(absurd)
    spec = normalise(spec)
    errors = [p for p in validate(spec) if p.severity == Severity.ERROR]
    if errors:
        raise TreeError(
            [
                TREE_KINDS.get(p.kind, p.kind).format_map({**dict(p.params), "where": p.where})
                for p in errors
            ]
        )
    nodes: list[NodeSpec] = sorted(spec.nodes, key=lambda n: code_key(n.code) or ())
    index = {n.code: i for i, n in enumerate(nodes)}
    children: dict[str, list[str]] = {}
    for n in nodes:
        if n.parent_code is not None:
            children.setdefault(n.parent_code, []).append(n.code)
    leaves: dict[str, _Leaf] = {}
    for i, n in enumerate(nodes):
        if n.code in children:
            continue
        # The label as written first: most inputs come from a form's list and match exactly.
        by_label = {_label_key(b.label): b for b in n.bands} | {b.label: b for b in n.bands}
        folded: dict[str, list[BandSpec]] = {}
        for b in n.bands:
            folded.setdefault(fold(b.label), []).append(b)
        leaves[n.code] = _Leaf(
            index=i,
            code=n.code,
            max=n.max_points,
            scoring=n.scoring,
            unit=n.unit,
            method=n.method,
            bands=tuple(n.bands),
            ranges=tuple(b for b in n.bands if b.is_range),
            percent=n.scoring == Scoring.PROPORTIONAL or n.unit == Unit.PERCENT,
            by_label=by_label,
            by_folded={k: v[0] for k, v in folded.items() if len(v) == 1},
            covered=", ".join(_interval(b, n.unit) for b in n.bands if b.is_range) or "nothing",
        )
    parents = tuple(index[n.parent_code] if n.parent_code is not None else -1 for n in nodes)
    with localcontext(_SUM_CONTEXT):
        max_total = sum((n.max_points for n in nodes if n.parent_code is None), _ZERO)
    return CompiledTree(
        spec=spec,
        codes=tuple(n.code for n in nodes),
        maxima=tuple(n.max_points for n in nodes),
        parents=parents,
        leaves=leaves,
        inner={code: tuple(parts) for code, parts in children.items()},
        max_total=max_total,
    )


def _interval(band: BandSpec, unit: Unit) -> str:
    """ "[70%, 90%]", "(90%, ∞)", "[3, ∞)": brackets say which ends are included."""
    if unit != Unit.PERCENT:
        return interval_text(band.lower, band.lower_inclusive, band.upper, band.upper_inclusive)
    low = (
        "(-∞"
        if band.lower is None
        else ("[" if band.lower_inclusive else "(") + plain(band.lower) + "%"
    )
    high = (
        "∞)"
        if band.upper is None
        else plain(band.upper) + "%" + ("]" if band.upper_inclusive else ")")
    )
    return f"{low}, {high}"


def _shown(value: Decimal, unit: Unit) -> str:
    """A measured value for a trace; a rate that does not end is shown to 4 decimals with ≈."""
    short = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    text = plain(value) if short == value else "≈" + plain(short)
    return text + ("%" if unit == Unit.PERCENT else "")


# ---------------------------------------------------------------------------------------------
# Scoring


def score(tree: CompiledTree | FrameworkSpec, inputs: Mapping[str, LeafInput]) -> Result:
    """Score every node of the tree from the leaves' inputs (see the module's rules)."""
    compiled = tree if isinstance(tree, CompiledTree) else compile_tree(tree)
    problems: list[InputProblem] = []
    for code in inputs:
        if code not in compiled.leaves:
            problems.append(_unknown(compiled, code))
    codes = compiled.codes
    points: list[Decimal] = [_ZERO] * len(codes)
    scored: dict[int, NodeScore] = {}
    missing: list[str] = []
    with localcontext(_SUM_CONTEXT):
        for code, leaf in compiled.leaves.items():
            entry = inputs.get(code)
            if entry is None:
                node = NodeScore(code, _ZERO, leaf.max, None, Outcome.MISSING)
                missing.append(code)
            else:
                node, problem = _score_leaf(leaf, entry)
                if problem is not None:
                    problems.append(problem)
            points[leaf.index] = node.points
            scored[leaf.index] = node
        parents = compiled.parents
        # Reading order puts children after their parent: walking it backwards adds every
        # node to its parent after the node's own parts were added to it.
        for i in range(len(codes) - 1, -1, -1):
            parent = parents[i]
            if parent >= 0:
                points[parent] += points[i]
        total = sum((points[i] for i, p in enumerate(parents) if p < 0), _ZERO)
    nodes: dict[str, NodeScore] = {}
    maxima = compiled.maxima
    for i, code in enumerate(codes):
        found = scored.get(i)
        nodes[code] = found or NodeScore(code, points[i], maxima[i], None, Outcome.SUM)
    return Result(total, compiled.max_total, nodes, tuple(missing), tuple(problems))


def score_leaf(
    tree: CompiledTree, code: str, entry: LeafInput | None
) -> tuple[NodeScore, InputProblem | None]:
    """One leaf's score, for feedback as a value is typed; KeyError if `code` is not a leaf.

    Equal to `score(tree, {code: entry}).nodes[code]`, without scoring the rest of the tree.
    """
    leaf = tree.leaves[code]
    if entry is None:
        return NodeScore(code, _ZERO, leaf.max, None, Outcome.MISSING), None
    with localcontext(_SUM_CONTEXT):
        return _score_leaf(leaf, entry)


def _unknown(tree: CompiledTree, code: str) -> InputProblem:
    if code in tree.inner:
        return _problem(code, "not_a_leaf", parts=", ".join(tree.inner[code]))
    return _problem(code, "unknown_leaf")


def _invalid(leaf: _Leaf, problem: InputProblem) -> tuple[NodeScore, InputProblem]:
    return (
        NodeScore(leaf.code, _ZERO, leaf.max, None, Outcome.INVALID, problem=problem),
        problem,
    )


def _check_number(code: str, value: Decimal) -> InputProblem | None:
    if not value.is_finite():
        return _problem(code, "not_a_number", value=value)
    # adjusted() is the exponent of the leading digit: no arithmetic, so no overflow.
    if value.adjusted() >= _MAX_EXPONENT or len(value.as_tuple().digits) > _MAX_DIGITS:
        text = str(value)
        return _problem(code, "too_large", value=text if len(text) <= 24 else f"{value:.6E}")
    if value.as_tuple().exponent < _MIN_EXPONENT:  # type: ignore[operator]  # finite here
        return _problem(code, "too_precise", value=f"{value:.6E}")
    if value < 0:
        return _problem(code, "negative", value=plain(value))
    return None


def _score_leaf(leaf: _Leaf, entry: LeafInput) -> tuple[NodeScore, InputProblem | None]:
    code = leaf.code
    if entry.forms != 1:
        return _invalid(
            leaf,
            _problem(
                code,
                "bad_input",
                detail="give exactly one of a number, a numerator and denominator, a band's "
                "label or points",
            ),
        )
    if entry.points is not None:
        given = entry.points
        if (bad := _check_number(code, given)) is not None:
            return _invalid(leaf, bad)
        given = given if given else _ZERO  # -0 is 0
        if given > leaf.max:
            return _invalid(
                leaf,
                _problem(code, "points_out_of_range", value=plain(given), max=plain(leaf.max)),
            )
        return NodeScore(code, given, leaf.max, None, Outcome.GIVEN), None
    if entry.label is not None:
        return _choose(leaf, entry.label)
    scoring = leaf.scoring
    if scoring == Scoring.CATEGORICAL:
        labels = "; ".join(f"“{b.label}”" for b in leaf.bands)
        return _invalid(
            leaf,
            _problem(code, "wrong_kind", detail=f"it is scored by choosing a band: {labels}"),
        )
    if scoring != Scoring.RANGES and scoring != Scoring.PROPORTIONAL:
        return _invalid(leaf, _problem(code, "cannot_score"))
    ratio: tuple[Decimal, Decimal] | None = None
    if entry.value is not None:
        value = entry.value
        if (bad := _check_number(code, value)) is not None:
            return _invalid(leaf, bad)
        value = value if value else _ZERO  # -0 is 0
    else:
        numerator, denominator = entry.numerator, entry.denominator
        if numerator is None or denominator is None:
            return _invalid(
                leaf, _problem(code, "bad_input", detail="give both a numerator and a denominator")
            )
        if not leaf.percent:
            return _invalid(
                leaf,
                _problem(
                    code,
                    "wrong_kind",
                    detail="it counts, so give the count, not a numerator and denominator",
                ),
            )
        bad = _check_number(code, numerator) or _check_number(code, denominator)
        if bad is not None:
            return _invalid(leaf, bad)
        if not denominator:
            return _invalid(leaf, _problem(code, "zero_denominator"))
        numerator = numerator if numerator else _ZERO  # -0 is 0
        value = _RATE_CONTEXT.divide(numerator * _HUNDRED, denominator)
        ratio = (numerator, denominator)
    if scoring == Scoring.PROPORTIONAL:
        if ratio is not None:
            # One division, max × num / den: exact whenever the points end (91/120 of 30 is
            # 22.75), where max × (num / den × 100) / 100 would carry the rate's rounding.
            points = _RATE_CONTEXT.divide(leaf.max * ratio[0], ratio[1])
        else:
            points = leaf.max * value / _HUNDRED
        if points > leaf.max:
            points = leaf.max
        return NodeScore(
            code, points, leaf.max, None, Outcome.RATE, value, Unit.PERCENT, ratio
        ), None
    if not leaf.percent and value != value.to_integral_value():
        return _invalid(leaf, _problem(code, "not_whole", value=plain(value)))
    for band in leaf.ranges:
        if band.contains(value):
            return NodeScore(
                code, band.points, leaf.max, band, Outcome.BAND, value, leaf.unit, ratio
            ), None
    return _invalid(
        leaf, _problem(code, "no_band", value=_shown(value, leaf.unit), covered=leaf.covered)
    )


def _choose(leaf: _Leaf, label: str) -> tuple[NodeScore, InputProblem | None]:
    code = leaf.code
    if leaf.scoring != Scoring.CATEGORICAL:
        return _invalid(
            leaf,
            _problem(
                code,
                "wrong_kind",
                detail=f"“{label}” is a label, but it takes a "
                + ("rate in percent" if leaf.unit == Unit.PERCENT else "count")
                + " (a number, or a numerator and denominator)",
            ),
        )
    band = (
        leaf.by_label.get(label)
        or leaf.by_label.get(_label_key(label))
        or leaf.by_folded.get(fold(label))
    )
    if band is None:
        allowed = "; ".join(f"“{b.label}”" for b in leaf.bands)
        return _invalid(leaf, _problem(code, "unknown_label", value=label, allowed=allowed))
    return NodeScore(code, band.points, leaf.max, band, Outcome.BAND), None


# ---------------------------------------------------------------------------------------------
# Inputs as scripts and forms write them


def parse_inputs(
    tree: CompiledTree, raw: Mapping[str, object]
) -> tuple[dict[str, LeafInput], list[InputProblem]]:
    """Read inputs as JSON gives them: leaf code → number, {"numerator", "denominator"},
    {"points"}, a band's label, or null (missing).

    Numbers may be int, Decimal (parse JSON with parse_float=Decimal to keep them exact), or
    text as people write them ("93,5"); a float is read through its shortest repr. A string for
    a categorical leaf is a label. Every unusable entry is a problem naming its code; the rest
    are returned.
    """
    inputs: dict[str, LeafInput] = {}
    problems: list[InputProblem] = []
    for code, value in raw.items():
        if code not in tree.leaves:
            problems.append(_unknown(tree, code))
            continue
        if value is None:
            continue
        leaf = tree.leaves[code]
        found = _read_entry(leaf, value)
        if isinstance(found, InputProblem):
            problems.append(found)
        else:
            inputs[code] = found
    return inputs, problems


_ENTRY_KEYS = {"numerator", "denominator", "points", "value", "label"}


def _read_entry(leaf: _Leaf, value: object) -> LeafInput | InputProblem:
    code = leaf.code
    if isinstance(value, Mapping):
        keys = set(value)
        unknown = sorted(str(k) for k in keys - _ENTRY_KEYS)
        if unknown:
            return _problem(
                code,
                "bad_input",
                detail=f"unknown key(s) {', '.join(unknown)}; use numerator and denominator, "
                "value, label or points",
            )
        if keys == {"numerator", "denominator"}:
            num = _read_number(code, value["numerator"])
            if isinstance(num, InputProblem):
                return num
            den = _read_number(code, value["denominator"])
            if isinstance(den, InputProblem):
                return den
            return LeafInput(numerator=num, denominator=den)
        if len(keys) == 1 and keys <= {"points", "value"}:
            (key,) = keys
            number = _read_number(code, value[key])
            if isinstance(number, InputProblem):
                return number
            return LeafInput(points=number) if key == "points" else LeafInput(value=number)
        if keys == {"label"} and isinstance(value["label"], str):
            return LeafInput(label=value["label"])
        return _problem(
            code,
            "bad_input",
            detail="give {numerator, denominator}, {value}, {label} or {points}",
        )
    if isinstance(value, str) and leaf.scoring == Scoring.CATEGORICAL:
        return LeafInput(label=value)
    number = _read_number(code, value)
    if isinstance(number, InputProblem):
        return number
    return LeafInput(value=number)


def _read_number(code: str, value: object) -> Decimal | InputProblem:
    if isinstance(value, bool):
        shown = "true" if value else "false"  # as JSON writes it
    else:
        shown = str(value)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        shown = f"“{shown}”" if isinstance(value, str) else shown
    if isinstance(value, str) and value.strip().startswith("="):
        return _problem(code, "formula", value=shown)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return _problem(code, "not_a_number", value=shown)
    if isinstance(value, int) and abs(value) >= MAX_INPUT:
        return _problem(code, "too_large", value=shown)
    try:
        number = parse_decimal(value)
    except (NumberFormatError, InvalidOperation, ValueError):
        return _problem(code, "not_a_number", value=shown)
    return _check_number(code, number) or number
