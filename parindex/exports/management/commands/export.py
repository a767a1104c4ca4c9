"""`parindex export NAME --format xlsx -o FILE (--as USERNAME | --all)`: the same exports as the
screens, read as a named person or, audited, as the operator (see `exports.command_line`)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.exports.actions import record_full_export
from parindex.exports.command_line import add_reader_arguments, reader
from parindex.exports.registry import ExportError, exporters, render


class Command(BaseCommand):
    help = (
        "Run a registered export as a given person (--as: their access applies) or over "
        "everything (--all: recorded in the audit log)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", nargs="?", help="Export name; omit to list them.")
        parser.add_argument("--format", default="xlsx", choices=["csv", "xlsx", "docx"])
        parser.add_argument("--output", "-o", help="Output file (default NAME-DATE.FORMAT).")
        add_reader_arguments(parser)
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
        user = reader(options)
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
        if options["everything"]:
            record_full_export(options["name"], options["format"], params)
        path = Path(options["output"] or result.filename)
        path.write_bytes(result.content)
        self.stdout.write(f"wrote {path} ({len(result.content)} bytes)")
