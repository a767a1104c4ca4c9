"""`parindex report rounds | export ROUND | remind`: periodic reporting from the command line.

    parindex report rounds [--province CODE]
    parindex report export ROUND --format docx|xlsx [-o FILE] (--as USERNAME | --all) [--agency CODE]
    parindex report remind [--today YYYY-MM-DD]        # daily, from cron

`export` goes through the exporter registry (`round-consolidated`, or `agency-report` with
`--agency`) under the export policy of the command line (`exports.command_line`): with
`--as USERNAME` it shows exactly what that person may see and refuses what they may not; with
`--all` it reads everything and says so in the audit log; with neither it is refused.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone

from parindex.exports.actions import record_full_export
from parindex.exports.command_line import add_reader_arguments, reader
from parindex.exports.registry import ExportError, render
from parindex.lib.dates import format_date, parse_date
from parindex.orgs import access
from parindex.orgs.audit import channel
from parindex.reporting.actions import send_reminders
from parindex.reporting.models import Round


class Command(BaseCommand):
    help = "Periodic reporting: list rounds, export a round's consolidated report, send reminders."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{rounds,export,remind}"
        )
        rounds = sub.add_parser(
            "rounds",
            help="List reporting rounds with their ids, periods, deadlines and states.",
            description="List reporting rounds, newest first.",
        )
        rounds.add_argument("--province", help="Only this province's rounds (province code).")

        export = sub.add_parser(
            "export",
            help="Write a round's consolidated report (or one agency's report) as DOCX or XLSX.",
            description=(
                "Write the consolidated report of a round: DOCX, the administrative report Home "
                "Affairs sends the Provincial People's Committee; XLSX, the values behind it. "
                "Say whose view it is: --as USERNAME exports what that person may see; --all "
                "exports everything and is recorded in the audit log."
            ),
        )
        export.add_argument("round", type=int, help="Round id (see `parindex report rounds`).")
        export.add_argument("--format", default="docx", choices=["docx", "xlsx"])
        export.add_argument("--output", "-o", help="Output file (default: a name with the date).")
        add_reader_arguments(export)
        export.add_argument(
            "--agency",
            metavar="CODE",
            help="Export this agency's own report of the round instead (agency code).",
        )

        remind = sub.add_parser(
            "remind",
            help="Send the reminders due today (run daily from cron).",
            description=(
                "Email the reporters and heads of agencies that have not submitted, on the days "
                "each round asks for (N days before its deadline and the days after it). Each "
                "reminder is sent once, so running it twice a day does no harm. Meant for a "
                "daily cron job, e.g. `0 7 * * * /srv/parindex/.venv/bin/parindex report remind`."
            ),
        )
        remind.add_argument(
            "--today", help="Act as if today were this date (yyyy-mm-dd or dd/mm/yyyy)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("cli"):
            {"rounds": self._rounds, "export": self._export, "remind": self._remind}[
                options["subcommand"]
            ](options)

    def _rounds(self, options: dict[str, Any]) -> None:
        rounds = (
            Round.objects.select_related("plan__province")
            .annotate(
                total=Count("reports"),
                submitted=Count("reports", filter=Q(reports__submitted_at__isnull=False)),
            )
            .order_by("-starts_on", "-pk")
        )
        if options["province"]:
            rounds = rounds.filter(plan__province__code=options["province"])
        found = False
        for round_ in rounds:
            found = True
            state = f"closed {format_date(round_.closed_at.date())}" if round_.closed_at else "open"
            self.stdout.write(
                f"{round_.pk:>5}  {round_.plan.number:<16} "
                f"{format_date(round_.starts_on)}–{format_date(round_.ends_on)}  "
                f"due {format_date(round_.deadline)}  {state:<17} "
                f"{round_.submitted}/{round_.total} submitted  {round_.title}"
            )
        if not found:
            self.stdout.write("No reporting rounds.")

    def _export(self, options: dict[str, Any]) -> None:
        user = reader(options)
        name, params = "round-consolidated", {"round": str(options["round"])}
        if options["agency"]:
            report = (
                access.reports_for(user)
                .filter(round_id=options["round"], agency__code=options["agency"])
                .first()
            )
            if report is None:
                raise CommandError(
                    f"round {options['round']} has no report of an agency coded "
                    f"{options['agency']!r} that {options['username'] or 'anyone'} may read"
                )
            name, params = "agency-report", {"report": str(report.pk)}
        try:
            result = render(name, options["format"], user=user, params=params)
        except ExportError as error:
            raise CommandError(str(error)) from None
        if options["everything"]:
            round_ = access.rounds_for(user).filter(pk=options["round"]).select_related("plan")
            province = round_[0].plan.province_id if round_ else None
            record_full_export(name, options["format"], params, province=province)
        path = Path(options["output"] or result.filename)
        path.write_bytes(result.content)
        self.stdout.write(f"wrote {path} ({len(result.content)} bytes)")

    def _remind(self, options: dict[str, Any]) -> None:
        try:
            today = parse_date(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today: {exc}") from None
        sent = send_reminders(today)
        self.stdout.write(f"{format_date(today)}: sent {sent} reminder{'s' if sent != 1 else ''}.")
