"""The project's own text format for criteria trees, `parindex-criteria/1`, in YAML.

A file holds one tree: its metadata and a flat list of nodes in reading order. A node's parent
is its code without the last part, so "1.1.4" sits under "1.1", which sits under domain "1".

    # Comments are allowed anywhere; name the source here and in `source`.
    format: parindex-criteria/1          # optional; another value is an error
    name: "Chỉ số CCHC cấp tỉnh (PAR INDEX) 2017"
    code: par-index-province              # a slug
    version: 1
    decision: {number: "2948/QĐ-BNV", date: "2017-12-28", issuer: "Bộ Nội vụ"}
    years: [2017, 2017]                   # or `years: 2017`, or first_year / last_year keys
    level: province                       # province | department | district | commune
    total: 100                            # the declared total; "14,5" is read too
    description: "..."
    source: "url or text"                 # or a mapping (url, raw, note), kept as text
    nodes:
      - code: "1"                         # quote codes: YAML reads 1.10 as the number 1.1
        name: "..."
        max_points: 20                    # a number or "14,5"
        method: self                      # self (default) | survey
        scoring: ranges                   # categorical | ranges | proportional; else inferred
        unit: percent                     # percent | count; else inferred for ranges
        note: "..."
        bands:
          - {label: "Ban hành kịp thời", points: 1}
          - {label: "Thực hiện trên 90% kế hoạch", min_exclusive: 90, points: 2}
          - {label: "Thực hiện từ 70% - 90% kế hoạch", min: 70, max: 90, points: 1}
          - {label: "Dưới 70% kế hoạch", max_exclusive: 70, points: 0}

A band without min/max whose label names a range ("trên 90%") gets that range when the node's
scoring is absent or `ranges`. Numbers are read from their written text, so 0.1 stays exactly
0.1. See docs/criteria-format.md for the full description.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import yaml

from parindex.lib.text import clean
from parindex.methodology.bands import parse_points
from parindex.methodology.formats.common import (
    FORMAT,
    decimal_from,
    integer_from,
    parse_choice,
    shown,
    spec_from_meta,
    text_block,
)
from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    ImportResult,
    Method,
    NodeSpec,
    Problem,
    Scoring,
    Severity,
    Unit,
    problem,
)
from parindex.methodology.validation import normalise, plain, validate

_TOP_KEYS = {
    "format",
    "name",
    "code",
    "version",
    "decision",
    "years",
    "first_year",
    "last_year",
    "level",
    "total",
    "description",
    "source",
    "nodes",
}
_DECISION_KEYS = {"number", "date", "issuer"}
_NODE_KEYS = {"code", "name", "max_points", "method", "scoring", "unit", "note", "bands"}
_BAND_KEYS = {"label", "points", "min", "min_exclusive", "max", "max_exclusive"}


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers its line, its keys' lines and its scalars' written text."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.raw: dict[Any, str] = {}


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Mapping]:
    data = _Mapping(node.start_mark.line + 1)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                "found a key that is not text",
                key_node.start_mark,
            ) from exc
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode):
            data.raw[key] = value_node.value


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml(data: bytes | str) -> ImportResult:
    """Read a tree in the `parindex-criteria/1` format, then validate it.

    `spec` is None only when the text is not a YAML mapping at all; otherwise it is set even
    when there are errors (and `ok` is False).
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return ImportResult(
                None, [problem(Severity.ERROR, "unreadable_file", name="YAML", detail=str(exc))]
            )
    else:
        text = data.removeprefix("\ufeff")
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "syntax error"
        if mark is not None:
            detail = f"{detail} (column {mark.column + 1})"
        line = mark.line + 1 if mark is not None else None
        return ImportResult(
            None, [problem(Severity.ERROR, "yaml_syntax", line=line, detail=detail)]
        )
    except (yaml.YAMLError, RecursionError) as exc:
        return ImportResult(None, [problem(Severity.ERROR, "yaml_syntax", detail=str(exc))])
    if not isinstance(document, _Mapping):
        return ImportResult(
            None,
            [
                problem(
                    Severity.ERROR,
                    "bad_structure",
                    line=1,
                    field="The document",
                    expected="a mapping with keys such as name, total and nodes",
                )
            ],
        )
    reader = _Reader()
    spec = normalise(reader.framework(document))
    return ImportResult(spec, reader.problems + validate(spec))


