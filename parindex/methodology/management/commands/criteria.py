"""`parindex criteria import FILE`, `parindex criteria export`, `parindex criteria list`, `... check FILE`."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.methodology import actions, store
from parindex.methodology.formats.xlsx import export_xlsx
from parindex.methodology.formats.yaml_format import dump_yaml
from parindex.methodology.importing import read_tree
from parindex.methodology.messages import describe
from parindex.methodology.models import Framework
from parindex.methodology.tree import Level
from parindex.orgs.audit import channel
from parindex.orgs.models import Organisation, OrgKind


class Command(BaseCommand):
    help = "Import, check, list and export criteria trees."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{import,check,list,export}"
        )
        imp = sub.add_parser(
            "import",
            help="Import a tree from YAML, XLSX, DOCX, PDF or table text; nothing is saved on error.",
        )
        imp.add_argument(
            "file", help="Path to the file, or - for standard input (table text or YAML)."
        )
        imp.add_argument("--province", help="Province code; omit for a national framework.")
        imp.add_argument(
            "--name", default="", help="Name of the tree (when the file does not give one)."
        )
        imp.add_argument("--code", default="", help="Short code (slug) of the tree.")
        imp.add_argument("--level", choices=[lv.value for lv in Level], help="Level assessed.")
        imp.add_argument("--total", default="", help="Declared total, e.g. 100.")
        chk = sub.add_parser("check", help="Read and validate a file without saving anything.")
        chk.add_argument("file")
        lst = sub.add_parser("list", help="List the stored trees.")
        lst.add_argument("--province", help="Province code.")
        exp = sub.add_parser("export", help="Export a stored tree as YAML or XLSX.")
        exp.add_argument(
            "framework", nargs="?", help="Tree id or code (latest version); omit to list choices."
        )
        exp.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
        exp.add_argument("--output", "-o", help="Output file (default: standard output for YAML).")

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("cli"):
            getattr(self, "_" + options["subcommand"])(options)

    def _read(self, path: str) -> tuple[bytes, str]:
        if path == "-":
            return sys.stdin.buffer.read(), "stdin.txt"
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        return file.read_bytes(), file.name

    def _report(self, problems: list[Any]) -> None:
        for p in problems:
            self.stderr.write(
                f"{p.severity.value}: {describe(p)}"
                + (f" [{p.where}]" if p.where and p.where not in describe(p) else "")
            )

    def _import(self, options: dict[str, Any]) -> None:
        data, name = self._read(options["file"])
        result = read_tree(data, name)
        province = None
        if options["province"]:
            province = Organisation.objects.filter(
                code=options["province"], kind=OrgKind.PROVINCE
            ).first()
            if province is None:
                raise CommandError(f"no province with code {options['province']!r}")
        overrides: dict[str, Any] = {"name": options["name"], "code": options["code"]}
        if options["level"]:
            overrides["level"] = Level(options["level"])
        if options["total"]:
            from parindex.lib.numbers import parse_decimal

            overrides["declared_total"] = parse_decimal(options["total"])
        try:
            framework = actions.import_framework(
                result, by=None, province=province, overrides=overrides
            )
        except actions.ImportRefused as refused:
            if any(
                p.kind == "missing_field" and p.param("field") == "name" for p in refused.problems
            ):
                # A table (XLSX, DOCX, PDF, text) rarely carries the tree's name: say where it goes.
                raise CommandError(
                    f"{options['file']}: the file does not give the tree's name; give it with "
                    f'--name, e.g. --name "Bộ chỉ số CCHC cấp sở 2025" (and --code for its short '
                    "code); nothing was saved"
                ) from None
            self._report(refused.problems)
            raise CommandError(
                f"{options['file']}: {len(refused.problems)} problem(s); nothing was saved"
            ) from None
        self._report(result.warnings)
        self._report(actions.stored_problems(framework))
        self.stdout.write(
            f"imported #{framework.pk} {framework.code} v{framework.version}: {framework.nodes.count()} criteria, status {framework.status}"
        )

    def _check(self, options: dict[str, Any]) -> None:
        data, name = self._read(options["file"])
        result = read_tree(data, name)
        self._report(result.problems)
        if not result.ok:
            raise CommandError(f"{options['file']}: malformed ({len(result.errors)} error(s))")
        state = "complete" if not result.gaps else f"a draft with {len(result.gaps)} gap(s)"
        self.stdout.write(
            f"{options['file']}: {len(result.spec.nodes) if result.spec else 0} criteria, {state}"
        )

    def _list(self, options: dict[str, Any]) -> None:
        frameworks = Framework.objects.select_related("province").order_by("code", "version")
        if options["province"]:
            frameworks = frameworks.filter(province__code=options["province"])
        for f in frameworks:
            where = f.province.code if f.province else "national"
            self.stdout.write(f"{f.pk:>5}  {f.code} v{f.version}  [{f.status}]  {where}  {f.name}")

    def _export(self, options: dict[str, Any]) -> None:
        ref = options["framework"]
        if not ref:
            self._list({"province": None})
            raise CommandError("name the tree to export by id or code")
        framework = (
            Framework.objects.filter(pk=int(ref)).first()
            if ref.isdigit()
            else Framework.objects.filter(code=ref).order_by("-version").first()
        )
        if framework is None:
            raise CommandError(f"no criteria tree {ref!r}")
        spec = store.spec_from_framework(framework)
        if options["format"] == "yaml":
            text = dump_yaml(spec)
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        if not options["output"]:
            raise CommandError("XLSX needs --output FILE")
        Path(options["output"]).write_bytes(export_xlsx(spec))
        self.stdout.write(f"wrote {options['output']}")
