"""`parindex orgs list --as-of 2020-06-11`: the organisation tree as it was on a date (today if
no date is given). `parindex orgs load --province "Lào Cai"`: create a province as it is since
1 July 2025, with its communes and wards, from the national list of administrative units."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parindex.lib.collation import vi_sorted
from parindex.lib.dates import parse_date
from parindex.orgs import actions, admin_units
from parindex.orgs.audit import channel
from parindex.orgs.hierarchy import tree_rows
from parindex.orgs.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Show organisations as of a date; load a province's present structure."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{list,load}")
        lst = sub.add_parser("list", help="List provinces and their agencies valid on a date.")
        lst.add_argument("--as-of", help="Date (yyyy-mm-dd or dd/mm/yyyy); default today.")
        lst.add_argument("--province", help="Province code.")
        lst.add_argument("--kind", choices=OrgKind.values)
        load = sub.add_parser(
            "load",
            help="Create a province as it is since 01/07/2025 with its communes and wards.",
        )
        load.add_argument(
            "--province",
            required=True,
            help='Name ("Lào Cai", "lao cai", "Thành phố Hà Nội") or official code ("15").',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "load":
            self._load(options["province"])
            return
        try:
            day = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        provinces = Organisation.objects.provinces().as_of(day)
        if options["province"]:
            provinces = provinces.filter(code=options["province"])
        for province in vi_sorted(provinces, key=lambda p: p.name):
            self.stdout.write(f"{province.name} [{province.code}] — {day:%d/%m/%Y}")
            agencies = (
                Organisation.objects.filter(province=province).as_of(day).select_related("parent")
            )
            if options["kind"]:
                agencies = agencies.filter(kind=options["kind"])
            for org, depth in tree_rows(agencies, province.pk):
                indent = "  " * (depth + 1)
                until = f" (until {org.valid_to:%d/%m/%Y})" if org.valid_to else ""
                self.stdout.write(
                    f"{indent}{org.get_kind_display():<32} {org.code:<28} {org.name}{until}"
                )

    def _load(self, query: str) -> None:
        try:
            unit = admin_units.find_province(query)
            if unit is None:
                raise CommandError(self._unknown(query))
            with channel("cli"):
                result = actions.load_province_structure(by=None, unit=unit)
        except admin_units.AdminUnitsUnavailable as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        province = result.province
        communes = Organisation.objects.filter(province=province, kind=OrgKind.COMMUNE).as_of(
            admin_units.REORGANISED_ON
        )
        where = f"{province.name} [{province.code}], official code {unit.code}"
        if not result.changed:
            self.stdout.write(
                f"Nothing to change: {where} is already loaded "
                f"({communes.count()} communes and wards)."
            )
        else:
            self.stdout.write(
                f"Loaded {where}, valid from {admin_units.REORGANISED_ON:%d/%m/%Y}: "
                f"{len(result.created)} organisations created "
                f"({result.communes} communes and wards; {communes.count()} in all)."
            )
            for old in result.linked:
                successors = ", ".join(s.successor.name for s in old.successions_out.all())
                self.stdout.write(f"  {old.name} [{old.code}] → {successors}")
        for old in result.unmatched:
            self.stdout.write(
                f"  No successor known for {old.name} [{old.code}]; link it on its page if needed."
            )

    def _unknown(self, query: str) -> str:
        message = f"No province named {query!r} since 01/07/2025."
        merged = admin_units.was_merged_into(query)
        if merged is not None:
            return f"{message} {query} was merged into {merged.name} (code {merged.code}) on 01/07/2025."
        near = admin_units.close_matches(query)
        if near:
            names = ", ".join(f"{p.short_name} ({p.code})" for p in near)
            return f"{message} Did you mean: {names}?"
        return f"{message} Give a province name or its official code (01–96)."
