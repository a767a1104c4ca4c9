"""Reading published results for the page, the API and the command line: a year's table with
its recomputed ranks and findings, one province's figures, the rank a score would have had.

The callers pass the years the person may read (`access.result_years_for`); the command line,
run by the operator, passes every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from parindex.benchmark import ranks
from parindex.benchmark.models import PART_FIELDS, Province, ProvinceResult, ResultYear, Source
from parindex.lib.collation import sort_key


class NoSuchYear(LookupError):
    def __init__(self, year: int, known: list[int]) -> None:
        super().__init__(year)
        self.year = year
        self.known = known


class NoResult(LookupError):
    """The province has no published figure in the year (or did not exist then)."""

    def __init__(self, province: Province, year: int, reason: str) -> None:
        super().__init__(f"{province.code} {year}: {reason}")
        self.province = province
        self.year = year
        self.reason = reason  # "not_in_table" or "did_not_exist"


@dataclass(frozen=True)
class TableLine:
    result: ProvinceResult
    computed_rank: int | None  # from the known scores (a lower bound when the table is partial)
    findings: list[ranks.Finding]


@dataclass(frozen=True)
class YearTable:
    year: ResultYear
    lines: list[TableLine]
    findings: list[ranks.Finding]


def _row(result: ProvinceResult) -> ranks.Row:
    parts: dict[str, Decimal] = {
        name: value
        for name in (*PART_FIELDS, "impact")
        if (value := getattr(result, name)) is not None
    }
    return ranks.Row(
        key=result.province.code,
        name=result.province.short_name,
        score=result.score,
        rank=result.rank,
        parts=parts,
    )


def get_year(years: QuerySet[ResultYear], year: int) -> ResultYear:
    found = years.select_related("source").filter(year=year).first()
    if found is None:
        raise NoSuchYear(year, sorted(years.values_list("year", flat=True)))
    return found


def year_table(years: QuerySet[ResultYear], year: int) -> YearTable:
    """The year's rows (published rank first, then score), checked."""
    result_year = get_year(years, year)
    results = list(
        result_year.results.select_related("province", "source").prefetch_related("domains")
    )
    results.sort(
        key=lambda r: (
            r.rank if r.rank is not None else 10_000,
            -(r.score if r.score is not None else Decimal(-1)),
            sort_key(r.province.short_name),
        )
    )
    rows = [_row(r) for r in results]
    findings = ranks.check_table(rows, of=result_year.province_count, partial=result_year.partial)
    computed = ranks.recomputed_ranks(rows)
    by_key: dict[str, list[ranks.Finding]] = {}
    for finding in findings:
        by_key.setdefault(finding.key, []).append(finding)
    lines = [
        TableLine(r, computed.get(r.province.code), by_key.get(r.province.code, []))
        for r in results
    ]
    return YearTable(result_year, lines, findings)


def result_of(years: QuerySet[ResultYear], year: int, province: Province) -> ProvinceResult:
    result_year = get_year(years, year)
    result = (
        result_year.results.select_related("province", "source", "year")
        .prefetch_related("domains")
        .filter(province=province)
        .first()
    )
    if result is None:
        reason = "not_in_table" if province.existed_in(year) else "did_not_exist"
        raise NoResult(province, year, reason)
    return result


def decimal_text(value: Decimal | None) -> str | None:
    """A score as the API and the command line write it: two places, a point."""
    return None if value is None else f"{value:.2f}"


def source_json(source: Source | None) -> dict[str, str] | None:
    if source is None:
        return None
    return {"key": source.key, "url": source.url, "title": source.title}


def result_json(result: ProvinceResult) -> dict[str, Any]:
    """The contract of `parindex results show --json` and GET /api/results/show."""
    year = result.year
    return {
        "year": year.year,
        "province": {"code": result.province.code, "name": result.province.short_name},
        "score": decimal_text(result.score),
        "rank": result.rank,
        "of": year.province_count,
        "parts": {name: decimal_text(value) for name, value in result.parts.items()},
        "impact": decimal_text(result.impact),
        "domains": [
            {
                "domain": d.domain,
                "label": d.label,
                "score": decimal_text(d.score),
                "maximum": decimal_text(d.maximum),
                "rank": d.rank,
                "source": source_json(d.source),
            }
            for d in result.domains.all()
        ],
        "derived": result.derived,
        "rank_derived": result.rank_derived,
        "note": result.note,
        "conflict": result.conflict,
        "partial": year.partial,
        "source": source_json(result.source),
    }


def rank_json(years: QuerySet[ResultYear], year: int, score: Decimal) -> dict[str, Any]:
    """The contract of `parindex results rank --json` and GET /api/results/rank."""
    result_year = get_year(years, year)
    rows = [_row(r) for r in result_year.results.select_related("province")]
    placing = ranks.place(score, rows, of=result_year.province_count, partial=result_year.partial)
    return {
        "year": year,
        "score": decimal_text(score),
        "rank": placing.rank,
        "of": placing.of,
        "above": placing.above,
        "partial": placing.partial,
        "exact": placing.exact,
        "known_scores": sum(1 for r in rows if r.score is not None),
    }
