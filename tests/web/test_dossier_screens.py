"""The dossier screens a coordinator, a leader and an agency's people use instead of the command
line: the menu entry, importing a file with its progress and problems, the form with its rates,
the dossiers behind a count, and the agency codes, mappings and settings."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from parindex.dossiers import actions
from parindex.dossiers.models import AgencyCode, DossierImport, ImportStatus, KpiSetting
from parindex.orgs.models import AuditEntry, User
from parindex.web import dossier_jobs
from tests.conftest import LaoCai
from tests.dossiers.support import HEADER, ROWS, csv_file, stored
from tests.web.pages import Element, page, parse, vi

ClientFor = Callable[[User], Client]


@pytest.fixture
def imported(lao_cai: LaoCai, coordinator: User, tmp_path: Path) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)


def csv_upload(rows: Any = ROWS, name: str = "ho-so.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def form_json(*args: str) -> Any:
    out = io.StringIO()
    call_command("dossiers", "form", *args, stdout=out)
    return json.loads(out.getvalue())


def counts_on_screen(doc: Element, agency: str) -> list[int]:
    table = doc.one("table", data_table="form")
    row = next(tr for tr in table.select("tr") if tr.attrs.get("data-agency") == agency)
    return [int(a.text) for a in row.select("a") if "data-count" in a.attrs]


COLUMNS = (
    "tong_so",
    "nhan_truc_tuyen",
    "nhan_truc_tiep_bcci",
    "tu_ky_truoc",
    "da_gq",
    "da_gq_truoc_han",
    "da_gq_dung_han",
    "da_gq_qua_han",
    "dang_gq",
    "dang_gq_trong_han",
    "dang_gq_qua_han",
)


def test_the_menu_entry_shows_to_who_reads_dossiers(
    client_for: ClientFor,
    imported: None,
    coordinator: User,
    leader: User,
    reporter: User,
    citizen: User,
    outsider: User,
) -> None:
    for person in (coordinator, leader, reporter, outsider):
        link = page(client_for(person).get("/")).one("a", data_nav="dossiers")
        assert link.attrs["href"] == "/dossiers/" and link.text == vi("One-stop dossiers")
    assert not page(client_for(citizen).get("/")).has("a", data_nav="dossiers")
    assert client_for(citizen).get("/dossiers/").status_code == 404
    # Another province's coordinator reads their own province's dossiers, none of Lào Cai's.
    theirs = page(client_for(outsider).get("/dossiers/?period=2024Q2&province=lao-cai"))
    assert not theirs.has("tr", data_agency="so-tu-phap")
    assert (
        client_for(outsider).get("/dossiers/list/?period=2024Q2&agency=so-tu-phap").status_code
        == 200
    )
    assert "HS-00" not in client_for(outsider).get("/dossiers/list/?period=2024Q2").content.decode()


def test_a_coordinator_imports_on_screen_and_the_form_shows_the_command_s_figures(
    client_for: ClientFor, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    assert page(client.get("/dossiers/import/")).has("input", name="file")
    sent = client.post("/dossiers/import/", {"file": csv_upload(), "source": ""})
    assert sent.status_code == 302 and sent["Location"].startswith("/dossiers/import/")
    # The import ran; its progress page sends on to the run's result.
    done = client.get(sent["Location"])
    run = DossierImport.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/dossiers/imports/{run.pk}/"
    result = page(client.get(done["Location"]))
    assert result.has(data_result="done")
    assert result.one("dd", data_count="inserted").text == "6"
    assert AuditEntry.objects.filter(action="dossiers.import", actor=coordinator).exists()
    assert len(stored(lao_cai.province)) == 6

    doc = page(client.get("/dossiers/?period=2024Q2"))
    command = {row["agency"]: row for row in form_json("--period", "2024Q2", "--format", "json")}
    for agency, row in command.items():
        assert counts_on_screen(doc, agency) == [row[c] for c in COLUMNS]
    assert doc.one(data_dossier_count=True).attrs["data-dossier-count"] == "6"
    # The province and its groups, the unmatched code flagged, the rates with their parts.
    assert counts_on_screen(doc, "group:province")[0] == 6
    unmatched = next(
        tr for tr in doc.select("tr") if tr.attrs.get("data-agency") == "000.00.12.H37"
    )
    assert unmatched.has(data_unmatched=True)
    rate = next(
        td
        for tr in doc.one("table", data_table="rates").select("tr")
        if tr.attrs.get("data-agency") == "so-tu-phap"
        for td in tr.select("td")
        if td.attrs.get("data-rate") == "ty_le_dung_han"
    )
    assert "66.67 %" in rate.text and "2 / 3" in rate.text


def test_a_file_with_problems_is_refused_on_screen_with_each_problem_and_nothing_is_saved(
    client_for: ClientFor, coordinator: User, lao_cai: LaoCai
) -> None:
    bad = [*ROWS, ("HS-009", "so-tu-phap", "1.001", "9", "", "false", "DA_GIAI_QUYET",
                   "2024-04-02", "2024-04-10", "không phải ngày")]  # fmt: skip
    client = client_for(coordinator)
    sent = client.post("/dossiers/import/", {"file": csv_upload(bad)}, follow=True)
    doc = page(sent)
    assert doc.has(data_result="refused")
    problems = {
        tr.attrs["data-problem"]: tr.text for tr in doc.select("tr") if "data-problem" in tr.attrs
    }
    assert set(problems) >= {"unknown_channel", "bad_date"}
    assert "8" in problems["bad_date"] and "không phải ngày" in problems["bad_date"]
    assert DossierImport.objects.get().status == ImportStatus.REFUSED
    assert stored(lao_cai.province) == {}
    # With the bad rows left out, the others are imported.
    client.post("/dossiers/import/", {"file": csv_upload(bad), "skip_bad_rows": "on"})
    assert len(stored(lao_cai.province)) == 6


def test_an_unknown_mapping_is_shown_beside_the_form_and_nothing_starts(
    client_for: ClientFor, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    doc = page(client.post("/dossiers/import/", {"file": csv_upload(), "source": "Not A Slug"}))
    assert doc.has("input", name="file") and DossierImport.objects.count() == 0


def test_the_progress_is_shown_to_who_started_the_import_and_ends_on_the_result(
    client_for: ClientFor, coordinator: User, leader: User, lao_cai: LaoCai
) -> None:
    token = "a" * 32
    dossier_jobs.write_state(token, {"user": coordinator.pk, "phase": "writing", "share": 0.75})
    client = client_for(coordinator)
    fragment = client.get(f"/dossiers/import/{token}/", HTTP_HX_REQUEST="true")
    bar = parse(fragment.content).one(data_section="progress")
    assert bar.attrs["data-percent"] == "75" and vi("Writing the dossiers") in bar.text
    assert "hx-get" in bar.attrs  # it polls until the end
    assert client_for(leader).get(f"/dossiers/import/{token}/").status_code == 403
    dossier_jobs.write_state(token, {"user": coordinator.pk, "done": True, "run": 41})
    over = client.get(f"/dossiers/import/{token}/", HTTP_HX_REQUEST="true")
    assert over["HX-Redirect"] == "/dossiers/imports/41/"
    assert dossier_jobs.state(token, coordinator) is None  # its file is gone once it is over
    assert client.get(f"/dossiers/import/{'b' * 32}/").status_code == 404


def test_an_import_whose_worker_died_is_reported_stopped_instead_of_polled_for_ever(
    client_for: ClientFor, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    ended = subprocess.Popen(["true"])  # a process of this machine that is over
    ended.wait()
    token = "c" * 32
    gone = {"user": coordinator.pk, "phase": "writing", "share": 0.5}
    dossier_jobs.write_state(token, {**gone, "pid": ended.pid, "host": socket.gethostname()})
    over = client.get(f"/dossiers/import/{token}/", HTTP_HX_REQUEST="true")
    assert over["HX-Redirect"] == "/dossiers/import/"
    shown = page(client.get("/dossiers/import/"))
    assert vi("The import stopped; nothing was imported.") in shown.text
    # On another machine the process cannot be looked for: no news for half an hour says it.
    token = "d" * 32
    dossier_jobs.write_state(token, {**gone, "pid": os.getpid(), "host": "another-server"})
    bar = client.get(f"/dossiers/import/{token}/", HTTP_HX_REQUEST="true")
    assert parse(bar.content).one(data_section="progress")  # still running as far as we know
    stale = time.time() - dossier_jobs.SILENT_FOR - 60
    os.utime(Path(settings.PARINDEX_DOSSIER_STORE) / ".progress" / f"{token}.json", (stale, stale))
    over = client.get(f"/dossiers/import/{token}/", HTTP_HX_REQUEST="true")
    assert over["HX-Redirect"] == "/dossiers/import/"


def test_the_import_tells_its_phases_in_order_to_the_progress_file(
    coordinator: User, lao_cai: LaoCai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, float]] = []
    write = dossier_jobs.write_state

    def spy(token: str, state: dict[str, Any]) -> None:
        seen.append((str(state.get("phase")), float(state.get("share", 0))))
        write(token, state)

    monkeypatch.setattr(dossier_jobs, "write_state", spy)
    token = dossier_jobs.start(
        lao_cai.province,
        csv_file(tmp_path / "hs.csv"),
        by=coordinator,
        filename="hs.csv",
        source="",
        mapping=None,
        skip_bad_rows=False,
    )
    phases = [phase for phase, _share in seen]
    assert phases[0] == "waiting" and phases[-1] == "done"
    assert {"reading", "checking", "writing"} <= set(phases)
    shares = [share for _phase, share in seen]
    assert shares == sorted(shares) and shares[-1] == 1.0
    final = dossier_jobs.state(token, coordinator)
    assert final is not None and final["run"] == DossierImport.objects.get().pk
    assert not (tmp_path / "hs.csv").exists()  # the upload's copy is removed


@pytest.mark.parametrize(
    "path", ["/dossiers/import/", "/dossiers/codes/", "/dossiers/mappings/", "/dossiers/settings/"]
)
def test_only_coordinators_open_the_pages_that_change_things(
    client_for: ClientFor, coordinator: User, leader: User, reporter: User, path: str
) -> None:
    assert client_for(coordinator).get(path).status_code == 200
    assert client_for(leader).get(path).status_code == 403
    assert client_for(reporter).get(path).status_code == 403


def test_an_agency_s_people_see_their_own_codes_and_no_import_history(
    client_for: ClientFor, imported: None, reporter: User, leader: User
) -> None:
    doc = page(client_for(reporter).get("/dossiers/?period=2024Q2"))
    agencies = [
        tr.attrs["data-agency"]
        for tr in doc.one("table", data_table="form").select("tr")
        if "data-agency" in tr.attrs
    ]
    assert agencies == ["so-tu-phap"]
    assert client_for(reporter).get("/dossiers/imports/").status_code == 403
    listing = page(client_for(reporter).get("/dossiers/list/?period=2024Q2&agency=tp-lao-cai"))
    assert not listing.has(data_total=True)
    leader_doc = page(client_for(leader).get("/dossiers/?period=2024Q2"))
    assert counts_on_screen(leader_doc, "tp-lao-cai")[0] == 2
    assert page(client_for(leader).get("/dossiers/imports/")).has("tr", data_run=True)


def test_the_dossiers_behind_each_count_are_as_many_as_the_form_says(
    client_for: ClientFor, imported: None, coordinator: User
) -> None:
    client = client_for(coordinator)
    doc = page(client.get("/dossiers/?period=2024Q2"))
    links = [a for a in doc.one("table", data_table="form").select("a") if "data-count" in a.attrs]
    assert links
    for link in links:
        listed = page(client.get(link.attrs["href"].replace("&amp;", "&")))
        assert listed.one(data_total=True).attrs["data-total"] == link.text, link.attrs["href"]
    late = page(client.get("/dossiers/list/?period=2024Q2&kind=late&agency=so-tu-phap"))
    assert [tr.attrs["data-dossier"] for tr in late.select("tr") if "data-dossier" in tr.attrs] == [
        "HS-003"
    ]
    worst = late.one(data_section="worst")
    assert [
        tr.attrs["data-procedure"] for tr in worst.select("tr") if "data-procedure" in tr.attrs
    ] == ["1.001"]


def test_the_list_downloads_as_csv_and_xlsx_with_codes_kept_as_text(
    client_for: ClientFor, imported: None, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    query = "province=lao-cai&period=2024Q2&kind=tong_so&agency=group:province"
    sent = client.get(f"/exports/dossier-list.csv?{query}")
    assert sent.status_code == 200
    content = b"".join(sent.streaming_content)  # type: ignore[attr-defined]
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table[0][0] == "ma_ho_so" and len(table) == 7
    assert {row[1] for row in table[1:]} == {"so-tu-phap", "tp-lao-cai", "000.00.12.H37"}
    book = client.get(f"/exports/dossier-list.xlsx?{query}&procedure=1.001")
    workbook = b"".join(book.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [v[2] for v in values] == ["1.001", "1.001"]  # the procedure code stays text
    assert (
        client.get("/exports/dossier-list.csv?province=lao-cai&period=2024Q2&kind=x").status_code
        == 400
    )


def test_an_unmatched_code_is_matched_on_screen_audited_and_then_counted_as_the_agency(
    client_for: ClientFor, imported: None, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    doc = page(client.get("/dossiers/codes/"))
    assert [tr.attrs["data-code"] for tr in doc.select("tr") if "data-code" in tr.attrs] == [
        "000.00.12.H37"
    ]
    sent = client.post("/dossiers/codes/", {"code-000.00.12.H37": lao_cai.office.code})
    assert sent.status_code == 302
    assert AgencyCode.objects.get(code="000.00.12.H37").organisation == lao_cai.office
    assert AuditEntry.objects.filter(action="dossiers.agency_code.set", actor=coordinator).exists()
    form = page(client.get("/dossiers/?period=2024Q2"))
    assert not form.has(data_unmatched=True)
    # An organisation the province does not have is refused, named, and nothing is saved.
    refused = page(client.post("/dossiers/codes/?all=1", {"code-so-tu-phap": "khong-co"}))
    assert "khong-co" in refused.one(cls="alert-danger").text
    assert not AgencyCode.objects.filter(code="so-tu-phap").exists()


def test_a_mapping_and_the_settings_are_saved_on_screen_through_the_actions(
    client_for: ClientFor, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    sent = client.post(
        "/dossiers/mappings/",
        {
            "source": "motcua-vnpt",
            "name": "default",
            "columns": '{"MaHoSo": "ma_ho_so"}',
            "values": "",
        },
    )
    assert sent.status_code == 302
    assert AuditEntry.objects.filter(action="dossiers.mapping.save").exists()
    doc = page(
        client.post("/dossiers/mappings/", {"source": "x", "name": "default", "columns": "[1"})
    )
    assert doc.has("ul", cls="errorlist")
    sent = client.post("/dossiers/settings/", {"on_time_rate": "due"})
    assert sent.status_code == 302
    saved = KpiSetting.objects.get(province=lao_cai.province)
    assert saved.on_time_rate == "due" and not saved.carried_over_from_start_day
    assert AuditEntry.objects.filter(action="dossiers.settings.save").exists()


def test_an_import_that_stops_on_an_error_says_so_and_saves_nothing(
    client_for: ClientFor, coordinator: User, lao_cai: LaoCai, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(actions, "import_dossiers", broken)
    client = client_for(coordinator)
    sent = client.post("/dossiers/import/", {"file": csv_upload()}, follow=True)
    doc = page(sent)
    assert doc.has("input", name="file")  # back on the import page
    assert vi("The import stopped; nothing was imported.") in doc.text
    assert stored(lao_cai.province) == {} and DossierImport.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        "/dossiers/?period=2024Q9",
        "/dossiers/?from=2024-04-01&to=hôm-nay",
        "/dossiers/?period=2024Q2&agency=khong-co",
        "/dossiers/list/?period=2024Q2&kind=so_tthc_phat_sinh",
        "/dossiers/list/?period=2024Q2&received_from=31/02/2024",
        "/dossiers/?from=01/04/2024",
        "/dossiers/?from=30/06/2024&to=01/04/2024",
        "/dossiers/list/?period=2024Q2&agency=group:khong-co",
        "/dossiers/list/?period=x&page=abc",
    ],
)
def test_bad_choices_are_said_on_the_page_never_a_server_error(
    client_for: ClientFor, imported: None, coordinator: User, query: str
) -> None:
    doc = page(client_for(coordinator).get(query))
    assert doc.one(cls="alert-danger").text


def test_a_range_is_typed_as_dd_mm_yyyy_and_shown_so_and_a_bad_period_is_said_in_vietnamese(
    client_for: ClientFor, imported: None, coordinator: User
) -> None:
    client = client_for(coordinator)
    doc = page(client.get("/dossiers/?from=02/04/2024&to=30/06/2024"))
    assert doc.one("input", id="from").attrs["value"] == "02/04/2024"
    assert doc.one("input", id="from").attrs["placeholder"] == "dd/mm/yyyy"
    assert "2024-04-02..2024-06-30" in doc.one(data_section="summary").text
    listed = page(client.get("/dossiers/list/?period=2024Q2&received_from=15/04/2024"))
    assert listed.one("input", id="received_from").attrs["value"] == "15/04/2024"
    assert [tr.attrs["data-dossier"] for tr in listed.select("tr") if "data-dossier" in tr.attrs]
    assert all(
        tr.attrs["data-dossier"] not in ("HS-002",)  # received on 2 April
        for tr in listed.select("tr")
        if "data-dossier" in tr.attrs
    )
    wrong = page(client.get("/dossiers/?period=2024Q9"))
    assert "không phải là kỳ báo cáo" in wrong.one(cls="alert-danger").text
    wrong = page(client.get("/dossiers/?from=31/02/2024&to=30/06/2024"))
    assert "“31/02/2024” không phải là ngày" in wrong.one(cls="alert-danger").text