@dataclass
class _Reader:
    problems: list[Problem] = field(default_factory=list)

    def error(self, kind: str, where: str = "", line: int | None = None, **params: object) -> None:
        self.problems.append(problem(Severity.ERROR, kind, where, line, **params))

    def unknown_keys(self, m: _Mapping, known: set[str], where: str) -> None:
        for key in m:
            if key not in known:
                self.problems.append(
                    problem(
                        Severity.WARNING, "unknown_key", where, m.key_lines.get(key), key=shown(key)
                    )
                )

    def text(self, m: _Mapping, key: str, where: str = "") -> str:
        """A text field; YAML's guesses (`No` → false, `1880` → 1880) undone by the raw text."""
        value = m.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float | date):
            return m.raw.get(key, str(value))
        self.error("bad_structure", where, m.key_lines.get(key), field=key, expected="a text")
        return ""

    def number(self, m: _Mapping, key: str, where: str) -> Decimal | None:
        """A number read from its written text, so 0.1 is exactly 0.1; None if absent or bad."""
        if m.get(key) is None:
            return None
        value = parse_points(m.raw[key]) if key in m.raw else None
        if value is None:
            value = decimal_from(m[key])
        if value is None:
            self.error(
                "bad_points", where, m.key_lines.get(key), value=shown(m.raw.get(key, m[key]))
            )
        return value

    def framework(self, doc: _Mapping) -> FrameworkSpec:
        self.unknown_keys(doc, _TOP_KEYS, "")
        fmt = self.text(doc, "format")
        if fmt and clean(fmt) != FORMAT:
            self.error("bad_format", "", doc.key_lines.get("format"), value=shown(fmt))
        meta: dict[str, object] = {}
        lines: dict[str, int | None] = {}

        def put(meta_key: str, value: object, m: _Mapping, key: str) -> None:
            meta[meta_key] = value
            lines[meta_key] = m.key_lines.get(key)

        for key in ("name", "code", "description"):
            put(key, self.text(doc, key), doc, key)
        put("level", self.text(doc, "level"), doc, "level")
        if doc.get("version") is not None:
            put("version", doc.raw.get("version", doc["version"]), doc, "version")
        if doc.get("total") is not None:  # `total: null` says it is unknown
            put("declared_total", doc.raw.get("total", doc["total"]), doc, "total")
        source = doc.get("source")
        put(
            "source",
            source if isinstance(source, str) else "\n".join(_flatten(source)),
            doc,
            "source",
        )
        decision = doc.get("decision")
        if isinstance(decision, _Mapping):
            self.unknown_keys(decision, _DECISION_KEYS, "decision")
            put("decision_number", self.text(decision, "number"), decision, "number")
            put("issuer", self.text(decision, "issuer"), decision, "issuer")
            put("decision_date", decision.get("date"), decision, "date")
        elif decision is not None:
            self.error(
                "bad_structure",
                line=doc.key_lines.get("decision"),
                field="decision",
                expected="a mapping of number, date and issuer",
            )
        self.years(doc, put)
        spec, problems = spec_from_meta(meta)
        self.problems += [replace(p, line=lines.get(p.param("field"))) for p in problems]
        spec.nodes = self.nodes(doc)
        return spec

    def years(self, doc: _Mapping, put: Callable[[str, object, _Mapping, str], None]) -> None:
        years = doc.get("years")
        if years is not None:
            values = years if isinstance(years, list) else [years]
            numbers = [integer_from(v) for v in values]
            if not 1 <= len(numbers) <= 2 or None in numbers:
                self.error(
                    "bad_value", "", doc.key_lines.get("years"), field="years", value=shown(years)
                )
            else:
                put("first_year", numbers[0], doc, "years")
                put("last_year", numbers[-1], doc, "years")
        for key in ("first_year", "last_year"):
            if doc.get(key) is not None:
                put(key, doc.raw.get(key, doc[key]), doc, key)

    def nodes(self, doc: _Mapping) -> list[NodeSpec]:
        items = doc.get("nodes")
        if items is None:
            return []
        line = doc.key_lines.get("nodes")
        if not isinstance(items, list):
            self.error("bad_structure", line=line, field="nodes", expected="a list of criteria")
            return []
        nodes = []
        for index, item in enumerate(items, start=1):
            if not isinstance(item, _Mapping):
                self.error(
                    "bad_structure",
                    line=line,
                    field=f"nodes item {index}",
                    expected="a mapping with code, name and max_points",
                )
                continue
            node = self.node(item)
            if node is not None:
                nodes.append(node)
        return nodes

    def node(self, m: _Mapping) -> NodeSpec | None:
        # The written text: YAML would read `code: 1.10` as the number 1.1.
        written = m.raw.get("code") if m.get("code") is not None else None
        code = clean(written if written is not None else self.text(m, "code"))
        where = code
        self.unknown_keys(m, _NODE_KEYS, where)
        name = clean(self.text(m, "name", where))
        for key, value in (("code", code), ("name", name)):
            if not value:
                self.error("missing_field", where, m.line, field=key)
        max_points = self.number(m, "max_points", where)
        if "max_points" not in m or m["max_points"] is None:
            self.error("missing_field", where, m.line, field="max_points")
        choices: dict[str, Any] = {}
        for key, kind, default in (
            ("method", Method, Method.SELF),
            ("scoring", Scoring, Scoring.NONE),
            ("unit", Unit, Unit.NONE),
        ):
            written = self.text(m, key, where)
            choice = parse_choice(kind, written) if written else default
            if choice is None:
                self.error(
                    "bad_value", where, m.key_lines.get(key), field=key, value=shown(written)
                )
            choices[key] = choice or default
        bands = self.bands(m, where)
        if not code or not name or max_points is None:
            return None
        return NodeSpec(
            code=code,
            name=name,
            max_points=max_points,
            method=choices["method"],
            scoring=choices["scoring"],
            unit=choices["unit"],
            bands=bands,
            note=text_block(self.text(m, "note", where)),
            line=m.line,
        )

    def bands(self, m: _Mapping, where: str) -> list[BandSpec]:
        items = m.get("bands")
        if items is None:
            return []
        bands = []
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, _Mapping):
                self.error(
                    "bad_structure",
                    where,
                    m.key_lines.get("bands"),
                    field="bands",
                    expected="a list of {label, points}",
                )
            elif (band := self.band(item, where)) is not None:
                bands.append(band)
        return bands

    def band(self, m: _Mapping, where: str) -> BandSpec | None:
        self.unknown_keys(m, _BAND_KEYS, where)
        label = clean(self.text(m, "label", where))
        if not label:
            self.error("missing_field", where, m.line, field="label")
        if m.get("points") is None:
            self.error("missing_field", where, m.line, field="points")
        points = self.number(m, "points", where)
        bounds: dict[str, Decimal | None] = {}
        for key in ("min", "min_exclusive", "max", "max_exclusive"):
            value = self.number(m, key, where) if m.get(key) is not None else None
            bounds[key] = value
        for side in ("min", "max"):
            if bounds[side] is not None and bounds[side + "_exclusive"] is not None:
                self.error(
                    "bad_value",
                    where,
                    m.line,
                    field="range",
                    value=f"{side} and {side}_exclusive",
                )
        if not label or points is None:
            return None
        lower = bounds["min"] if bounds["min"] is not None else bounds["min_exclusive"]
        upper = bounds["max"] if bounds["max"] is not None else bounds["max_exclusive"]
        return BandSpec(
            label=label,
            points=points,
            lower=lower,
            lower_inclusive=bounds["min"] is not None or lower is None,
            upper=upper,
            upper_inclusive=bounds["max"] is not None or upper is None,
        )


