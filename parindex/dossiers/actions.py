"""Every write about dossiers: imports into the store, source mappings, agency codes, KPI
settings. Each checks permission, checks its input like every other channel and is audited."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import duckdb
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parindex.dossiers import importing
from parindex.dossiers.models import (
    AgencyCode,
    DossierImport,
    ImportStatus,
    KpiSetting,
    OnTimeRate,
    SourceMapping,
)
from parindex.dossiers.reading import store_for
from parindex.dossiers.store import MergeOutcome, StoreBusy, StoreDamaged, connect
from parindex.lib.text import clean
from parindex.orgs import access
from parindex.orgs.audit import record
from parindex.orgs.models import Organisation, OrgKind, User

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


# Told the phase ("reading", "checking", "writing") and the share of the import done (0 to 1),
# for a progress bar; the phases are weighted by what they take on a large file.
Progress = Callable[[str, float], None]


class ImportRefused(ValueError):
    """Nothing reached the store; `run` records why (its `message` and `problems`)."""

    def __init__(self, run: DossierImport) -> None:
        super().__init__(run.message)
        self.run = run


def _slug(value: str, field: str) -> str:
    value = clean(value)
    if not _SLUG.match(value) or len(value) > 64:
        raise ValidationError(
            {field: _("Use lower-case letters and digits joined by - or _, such as motcua-vnpt.")}
        )
    return value


def find_mapping(province: Organisation, source: str, name: str | None) -> SourceMapping | None:
    """The mapping an import names (`name`), or the source's `default` one if it has one."""
    if name:
        found = SourceMapping.objects.filter(province=province, source=source, name=name).first()
        if found is None:
            raise ValidationError(
                {
                    "mapping": _("The source %(source)s has no mapping named %(name)s.")
                    % {"source": source or "-", "name": name}
                }
            )
        return found
    if source:
        return SourceMapping.objects.filter(
            province=province, source=source, name="default"
        ).first()
    return None


