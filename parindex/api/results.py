"""Published national results: years, a year's table with its findings, a province's figures
and history, the rank a score would have had, and the import of a year's official table.

The figures are public to everyone signed in; importing is for coordinators. The shapes of
/show and /rank are those of `parindex results show|rank --json` (docs/results.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from parindex.benchmark import actions, figures, provinces
from parindex.benchmark.messages import describe_finding, describe_problem
from parindex.benchmark.models import Province
from parindex.lib.collation import vi_sorted
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.orgs import access

router = Router(tags=["published results"])


class SourceOut(Schema):
    key: str
    url: str
    title: str


class YearOut(Schema):
    year: int
    of: int
    partial: bool
    provinces: int
    methodology: str
    publication: str
    announced_on: date | None
    national_average: str | None
    average_derived: bool
    origin: str
    source: SourceOut | None


class FindingOut(Schema):
    code: str
    province: str
    message: str


class LineOut(Schema):
    province: str
    name: str
    score: str | None
    rank: int | None
    computed_rank: int | None
    parts: dict[str, str]
    impact: str | None
    derived: bool
    rank_derived: bool
    note: str
    conflict: str
    source: SourceOut | None
    findings: list[str]


class TableOut(YearOut):
    lines: list[LineOut]
    findings: list[FindingOut]


class DomainOut(Schema):
    domain: str
    label: str
    score: str | None
    maximum: str | None
    rank: int | None
    source: SourceOut | None


class ProvinceRef(Schema):
    code: str
    name: str


class ResultOut(Schema):
    year: int
    province: ProvinceRef
    score: str | None
    rank: int | None
    of: int
    parts: dict[str, str]
    impact: str | None
    domains: list[DomainOut]
    derived: bool
    rank_derived: bool
    note: str
    conflict: str
    partial: bool
    source: SourceOut | None


class RankOut(Schema):
    year: int
    score: str
    rank: int
    of: int
    above: int
    partial: bool
    exact: bool
    known_scores: int


class ProvinceOut(Schema):
    code: str
    name: str
    short_name: str
    official_code: str
    valid_from: date | None
    valid_to: date | None
    successor: str | None
    succession_kind: str
    succession_basis: str
    formed_from: list[str]


class HistoryLineOut(ResultOut):
    via: ProvinceRef | None


class HistoryOut(Schema):
    province: ProvinceOut
    lines: list[HistoryLineOut]


class ImportOut(Schema):
    year: int
    saved: int
    partial: bool
    skipped: list[str]
    findings: list[FindingOut]


class ImportRefusedOut(Schema):
    detail: str
    problems: list[str]


def _years(request: HttpRequest) -> Any:
    return access.result_years_for(request.user)


def _year_out(year: Any) -> dict[str, Any]:
    return {
        "year": year.year,
        "of": year.province_count,
        "partial": year.partial,
        "provinces": year.results.count(),
        "methodology": year.methodology,
        "publication": year.publication,
        "announced_on": year.announced_on,
        "national_average": figures.decimal_text(year.national_average),
        "average_derived": year.average_derived,
        "origin": year.origin,
        "source": figures.source_json(year.source),
    }


def _finding(finding: Any) -> dict[str, str]:
    return {"code": finding.code, "province": finding.key, "message": describe_finding(finding)}


def _no_year(missing: figures.NoSuchYear) -> HttpError:
    known = ", ".join(str(y) for y in missing.known) or "none"
    return HttpError(404, f"no published results for {missing.year} (years known: {known})")


def _province(text: str, year: int | None = None) -> Province:
    try:
        return provinces.find(text, year=year)
    except provinces.UnknownProvince as unknown:
        hint = f"; did you mean {', '.join(unknown.suggestions)}?" if unknown.suggestions else ""
        raise HttpError(404, f"no province {unknown.text!r}{hint}") from None


@router.get("/years", response=list[YearOut], summary="The years with published results")
def list_years(request: HttpRequest) -> list[dict[str, Any]]:
    return [_year_out(y) for y in _years(request).select_related("source").order_by("year")]


@router.get(
    "/years/{int:year}",
    response=TableOut,
    summary="A year's table: published and recomputed ranks, parts, sources, findings",
)
def year_table(request: HttpRequest, year: int) -> dict[str, Any]:
    try:
        table = figures.year_table(_years(request), year)
    except figures.NoSuchYear as missing:
        raise _no_year(missing) from None
    lines = []
    for line in table.lines:
        r = line.result
        lines.append(
            {
                "province": r.province.code,
                "name": r.province.short_name,
                "score": figures.decimal_text(r.score),
                "rank": r.rank,
                "computed_rank": line.computed_rank,
                "parts": {k: figures.decimal_text(v) for k, v in r.parts.items()},
                "impact": figures.decimal_text(r.impact),
                "derived": r.derived,
                "rank_derived": r.rank_derived,
                "note": r.note,
                "conflict": r.conflict,
                "source": figures.source_json(r.source),
                "findings": [describe_finding(f) for f in line.findings],
            }
        )
    return {
        **_year_out(table.year),
        "lines": lines,
        "findings": [_finding(f) for f in table.findings],
    }


@router.get(
    "/show",
    response=ResultOut,
    summary="A province's published result in a year (as `parindex results show --json`)",
)
def show(request: HttpRequest, year: int, province: str) -> dict[str, Any]:
    found = _province(province, year)
    try:
        result = figures.result_of(_years(request), year, found)
    except figures.NoSuchYear as missing:
        raise _no_year(missing) from None
    except figures.NoResult as none:
        if none.reason == "did_not_exist":
            raise HttpError(404, f"{found.short_name} did not exist in {year}") from None
        raise HttpError(404, f"no published result for {found.short_name} in {year}") from None
    return figures.result_json(result)


@router.get(
    "/rank",
    response=RankOut,
    summary="The rank a score would have had in a year's published table",
)
def rank(request: HttpRequest, year: int, score: str) -> dict[str, Any]:
    try:
        value = parse_decimal(score)
    except (NumberFormatError, ValueError, ArithmeticError):
        raise HttpError(422, f"score {score!r} is not a number such as 88.00") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise HttpError(422, "a score lies between 0 and 100")
    try:
        return figures.rank_json(_years(request), year, value)
    except figures.NoSuchYear as missing:
        raise _no_year(missing) from None


def _province_out(p: Province) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "short_name": p.short_name,
        "official_code": p.official_code,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
        "successor": p.successor.code if p.successor else None,
        "succession_kind": p.succession_kind,
        "succession_basis": p.succession_basis,
        "formed_from": [q.code for q in p.predecessors.all()],
    }


@router.get(
    "/provinces",
    response=list[ProvinceOut],
    summary="The ranked provinces before and after the 2025 merger, with the mapping",
)
def list_provinces(request: HttpRequest) -> list[dict[str, Any]]:
    if not request.user.is_authenticated:
        raise PermissionDenied
    return [
        _province_out(p)
        for p in vi_sorted(
            Province.objects.select_related("successor")
            .prefetch_related("predecessors")
            .order_by("code"),
            key=lambda p: p.short_name,
        )
    ]


@router.get(
    "/provinces/{code}/history",
    response=HistoryOut,
    summary="A province's results across years; a merged province shows its predecessors'",
)
def history(request: HttpRequest, code: str) -> dict[str, Any]:
    found = _province(code)
    visible = set(_years(request).values_list("pk", flat=True))
    lines = []
    for line in provinces.history(found):
        if line.result.year_id not in visible:
            continue
        data = figures.result_json(line.result)
        data["via"] = (
            {"code": line.via.code, "name": line.via.short_name} if line.via is not None else None
        )
        lines.append(data)
    return {"province": _province_out(found), "lines": lines}


@router.post(
    "/import",
    response={201: ImportOut, 422: ImportRefusedOut},
    summary="Import a year's official table (XLSX, CSV or pasted text); nothing is saved on error",
)
def import_table(
    request: HttpRequest,
    year: Form[int],
    file: File[UploadedFile | None] = None,
    text: Form[str] = "",
    source: Form[str] = "",
    skip_bad_rows: Form[bool] = False,
) -> Status[dict[str, Any]]:
    if not access.can_import_results(request.user):
        raise PermissionDenied("only coordinators import published results")
    if file is not None:
        if file.size and file.size > settings.PARINDEX_MAX_IMPORT_BYTES:
            return Status(422, {"detail": "file too large", "problems": []})
        data, name = file.read(), file.name or "upload"
    else:
        data, name = text.encode(), "pasted.txt"
    try:
        outcome = actions.import_results(
            data,
            name,
            year=year,
            by=access.actor(request.user),
            source=source,
            skip_bad_rows=skip_bad_rows,
        )
    except actions.ImportRefused as refused:
        return Status(
            422,
            {
                "detail": "the table has problems; nothing was saved",
                "problems": [describe_problem(p) for p in refused.problems],
            },
        )
    table = figures.year_table(_years(request), year)
    return Status(
        201,
        {
            "year": year,
            "saved": outcome.saved,
            "partial": outcome.year.partial,
            "skipped": [describe_problem(p) for p in outcome.skipped],
            "findings": [_finding(f) for f in table.findings],
        },
    )
