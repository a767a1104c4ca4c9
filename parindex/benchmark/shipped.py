"""The data shipped in parindex/benchmark/data, read into plain specs. Pure: no Django.

`provinces.yaml` is the national list of provinces with the 2025 mapping; `results.yaml` the
published results gathered from news and official pages (partial: no full table was found for
any year), kept as it was gathered, with its own field conventions (see its header).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
PROVINCES_FILE = DATA / "provinces.yaml"
RESULTS_FILE = DATA / "results.yaml"
PART_KEYS = ("appraisal", "sipas", "leader_survey", "socio_economic_impact")
# Keys of a year in results.yaml read into the year's own fields; the rest are kept as facts.
_YEAR_FIELDS = {
    "methodology",
    "announced",
    "publication",
    "average",
    "average_derived",
    "provinces",
}
_ANNOUNCED = re.compile(r"announced (\d{1,2})/(\d{1,2})/(\d{4})")
# The eight domains of the provincial index (names as in 2948/QĐ-BNV, kept by its successors).
DOMAIN_LABELS = {
    "1": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "2": "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật tại tỉnh",
    "3": "Cải cách thủ tục hành chính",
    "4": "Cải cách tổ chức bộ máy hành chính",
    "5": "Xây dựng và nâng cao chất lượng đội ngũ công chức, viên chức",
    "6": "Cải cách tài chính công",
    "7": "Hiện đại hóa hành chính",
    "8": "Tác động của CCHC đến người dân, tổ chức và phát triển kinh tế - xã hội của tỉnh",
}
# The province the results file follows year by year.
HISTORY_PROVINCE = "Lào Cai"


@dataclass(frozen=True)
class ProvinceSpec:
    code: str
    name: str
    short_name: str
    official_code: str
    valid_from: date | None
    valid_to: date | None
    aliases: tuple[str, ...]
    formed_from: tuple[str, ...]
    renamed_from: str
    basis: str


@dataclass
class DomainSpec:
    domain: str
    label: str
    score: Decimal | None = None
    maximum: Decimal | None = None
    rank: int | None = None
    source: str = ""
    note: str = ""


@dataclass
class RowSpec:
    name: str
    score: Decimal | None
    rank: int | None
    parts: dict[str, Decimal]
    derived: bool
    rank_derived: bool
    source: str
    note: str
    conflict: str
    domains: list[DomainSpec] = field(default_factory=list)


@dataclass
class YearSpec:
    year: int
    methodology: str
    publication: str
    announced_on: date | None
    average: Decimal | None
    average_derived: bool
    facts: dict[str, Any]
    rows: list[RowSpec]


@dataclass
class ResultsSpec:
    sources: dict[str, str]
    years: list[YearSpec]
    missing: list[str]


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def read_provinces(path: Path = PROVINCES_FILE) -> list[ProvinceSpec]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        ProvinceSpec(
            code=item["code"],
            name=item["name"],
            short_name=item["short_name"],
            official_code=_text(item.get("official_code")),
            valid_from=_date(item.get("valid_from")),
            valid_to=_date(item.get("valid_to")),
            aliases=tuple(item.get("aliases") or ()),
            formed_from=tuple(item.get("formed_from") or ()),
            renamed_from=_text(item.get("renamed_from")),
            basis=_text(item.get("basis")),
        )
        for item in document["provinces"]
    ]


def _domains(item: Mapping[str, Any], source: str) -> list[DomainSpec]:
    """`domain_ranks: {"2_VBQPPL": 17}` and `domain_scores: {"3_TTHC": "12.95/14.5"}`."""
    found: dict[str, DomainSpec] = {}

    def spec(raw: str) -> DomainSpec:
        number, _sep, _label = raw.partition("_")
        if number in DOMAIN_LABELS:
            return found.setdefault(raw, DomainSpec(number, DOMAIN_LABELS[number], source=source))
        # The source does not say which domain: its words are kept as the label.
        return found.setdefault(raw, DomainSpec("?", raw.replace("_", " "), source=source))

    for raw, rank in (item.get("domain_ranks") or {}).items():
        spec(raw).rank = int(rank)
    for raw, value in (item.get("domain_scores") or {}).items():
        score, _sep, maximum = str(value).partition("/")
        entry = spec(raw)
        entry.score = _decimal(score)
        entry.maximum = _decimal(maximum) if maximum else None
    return list(found.values())


def _row(item: Mapping[str, Any]) -> RowSpec:
    components = item.get("components") or {}
    parts = {k: v for k in PART_KEYS if (v := _decimal(components.get(k))) is not None}
    impact = _decimal(components.get("impact_total"))
    if impact is not None:
        parts["impact"] = impact
    notes = [_text(item.get(k)) for k in ("note", "corroboration") if item.get(k)]
    source = _text(item.get("source"))
    return RowSpec(
        name=_text(item.get("name")) or HISTORY_PROVINCE,
        score=_decimal(item.get("score")),
        rank=int(item["rank"]) if item.get("rank") is not None else None,
        parts=parts,
        derived=bool(item.get("derived")),
        rank_derived=bool(item.get("derived_rank")),
        source=source,
        note="; ".join(notes),
        conflict=_text(item.get("conflict")),
        domains=_domains(item, source),
    )


def read_results(path: Path = RESULTS_FILE) -> ResultsSpec:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    years: dict[int, YearSpec] = {}
    for year, item in sorted((document.get("years") or {}).items()):
        publication = _text(item.get("publication"))
        announced = _date(item.get("announced"))
        if announced is None and (match := _ANNOUNCED.search(publication)):
            announced = date(int(match[3]), int(match[2]), int(match[1]))
        years[int(year)] = YearSpec(
            year=int(year),
            methodology=_text(item.get("methodology")),
            publication=publication,
            announced_on=announced,
            average=_decimal(item.get("average")),
            average_derived=bool(item.get("average_derived")),
            facts={k: v for k, v in item.items() if k not in _YEAR_FIELDS},
            rows=[_row(row) for row in item.get("provinces") or []],
        )
    for item in document.get("lao_cai_history") or []:
        _merge_history(years, _row(item), int(item["year"]))
    return ResultsSpec(
        sources={str(k): str(v) for k, v in (document.get("sources") or {}).items()},
        years=[years[y] for y in sorted(years)],
        missing=[str(m) for m in document.get("missing") or []],
    )


def _merge_history(years: dict[int, YearSpec], entry: RowSpec, year: int) -> None:
    """Fold the province's year-by-year history into the years' tables: a year that lacks the
    province gains its row; where both give a figure and they differ, the table's figure stays
    and the difference is noted."""
    if entry.score is None and entry.rank is None and not entry.domains:
        return  # "not found"
    spec = years.get(year)
    if spec is None:
        spec = years[year] = YearSpec(year, "", "", None, None, False, {}, [])
    row = next((r for r in spec.rows if r.name == HISTORY_PROVINCE), None)
    if row is None:
        spec.rows.append(entry)
        return
    differences = []
    if entry.score is not None and row.score is not None and entry.score != row.score:
        differences.append(f"score {entry.score} ({entry.source})")
    if entry.rank is not None and row.rank is not None and entry.rank != row.rank:
        differences.append(f"rank {entry.rank} ({entry.source})")
    if differences:
        row.conflict = "; ".join(filter(None, [row.conflict, "also " + ", ".join(differences)]))
    if row.score is None and entry.score is not None:
        row.score, row.derived = entry.score, entry.derived
    if row.rank is None and entry.rank is not None:
        row.rank = entry.rank
    for name, value in entry.parts.items():
        row.parts.setdefault(name, value)
    row.domains.extend(entry.domains)
    if entry.note and entry.note not in row.note:
        row.note = "; ".join(filter(None, [row.note, entry.note]))
