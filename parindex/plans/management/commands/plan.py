"""`parindex plan parse FILE --json` and `parindex plan import FILE --province CODE`."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from parindex.orgs.audit import channel
from parindex.orgs.models import Organisation, OrgKind
from parindex.plans import actions
from parindex.plans.parsing import parse_document
from parindex.plans.warnings import describe_warning


class Command(BaseCommand):
    help = "Read plan documents: print the proposal, or create the plan directly."
    # Parsing needs no database; the checks would open one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{parse,import}")
        parse = sub.add_parser(
            "parse", help="Read a plan (.docx, .html, .txt, PDF) and print what was found."
        )
        parse.add_argument("file", help="Path, or - for text on standard input.")
        parse.add_argument(
            "--json", action="store_true", help="Print the proposal as JSON (docs/plan-import.md)."
        )
        imp = sub.add_parser(
            "import", help="Read a plan and create it with its targets, without the review screen."
        )
        imp.add_argument("file")
        imp.add_argument("--province", required=True, help="Province code, e.g. lao-cai-1991.")
        imp.add_argument(
            "--framework",
            type=int,
            help="Criteria tree id (default: the province's valid tree for the plan's year).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data, name = self._read(options["file"])
        if options["subcommand"] == "parse":
            self._parse(data, name, as_json=options["json"])
        else:
            with channel("cli"):
                self._import(data, name, options)

    def _read(self, path: str) -> tuple[bytes, str]:
        if path == "-":
            return sys.stdin.buffer.read(), "stdin.txt"
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        return file.read_bytes(), file.name

    def _parse(self, data: bytes, name: str, *, as_json: bool) -> None:
        proposal = parse_document(data, name)
        payload = proposal.to_json()
        if as_json:
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{payload.get('number') or '?'} — {payload.get('title') or '?'} ({payload.get('year') or '?'})"
        )
        for area in payload["areas"]:
            leads = "; ".join(area.get("lead") or []) or "?"
            self.stdout.write(f"  {area['number']}. {area['title']}  [{leads}]")
            for target in area["targets"]:
                quantities = ", ".join(
                    f"{q['comparator']} {q['value']}{'–' + str(q['value_high']) if q.get('value_high') is not None else ''} {q['unit']}"
                    for q in target["quantities"]
                )
                self.stdout.write(
                    f"    - {target['text'][:90]}{'  → ' + quantities if quantities else ''}"
                )
        for warning in payload.get("warnings") or []:
            self.stderr.write(describe_warning(warning))

    def _import(self, data: bytes, name: str, options: dict[str, Any]) -> None:
        province = Organisation.objects.filter(
            code=options["province"], kind=OrgKind.PROVINCE
        ).first()
        if province is None:
            raise CommandError(f"no province with code {options['province']!r}")
        try:
            with transaction.atomic():
                staged = actions.stage_plan(by=None, province=province, filename=name, data=data)
                if options["framework"]:
                    from parindex.methodology.models import Framework

                    framework = Framework.objects.filter(pk=options["framework"]).first()
                    if framework is None:
                        raise CommandError(f"no criteria tree #{options['framework']}")
                    staged = actions.save_review(
                        staged,
                        by=None,
                        proposal=staged.proposal,
                        framework=framework,
                        revision=staged.revision,
                    )
                plan = actions.approve_import(staged, by=None)
        except actions.NotAPlan as refusal:
            raise CommandError(str(refusal)) from None
        except actions.DuplicatePlan as duplicate:
            raise CommandError(
                f"{duplicate} Nothing was saved; the existing plan is #{duplicate.plan.pk} "
                f"(/plans/{duplicate.plan.pk}/)."
            ) from None
        except ValidationError as refusal:
            for message in refusal.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{name}: the plan needs review; nothing was saved (use the web review screen)"
            ) from None
        self.stdout.write(
            f"created plan #{plan.pk} {plan.number} ({plan.year}): {plan.areas.count()} areas, {plan.targets.count()} targets"
        )
