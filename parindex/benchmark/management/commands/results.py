"""`parindex results show|rank|import|load|years`: published national results of all provinces.

Contracts (docs/results.md):
  parindex results show --year 2019 --province lao-cai-1991 --json
    → {"score": "82.85", "rank": 15, "of": 63, "parts": {...}, "source": {...}, ...}
  parindex results rank --year 2020 --score 88.00 --json
    → {"rank": 4, "of": 63, "partial": true, "exact": true, ...}
Bad arguments exit with status 2 and a message on standard error.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parindex.benchmark import actions, figures, provinces
from parindex.benchmark.messages import describe_finding, describe_problem
from parindex.benchmark.models import ResultYear
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.orgs.audit import channel

BAD_ARGUMENT = 2


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_ARGUMENT)


def _year(text: str) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise _bad(f"--year {text}: give a year such as 2019")
    return int(text)


class Command(BaseCommand):
    help = "Published PAR INDEX results of all provinces: show, rank, import, load, years."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{show,rank,import,load,years}"
        )
        show = sub.add_parser("show", help="A province's published result in a year.")
        show.add_argument("--year", required=True)
        show.add_argument(
            "--province",
            required=True,
            help="Organisation code (lao-cai-1991), ranked-province code (lao-cai) or name.",
        )
        show.add_argument("--json", action="store_true", help="Print JSON.")
        rank = sub.add_parser(
            "rank", help="The rank a score would have had in a year's published table."
        )
        rank.add_argument("--year", required=True)
        rank.add_argument("--score", required=True, help="Score, e.g. 88.00 or 88,00.")
        rank.add_argument("--json", action="store_true", help="Print JSON.")
        imp = sub.add_parser(
            "import",
            help="Import a year's official table (XLSX, CSV or text); nothing is saved on error.",
        )
        imp.add_argument("file", help="Path to the file, or - for standard input.")
        imp.add_argument("--year", required=True)
        imp.add_argument("--source", default="", help="Where the table was published.")
        imp.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Save the good rows and list the bad ones instead of refusing the table.",
        )
        sub.add_parser("load", help="Load the published results shipped with parindex.")
        years = sub.add_parser("years", help="The years with published results.")
        years.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("cli"):
            getattr(self, "_" + options["subcommand"])(options)

    def _print_json(self, value: Any) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2))

    def _show(self, options: dict[str, Any]) -> None:
        year = _year(options["year"])
        try:
            province = provinces.find(options["province"], year=year)
        except provinces.UnknownProvince as unknown:
            hint = (
                f" (did you mean {', '.join(unknown.suggestions)}?)" if unknown.suggestions else ""
            )
            raise _bad(f"--province {unknown.text}: no such province{hint}") from None
        try:
            result = figures.result_of(ResultYear.objects.all(), year, province)
        except figures.NoSuchYear as missing:
            raise _bad(self._no_year(missing)) from None
        except figures.NoResult as none:
            if none.reason == "did_not_exist":
                formed = ", ".join(
                    f"{p.code} ({p.short_name})" for p in provinces.predecessors(province)
                )
                raise _bad(
                    f"{province.short_name} ({province.code}) did not exist in {year}"
                    + (f"; it was formed from {formed}" if formed else "")
                ) from None
            partial = " (that year's table is partial)" if none.reason == "not_in_table" else ""
            raise _bad(
                f"no published result for {province.short_name} in {year}{partial}"
            ) from None
        data = figures.result_json(result)
        if options["json"]:
            self._print_json(data)
            return
        rank = f", rank {data['rank']}/{data['of']}" if data["rank"] is not None else ""
        self.stdout.write(f"{data['province']['name']} {year}: {data['score'] or '—'}{rank}")
        for name, value in data["parts"].items():
            self.stdout.write(f"  {name}: {value}")
        if data["source"]:
            self.stdout.write(f"source: {data['source']['url'] or data['source']['title']}")

    def _no_year(self, missing: figures.NoSuchYear) -> str:
        known = ", ".join(str(y) for y in missing.known) or "none; run `parindex results load`"
        return f"--year {missing.year}: no published results (years known: {known})"

    def _rank(self, options: dict[str, Any]) -> None:
        year = _year(options["year"])
        try:
            score = parse_decimal(options["score"])
        except (NumberFormatError, ValueError, ArithmeticError):
            raise _bad(f"--score {options['score']}: give a score such as 88.00") from None
        if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
            raise _bad(f"--score {options['score']}: a score lies between 0 and 100")
        try:
            data = figures.rank_json(ResultYear.objects.all(), year, score)
        except figures.NoSuchYear as missing:
            raise _bad(self._no_year(missing)) from None
        if options["json"]:
            self._print_json(data)
            return
        note = "" if data["exact"] else " (at best: the year's table is partial)"
        self.stdout.write(f"{data['score']} in {year}: rank {data['rank']}/{data['of']}{note}")

    def _import(self, options: dict[str, Any]) -> None:
        year = _year(options["year"])
        path = options["file"]
        if path == "-":
            data, name = sys.stdin.buffer.read(settings.PARINDEX_MAX_IMPORT_BYTES + 1), "stdin.txt"
        else:
            file = Path(path)
            if not file.is_file():
                raise _bad(f"{path}: no such file")
            if file.stat().st_size > settings.PARINDEX_MAX_IMPORT_BYTES:
                raise _bad(
                    f"{path}: larger than {settings.PARINDEX_MAX_IMPORT_BYTES // 1_000_000} MB"
                )
            data, name = file.read_bytes(), file.name
        if len(data) > settings.PARINDEX_MAX_IMPORT_BYTES:
            raise _bad(f"{name}: larger than {settings.PARINDEX_MAX_IMPORT_BYTES // 1_000_000} MB")
        try:
            outcome = actions.import_results(
                data,
                name,
                year=year,
                by=None,
                source=options["source"],
                skip_bad_rows=options["skip_bad_rows"],
            )
        except actions.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(describe_problem(problem))
            raise CommandError("nothing was imported", returncode=1) from None
        for problem in outcome.skipped:
            self.stderr.write("skipped: " + describe_problem(problem))
        self.stdout.write(
            f"{outcome.saved} provinces imported for {year}"
            + (" (partial table)" if outcome.year.partial else "")
        )
        table = figures.year_table(ResultYear.objects.all(), year)
        for finding in table.findings:
            self.stdout.write("finding: " + describe_finding(finding))

    def _load(self, options: dict[str, Any]) -> None:
        years = actions.load_published_results(by=None)
        self.stdout.write(
            "published results loaded for " + (", ".join(map(str, years)) or "no year")
        )

    def _years(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "year": y.year,
                "of": y.province_count,
                "partial": y.partial,
                "provinces": y.results.count(),
                "origin": y.origin,
            }
            for y in ResultYear.objects.order_by("year")
        ]
        if options["json"]:
            self._print_json(rows)
            return
        for row in rows:
            partial = " partial" if row["partial"] else ""
            self.stdout.write(f"{row['year']}: {row['provinces']}/{row['of']}{partial}")
