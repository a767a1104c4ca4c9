"""`parindex export NAME --format xlsx -o FILE --as USERNAME`: the same exports as the screens."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.exports.registry import ExportError, exporters, render
from parindex.orgs.models import User


class Command(BaseCommand):
    help = "Run a registered export as a given person (their access applies)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", nargs="?", help="Export name; omit to list them.")
        parser.add_argument("--format", default="xlsx", choices=["csv", "xlsx", "docx"])
        parser.add_argument("--output", "-o", help="Output file (default NAME-DATE.FORMAT).")
        parser.add_argument("--as", dest="username", help="Run with this person's access.")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="e.g. as_of=11/06/2020",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["name"]:
            for exporter in exporters():
                hints = ", ".join(f"{k} ({v})" for k, v in exporter.params.items())
                self.stdout.write(
                    f"{exporter.name:<20} {exporter.title()}  [{'/'.join(exporter.formats)}]  {hints}"
                )
            return
        if not options["username"]:
            raise CommandError(
                "--as USERNAME is required: an export shows what that person may see"
            )
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active person with username {options['username']!r}")
        params: dict[str, str] = {}
        for item in options["param"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--param {item!r}: write KEY=VALUE")
            params[key] = value
        try:
            result = render(options["name"], options["format"], user=user, params=params)
        except ExportError as error:
            raise CommandError(str(error)) from None
        path = Path(options["output"] or result.filename)
        path.write_bytes(result.content)
        self.stdout.write(f"wrote {path} ({len(result.content)} bytes)")