def _flatten(value: object, depth: int = 0, budget: list[int] | None = None) -> list[str]:
    """A `source` given as a mapping or list, as indented "key: value" lines.

    Bounded, because YAML aliases can make a small file describe an enormous structure.
    """
    budget = [200] if budget is None else budget
    pad = "  " * depth
    lines: list[str] = []
    items: list[tuple[str, object]]
    if isinstance(value, dict):
        items = [(f"{key}:", item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [("-", item) for item in value]
    else:
        return [] if value is None else [f"{pad}{value}"]
    for head, item in items:
        if budget[0] <= 0 or depth > 8:
            lines.append(f"{pad}…")
            break
        budget[0] -= 1
        if isinstance(item, dict | list):
            lines += [f"{pad}{head}", *_flatten(item, depth + 1, budget)]
        else:
            lines.append(f"{pad}{head} {item}")
    return lines


# ---------------------------------------------------------------------------------------------
# Writing

# Characters YAML does not allow raw in a double-quoted scalar, or reads as line breaks.
_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\u0085\u2028\u2029\ufeff\ufffe\uffff]")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _band(band: BandSpec) -> str:
    parts = [f"label: {_q(band.label)}"]
    if band.lower is not None:
        parts.append(f"{'min' if band.lower_inclusive else 'min_exclusive'}: {plain(band.lower)}")
    if band.upper is not None:
        parts.append(f"{'max' if band.upper_inclusive else 'max_exclusive'}: {plain(band.upper)}")
    parts.append(f"points: {plain(band.points)}")
    return "{" + ", ".join(parts) + "}"


def dump_yaml(spec: FrameworkSpec) -> str:
    """The tree in the `parindex-criteria/1` format; `load_yaml` reads it back unchanged.

    The `format` line comes first so that pasted text is recognised by its first line.
    """
    out = [f"format: {FORMAT}", f"# {spec.name}" if spec.name else "# Criteria tree"]
    if spec.source:
        out.append("# Source: " + spec.source.splitlines()[0])
    out += [f"name: {_q(spec.name)}"]
    if spec.code:
        out.append(f"code: {_q(spec.code)}")
    out.append(f"version: {spec.version}")
    decision = []
    if spec.decision_number:
        decision.append(f"number: {_q(spec.decision_number)}")
    if spec.decision_date:
        decision.append(f"date: {_q(spec.decision_date.isoformat())}")
    if spec.issuer:
        decision.append(f"issuer: {_q(spec.issuer)}")
    if decision:
        out.append("decision: {" + ", ".join(decision) + "}")
    if spec.first_year is not None and spec.last_year is not None:
        out.append(f"years: [{spec.first_year}, {spec.last_year}]")
    elif spec.first_year is not None:
        out.append(f"first_year: {spec.first_year}")
    elif spec.last_year is not None:
        out.append(f"last_year: {spec.last_year}")
    out.append(f"level: {spec.level.value}")
    if spec.declared_total is not None:
        out.append(f"total: {plain(spec.declared_total)}")
    if spec.description:
        out.append(f"description: {_q(spec.description)}")
    if spec.source:
        out.append(f"source: {_q(spec.source)}")
    if not spec.nodes:
        out.append("nodes: []")
    else:
        out.append("nodes:")
    for node in spec.nodes:
        out += [
            f"  - code: {_q(node.code)}",
            f"    name: {_q(node.name)}",
            f"    max_points: {plain(node.max_points)}",
        ]
        if node.method != Method.SELF:
            out.append(f"    method: {node.method.value}")
        if node.scoring != Scoring.NONE:
            out.append(f"    scoring: {node.scoring.value}")
        if node.unit != Unit.NONE:
            out.append(f"    unit: {node.unit.value}")
        if node.note:
            out.append(f"    note: {_q(node.note)}")
        if node.bands:
            out.append("    bands:")
            out += [f"      - {_band(band)}" for band in node.bands]
    return "\n".join(out) + "\n"
