"""Every write to published results: loading the shipped data, importing a year's table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from parindex.benchmark import shipped, table
from parindex.benchmark.models import (
    DomainResult,
    Origin,
    Province,
    ProvinceResult,
    ResultYear,
    Source,
)
from parindex.benchmark.provinces import known
from parindex.lib import archives
from parindex.lib.text import clean
from parindex.orgs import access, audit
from parindex.orgs.models import SuccessionKind, User

# The length of the text columns a loaded or imported text goes into.
MAX_TEXT = 255


class ImportRefused(ValueError):
    """Nothing was saved; `problems` name every bad line."""

    def __init__(self, problems: Sequence[table.Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass
class ImportOutcome:
    year: ResultYear
    saved: int
    skipped: list[table.Problem] = field(default_factory=list)


# --- the national list of provinces -----------------------------------------------------------


@transaction.atomic
def load_provinces(*, by: User | None = None) -> int:
    """Create or update the 97 entries of the national list and their 2025 mapping; returns
    how many were created."""
    specs = shipped.read_provinces()
    created = 0
    by_code: dict[str, Province] = {}
    for spec in specs:
        province, was_created = Province.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "short_name": spec.short_name,
                "official_code": spec.official_code,
                "valid_from": spec.valid_from,
                "valid_to": spec.valid_to,
                "aliases": list(spec.aliases),
            },
        )
        created += was_created
        by_code[spec.code] = province
    for spec in specs:
        links = [(c, SuccessionKind.MERGED) for c in spec.formed_from]
        if spec.renamed_from:
            links.append((spec.renamed_from, SuccessionKind.RENAMED))
        for code, kind in links:
            old = by_code[code]
            old.successor = by_code[spec.code]
            old.succession_kind = kind
            old.succession_basis = spec.basis
            old.save(update_fields=["successor", "succession_kind", "succession_basis"])
    if created:
        audit.record(
            by,
            "results.provinces_loaded",
            by_code[specs[0].code],
            changes={"created": created, "total": len(specs)},
        )
    return created


def ensure_provinces() -> None:
    if not Province.objects.exists():
        load_provinces()


def province_count(year: int) -> int:
    return Province.objects.in_year(year).count()


# --- the shipped results ----------------------------------------------------------------------


@transaction.atomic
def load_published_results(*, by: User | None = None) -> list[int]:
    """Load results.yaml: every year not replaced by an imported official table is rewritten
    from the file (so loading twice changes nothing). Returns the years loaded."""
    load_provinces(by=by)
    spec = shipped.read_results()
    sources = {
        key: Source.objects.update_or_create(key=key, defaults={"url": url[:500]})[0]
        for key, url in spec.sources.items()
    }
    loaded: list[int] = []
    for year_spec in spec.years:
        existing = ResultYear.objects.filter(year=year_spec.year).first()
        if existing is not None and existing.origin == Origin.IMPORTED:
            continue
        of = province_count(year_spec.year)
        finder = table.matcher(known(p) for p in Province.objects.in_year(year_spec.year))
        year, _created = ResultYear.objects.update_or_create(
            year=year_spec.year,
            defaults={
                "methodology": year_spec.methodology[:MAX_TEXT],
                "publication": year_spec.publication[:MAX_TEXT],
                "announced_on": year_spec.announced_on,
                "national_average": year_spec.average,
                "average_derived": year_spec.average_derived,
                "province_count": of,
                "partial": len(year_spec.rows) < of,
                "origin": Origin.SHIPPED,
                "facts": _plain(year_spec.facts),
                "source": None,
                "note": "",
            },
        )
        year.results.all().delete()
        for line, row in enumerate(year_spec.rows, start=1):
            match = finder(row.name)
            if match is None:
                raise ValueError(f"results.yaml, {year_spec.year}: unknown province {row.name!r}")
            result = ProvinceResult.objects.create(
                year=year,
                province=Province.objects.get(code=match.code),
                score=row.score,
                rank=row.rank,
                derived=row.derived,
                rank_derived=row.rank_derived,
                source=sources.get(row.source),
                note=row.note,
                conflict=row.conflict,
                line=line,
                **row.parts,
            )
            DomainResult.objects.bulk_create(
                DomainResult(
                    result=result,
                    domain=d.domain,
                    label=d.label[:MAX_TEXT],
                    score=d.score,
                    maximum=d.maximum,
                    rank=d.rank,
                    source=sources.get(d.source),
                    note=d.note,
                )
                for d in row.domains
            )
        loaded.append(year.year)
    if loaded:
        first = ResultYear.objects.get(year=loaded[0])
        audit.record(by, "results.loaded", first, changes={"years": loaded})
    return loaded


def _plain(value: object) -> object:
    """YAML values as JSON can hold them (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- importing a year's official table --------------------------------------------------------


def parse_upload(data: bytes, filename: str, *, year: int) -> tuple[table.ParsedTable, int]:
    """Read and check a table against the provinces of `year`; nothing is written."""
    ensure_provinces()
    of = province_count(year)
    provinces = [known(p) for p in Province.objects.in_year(year)]
    try:
        with archives.time_limit():
            lines, problems = table.read_lines(data, filename)
            if problems:
                return table.ParsedTable(problems=problems), of
            return table.read_table(lines, provinces, of=of), of
    except archives.ReadTooLong:
        seconds = f"{archives.READ_SECONDS:g}"
        problem = table.Problem("", "read_too_long", {"name": filename, "seconds": seconds})
        return table.ParsedTable(problems=[problem]), of


def import_results(
    data: bytes,
    filename: str,
    *,
    year: int,
    by: User | None,
    source: str = "",
    skip_bad_rows: bool = False,
) -> ImportOutcome:
    """Replace `year`'s table by the official one in the file.

    Every bad line is reported and nothing is saved, unless `skip_bad_rows` is chosen: then the
    good lines are saved and the bad ones returned in `skipped`. A file that cannot be read at
    all, or has no good line, is refused either way."""
    if by is not None and not access.can_import_results(by):
        raise PermissionDenied
    if not 1990 <= year <= 2100:
        raise ImportRefused([table.Problem("", "year_range", {"year": year})])
    label = clean(source)
    if len(label) > MAX_TEXT:
        # Longer text is refused, never cut.
        raise ImportRefused([table.Problem("", "source_too_long", {"limit": MAX_TEXT})])
    parsed, of = parse_upload(data, filename, year=year)
    fatal = [p for p in parsed.problems if not p.where]
    if fatal or (parsed.problems and not skip_bad_rows) or not parsed.rows:
        raise ImportRefused(parsed.problems or [table.Problem("", "no_rows")])
    label = label or clean(filename)[:MAX_TEXT] or "pasted table"
    with transaction.atomic():
        stamp = timezone.now()
        record = Source.objects.create(key=f"import-{year}-{stamp:%Y%m%d%H%M%S%f}", title=label)
        before = ResultYear.objects.filter(year=year).first()
        previous = {"origin": before.origin, "rows": before.results.count()} if before else None
        result_year, _created = ResultYear.objects.update_or_create(
            year=year,
            defaults={
                "province_count": of,
                "partial": len(parsed.rows) < of,
                "origin": Origin.IMPORTED,
                "source": record,
                "imported_by": by,
            },
        )
        result_year.results.all().delete()
        provinces = {p.code: p for p in Province.objects.in_year(year)}
        ProvinceResult.objects.bulk_create(
            ProvinceResult(
                year=result_year,
                province=provinces[row.province.code],
                score=row.score,
                rank=row.rank,
                source=record,
                line=row.line,
                **row.parts,
            )
            for row in parsed.rows
        )
        audit.record(
            by,
            "results.imported",
            result_year,
            changes={
                "year": year,
                "rows": len(parsed.rows),
                "skipped": len(parsed.bad_lines),
                "source": label,
                "replaced": previous,
            },
        )
    return ImportOutcome(result_year, len(parsed.rows), parsed.problems)
