"""The survey screens a coordinator works from instead of the command line: the menu entry, the
list of surveys, a survey's counts by agency and quarter, creating a survey, and questionnaires
(their detail, XLSForm download and upload)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from parindex.orgs.models import AuditEntry, User
from parindex.surveys import actions, xlsform
from parindex.surveys.models import Questionnaire, Survey
from parindex.surveys.reading import spec_of
from tests.conftest import LaoCai
from tests.web.pages import field_errors, heading, page, parse, vi
from tests.web.survey_data import some_answers, survey_2020

ClientFor = Callable[[User], Client]


@pytest.fixture
def survey(lao_cai: LaoCai) -> Survey:
    found = survey_2020(lao_cai)
    some_answers(found, lao_cai)
    return found


def test_the_survey_menu_entry_shows_to_whoever_reads_surveys_and_not_to_a_citizen(
    client_for: ClientFor, coordinator: User, reporter: User, leader: User, citizen: User
) -> None:
    for person in (coordinator, reporter, leader):
        link = page(client_for(person).get("/")).one("a", data_nav="surveys")
        assert link.attrs["href"] == "/surveys/" and link.text == vi("Surveys")
    assert not page(client_for(citizen).get("/")).has("a", data_nav="surveys")


def test_the_survey_list_counts_only_the_responses_each_person_may_read(
    client_for: ClientFor, survey: Survey, coordinator: User, reporter: User, outsider: User
) -> None:
    def listed(person: User) -> dict[str, str]:
        doc = page(client_for(person).get("/surveys/"))
        return {
            tr.attrs["data-survey"]: tr.one(data_responses=True).text
            for tr in doc.select("tr")
            if "data-survey" in tr.attrs
        }

    assert listed(coordinator) == {"sipas-2020": "6"}
    assert listed(reporter) == {"sipas-2020": "4"}  # Sở Tư pháp's own
    assert listed(outsider) == {}


def test_the_survey_page_counts_responses_by_agency_and_quarter(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/"))
    justice = doc.one("tr", data_agency="so-tu-phap")
    assert [td.text for td in justice.select("td")] == ["Sở Tư pháp", "3", "1", "0", "0", "4"]
    office = doc.one("tr", data_agency="vp-ubnd")
    assert [td.text for td in office.select("td")][1:] == ["0", "2", "0", "0", "2"]
    manage = doc.one(data_manage=True)
    hrefs = {a.attrs["href"] for a in manage.select("a")}
    assert f"/surveys/{survey.pk}/links/" in hrefs and f"/surveys/{survey.pk}/volumes/" in hrefs


def test_an_agency_reporter_sees_its_own_counts_and_no_collection_tools(
    client_for: ClientFor, survey: Survey, reporter: User
) -> None:
    doc = page(client_for(reporter).get(f"/surveys/{survey.pk}/"))
    assert [tr.attrs["data-agency"] for tr in doc.select("tr") if "data-agency" in tr.attrs] == [
        "so-tu-phap"
    ]
    assert not doc.has(data_manage=True)


def test_a_coordinator_creates_a_survey_on_screen_and_it_is_audited(
    client_for: ClientFor, lao_cai: LaoCai, coordinator: User
) -> None:
    default = actions.load_default_questionnaire()
    client = client_for(coordinator)
    response = client.post(
        "/surveys/new/",
        {
            "code": "sipas-2021",
            "title": "Khảo sát 2021",
            "questionnaire": default.pk,
            "province": lao_cai.province.pk,
            "starts_on": "01/01/2021",
            "ends_on": "31/12/2021",
        },
    )
    created = Survey.objects.get(code="sipas-2021")
    assert response.status_code == 302 and response["Location"] == f"/surveys/{created.pk}/"
    assert (created.starts_on.isoformat(), created.ends_on.isoformat()) == (
        "2021-01-01",
        "2021-12-31",
    )
    entry = AuditEntry.objects.get(action="surveys.survey.create")
    assert entry.actor == coordinator


def test_a_taken_code_and_an_end_before_the_start_are_shown_beside_their_fields_and_nothing_is_saved(
    client_for: ClientFor, survey: Survey, lao_cai: LaoCai, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        "/surveys/new/",
        {
            "code": "sipas-2020",
            "questionnaire": survey.questionnaire_id,
            "province": lao_cai.province.pk,
            "starts_on": "31/12/2021",
            "ends_on": "01/01/2021",
        },
    )
    assert response.status_code == 200
    doc = parse(response.content)
    assert field_errors(doc, "code") == [
        vi("A survey with the code %(code)s exists.", code="sipas-2020")
    ]
    assert field_errors(doc, "ends_on") == [vi("The survey ends before it starts.")]
    assert Survey.objects.count() == 1


def test_only_coordinators_create_surveys(
    client_for: ClientFor, lao_cai: LaoCai, reporter: User, leader: User
) -> None:
    default = actions.load_default_questionnaire()
    for person in (reporter, leader):
        response = client_for(person).post(
            "/surveys/new/",
            {
                "code": "sipas-2021",
                "questionnaire": default.pk,
                "province": lao_cai.province.pk,
                "starts_on": "01/01/2021",
                "ends_on": "31/12/2021",
            },
        )
        assert response.status_code == 403
    assert not Survey.objects.exists()


def test_the_questionnaire_page_shows_sections_kinds_factors_and_skip_conditions(
    client_for: ClientFor, reporter: User
) -> None:
    default = actions.load_default_questionnaire()
    doc = page(client_for(reporter).get(f"/surveys/questionnaires/{default.pk}/"))
    assert heading(doc).startswith(default.title_vi)
    late = doc.one("tr", data_question="late_days")
    assert "on_time = no" in " ".join(late.one(data_show_if=True).text.split())
    staff = doc.one("tr", data_question="sat_staff")
    cells = [td.text for td in staff.select("td")]
    assert vi("Scale 1–5") in cells and vi("The civil servant") in " ".join(cells)
    assert vi("satisfaction") in " ".join(cells) and "satisfaction" not in " ".join(cells)
    assert len(doc.select(data_section=True)) == len(spec_of(default).sections)


def test_a_questionnaire_downloads_as_an_xlsform_that_reads_back_the_same(
    client_for: ClientFor, reporter: User
) -> None:
    default = actions.load_default_questionnaire()
    response = client_for(reporter).get(f"/surveys/questionnaires/{default.pk}/xlsform.xlsx")
    assert response.status_code == 200
    assert "sipas-default-v1.xlsx" in response["Content-Disposition"]
    assert xlsform.read_xlsform(response.content) == spec_of(default)


def _renamed_form(version: int) -> bytes:
    spec = spec_of(actions.load_default_questionnaire())
    book = load_workbook(io.BytesIO(xlsform.write_xlsform(spec)))
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("form_id") + 1, value="phieu-tinh")
    settings.cell(row=2, column=header.index("version") + 1, value=str(version))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_coordinator_imports_an_xlsform_on_screen(
    client_for: ClientFor, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        "/surveys/questionnaires/import/",
        {"file": SimpleUploadedFile("phieu.xlsx", _renamed_form(2))},
    )
    stored = Questionnaire.objects.get(code="phieu-tinh", version=2)
    assert response.status_code == 302
    assert response["Location"] == f"/surveys/questionnaires/{stored.pk}/"


def test_a_file_that_is_no_xlsform_is_refused_with_its_reason_and_nothing_is_stored(
    client_for: ClientFor, coordinator: User
) -> None:
    before = Questionnaire.objects.count()
    response = client_for(coordinator).post(
        "/surveys/questionnaires/import/",
        {"file": SimpleUploadedFile("phieu.xlsx", b"PK not really a workbook")},
    )
    assert response.status_code == 200
    (message,) = field_errors(parse(response.content), "file")
    assert message.startswith(
        vi("The workbook cannot be used, nothing was stored: %(reason)s")[:20]
    )
    assert "not an XLSX workbook" in message
    assert Questionnaire.objects.count() == before


def test_a_reporter_may_not_import_a_questionnaire(client_for: ClientFor, reporter: User) -> None:
    response = client_for(reporter).post(
        "/surveys/questionnaires/import/",
        {"file": SimpleUploadedFile("phieu.xlsx", _renamed_form(3))},
    )
    assert response.status_code == 403
    assert not Questionnaire.objects.filter(code="phieu-tinh").exists()
