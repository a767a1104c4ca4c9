"""The organisation screens: a coordinator creates, edits and closes agencies; the list as of a date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from parindex.orgs import actions
from parindex.orgs.models import AuditEntry, Organisation, OrgKind, Succession, User
from tests.conftest import LaoCai
from tests.web.pages import alerts, field_errors, heading, page, rows, vi

ClientFor = Callable[[User], Client]


def agency_form(lao_cai: LaoCai, **fields: object) -> dict[str, object]:
    return {
        "kind": "department",
        "name": "Sở Thông tin và Truyền thông",
        "short_name": "STTTT",
        "code": "so-tttt",
        "parent": lao_cai.province.pk,
        "valid_from": "01/01/2008",
        "email": "sotttt@laocai.gov.vn",
        "note": "",
        **fields,
    }


def org_snapshot() -> tuple[int, int, int]:
    return Organisation.objects.count(), Succession.objects.count(), AuditEntry.objects.count()


# --- create, edit, close ----------------------------------------------------------------------


def test_coordinator_creates_an_agency_and_the_write_is_audited_as_web(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    response = client.post("/orgs/new/", agency_form(lao_cai))

    org = Organisation.objects.get(province=lao_cai.province, code="so-tttt")
    assert response.status_code == 302
    assert response["Location"] == f"/orgs/{org.pk}/"
    assert (org.kind, org.name, org.short_name, org.parent, org.valid_from) == (
        OrgKind.DEPARTMENT,
        "Sở Thông tin và Truyền thông",
        "STTTT",
        lao_cai.province,
        date(2008, 1, 1),
    )
    entry = AuditEntry.objects.get(action="orgs.organisation.create", object_id=str(org.pk))
    assert (entry.channel, entry.actor, entry.province_id) == (
        "web",
        coordinator,
        lao_cai.province.pk,
    )
    assert entry.changes["name"] == [None, "Sở Thông tin và Truyền thông"]

    detail = page(client.get(response["Location"]))
    assert heading(detail).startswith("Sở Thông tin và Truyền thông")
    assert vi("%(name)s was created.", name=org.name) in alerts(detail)


def test_coordinator_creates_a_commune_under_its_district(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client_for(coordinator).post(
        "/orgs/new/",
        agency_form(
            lao_cai,
            kind="commune",
            name="UBND phường Duyên Hải",
            code="duyen-hai",
            parent=lao_cai.city.pk,
        ),
    )
    commune = Organisation.objects.get(code="duyen-hai")
    assert commune.parent == lao_cai.city
    assert commune.province == lao_cai.province


def test_coordinator_edits_an_agency_and_the_audit_entry_has_before_and_after(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    justice = lao_cai.justice
    response = client_for(coordinator).post(
        f"/orgs/{justice.pk}/edit/",
        agency_form(
            lao_cai,
            name="Sở Tư pháp tỉnh Lào Cai",
            short_name="STP",
            code="so-tu-phap",
            valid_from="",
        ),
    )
    assert response.status_code == 302
    justice.refresh_from_db()
    assert justice.name == "Sở Tư pháp tỉnh Lào Cai"
    entry = AuditEntry.objects.get(action="orgs.organisation.update", object_id=str(justice.pk))
    assert entry.channel == "web"
    assert entry.changes["name"] == ["Sở Tư pháp", "Sở Tư pháp tỉnh Lào Cai"]


def test_names_typed_in_decomposed_unicode_are_stored_composed(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Sở Y tế")
    client_for(coordinator).post(
        "/orgs/new/", agency_form(lao_cai, name=decomposed, code="so-y-te")
    )
    assert Organisation.objects.get(code="so-y-te").name == unicodedata.normalize("NFC", "Sở Y tế")


@pytest.fixture
def merger(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> tuple[Organisation, Organisation]:
    """Sở Thông tin và Truyền thông merged into Sở Khoa học và Công nghệ on 01/03/2025,
    closed through the close screen."""
    old = actions.create_organisation(
        by=None,
        province=lao_cai.province,
        kind=OrgKind.DEPARTMENT,
        name="Sở Thông tin và Truyền thông",
        code="so-tttt",
        valid_from=date(2008, 1, 1),
    )
    new = actions.create_organisation(
        by=None,
        province=lao_cai.province,
        kind=OrgKind.DEPARTMENT,
        name="Sở Khoa học và Công nghệ",
        code="so-khcn",
    )
    response = client_for(coordinator).post(
        f"/orgs/{old.pk}/close/",
        {"on": "01/03/2025", "kind": "merged", "successors": [new.pk], "note": "Hợp nhất"},
    )
    assert response.status_code == 302
    return old, new


def test_coordinator_closes_an_agency_with_a_successor_on_a_date(
    merger: tuple[Organisation, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    old, new = merger
    old.refresh_from_db()
    assert old.valid_to == date(2025, 3, 1)
    assert old.name == "Sở Thông tin và Truyền thông"  # the old name stays on the old row
    link = Succession.objects.get(predecessor=old)
    assert (link.successor, link.kind, link.on, link.note) == (
        new,
        "merged",
        date(2025, 3, 1),
        "Hợp nhất",
    )
    entry = AuditEntry.objects.get(action="orgs.organisation.close", object_id=str(old.pk))
    assert entry.channel == "web"
    assert entry.changes["valid_to"] == [None, "2025-03-01"]

    detail = page(client_for(coordinator).get(f"/orgs/{old.pk}/"))
    assert detail.has("a", href=f"/orgs/{new.pk}/")


def test_the_list_as_of_a_date_shows_the_old_name_before_the_merger_and_the_new_one_after(
    merger: tuple[Organisation, Organisation], coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    before = page(client.get("/orgs/?as_of=28/02/2025"))
    after = page(client.get("/orgs/?as_of=01/03/2025"))
    assert "so-tttt" in rows(before, "data-code")
    assert "so-tttt" not in rows(after, "data-code")
    assert "so-khcn" in rows(after, "data-code")
    assert "Sở Thông tin và Truyền thông" in before.text
    assert "Sở Thông tin và Truyền thông" not in after.text
    # The date the list is for is shown back, the Vietnamese way.
    assert before.one("input", name="as_of").attrs["value"] == "28/02/2025"


def test_an_agency_that_started_later_is_not_in_the_list_as_of_an_earlier_date(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    client.post("/orgs/new/", agency_form(lao_cai, valid_from="01/07/2025"))
    assert "so-tttt" not in rows(page(client.get("/orgs/?as_of=30/06/2025")), "data-code")
    assert "so-tttt" in rows(page(client.get("/orgs/?as_of=01/07/2025")), "data-code")


# --- bad input ---------------------------------------------------------------------------------


def test_a_duplicate_code_is_shown_beside_the_code_field_and_nothing_is_saved(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = org_snapshot()
    doc = page(client_for(coordinator).post("/orgs/new/", agency_form(lao_cai, code="so-tu-phap")))
    assert field_errors(doc, "code") == [vi("This code is already used in the province.")]
    assert org_snapshot() == before


def test_renaming_an_agencys_code_to_a_taken_one_is_shown_beside_the_field(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    doc = page(
        client_for(coordinator).post(
            f"/orgs/{lao_cai.justice.pk}/edit/",
            agency_form(lao_cai, name="Sở Tư pháp", code="so-noi-vu", valid_from=""),
        )
    )
    assert field_errors(doc, "code") == [vi("This code is already used in the province.")]
    assert Organisation.objects.get(pk=lao_cai.justice.pk).code == "so-tu-phap"


def test_a_closing_date_before_the_start_is_shown_beside_the_date_and_nothing_is_saved(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    org = actions.create_organisation(
        by=None,
        province=lao_cai.province,
        kind=OrgKind.DEPARTMENT,
        name="Sở Thông tin và Truyền thông",
        code="so-tttt",
        valid_from=date(2008, 1, 1),
    )
    before = org_snapshot()
    doc = page(
        client_for(coordinator).post(
            f"/orgs/{org.pk}/close/",
            {"on": "31/12/2007", "kind": "merged", "successors": [lao_cai.office.pk]},
        )
    )
    assert field_errors(doc, "on") == [vi("The closing date must be after the start date.")]
    assert org_snapshot() == before
    org.refresh_from_db()
    assert org.valid_to is None


def test_an_unreadable_date_is_shown_beside_its_field_and_nothing_is_saved(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = org_snapshot()
    doc = page(
        client_for(coordinator).post("/orgs/new/", agency_form(lao_cai, valid_from="31/02/2020"))
    )
    assert field_errors(doc, "valid_from") == [vi("Enter a valid date.")]
    assert org_snapshot() == before


def test_a_missing_name_is_shown_beside_the_name_field(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = org_snapshot()
    doc = page(client_for(coordinator).post("/orgs/new/", agency_form(lao_cai, name="")))
    assert field_errors(doc, "name") == [vi("This field is required.")]
    assert org_snapshot() == before


# --- query counts ------------------------------------------------------------------------------


def add_agencies(lao_cai: LaoCai, count: int) -> None:
    for number in range(count):
        parent = actions.create_organisation(
            by=None,
            province=lao_cai.province,
            kind=OrgKind.DISTRICT if number % 3 == 0 else OrgKind.DEPARTMENT,
            name=f"Đơn vị thử {number:02}",
            code=f"don-vi-{number:02}",
        )
        if number % 3 == 0:
            actions.create_organisation(
                by=None,
                province=lao_cai.province,
                kind=OrgKind.COMMUNE,
                name=f"UBND xã thử {number:02}",
                code=f"xa-{number:02}",
                parent=parent,
            )


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Measured: session, user, roles, appraised agencies, the person's organisation, the current
# province (asked by the view and again by the navigation), provinces as of the day, agencies.
ORG_LIST_QUERIES = 9


def test_the_organisation_list_runs_a_fixed_number_of_queries(
    coordinator: User,
    lao_cai: LaoCai,
    client_for: ClientFor,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(coordinator)
    client.get("/orgs/")
    with django_assert_max_num_queries(ORG_LIST_QUERIES):
        response = client.get("/orgs/")
    assert len(rows(page(response), "data-code")) == 7  # every agency of the cast's province


def test_the_organisation_list_does_not_run_more_queries_for_more_agencies(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    small = queries_for(client, "/orgs/")
    add_agencies(lao_cai, 30)
    assert len(rows(page(client.get("/orgs/")), "data-code")) == 7 + 30 + 10
    assert queries_for(client, "/orgs/") == small
    assert queries_for(client, "/orgs/?as_of=11/06/2020&kind=district") == small


# --- the demo today ----------------------------------------------------------------------------


def test_the_demo_organisation_list_shows_the_merged_province_today(
    loaded_demo: str, client_for: ClientFor
) -> None:
    for username in ("noivu", "quantri"):
        doc = page(client_for(User.objects.get(username=username)).get("/orgs/"))
        provinces = [s.attrs["data-province"] for s in doc.select("section", data_province=True)]
        assert provinces == ["lao-cai-2025"], username
        codes = rows(doc, "data-code")
        assert "phuong-lao-cai-02647" in codes and "ubnd-tinh" in codes
        assert len([c for c in codes if re.search(r"-\d{5}$", c)]) == 99
        assert vi("No province existed on that date.") not in doc.text
    # The same person still finds Lào Cai as it was in 2020, and Yên Bái, the other province
    # the merged one came from.
    in_2020 = page(client_for(User.objects.get(username="noivu")).get("/orgs/?as_of=11/06/2020"))
    assert [s.attrs["data-province"] for s in in_2020.select("section", data_province=True)] == [
        "lao-cai-1991",
        "yen-bai-1991",
    ]
    # A 2020 reporter, whose role is in the old province only, finds today's province too.
    reporter = User.objects.filter(roles__organisation__province__code="lao-cai-1991").exclude(
        username__in=["noivu", "lanhdao"]
    )[0]
    today = page(client_for(reporter).get("/orgs/"))
    assert [s.attrs["data-province"] for s in today.select("section", data_province=True)] == [
        "lao-cai-2025"
    ]


# --- loading the present structure --------------------------------------------------------------


@pytest.fixture
def administrator(db: None) -> User:
    return User.objects.create_superuser("quantri", password="Quan-tri-2025")


def test_an_administrator_of_a_new_installation_finds_the_load_button_on_the_organisations_page(
    administrator: User, client_for: ClientFor
) -> None:
    doc = page(client_for(administrator).get("/orgs/"))
    assert doc.has("a", href="/orgs/load/")
    assert vi("No province existed on that date.") in doc.text


def test_an_administrator_loads_a_province_on_screen_and_the_write_is_audited_as_web(
    administrator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    assert page(client.get("/orgs/load/")).has("option", value="15")

    response = client.post("/orgs/load/", {"province": "15"})

    present = Organisation.objects.get(code="lao-cai-2025")
    assert response.status_code == 302
    assert response["Location"] == f"/orgs/?province={present.pk}"
    assert Organisation.objects.filter(province=present, kind=OrgKind.COMMUNE).count() == 99
    entries = AuditEntry.objects.filter(province=present)
    assert set(entries.values_list("channel", "actor")) == {("web", administrator.pk)}
    listed = page(client.get(response["Location"]))
    assert "phuong-lao-cai-02647" in rows(listed, "data-code")
    assert vi(
        "%(name)s: %(created)s organisations created, %(linked)s earlier units linked to their successors.",
        name="Tỉnh Lào Cai",
        created=101,
        linked=5,
    ) in alerts(listed)
    again = page(client.post("/orgs/load/", {"province": "15"}, follow=True))
    assert vi("%(name)s is already loaded: nothing to change.", name="Tỉnh Lào Cai") in alerts(
        again
    )


def test_an_unknown_province_code_is_refused_beside_the_field(
    administrator: User, client_for: ClientFor
) -> None:
    doc = page(client_for(administrator).post("/orgs/load/", {"province": "99"}))
    assert field_errors(doc, "province")
    assert not Organisation.objects.exists()


def test_a_coordinator_may_not_load_a_province_and_sees_no_button(
    coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    assert not page(client.get("/orgs/")).has("a", href="/orgs/load/")
    assert client.get("/orgs/load/").status_code == 403
    assert client.post("/orgs/load/", {"province": "15"}).status_code == 403
    assert not Organisation.objects.filter(code="lao-cai-2025").exists()
