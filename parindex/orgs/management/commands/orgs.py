"""`parindex orgs list --as-of 2020-06-11`: the organisation tree as it was on a date."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parindex.lib.dates import parse_date
from parindex.orgs.hierarchy import tree_rows
from parindex.orgs.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Show organisations as of a date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{list}")
        lst = sub.add_parser("list", help="List provinces and their agencies valid on a date.")
        lst.add_argument("--as-of", help="Date (yyyy-mm-dd or dd/mm/yyyy); default today.")
        lst.add_argument("--province", help="Province code.")
        lst.add_argument("--kind", choices=OrgKind.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        provinces = Organisation.objects.provinces().as_of(day).order_by("name")
        if options["province"]:
            provinces = provinces.filter(code=options["province"])
        for province in provinces:
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
