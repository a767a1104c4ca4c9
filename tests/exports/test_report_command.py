"""`parindex report rounds | export | remind`."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from parindex.orgs import access
from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.management.commands.report import Command
from parindex.reporting.models import PeriodKind, Reminder, Round
from tests.exports.conftest import FilledRound, SmallPlan, fill
from tests.exports.reading import docx, sheets, text


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_each_subcommand_explains_itself() -> None:
    parser = Command().create_parser("parindex", "report")
    overview = parser.format_help()
    for name in ("rounds", "export", "remind"):
        assert name in overview
    sub = next(a for a in parser._actions if a.dest == "subcommand")
    helps = {name: p.format_help() for name, p in sub.choices.items()}  # type: ignore[union-attr]
    assert "--format {docx,xlsx}" in helps["export"] and "--as USERNAME" in helps["export"]
    assert "--all" in helps["export"] and "audit log" in helps["export"]
    assert "--today TODAY" in helps["remind"] and "cron" in helps["remind"]
    assert "--province" in helps["rounds"]


def test_rounds_lists_each_round_with_its_id_period_deadline_and_submissions(
    filled_round: FilledRound,
) -> None:
    out = run("rounds")
    line = next(line for line in out.splitlines() if filled_round.round.title in line)
    assert line.split()[0] == str(filled_round.round.pk)
    assert "165/KH-UBND" in line
    assert "01/04/2020–30/06/2020" in line
    assert "due 10/07/2020" in line
    assert "open" in line
    assert "2/3 submitted" in line
    assert run("rounds", "--province", "yen-bai").strip() == "No reporting rounds."


def test_export_all_writes_the_consolidated_report_with_full_access_and_says_so_in_the_log(
    filled_round: FilledRound, tmp_path: Path, coordinator: User
) -> None:
    target = tmp_path / "bao-cao.docx"
    out = run("export", str(filled_round.round.pk), "--all", "--format", "docx", "-o", str(target))
    assert out.startswith(f"wrote {target} (")
    body = text(docx(target.read_bytes()))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body
    assert "- Kết quả: 90,00 % (99/110)" in body
    sheet_file = tmp_path / "so-lieu.xlsx"
    run("export", str(filled_round.round.pk), "--all", "--format", "xlsx", "-o", str(sheet_file))
    assert len(sheets(sheet_file.read_bytes()).worksheets) == 3
    logged = AuditEntry.objects.filter(action="exports.export.all").order_by("at", "pk")
    assert [(e.channel, e.object_id, e.changes["format"][1]) for e in logged] == [
        ("cli", "round-consolidated", "docx"),
        ("cli", "round-consolidated", "xlsx"),
    ]
    # Home Affairs finds it in the province's log.
    assert set(access.audit_entries_for(coordinator).filter(action="exports.export.all")) == set(
        logged
    )


def test_export_without_as_or_all_is_refused_and_writes_nothing(
    filled_round: FilledRound, tmp_path: Path, leader: User
) -> None:
    target = tmp_path / "bao-cao.docx"
    with pytest.raises(CommandError, match=r"--as USERNAME .* or --all"):
        run("export", str(filled_round.round.pk), "-o", str(target))
    with pytest.raises(CommandError, match=r"--as USERNAME .* or --all"):
        run("export", str(filled_round.round.pk), "--agency", "so-tu-phap", "-o", str(target))
    with pytest.raises(CommandError):  # one or the other, not both
        run("export", str(filled_round.round.pk), "--all", "--as", leader.username)
    assert not target.exists()
    assert not AuditEntry.objects.filter(action="exports.export.all").exists()


def test_export_writes_to_a_dated_file_name_by_default(
    filled_round: FilledRound, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run("export", str(filled_round.round.pk), "--all")
    [written] = list(tmp_path.iterdir())
    assert written.name.startswith(f"round-{filled_round.round.pk}-consolidated-")
    assert written.suffix == ".docx"


def test_export_as_a_person_applies_their_access(
    filled_round: FilledRound, leader: User, reporter: User, outsider: User, tmp_path: Path
) -> None:
    target = tmp_path / "leader.docx"
    run("export", str(filled_round.round.pk), "--as", leader.username, "-o", str(target))
    assert "90,00" in text(docx(target.read_bytes()))
    refused = tmp_path / "refused.docx"
    with pytest.raises(CommandError, match="for Home Affairs"):
        run("export", str(filled_round.round.pk), "--as", reporter.username, "-o", str(refused))
    with pytest.raises(CommandError, match="not found"):
        run("export", str(filled_round.round.pk), "--as", outsider.username, "-o", str(refused))
    with pytest.raises(CommandError, match="no active person"):
        run("export", str(filled_round.round.pk), "--as", "nobody", "-o", str(refused))
    assert not refused.exists()


def test_export_with_agency_writes_that_agencys_report(
    filled_round: FilledRound, reporter: User, tmp_path: Path
) -> None:
    target = tmp_path / "stp.docx"
    round_id = str(filled_round.round.pk)
    run("export", round_id, "--agency", "so-tu-phap", "--as", reporter.username, "-o", str(target))
    header = docx(target.read_bytes()).tables[0].rows[0].cells[0].text
    assert "SỞ TƯ PHÁP" in header
    with pytest.raises(CommandError, match="no report of an agency coded 'vp-ubnd'"):
        run("export", round_id, "--agency", "vp-ubnd", "--as", reporter.username, "-o", str(target))
    with pytest.raises(CommandError, match="no report of an agency coded 'so-noi-vu'"):
        run("export", round_id, "--agency", "so-noi-vu", "--all", "-o", str(target))


# --- reminders ----------------------------------------------------------------------------------

DEADLINE = date(2020, 7, 15)


@pytest.fixture
def half_year(
    small_plan: SmallPlan, coordinator: User, reporter: User, head: User, other_reporter: User
) -> Round:
    """A six-month round due on 15/07/2020: reminders 3 days before and 1, 3, 7 days after."""
    return actions.open_round(
        small_plan.plan,
        by=coordinator,
        kind=PeriodKind.HALF_YEAR,
        deadline=DEADLINE,
        remind_days_before=3,
        remind_days_after="1,3,7",
        notify=False,
    )


def test_reminders_go_once_per_day_asked_for_to_agencies_that_have_not_submitted(
    half_year: Round,
    small_plan: SmallPlan,
    reporter: User,
    head: User,
    other_reporter: User,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    # Three days before: Sở Tư pháp (reporter and head) and Văn phòng UBND tỉnh are reminded;
    # the city has nobody with an address, so nothing is sent there.
    assert run("remind", "--today", "2020-07-12").strip() == "12/07/2020: sent 2 reminders."
    assert sorted(sorted(m.to) for m in mailoutbox) == [
        sorted([reporter.email, head.email]),
        [other_reporter.email],
    ]
    assert all("15/07/2020" in m.subject for m in mailoutbox)
    # The same day again (cron twice, or a rerun): nothing more.
    assert run("remind", "--today", "12/07/2020").strip() == "12/07/2020: sent 0 reminders."
    # A day not asked for.
    assert run("remind", "--today", "2020-07-13").strip().endswith("sent 0 reminders.")
    assert len(mailoutbox) == 2
    # One day late, after Sở Tư pháp submitted: only the office is chased.
    report = half_year.reports.get(agency__code="so-tu-phap")
    fill(
        report,
        by=reporter,
        items={
            small_plan.reports_duty: ("done", "Đã gửi báo cáo.", {}),
            small_plan.on_time: ("on_track", "", {small_plan.on_time_rate: (10, 10)}),
        },
    )
    actions.submit_report(report, by=head)
    assert run("remind", "--today", "2020-07-16").strip() == "16/07/2020: sent 1 reminder."
    assert mailoutbox[-1].to == [other_reporter.email]
    assert "15/07/2020" in mailoutbox[-1].subject
    assert sorted(Reminder.objects.values_list("offset_days", flat=True)) == [-3, -3, 1]


def test_remind_refuses_a_date_it_cannot_read(db: None) -> None:
    with pytest.raises(CommandError, match="--today"):
        run("remind", "--today", "hôm qua")


def test_remind_without_a_date_acts_on_today(db: None) -> None:
    assert run("remind").strip().endswith("sent 0 reminders.")
