"""`parindex assessment score | list | results`: scoring and assessments from the command line.

    parindex assessment score --tree TREE --inputs INPUTS.json [--json]   # no database needed
    parindex assessment list [--province CODE] [--year YEAR]
    parindex assessment results ID [--json] (--as USERNAME | --all)
    parindex assessment survey ID RESULTS.csv --as USERNAME
    parindex assessment survey ID --from-survey CODE --as USERNAME
    parindex assessment dossiers ID [--period 2020] --as USERNAME

`score` is the scoring engine's command (parindex/scoring/management/commands/assessment.py);
this command extends it with the assessments stored in the database, and takes its place
because the assessment app comes before the scoring app in INSTALLED_APPS. `results` names its
reader as the exports do: `--as USERNAME` shows what that person may see and refuses the rest;
`--all` reads everything, as the server's operator, and records it in the audit log.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from parindex.assessment import results as pure
from parindex.assessment.actions import SurveyResult, enter_survey_results, read_number
from parindex.assessment.reading import results_of
from parindex.exports.actions import record_full_export
from parindex.exports.command_line import add_reader_arguments, reader
from parindex.lib.numbers import round_half_up
from parindex.orgs import access
from parindex.orgs.audit import channel
from parindex.orgs.models import User
from parindex.scoring.management.commands.assessment import BAD_INPUT
from parindex.scoring.management.commands.assessment import Command as ScoreCommand

SUBCOMMANDS = "{score,list,results,survey,dossiers}"
# The columns of a survey results file; value is the rate in percent, or give its counts.
SURVEY_COLUMNS = ("unit", "code", "value", "numerator", "denominator", "source")


class Command(ScoreCommand):
    help = "Score criteria trees; list assessments and print their results and ranking."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        sub.metavar = SUBCOMMANDS
        listing = sub.add_parser(
            "list",
            help="List assessments with their ids, years, units and states.",
            description="List assessments, newest year first.",
        )
        listing.add_argument("--province", help="Only this province's assessments (its code).")
        listing.add_argument("--year", type=int, help="Only the assessments of this year.")
        shown = sub.add_parser(
            "results",
            help="Print an assessment's results: ranking, totals, classes, change on last year.",
            description=(
                "Print the results of an assessment: each unit's rank (ties share a rank), "
                "self-assessed, appraised and final totals, class and change on last year; "
                "--json adds the domains and the points lost per sub-criterion. Points are "
                "exact decimal strings in JSON; the table rounds half-up to 2 places."
            ),
        )
        shown.add_argument("assessment", type=int, help="Assessment id (see `list`).")
        shown.add_argument("--json", action="store_true", help="Print the results as JSON.")
        add_reader_arguments(shown)

        survey = sub.add_parser(
            "survey",
            help="Enter the survey results of survey-based sub-criteria from a CSV file.",
            description=(
                "Read a CSV file (UTF-8, comma-separated, with a header row) of columns "
                + ", ".join(SURVEY_COLUMNS)
                + ": the unit's organisation code, the sub-criterion's code, the rate in percent "
                "(value) or its numerator and denominator, and where the figure comes from. "
                "All rows are entered or none: a bad row is named and nothing is saved. Runs as "
                "the coordinator given with --as, and is recorded in the audit log."
            ),
        )
        survey.add_argument("assessment", type=int, help="Assessment id (see `list`).")
        survey.add_argument("file", nargs="?", help="The CSV file.")
        survey.add_argument(
            "--from-survey",
            metavar="CODE",
            help=(
                "Instead of a file, take the figures of this satisfaction survey for the "
                "sub-criteria mapped to its factors (docs/surveys.md): the province's for the "
                "province, each agency's own for an agency assessed."
            ),
        )
        survey.add_argument(
            "--as", dest="username", required=True, help="The coordinator entering the results."
        )

        dossiers = sub.add_parser(
            "dossiers",
            help="Enter the rate sub-criteria mapped to dossier rates from the dossier records.",
            description=(
                "Compute the rates of the province's one-stop-shop dossiers for the period and "
                "enter them, as numerator and denominator, into the sub-criteria mapped to "
                'dossier rates (docs/dossiers.md, "Feeding targets and criteria"): the '
                "province's rates for the province, each agency's own codes' for an agency "
                "assessed. Entries already appraised are left as they are. Runs as the "
                "coordinator given with --as, and is recorded in the audit log."
            ),
        )
        dossiers.add_argument("assessment", type=int, help="Assessment id (see `list`).")
        dossiers.add_argument(
            "--period",
            default="",
            help=(
                "2020, 2020H1, 2020Q3 or 2020-01-01..2020-06-30 (default: the assessment's "
                "year), cut at the latest dossier date in it."
            ),
        )
        dossiers.add_argument(
            "--as", dest="username", required=True, help="The coordinator entering the rates."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("cli"):
            super().handle(*args, **options)

    def _list(self, options: dict[str, Any]) -> None:
        from parindex.assessment.models import Assessment

        found = Assessment.objects.select_related("province", "framework").order_by(
            "-year", "title", "-pk"
        )
        if options["province"]:
            found = found.filter(province__code=options["province"])
        if options["year"]:
            found = found.filter(year=options["year"])
        rows = list(found)
        if not rows:
            self.stdout.write("No assessments.")
            return
        for assessment in rows:
            units = assessment.units.count()
            self.stdout.write(
                f"{assessment.pk:>5}  {assessment.year}  {assessment.province.code:<12} "
                f"{assessment.scope:<12} {assessment.status:<10} {units:>4} units  "
                f"{assessment.framework.code} v{assessment.framework.version}  {assessment.title}"
            )

    def _survey(self, options: dict[str, Any]) -> None:
        from parindex.assessment.models import Assessment

        person = User.objects.filter(username=options["username"], is_active=True).first()
        if person is None:
            raise _fail(f"no active person with username {options['username']!r}")
        assessment = access.assessments_for(person).filter(pk=options["assessment"]).first()
        if assessment is None:
            raise _fail(f"assessment {options['assessment']} not found")
        assessment = Assessment.objects.get(pk=assessment.pk)
        if bool(options["file"]) == bool(options["from_survey"]):
            raise _fail("give either a results file or --from-survey CODE")
        try:
            if options["from_survey"]:
                count = self._from_survey(assessment, person, options["from_survey"])
            else:
                organisations = dict(
                    assessment.units.values_list("organisation__code", "organisation_id")
                )
                rows = read_survey_file(Path(options["file"]), organisations)
                count = enter_survey_results(assessment, by=person, results=rows)
        except PermissionDenied:
            raise _fail(f"{person.username} may not enter survey results here") from None
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(f"error: {message}")
            raise _fail(
                f"{options['file'] or options['from_survey']}: nothing was entered"
            ) from None
        self.stdout.write(f"{count} survey results entered in {assessment.title}.")

    def _dossiers(self, options: dict[str, Any]) -> None:
        from parindex.assessment.models import Assessment
        from parindex.forecasting.dossier_feeds import fill_from_dossiers

        person = User.objects.filter(username=options["username"], is_active=True).first()
        if person is None:
            raise _fail(f"no active person with username {options['username']!r}")
        found = access.assessments_for(person).filter(pk=options["assessment"]).first()
        if found is None:
            raise _fail(f"assessment {options['assessment']} not found")
        assessment = Assessment.objects.select_related("framework", "province").get(pk=found.pk)
        try:
            count = fill_from_dossiers(assessment, by=person, period=options["period"])
        except PermissionDenied:
            raise _fail(f"{person.username} may not enter rates here") from None
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(f"error: {message}")
            raise _fail("nothing was entered") from None
        self.stdout.write(f"{count} rates computed from dossiers entered in {assessment.title}.")

    def _from_survey(self, assessment: Any, person: User, code: str) -> int:
        from parindex.forecasting.satisfaction import fill_from_survey

        survey = access.surveys_for(person).filter(code=code).first()
        if survey is None:
            raise _fail(f"survey {code} not found")
        return fill_from_survey(assessment, survey, by=person)

    def _results(self, options: dict[str, Any]) -> None:
        from parindex.assessment.models import Assessment

        try:
            user = reader(options)
        except CommandError as error:
            raise _fail(str(error)) from None
        found = access.assessments_for(user).filter(pk=options["assessment"]).first()
        if found is None or not access.can_read_results(user, found):
            raise _fail(
                f"assessment {options['assessment']}: not found, or its results are not "
                f"{user.username}'s to read"
            )
        assessment = Assessment.objects.select_related("framework").get(pk=found.pk)
        if options["everything"]:
            record_full_export(
                "assessment-results",
                "json" if options["json"] else "text",
                {"assessment": str(assessment.pk)},
                province=assessment.province_id,
            )
        computed = results_of(assessment)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    results_json(assessment.pk, assessment.title, computed),
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(results_table(assessment.title, computed))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _shown(value: Decimal | None) -> str:
    return "" if value is None else format(round_half_up(value), "f")


def results_json(assessment_id: int, title: str, computed: pure.Results) -> dict[str, Any]:
    """The results as scripts read them: exact decimal strings, units in rank order."""
    return {
        "assessment": assessment_id,
        "title": title,
        "max": _text(computed.maximum),
        "units": [
            {
                "rank": r.rank,
                "organisation_id": r.organisation_id,
                "name": r.name,
                "status": r.status,
                "self": _text(r.self_total),
                "appraised": _text(r.appraised_total),
                "final": _text(r.final_total),
                "final_display": _shown(r.final_total),
                "percent": _text(r.percent),
                "class": r.classification,
                "previous": _text(r.previous_total),
                "change": _text(r.change),
                "domains": {
                    d.code: {
                        "self": _text(d.self_points),
                        "appraised": _text(d.appraised_points),
                        "final": _text(d.final_points),
                        "max": _text(d.max_points),
                    }
                    for d in r.domains
                },
                "lost": {p.code: _text(p.lost) for p in r.lost},
            }
            for r in computed.units
        ],
    }


def results_table(title: str, computed: pure.Results) -> str:
    rows = [("rank", "unit", "self", "appraised", "final", "class", "change")]
    for r in computed.units:
        change = "" if r.change is None else f"{'+' if r.change > 0 else ''}{_shown(r.change)}"
        rows.append(
            (
                str(r.rank),
                r.name if len(r.name) <= 40 else r.name[:39] + "…",
                _shown(r.self_total),
                _shown(r.appraised_total),
                _shown(r.final_total),
                r.classification,
                change,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [title, f"max {_shown(computed.maximum)}"]
    for row in rows:
        lines.append(
            f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}  {row[4]:>{widths[4]}}  {row[5]:<{widths[5]}}  {row[6]}".rstrip()
        )
    return "\n".join(lines)


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def read_survey_file(path: Path, organisations: dict[str, int]) -> list[SurveyResult]:
    """The rows of a survey results file; a CommandError names the first bad row."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise _fail(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise _fail(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"unit", "code"} - set(reader.fieldnames or ())
    if missing:
        raise _fail(f"{path}: the header must name the columns {', '.join(SURVEY_COLUMNS)}")
    rows: list[SurveyResult] = []
    for line, row in enumerate(reader, start=2):
        code = (row.get("unit") or "").strip()
        if code not in organisations:
            raise _fail(f"{path}, line {line}: {code!r} is not a unit of this assessment")
        try:
            figures = [read_number(row.get(k)) for k in ("value", "numerator", "denominator")]
        except ValueError as error:
            raise _fail(f"{path}, line {line}: {error}") from None
        rows.append(
            SurveyResult(
                organisation_id=organisations[code],
                code=(row.get("code") or "").strip(),
                value=figures[0],
                numerator=figures[1],
                denominator=figures[2],
                source=row.get("source") or "",
            )
        )
    return rows
