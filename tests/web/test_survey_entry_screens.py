"""Entering and importing responses on screen: a paper form with each error beside its field, an
import that lists every bad row or skips them when asked, saved column mappings, and dossier
volumes entered in a grid or uploaded. Nothing is saved when something is wrong, and only the
province's coordinators may do any of it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.orgs.models import AuditEntry, User
from parindex.surveys.models import Answer, ColumnMapping, Response, Survey, Volume
from tests.conftest import LaoCai
from tests.web.pages import Element, alerts, field_errors, form_errors, parse, vi
from tests.web.survey_data import survey_2020

ClientFor = Callable[[User], Client]


@pytest.fixture
def survey(lao_cai: LaoCai) -> Survey:
    return survey_2020(lao_cai)


def question_errors(doc: Element, code: str) -> list[str]:
    block = doc.one(data_question=code)
    return [p.text for p in block.select("p", cls="survey-error")]


# --- paper forms -----------------------------------------------------------------------------


def test_a_coordinator_enters_a_paper_form_and_it_is_saved_as_paper_and_audited(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        f"/surveys/{survey.pk}/responses/new/",
        {
            "agency": "so-tu-phap",
            "submitted_on": "15/04/2020",
            "dossier_code": "000.12.34.H35-0001",
            "sat_staff": "5",
            "on_time": "no",
            "late_days": "3",
            "suggestion": "Cán bộ tận tình",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/surveys/{survey.pk}/responses/new/?agency=so-tu-phap"
    saved = Response.objects.get(survey=survey)
    assert (saved.channel, saved.agency.code, saved.dossier_code) == (
        "paper",
        "so-tu-phap",
        "000.12.34.H35-0001",
    )
    answers = dict(saved.answers.values_list("question__code", "text"))
    assert set(answers) == {"sat_staff", "on_time", "late_days", "suggestion"}
    assert AuditEntry.objects.get(action="surveys.response.add").actor == coordinator


def test_paper_form_errors_are_shown_beside_each_field_and_nothing_is_saved(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    client.post(
        f"/surveys/{survey.pk}/responses/new/",
        {
            "agency": "so-tu-phap",
            "submitted_on": "01/02/2020",
            "dossier_code": "HS-1",
            "sat_staff": "4",
        },
    )
    response = client.post(
        f"/surveys/{survey.pk}/responses/new/",
        {
            "agency": "so-tu-phap",
            "submitted_on": "15/04/2021",
            "dossier_code": "HS-1",
            "sat_staff": "7",
            "late_days": "3",
            "sat_overall": "5",
        },
    )
    assert response.status_code == 400
    doc = parse(response.content)
    assert doc.has(data_not_saved=True)
    assert field_errors(doc, "submitted_on") == [
        vi(
            "submitted_at %(value)s is outside the survey (%(from)s to %(to)s).",
            value="2021-04-15",
            **{"from": "01/01/2020", "to": "31/12/2020"},
        )
    ]
    assert field_errors(doc, "dossier_code") == [
        vi("dossier %(dossier)s already has a response in this survey.", dossier="HS-1")
    ]
    assert question_errors(doc, "sat_staff") == [
        vi("%(question)s: “%(value)s” is not on the scale 1 to 5.", question="sat_staff", value="7")
    ]
    assert len(question_errors(doc, "late_days")) == 1  # asked only when the result was late
    assert question_errors(doc, "sat_overall") == []
    # What was given is kept to correct.
    assert doc.one("input", name="sat_overall", value="5").attrs.get("checked") is not None
    assert Response.objects.filter(survey=survey).count() == 1
    assert AuditEntry.objects.filter(action="surveys.response.add").count() == 1


def test_a_paper_form_answering_nothing_is_refused_above_the_form(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        f"/surveys/{survey.pk}/responses/new/",
        {"agency": "so-tu-phap", "submitted_on": "15/04/2020"},
    )
    assert form_errors(parse(response.content)) == [vi("Answer at least one question.")]
    assert not Response.objects.exists()


def test_only_the_coordinators_enter_paper_forms(
    client_for: ClientFor, survey: Survey, reporter: User, head: User, leader: User
) -> None:
    for person in (reporter, head, leader):
        response = client_for(person).post(
            f"/surveys/{survey.pk}/responses/new/",
            {"agency": "so-tu-phap", "submitted_on": "15/04/2020", "sat_staff": "5"},
        )
        assert response.status_code == 403
    assert not Response.objects.exists()


# --- imports ---------------------------------------------------------------------------------

GOOD = "agency,submitted_at,dossier_code,sat_staff\nso-tu-phap,2020-04-15,HS-1,5\n"
BAD = (
    "agency,submitted_at,dossier_code,sat_staff\n"
    "so-tu-phap,2020-04-15,HS-1,5\n"
    "so-khong-co,2020-04-16,HS-2,4\n"
    "vp-ubnd,2020-04-17,HS-1,9\n"
    "vp-ubnd,2020-04-18,HS-3,4\n"
)


def upload(text: str, name: str = "phieu.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def test_a_coordinator_imports_a_flat_file_on_screen(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    response = client.post(f"/surveys/{survey.pk}/import/", {"file": upload(GOOD)})
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert Response.objects.get(survey=survey).channel == "import"
    done = alerts(parse(client.get(response["Location"]).content))
    assert vi("%(n)s response imported.", n=1) in done


def test_an_import_with_bad_rows_lists_each_with_its_row_number_and_saves_nothing(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    response = client_for(coordinator).post(f"/surveys/{survey.pk}/import/", {"file": upload(BAD)})
    assert response.status_code == 400
    listed = [li.text for li in parse(response.content).one(data_import_problems=True).select("li")]
    row = "Row %(n)s: %(text)s"
    assert listed == [
        vi(
            row,
            n=3,
            text=vi("no agency of the province has the code “%(agency)s”.", agency="so-khong-co"),
        ),
        vi(
            row,
            n=4,
            text=vi(
                "dossier %(dossier)s was already answered on row %(first)s.",
                dossier="HS-1",
                first=2,
            ),
        ),
        vi(
            row,
            n=4,
            text=vi(
                "%(question)s: “%(value)s” is not on the scale 1 to 5.",
                question="sat_staff",
                value="9",
            ),
        ),
    ]
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_skipping_bad_rows_keeps_the_good_ones_and_names_the_skipped(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    response = client.post(
        f"/surveys/{survey.pk}/import/", {"file": upload(BAD), "skip_bad_rows": "on"}
    )
    assert response.status_code == 302
    assert sorted(Response.objects.values_list("dossier_code", flat=True)) == ["HS-1", "HS-3"]
    shown = alerts(parse(client.get(response["Location"]).content))
    skipped = [a for a in shown if a.startswith(vi("Skipped: %(problem)s", problem=""))]
    assert len(skipped) == 3


def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        f"/surveys/{survey.pk}/import/",
        {"file": SimpleUploadedFile("phieu.xlsx", b"PK\x03\x04 broken")},
    )
    listed = [li.text for li in parse(response.content).one(data_import_problems=True).select("li")]
    assert listed == [
        vi("%(name)s cannot be read: give a CSV file or an XLSX workbook.", name="phieu.xlsx")
    ]
    assert not Response.objects.exists()


def test_an_export_of_another_tool_imports_through_a_saved_mapping(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    saved = client.post(
        f"/surveys/{survey.pk}/mappings/",
        {"name": "kobo", "columns": "co_quan=agency\nngay=submitted_at\nstaff/sat_staff=sat_staff"},
    )
    assert saved.status_code == 302
    mapping = ColumnMapping.objects.get(survey=survey, name="kobo")
    kobo = "co_quan,ngay,staff/sat_staff,_id\nso-tu-phap,2020-04-15T09:30:00.000+07:00,4,17\n"
    response = client.post(
        f"/surveys/{survey.pk}/import/", {"file": upload(kobo), "mapping": mapping.pk}
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.question.code == "sat_staff" and answer.number == 4


def test_saving_a_mapping_again_replaces_it_and_a_bad_target_is_named(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    client.post(f"/surveys/{survey.pk}/mappings/", {"name": "kobo", "columns": "a=agency"})
    client.post(f"/surveys/{survey.pk}/mappings/", {"name": "kobo", "columns": "b=agency\nc="})
    assert ColumnMapping.objects.get(name="kobo").columns == {"b": "agency", "c": ""}
    response = client.post(
        f"/surveys/{survey.pk}/mappings/", {"name": "odk", "columns": "x=khong_co\ny"}
    )
    assert response.status_code == 400
    assert field_errors(parse(response.content), "columns") == [
        vi("Line %(n)s: write COLUMN=TARGET (or COLUMN= to leave it out).", n=2)
    ]
    response = client.post(
        f"/surveys/{survey.pk}/mappings/", {"name": "odk", "columns": "x=khong_co"}
    )
    assert field_errors(parse(response.content), "columns") == [
        vi("Not questions of the questionnaire: %(questions)s.", questions="khong_co")
    ]
    assert list(ColumnMapping.objects.values_list("name", flat=True)) == ["kobo"]


def test_only_the_coordinators_import_and_keep_mappings(
    client_for: ClientFor, survey: Survey, reporter: User, leader: User
) -> None:
    for person in (reporter, leader):
        client = client_for(person)
        assert (
            client.post(f"/surveys/{survey.pk}/import/", {"file": upload(GOOD)}).status_code == 403
        )
        assert (
            client.post(
                f"/surveys/{survey.pk}/mappings/", {"name": "kobo", "columns": "a=agency"}
            ).status_code
            == 403
        )
    assert not Response.objects.exists() and not ColumnMapping.objects.exists()


# --- dossier volumes -------------------------------------------------------------------------


def test_volumes_entered_in_the_grid_are_saved_and_a_blank_cell_removes_one(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    response = client.post(
        f"/surveys/{survey.pk}/volumes/",
        {"v:so-tu-phap:all": "1.000", "v:so-tu-phap:2020Q2": "250", "v:vp-ubnd:all": "80"},
    )
    assert response.status_code == 302
    stored = set(Volume.objects.values_list("agency__code", "period", "dossiers"))
    assert stored == {
        ("so-tu-phap", "all", 1000),
        ("so-tu-phap", "2020Q2", 250),
        ("vp-ubnd", "all", 80),
    }
    client.post(f"/surveys/{survey.pk}/volumes/", {"v:so-tu-phap:all": "1000", "v:vp-ubnd:all": ""})
    assert set(Volume.objects.values_list("agency__code", "period")) == {("so-tu-phap", "all")}
    assert AuditEntry.objects.filter(action="surveys.volumes.set").count() == 2


def test_a_bad_volume_is_shown_in_its_cell_and_nothing_is_saved(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        f"/surveys/{survey.pk}/volumes/",
        {"v:so-tu-phap:all": "1000", "v:vp-ubnd:2020Q3": "nhiều"},
    )
    assert response.status_code == 400
    doc = parse(response.content)
    assert doc.has(data_not_saved=True)
    cell = doc.one("input", name="v:vp-ubnd:2020Q3")
    assert cell.attrs.get("aria-invalid") == "true" and cell.attrs["value"] == "nhiều"
    row = doc.one("tr", data_agency="vp-ubnd")
    assert [li.text for li in row.select("li")] == [
        vi("dossiers “%(value)s” is not a whole number from 0.", value="nhiều")
    ]
    assert not Volume.objects.exists()


def test_a_volumes_table_uploads_and_a_bad_one_lists_its_rows_and_saves_nothing(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    client = client_for(coordinator)
    bad = "agency,period,dossiers\nso-tu-phap,2020Q2,100\nso-tu-phap,2021Q1,5\n"
    response = client.post(
        f"/surveys/{survey.pk}/volumes/", {"upload": "1", "file": upload(bad, "so-ho-so.csv")}
    )
    listed = [li.text for li in parse(response.content).one(data_import_problems=True).select("li")]
    assert listed == [
        vi(
            "Row %(n)s: %(text)s",
            n=3,
            text=vi(
                "the period “%(period)s” is not a quarter of the survey (2020Q2).", period="2021Q1"
            ),
        )
    ]
    assert not Volume.objects.exists()
    good = "agency,period,dossiers\nso-tu-phap,2020Q2,100\n"
    response = client.post(
        f"/surveys/{survey.pk}/volumes/", {"upload": "1", "file": upload(good, "so-ho-so.csv")}
    )
    assert response.status_code == 302
    assert Volume.objects.get().dossiers == 100


def test_only_the_coordinators_set_volumes(
    client_for: ClientFor, survey: Survey, reporter: User, leader: User
) -> None:
    for person in (reporter, leader):
        response = client_for(person).post(
            f"/surveys/{survey.pk}/volumes/", {"v:so-tu-phap:all": "1000"}
        )
        assert response.status_code == 403
    assert not Volume.objects.exists()
