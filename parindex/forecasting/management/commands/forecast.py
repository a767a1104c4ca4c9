"""`parindex forecast`: the year's forecast of a province's index, its rank and the points at
stake; `--set CODE=VALUE` adds a what-if (nothing is saved).

Contract (docs/forecast.md):
  parindex forecast --province lao-cai-1991 --year 2020 --json
    → {"worst": {"score": ..., "rank": ...}, "expected": {...}, "best": {...}, "goal": {...},
       "at_stake": [...], ...}
  parindex forecast --province lao-cai-1991 --year 2020 --set 3.4.1=96 --json
    → the same, with "what_if": {"score": ..., "rank": ..., "change": ..., ...}
Bad arguments exit with status 2 and a message on standard error. The command is the
operator's: it reads the province's data as an administrator does.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.forecasting import gather, reading
from parindex.lib.text import fold
from parindex.orgs.models import Organisation, OrgKind

BAD_ARGUMENT = 2


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_ARGUMENT)


def find_province(text: str, year: int) -> Organisation:
    """A province organisation by its code (lao-cai-1991) or its name, accents or not; a name
    shared by the province before and after a merger is read as the one of `year`."""
    wanted = text.strip()
    provinces = Organisation.objects.filter(kind=OrgKind.PROVINCE)
    found = provinces.filter(code=wanted.lower()).first()
    if found is not None:
        return found
    wanted_key = _key(wanted)
    named = [p for p in provinces if wanted_key in (_key(p.name), _key(p.short_name or ""))]
    if len(named) > 1:
        in_year = provinces.filter(pk__in=[p.pk for p in named]).as_of(date(year, 12, 31))
        named = list(in_year) or named
    if len(named) == 1:
        return named[0]
    codes = ", ".join(sorted(p.code for p in named or provinces))
    raise _bad(f"--province {text}: no such province; give one of: {codes}")


def _key(name: str) -> str:
    folded = fold(name)
    for prefix in ("tinh ", "thanh pho "):
        folded = folded.removeprefix(prefix)
    return folded


class Command(BaseCommand):
    help = "The year's forecast of a province's PAR INDEX: scenarios, rank, points at stake."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--province", required=True, help="Province code (lao-cai-1991) or name."
        )
        parser.add_argument("--year", required=True)
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="CODE=VALUE",
            help="What if a sub-criterion had this value (a number in its unit, or a band's "
            "label); repeat for several. Nothing is saved.",
        )
        parser.add_argument(
            "--stakes", type=int, default=10, help="How many points-at-stake lines to print."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["year"]
        if not text.isdigit() or not 1990 <= int(text) <= 2100:
            raise _bad(f"--year {text}: give a year such as 2020")
        year = int(text)
        province = find_province(options["province"], year)
        try:
            data = gather.build(province, year)
        except gather.NoForecast as none:
            raise _bad(f"{province.code} {year}: {none.reason}") from None
        out = reading.forecast_json(data)
        if options["set"]:
            raw: dict[str, object] = {}
            for item in options["set"]:
                code, sep, value = item.partition("=")
                if not sep or not code.strip():
                    raise _bad(f"--set {item}: write CODE=VALUE, e.g. 3.4.1=96")
                raw[code.strip()] = value.strip()
            changes, problems = reading.parse_changes(data, raw)
            if problems:
                raise _bad("; ".join(f"--set {p.message}" for p in problems))
            out["what_if"] = reading.what_if_json(data, changes, [])
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self._print(out, options["stakes"])

    def _print(self, out: dict[str, Any], stakes: int) -> None:
        write = self.stdout.write
        write(f"{out['province']['name']} {out['year']} (figures to {out['as_of'] or '—'})")
        for name in ("worst", "expected", "best"):
            scenario = out[name]
            rank = scenario["rank"]
            where = (
                f", rank {'' if scenario['rank_exact'] else '≥ '}{rank}/{scenario['of']}"
                if rank is not None
                else ""
            )
            write(f"  {name:<9} {scenario['score']:>6}{where}")
        goal = out["goal"]
        if goal["score"] or goal["rank"]:
            write(f"  goal      {goal['score'] or '—':>6}, rank ≤ {goal['rank'] or '—'}")
        if "what_if" in out:
            what = out["what_if"]
            write(f"  what if   {what['score']:>6} ({what['change']}), rank {what['rank']}")
        if out["at_stake"] and stakes > 0:
            write("Points at stake:")
            for item in out["at_stake"][:stakes]:
                agency = item["agency"]["name"] if item["agency"] else "—"
                write(
                    f"  {item['code']:<7} {item['recoverable']:>5} of {item['max']:<5} "
                    f"{item['name'][:60]} · {agency}"
                )