def import_dossiers(
    province: Organisation,
    path: Path,
    *,
    by: User | None,
    filename: str = "",
    source: str = "",
    mapping: str | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> DossierImport:
    """Import a dossier file (CSV, XLSX or Parquet) into the province's store.

    The file's rows are checked first; a row with a refusing problem (docs/dossiers.md, "Data
    problems") refuses the whole file unless `skip_bad_rows`, in which case the accepted rows
    are imported and the others listed. Either every accepted row reaches the store or none
    does. The run is recorded either way; ImportRefused carries it when nothing was imported.
    `progress`, when given, is told how far the import is (a page's progress bar)."""
    if by is not None and not access.can_manage_dossiers(by, province.pk):
        raise PermissionDenied(_("You may not import dossiers for this province."))
    if province.kind != OrgKind.PROVINCE:
        raise ValidationError({"province": _("Dossiers are imported for a province.")})
    filename = clean(filename or path.name)[:255] or "-"
    if source:
        source = _slug(source, "source")
    chosen = find_mapping(province, source, mapping)
    spec = importing.ColumnMap(
        columns=dict(chosen.columns) if chosen else {},
        values={k: dict(v) for k, v in (chosen.values or {}).items()} if chosen else {},
    )
    run = DossierImport.objects.create(
        province=province,
        source=source,
        mapping=chosen.name if chosen else "",
        filename=filename,
        status=ImportStatus.REFUSED,
        skip_bad_rows=skip_bad_rows,
        created_by=by,
        created_by_name=str(by) if by is not None else "",
    )

    def refuse(message: str) -> ImportRefused:
        run.message = message
        run.save(
            update_fields=["message", "rows", "accepted", "refused_rows", "warnings", "problems"]
        )
        record(
            by,
            "dossiers.import.refuse",
            run,
            province=province,
            changes={"file": filename, "message": message},
        )
        return ImportRefused(run)

    with connect() as con:
        try:
            if progress:
                progress("reading", 0.0)
            names = importing.read_file(con, path, filename)
            if progress:
                progress("checking", 0.4)
            staged = importing.stage(con, names, spec, source=source, import_run=run.pk)
        except importing.FileRefused as refused:
            raise refuse(str(refused)) from None
        except duckdb.Error as error:
            # Whatever else the reader stumbles on is still the file's problem, said in a line.
            first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            raise refuse(f"{filename}: not readable as dossiers ({first})") from None
        run.rows = staged.rows
        run.accepted = staged.accepted
        run.refused_rows = staged.refused
        run.warnings = staged.warnings
        run.problems = [p.as_dict() for p in staged.problems]
        if staged.rows == 0:
            raise refuse(_("%(file)s has no dossier rows.") % {"file": filename})
        if staged.refused and not skip_bad_rows:
            raise refuse(
                _(
                    "%(file)s: %(count)s rows have problems that keep them out; nothing was "
                    "imported. Correct them, or import the other rows and leave these out."
                )
                % {"file": filename, "count": staged.refused}
            )
        if staged.accepted == 0:
            raise refuse(_("%(file)s: no row could be imported.") % {"file": filename})
        if progress:
            progress("writing", 0.6)

        def written(done: int, total: int) -> None:
            if progress:
                progress("writing", 0.6 + 0.4 * done / max(total, 1))

        def finish(outcome: MergeOutcome) -> None:
            # Recorded before the store's manifest is swapped: a failure here leaves the store
            # as it was, and the database's transaction is undone with it.
            run.status = ImportStatus.DONE
            run.inserted = outcome.inserted
            run.updated = outcome.updated
            run.partitions = list(outcome.partitions)
            run.generation = outcome.generation
            run.save()
            record(
                by,
                "dossiers.import",
                run,
                province=province,
                changes={
                    "file": filename,
                    "source": source,
                    "rows": run.rows,
                    "inserted": run.inserted,
                    "updated": run.updated,
                    "refused": run.refused_rows,
                    "warnings": run.warnings,
                },
            )

        try:
            with transaction.atomic():
                store_for(province).merge(con, "_staged", before_swap=finish, progress=written)
        except (StoreBusy, StoreDamaged, OSError) as error:
            raise refuse(f"{filename}: {error}") from None
    return run


class Upload(Protocol):
    """What an uploaded file offers (Django's UploadedFile does)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def import_upload(
    province: Organisation,
    upload: Upload,
    *,
    by: User | None,
    source: str = "",
    mapping: str | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> DossierImport:
    """`import_dossiers` for a file sent from the screen: written to a temporary file as it
    comes (never whole in memory), refused past PARINDEX_MAX_DOSSIER_BYTES."""
    if by is not None and not access.can_manage_dossiers(by, province.pk):
        raise PermissionDenied(_("You may not import dossiers for this province."))
    limit = settings.PARINDEX_MAX_DOSSIER_BYTES
    name = Path(upload.name or "").name or "upload"
    too_large = ValidationError(
        {"file": _("The file is larger than %(mb)s MB.") % {"mb": limit // 1_000_000}}
    )
    if (upload.size or 0) > limit:
        raise too_large
    handle, temporary = tempfile.mkstemp(prefix="parindex-upload-")
    try:
        written = 0
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:
                    raise too_large
                out.write(chunk)
        return import_dossiers(
            province,
            Path(temporary),
            by=by,
            filename=name,
            source=source,
            mapping=mapping,
            skip_bad_rows=skip_bad_rows,
            progress=progress,
        )
    finally:
        Path(temporary).unlink(missing_ok=True)


@transaction.atomic
def save_mapping(
    province: Organisation,
    *,
    by: User | None,
    source: str,
    name: str = "default",
    columns: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> SourceMapping:
    """Save (or replace) how a source system's exports name the columns and write values."""
    if by is not None and not access.can_manage_dossiers(by, province.pk):
        raise PermissionDenied(_("You may not change this province's dossier mappings."))
    source = _slug(source, "source")
    name = _slug(name or "default", "name")
    cleaned_columns = {clean(k)[:200]: clean(v) for k, v in columns.items() if clean(k)}
    cleaned_values = {
        clean(t): {clean(s)[:200]: clean(c) for s, c in vs.items()}
        for t, vs in (values or {}).items()
    }
    problems = importing.check_mapping(importing.ColumnMap(cleaned_columns, cleaned_values))
    if problems:
        raise ValidationError({"columns": problems})
    saved, created = SourceMapping.objects.update_or_create(
        province=province,
        source=source,
        name=name,
        defaults={"columns": cleaned_columns, "values": cleaned_values, "updated_by": by},
    )
    record(
        by,
        "dossiers.mapping.save",
        saved,
        province=province,
        changes={"columns": cleaned_columns, "values": cleaned_values, "new": created},
    )
    return saved


@transaction.atomic
def set_agency_codes(
    province: Organisation, *, by: User | None, codes: Mapping[str, str]
) -> list[AgencyCode]:
    """Match agency codes of the records to the province's organisations (code → organisation
    code; an empty organisation code removes the match)."""
    if by is not None and not access.can_manage_dossiers(by, province.pk):
        raise PermissionDenied(_("You may not change this province's agency codes."))
    organisations = {
        o.code: o
        for o in Organisation.objects.filter(province=province).exclude(kind=OrgKind.PROVINCE)
    }
    problems = []
    for code, target in codes.items():
        if not clean(code) or len(clean(code)) > 100:
            problems.append(_("%(code)s: an agency code is 1 to 100 characters.") % {"code": code})
        elif target and target not in organisations:
            problems.append(
                _("%(code)s=%(org)s: the province has no organisation with the code %(org)s.")
                % {"code": code, "org": target}
            )
    if problems:
        raise ValidationError({"codes": problems})
    saved = []
    for code, target in codes.items():
        row, _created = AgencyCode.objects.update_or_create(
            province=province,
            code=clean(code),
            defaults={
                "organisation": organisations.get(target) if target else None,
                "updated_by": by,
            },
        )
        record(
            by,
            "dossiers.agency_code.set",
            row,
            province=province,
            changes={"code": row.code, "organisation": target or None},
        )
        saved.append(row)
    return saved


@transaction.atomic
def save_kpi_settings(
    province: Organisation,
    *,
    by: User | None,
    carried_over_from_start_day: bool,
    on_time_rate: str,
) -> KpiSetting:
    if by is not None and not access.can_manage_dossiers(by, province.pk):
        raise PermissionDenied(_("You may not change this province's dossier settings."))
    if on_time_rate not in OnTimeRate.values:
        raise ValidationError(
            {
                "on_time_rate": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(OnTimeRate.values)}
            }
        )
    saved, _created = KpiSetting.objects.update_or_create(
        province=province,
        defaults={
            "carried_over_from_start_day": carried_over_from_start_day,
            "on_time_rate": on_time_rate,
            "updated_by": by,
        },
    )
    record(
        by,
        "dossiers.settings.save",
        saved,
        province=province,
        changes={
            "carried_over_from_start_day": carried_over_from_start_day,
            "on_time_rate": on_time_rate,
        },
    )
    return saved
