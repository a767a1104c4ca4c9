"""`parindex dossiers import|mapping|agencies|settings|form`: one-stop-shop dossiers.

Contracts (docs/dossiers.md):
  parindex dossiers import FILE [--source NAME] [--mapping NAME] [--province CODE]
      [--skip-bad-rows]
  parindex dossiers mapping --source NAME [--name NAME] COLUMN=TARGET ...
      [--value FIELD:SOURCE=TARGET ...]
  parindex dossiers agencies [--set CODE=ORG_CODE ...]
  parindex dossiers settings [--carried-over-from start-day|after-start-day] [--on-time-rate
      resolved|due]
  parindex dossiers form --period 2024Q2 [--agency CODE] --format xlsx|csv|json [-o FILE]
      → [{"agency": "000.00.12.H37", "period": "2024Q2", "tong_so": 812, ...,
          "ty_le_dung_han": 0.9532, ..., "matched": true}, ...]
Bad arguments exit with status 2 and a message on standard error; a refused import with 1.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parindex.dossiers import actions, forms, reading
from parindex.dossiers.messages import describe
from parindex.dossiers.store import connect
from parindex.exports import registry
from parindex.exports.actions import record_full_export
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.audit import channel
from parindex.orgs.models import Organisation, OrgKind, User

BAD_ARGUMENT = 2


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_ARGUMENT)


def _invalid(error: ValidationError) -> CommandError:
    if hasattr(error, "message_dict"):
        return _bad("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()))
    return _bad(" ".join(error.messages))


def _province(code: str | None) -> Organisation:
    provinces = Organisation.objects.filter(kind=OrgKind.PROVINCE)
    if code:
        found = provinces.filter(code=code).first()
        if found is None:
            raise _bad(f"--province {code}: no such province")
        return found
    present = list(provinces.filter(valid_to__isnull=True)[:2])
    if len(present) != 1:
        raise _bad("--province CODE: say which province's dossiers")
    return present[0]


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _bad(f"{pair}: give {what}")
        pairs[key.strip()] = value.strip()
    return pairs


class Command(BaseCommand):
    help = "One-stop-shop dossiers: import, mappings, agency codes, settings, the form."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand",
            required=True,
            metavar="{import,mapping,agencies,settings,form,check}",
        )
        imp = sub.add_parser(
            "import", help="Import a dossier file (CSV, XLSX, Parquet); all or nothing."
        )
        imp.add_argument("file")
        imp.add_argument("--source", default="", help="The source system (its saved mapping).")
        imp.add_argument("--mapping", help="A named mapping of the source (default: 'default').")
        imp.add_argument("--province", help="The province's code (needed if there are several).")
        imp.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows and list the refused ones instead of refusing the file.",
        )
        mapping = sub.add_parser(
            "mapping", help="Save how a source system names columns and writes values."
        )
        mapping.add_argument("--source", required=True)
        mapping.add_argument("--name", default="default")
        mapping.add_argument("--province")
        mapping.add_argument(
            "columns",
            nargs="*",
            metavar="COLUMN=TARGET",
            help="TARGET: ma_ho_so, co_quan, ma_tthc, kenh_thuc_hien, muc_do, tra_kq_bcci, "
            "trang_thai, ngay_tiep_nhan, ngay_hen_tra, ngay_ket_thuc_xu_ly, or empty to leave "
            "the column out.",
        )
        mapping.add_argument(
            "--value",
            action="append",
            default=[],
            metavar="FIELD:SOURCE=TARGET",
            help="e.g. trang_thai:7=DA_GIAI_QUYET or kenh_thuc_hien:DVC=2 (repeat).",
        )
        agencies = sub.add_parser(
            "agencies", help="Agency codes of the records, their organisations and dossiers."
        )
        agencies.add_argument("--province")
        agencies.add_argument(
            "--set", action="append", default=[], metavar="CODE=ORG_CODE", help="(repeat)"
        )
        agencies.add_argument("--json", action="store_true")
        settings = sub.add_parser("settings", help="Show or change where provinces differ.")
        settings.add_argument("--province")
        settings.add_argument("--carried-over-from", choices=("start-day", "after-start-day"))
        settings.add_argument("--on-time-rate", choices=("resolved", "due"))
        check = sub.add_parser(
            "check",
            help="Check the store: missing files, dossier codes stored twice, the monthly summaries.",
        )
        check.add_argument("--province")
        form = sub.add_parser("form", help="The form Biểu số 06/VPCP/KSTT per agency.")
        form.add_argument("--period", required=True, help="2024Q2, 2024H1, 2024 or A..B")
        form.add_argument("--agency", help="One agency code as the records give it.")
        form.add_argument("--province")
        form.add_argument(
            "--groups",
            action="store_true",
            help="Add rows for the province, its departments and each district with its "
            "communes (agency group:province, group:departments, group:<district code>).",
        )
        form.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
        form.add_argument("-o", "--output", help="The file to write (standard output without).")
        form.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="What this person may see (their agency's codes only, for agency staff).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("cli"):
            getattr(self, "_" + options["subcommand"])(options)

    def _import(self, options: dict[str, Any]) -> None:
        province = _province(options["province"])
        path = Path(options["file"])
        if not path.is_file():
            raise _bad(f"{path}: no such file")
        try:
            run = actions.import_dossiers(
                province,
                path,
                by=None,
                filename=path.name,
                source=options["source"],
                mapping=options["mapping"],
                skip_bad_rows=options["skip_bad_rows"],
            )
        except ValidationError as error:
            raise _invalid(error) from None
        except actions.ImportRefused as refused:
            for problem in refused.run.problems:
                self.stderr.write(describe(problem, refused.run.filename))
            raise CommandError(
                f"{refused.run.message} (import {refused.run.pk})", returncode=1
            ) from None
        for problem in run.problems:
            self.stderr.write(describe(problem, run.filename))
        self.stdout.write(
            f"{run.filename}: {run.rows} rows read, {run.inserted} dossiers added, "
            f"{run.updated} updated, {run.refused_rows} rows refused, {run.warnings} warnings "
            f"(import {run.pk})"
        )

    def _mapping(self, options: dict[str, Any]) -> None:
        province = _province(options["province"])
        columns = _pairs(options["columns"], "COLUMN=TARGET")
        values: dict[str, dict[str, str]] = {}
        for text in options["value"]:
            field, sep, rest = text.partition(":")
            source, eq, target = rest.partition("=")
            if not sep or not eq or not field.strip() or not source.strip():
                raise _bad(f"--value {text}: give FIELD:SOURCE=TARGET")
            values.setdefault(field.strip(), {})[source.strip()] = target.strip()
        try:
            saved = actions.save_mapping(
                province,
                by=None,
                source=options["source"],
                name=options["name"],
                columns=columns,
                values=values,
            )
        except ValidationError as error:
            raise _invalid(error) from None
        count = sum(len(v) for v in values.values())
        self.stdout.write(
            f"mapping {saved.source}/{saved.name} saved: {len(columns)} columns, {count} values"
        )

    def _agencies(self, options: dict[str, Any]) -> None:
        province = _province(options["province"])
        if options["set"]:
            try:
                actions.set_agency_codes(
                    province, by=None, codes=_pairs(options["set"], "CODE=ORG_CODE")
                )
            except ValidationError as error:
                raise _invalid(error) from None
        found = reading.matches(province)
        if options["json"]:
            rows = [
                {
                    "code": m.code,
                    "organisation": m.organisation.code if m.organisation else None,
                    "how": m.how or None,
                    "dossiers": m.dossiers,
                }
                for m in found.values()
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        unmatched = [m for m in found.values() if not m.matched]
        for m in sorted(unmatched, key=lambda m: (-m.dossiers, m.code)):
            self.stdout.write(f"{m.code}\t{m.dossiers}\tunmatched")
        for m in found.values():
            if m.matched:
                assert m.organisation is not None
                self.stdout.write(f"{m.code}\t{m.dossiers}\t{m.organisation.code} ({m.how})")
        self.stdout.write(f"{len(unmatched)} of {len(found)} codes unmatched")

    def _settings(self, options: dict[str, Any]) -> None:
        province = _province(options["province"])
        current = reading.kpi_setting(province)
        if options["carried_over_from"] or options["on_time_rate"]:
            carried = current.carried_over_from_start_day
            if options["carried_over_from"]:
                carried = options["carried_over_from"] == "start-day"
            try:
                current = actions.save_kpi_settings(
                    province,
                    by=None,
                    carried_over_from_start_day=carried,
                    on_time_rate=options["on_time_rate"] or current.on_time_rate,
                )
            except ValidationError as error:
                raise _invalid(error) from None
        boundary = "start-day" if current.carried_over_from_start_day else "after-start-day"
        self.stdout.write(
            f"{province.code}: carried over from {boundary}, on-time rate {current.on_time_rate}"
        )

    def _check(self, options: dict[str, Any]) -> None:
        province = _province(options["province"])
        store = reading.store_for(province)
        missing = store.check()
        with connect() as con:
            twice = store.duplicates(con)
        for name in missing:
            self.stderr.write(f"missing file: {store.root / name}")
        for code, count in twice:
            self.stderr.write(f"dossier {code} is stored {count} times")
        partitions = store.partitions()
        summaries = (
            "monthly summaries up to date"
            if store.summary() is not None or not partitions
            else "no monthly summaries yet (the next import writes them)"
        )
        self.stdout.write(
            f"{province.code}: {sum(partitions.values())} dossiers in {len(partitions)} "
            f"partitions, generation {store.manifest().generation}, {summaries}"
        )
        if missing or twice:
            raise CommandError("the store needs attention", returncode=1)

    def _reader(self, options: dict[str, Any], province: Organisation) -> AnyUser:
        if options["username"]:
            person = User.objects.filter(username=options["username"], is_active=True).first()
            if person is None:
                raise _bad(f"--as {options['username']}: no active person with that username")
            if not access.dossier_provinces_for(person).filter(pk=province.pk).exists():
                raise _bad(f"--province {province.code}: not {person.username}'s to read")
            return person
        params = {"province": province.code, "period": options["period"]}
        if options["agency"]:
            params["agency"] = options["agency"]
        record_full_export("dossier-form", options["format"], params, province=province)
        return registry.system_user()

    def _form(self, options: dict[str, Any]) -> None:
        province = _province(options["province"])
        reader = self._reader(options, province)
        fmt = options["format"]
        if fmt == "json":
            try:
                rows = forms.form_rows(
                    reader,
                    province,
                    options["period"],
                    options["agency"],
                    groups=options["groups"],
                )
            except forms.FormError as error:
                raise _bad(str(error)) from None
            for problem in forms.identity_problems(province, rows):
                self.stderr.write(f"identity broken: {problem}")
            content = (
                json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2) + "\n"
            ).encode("utf-8")
        else:
            params = {"province": province.code, "period": options["period"]}
            if options["agency"]:
                params["agency"] = options["agency"]
            if options["groups"]:
                params["groups"] = "1"
            try:
                content = registry.render("dossier-form", fmt, user=reader, params=params).content
            except registry.ExportError as error:
                raise _bad(str(error)) from None
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stdout.write(f"written to {options['output']}")
        elif fmt == "xlsx":
            raise _bad("-o FILE: an XLSX workbook is written to a file")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
