"""`parindex survey create|import|indices|load-default`: citizen satisfaction surveys.

Contracts (docs/surveys.md):
  parindex survey create --code CODE --questionnaire sipas-default --province lao-cai-1991 \
      --from 2020-01-01 --to 2020-12-31
  parindex survey import FILE --survey CODE [--skip-bad-rows] [--mapping NAME]
  parindex survey mapping --survey CODE --name NAME COLUMN=TARGET ...
  parindex survey volumes FILE --survey CODE      (agency, period, dossiers)
  parindex survey questionnaire-import FORM.xlsx | questionnaire-export CODE -o FORM.xlsx
  parindex survey indices --survey CODE --json [--period 2020Q2]
    → [{"agency": "so-y-te", "factor": "staff", "n": 281, "satisfied": 262, "share": "0.9324",
        "ci95": ["0.8968", "0.9563"], "mean": "4.41"}, ...]
Bad arguments exit with status 2 and a message on standard error; a refused import with 1.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parindex.exports.actions import record_full_export
from parindex.orgs import access
from parindex.orgs.access import Access
from parindex.orgs.audit import channel
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.surveys import actions, indices, stats, xlsform
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import Questionnaire, Survey
from parindex.surveys.questions import QuestionnaireError
from parindex.surveys.reading import spec_of

BAD_ARGUMENT = 2
# A responses file larger than this is not one province's survey.
MAX_FILE = 100_000_000


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_ARGUMENT)


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(f"{option} {text}: give a date such as 2020-01-01") from None


def _survey(code: str) -> Survey:
    survey = Survey.objects.select_related("province", "questionnaire").filter(code=code).first()
    if survey is None:
        raise _bad(f"--survey {code}: no such survey")
    return survey


class Command(BaseCommand):
    help = "Citizen satisfaction surveys: create, import responses, indices, load-default."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand",
            required=True,
            metavar=(
                "{create,import,mapping,volumes,indices,comments,load-default,"
                "questionnaire-import,questionnaire-export}"
            ),
        )
        create = sub.add_parser("create", help="Run a questionnaire for a province over dates.")
        create.add_argument("--code", required=True, help="The survey's code, e.g. sipas-2020.")
        create.add_argument("--questionnaire", required=True, help="e.g. sipas-default")
        create.add_argument("--province", required=True, help="The province's code.")
        create.add_argument("--from", dest="starts_on", required=True, help="First day.")
        create.add_argument("--to", dest="ends_on", required=True, help="Last day.")
        create.add_argument("--title", default="")
        imp = sub.add_parser(
            "import", help="Import responses (flat CSV or XLSX); nothing is saved on error."
        )
        imp.add_argument("file", help="Path to the file, or - for standard input.")
        imp.add_argument("--survey", required=True)
        imp.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Save the good rows and list the bad ones instead of refusing the file.",
        )
        imp.add_argument("--mapping", help="A saved column mapping's name (see `mapping`).")
        mapping = sub.add_parser(
            "mapping",
            help="Save how another tool's export names the columns (COLUMN=TARGET ...).",
        )
        mapping.add_argument("--survey", required=True)
        mapping.add_argument("--name", required=True)
        mapping.add_argument(
            "columns",
            nargs="+",
            metavar="COLUMN=TARGET",
            help="TARGET: agency, submitted_at, dossier_code, a question code, or empty to skip.",
        )
        vol = sub.add_parser(
            "volumes",
            help="Set agencies' dossier volumes (columns agency, period, dossiers; CSV or XLSX).",
        )
        vol.add_argument("file")
        vol.add_argument("--survey", required=True)
        com = sub.add_parser("comments", help="Free-text answers per agency, grouped by keyword.")
        com.add_argument("--survey", required=True)
        com.add_argument("--period", help="A quarter, e.g. 2020Q2; the whole survey without.")
        com.add_argument("--json", action="store_true", help="Print JSON.")
        com.add_argument("--as", dest="username", metavar="USERNAME")
        ind = sub.add_parser("indices", help="Satisfaction per agency and factor.")
        ind.add_argument("--survey", required=True)
        ind.add_argument("--period", help="A quarter, e.g. 2020Q2; the whole survey without.")
        ind.add_argument("--json", action="store_true", help="Print JSON.")
        ind.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="Show what this person may see (their agency's rows only, for agency staff).",
        )
        sub.add_parser("load-default", help="Store the shipped sipas-default questionnaire.")
        qimp = sub.add_parser(
            "questionnaire-import", help="Store a questionnaire from an XLSForm workbook."
        )
        qimp.add_argument("file")
        qexp = sub.add_parser(
            "questionnaire-export", help="Write a questionnaire as an XLSForm workbook."
        )
        qexp.add_argument("code")
        qexp.add_argument("--version", type=int, help="The newest version without.")
        qexp.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("cli"):
            getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _load_default(self, options: dict[str, Any]) -> None:
        questionnaire = actions.load_default_questionnaire(by=None)
        count = questionnaire.questions.count()
        self.stdout.write(f"{questionnaire}: {count} questions")

    def _questionnaire_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise _bad(f"{path}: no such file")
        if path.stat().st_size > MAX_FILE:
            raise _bad(f"{path}: larger than {MAX_FILE // 1_000_000} MB")
        try:
            questionnaire = actions.import_xlsform(path.read_bytes(), by=None)
        except QuestionnaireError as error:
            raise CommandError(f"{path}: {error}", returncode=1) from None
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)}", returncode=1) from None
        count = questionnaire.questions.count()
        self.stdout.write(f"{questionnaire}: {count} questions")

    def _questionnaire_export(self, options: dict[str, Any]) -> None:
        found = Questionnaire.objects.filter(code=options["code"])
        if options["version"] is not None:
            found = found.filter(version=options["version"])
        questionnaire = found.order_by("-version").first()
        if questionnaire is None:
            raise _bad(f"{options['code']}: no such questionnaire")
        Path(options["output"]).write_bytes(xlsform.write_xlsform(spec_of(questionnaire)))
        self.stdout.write(f"{questionnaire} written to {options['output']}")

    def _create(self, options: dict[str, Any]) -> None:
        starts_on = _day("--from", options["starts_on"])
        ends_on = _day("--to", options["ends_on"])
        questionnaire = actions.latest_questionnaire(options["questionnaire"])
        if questionnaire is None:
            raise _bad(f"--questionnaire {options['questionnaire']}: no such questionnaire")
        province = Organisation.objects.filter(
            kind=OrgKind.PROVINCE, code=options["province"]
        ).first()
        if province is None:
            raise _bad(f"--province {options['province']}: no such province")
        try:
            survey = actions.create_survey(
                by=None,
                code=options["code"],
                questionnaire=questionnaire,
                province=province,
                starts_on=starts_on,
                ends_on=ends_on,
                title=options["title"],
            )
        except ValidationError as error:
            raise _bad(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(
            f"survey {survey.code} created: {questionnaire} for {province.code}, "
            f"{starts_on.isoformat()} to {ends_on.isoformat()}"
        )

    def _import(self, options: dict[str, Any]) -> None:
        survey = _survey(options["survey"])
        name = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read(MAX_FILE + 1)
        else:
            path = Path(name)
            if not path.is_file():
                raise _bad(f"{name}: no such file")
            if path.stat().st_size > MAX_FILE:
                raise _bad(f"{name}: larger than {MAX_FILE // 1_000_000} MB")
            data = path.read_bytes()
        if len(data) > MAX_FILE:
            raise _bad(f"{name}: larger than {MAX_FILE // 1_000_000} MB")
        mapping = None
        if options["mapping"]:
            mapping = survey.mappings.filter(name=options["mapping"]).first()
            if mapping is None:
                raise _bad(f"--mapping {options['mapping']}: no such mapping for {survey.code}")
        try:
            outcome = actions.import_responses(
                data,
                Path(name).name,
                survey=survey,
                by=None,
                skip_bad_rows=options["skip_bad_rows"],
                mapping=mapping,
            )
        except actions.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(describe_problem(problem))
            raise CommandError("nothing was imported", returncode=1) from None
        for problem in outcome.skipped:
            self.stderr.write("skipped: " + describe_problem(problem))
        self.stdout.write(f"{outcome.saved} responses imported into {survey.code}")

    def _mapping(self, options: dict[str, Any]) -> None:
        survey = _survey(options["survey"])
        columns: dict[str, str] = {}
        for pair in options["columns"]:
            column, sep, target = pair.partition("=")
            if not sep or not column.strip():
                raise _bad(f"{pair}: give COLUMN=TARGET")
            columns[column.strip()] = target.strip()
        try:
            saved = actions.save_mapping(survey, by=None, name=options["name"], columns=columns)
        except ValidationError as error:
            raise _bad(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(f"mapping {saved.name} saved for {survey.code}: {len(columns)} columns")

    def _volumes(self, options: dict[str, Any]) -> None:
        survey = _survey(options["survey"])
        path = Path(options["file"])
        if not path.is_file():
            raise _bad(f"{path}: no such file")
        if path.stat().st_size > MAX_FILE:
            raise _bad(f"{path}: larger than {MAX_FILE // 1_000_000} MB")
        try:
            count = actions.import_volumes(path.read_bytes(), path.name, survey=survey, by=None)
        except actions.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(describe_problem(problem))
            raise CommandError("nothing was imported", returncode=1) from None
        self.stdout.write(f"{count} volumes set for {survey.code}")

    def _reader(self, options: dict[str, Any], survey: Survey, what: str) -> User:
        """The person named by --as, or the operator, whose read of every agency is logged."""
        period = options["period"]
        if period and not indices.PERIOD.match(period):
            raise _bad(f"--period {period}: give a quarter such as 2020Q2")
        if options["username"]:
            person = User.objects.filter(username=options["username"], is_active=True).first()
            if person is None:
                raise _bad(f"--as {options['username']}: no active person with that username")
            if not access.surveys_for(person).filter(pk=survey.pk).exists():
                raise _bad(f"--survey {survey.code}: not {person.username}'s to read")
            return person
        params = {"survey": survey.code, **({"period": period} if period else {})}
        record_full_export(
            what, "json" if options["json"] else "text", params, province=survey.province_id
        )
        return _operator()

    def _comments(self, options: dict[str, Any]) -> None:
        survey = _survey(options["survey"])
        reader = self._reader(options, survey, "survey-comments")
        found = indices.free_text(reader, survey, period=options["period"] or None)
        if options["json"]:
            data = {
                agency: [
                    {"keyword": g.keyword, "count": g.count, "answers": list(g.answers)}
                    for g in groups
                ]
                for agency, groups in found.items()
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for agency, groups in found.items():
            self.stdout.write(agency)
            for g in groups:
                self.stdout.write(f"  {g.keyword or '(other)'} ({g.count})")
                for text in g.answers:
                    self.stdout.write(f"    - {text}")

    def _indices(self, options: dict[str, Any]) -> None:
        survey = _survey(options["survey"])
        reader = self._reader(options, survey, "survey-indices")
        found = indices.survey_indices(reader, survey, period=options["period"] or None)
        if options["json"]:
            rows = [stats.as_text(row) for row in found.rows]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{survey.code}, {found.period}")
        for row in [*found.rows, *found.province]:
            text = stats.as_text(row)
            ci = text["ci95"] or ["-", "-"]
            assert isinstance(ci, list)
            flags = ", ".join(row.flags)
            self.stdout.write(
                f"{row.agency or '(province)'}\t{row.factor}\tn={row.n}\t"
                f"share={text['share'] or '-'} [{ci[0]}, {ci[1]}]\tmean={text['mean'] or '-'}"
                + (f"\tneeds={row.required}" if row.required is not None else "")
                + (f"\tdeff={stats.details(row)['deff']}" if row.weighted else "")
                + (f"\t{flags}" if flags else "")
            )


def _operator() -> User:
    """Whoever runs the command on the server reads everything (as they could read the database
    anyway). Never saved."""
    user = User(username="system", full_name="parindex", is_superuser=True, is_active=True)
    user._parindex_access = Access(superuser=True)  # type: ignore[attr-defined]
    return user
