"""The access rule as the screens and exports apply it: who sees whom, who may change what."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from parindex.orgs import actions
from parindex.orgs.models import AuditEntry, Organisation, RoleAssignment, User
from tests.conftest import PASSWORD, LaoCai, YenBai
from tests.web.pages import heading, page, rows

ClientFor = Callable[[User], Client]


@pytest.fixture
def cast(
    coordinator: User,
    reporter: User,
    other_reporter: User,
    head: User,
    district_head: User,
    leader: User,
    appraiser: User,
    citizen: User,
    outsider: User,
) -> dict[str, User]:
    """Everybody at once, by fixture name."""
    return {
        "coordinator": coordinator,
        "reporter": reporter,
        "other_reporter": other_reporter,
        "head": head,
        "district_head": district_head,
        "leader": leader,
        "appraiser": appraiser,
        "citizen": citizen,
        "outsider": outsider,
    }


LAO_CAI_STAFF = {
    "coordinator",
    "reporter",
    "other_reporter",
    "head",
    "district_head",
    "leader",
    "appraiser",
}


def listed_people(client: Client, cast: dict[str, User]) -> set[str]:
    """Who the people list shows, by cast name."""
    names = {user.username: name for name, user in cast.items()}
    return {names[username] for username in rows(page(client.get("/people/")), "data-username")}


def snapshot() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEntry.objects.count(),
    )


# --- the people list and the person pages ---------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("coordinator", LAO_CAI_STAFF),
        ("leader", LAO_CAI_STAFF),
        ("reporter", {"reporter", "head"}),
        ("head", {"reporter", "head"}),
        ("district_head", {"district_head"}),
        # The appraiser reads the agencies assigned to them (Sở Tư pháp), and their own record.
        ("appraiser", {"appraiser", "reporter", "head"}),
        ("outsider", {"outsider"}),
    ],
)
def test_the_people_list_shows_each_role_exactly_the_people_it_may_see(
    viewer: str, sees: set[str], cast: dict[str, User], client_for: ClientFor
) -> None:
    assert listed_people(client_for(cast[viewer]), cast) == sees


@pytest.mark.parametrize(
    ("viewer", "opens", "refused"),
    [
        ("reporter", {"reporter", "head"}, {"other_reporter", "coordinator", "outsider"}),
        ("appraiser", {"reporter", "head"}, {"other_reporter", "district_head", "leader"}),
        ("coordinator", LAO_CAI_STAFF, {"outsider", "citizen"}),
        ("leader", LAO_CAI_STAFF, {"outsider", "citizen"}),
        ("outsider", {"outsider"}, LAO_CAI_STAFF),
        ("citizen", {"citizen"}, LAO_CAI_STAFF | {"outsider"}),
    ],
)
def test_a_person_page_opens_only_for_people_the_viewer_may_see_and_is_404_otherwise(
    viewer: str, opens: set[str], refused: set[str], cast: dict[str, User], client_for: ClientFor
) -> None:
    client = client_for(cast[viewer])
    for name in opens:
        person = cast[name]
        assert heading(page(client.get(f"/people/{person.pk}/"))) == person.full_name
    for name in refused:
        assert client.get(f"/people/{cast[name].pk}/").status_code == 404, name


def test_reporter_cannot_open_another_agencys_person_page(
    reporter: User, other_reporter: User, client_for: ClientFor
) -> None:
    response = client_for(reporter).get(f"/people/{other_reporter.pk}/")
    assert response.status_code == 404
    assert other_reporter.full_name not in response.content.decode()


def test_reporter_sees_a_colleague_without_any_management_control(
    reporter: User, head: User, client_for: ClientFor
) -> None:
    doc = page(client_for(reporter).get(f"/people/{head.pk}/"))
    assert not doc.has("a", href=f"/people/{head.pk}/edit/")
    assert not doc.has("form", action=f"/people/{head.pk}/roles/")
    assert not doc.has("form", action=f"/people/{head.pk}/password/")
    # The list has neither the "New person" button.
    assert not page(client_for(reporter).get("/people/")).has("a", href="/people/new/")


def test_the_coordinator_sees_every_management_control_on_a_person_page(
    coordinator: User, reporter: User, client_for: ClientFor
) -> None:
    doc = page(client_for(coordinator).get(f"/people/{reporter.pk}/"))
    assert doc.has("a", href=f"/people/{reporter.pk}/edit/")
    assert doc.has("form", action=f"/people/{reporter.pk}/roles/")
    assert doc.has("form", action=f"/people/{reporter.pk}/password/")


# --- write screens ----------------------------------------------------------------------------


def write_screens(lao_cai: LaoCai, colleague: User) -> list[tuple[str, str, dict[str, object]]]:
    """Every screen that changes organisations or people, with a plausible form to send."""
    role = RoleAssignment.objects.filter(user=colleague).first()
    assert role is not None
    agency = {
        "kind": "department",
        "name": "Sở Xây dựng",
        "code": "so-xay-dung",
        "parent": lao_cai.province.pk,
    }
    return [
        ("get", "/orgs/new/", {}),
        ("post", "/orgs/new/", agency),
        ("get", f"/orgs/{lao_cai.justice.pk}/edit/", {}),
        ("post", f"/orgs/{lao_cai.justice.pk}/edit/", {**agency, "code": "so-tu-phap"}),
        ("get", f"/orgs/{lao_cai.justice.pk}/close/", {}),
        ("post", f"/orgs/{lao_cai.justice.pk}/close/", {"on": "01/07/2025"}),
        ("get", "/people/new/", {}),
        (
            "post",
            "/people/new/",
            {"username": "moi.stp", "full_name": "Người Mới", "organisation": lao_cai.justice.pk},
        ),
        ("get", f"/people/{colleague.pk}/edit/", {}),
        (
            "post",
            f"/people/{colleague.pk}/edit/",
            {"username": colleague.username, "full_name": "Đổi Tên", "is_active": "on"},
        ),
        (
            "post",
            f"/people/{colleague.pk}/roles/",
            {"role": "coordinator", "organisation": lao_cai.province.pk},
        ),
        ("post", f"/people/{colleague.pk}/password/", {"password": "Mat-khau-moi-2025!"}),
        ("post", f"/roles/{role.pk}/remove/", {}),
    ]


@pytest.mark.parametrize("who", ["reporter", "head", "leader", "appraiser"])
def test_only_the_coordinator_reaches_the_write_screens_everyone_else_gets_403(
    who: str, cast: dict[str, User], lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(cast[who])
    colleague = cast["head"] if who != "head" else cast["reporter"]
    before = snapshot()
    for method, url, data in write_screens(lao_cai, colleague):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (who, method, url, response.status_code)
    assert snapshot() == before
    colleague.refresh_from_db()
    assert colleague.check_password(PASSWORD)
    assert colleague.full_name != "Đổi Tên"
    lao_cai.justice.refresh_from_db()
    assert lao_cai.justice.valid_to is None


def test_the_coordinator_reaches_every_write_screen(
    coordinator: User, head: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    for method, url, _data in write_screens(lao_cai, head):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_leader_reads_everything_in_the_province_but_not_the_audit_log(
    leader: User, cast: dict[str, User], lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(leader)
    assert listed_people(client, cast) == LAO_CAI_STAFF
    for org in (lao_cai.justice, lao_cai.office, lao_cai.city, lao_cai.commune):
        doc = page(client.get(f"/orgs/{org.pk}/"))
        assert heading(doc).startswith(org.name)
        assert not doc.has("a", href=f"/orgs/{org.pk}/edit/")
    assert client.get("/audit/").status_code == 403


def test_reporter_sees_the_province_tree_and_other_agencies_without_their_people(
    reporter: User, other_reporter: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(reporter)
    org_list = page(client.get("/orgs/"))
    assert {"so-tu-phap", "vp-ubnd", "tp-lao-cai", "coc-leu"} <= set(rows(org_list, "data-code"))
    office = client.get(f"/orgs/{lao_cai.office.pk}/").content.decode()
    assert lao_cai.office.name in office
    assert other_reporter.full_name not in office


# --- other provinces and people without a role ------------------------------------------------


def test_outsider_sees_nothing_of_this_province(
    outsider: User, reporter: User, lao_cai: LaoCai, yen_bai: YenBai, client_for: ClientFor
) -> None:
    client = client_for(outsider)
    org_list = page(client.get("/orgs/"))
    assert {section.attrs["data-province"] for section in org_list.select(data_province=True)} == {
        "yen-bai"
    }
    assert set(rows(org_list, "data-code")) == {"so-noi-vu"}
    for org in (lao_cai.province, lao_cai.justice, lao_cai.commune):
        assert client.get(f"/orgs/{org.pk}/").status_code == 404
        # Not even "forbidden": another province's agencies do not exist for the outsider.
        assert client.get(f"/orgs/{org.pk}/edit/").status_code == 404
        assert client.get(f"/orgs/{org.pk}/close/").status_code == 404
    assert client.get(f"/people/{reporter.pk}/").status_code == 404
    assert client.get(f"/people/{reporter.pk}/edit/").status_code == 404
    # Asking the people list for a Lào Cai agency shows nobody.
    filtered = page(client.get(f"/people/?agency={lao_cai.justice.pk}"))
    assert rows(filtered, "data-username") == []
    assert reporter.full_name not in filtered.text


def test_outsider_cannot_give_themself_a_role_in_this_province(
    outsider: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = snapshot()
    response = client_for(outsider).post(
        f"/people/{outsider.pk}/roles/",
        {"role": "coordinator", "organisation": lao_cai.province.pk},
    )
    # The province is not among the choices: the form refuses it and nothing is written.
    assert response.status_code == 302
    assert snapshot() == before


def test_citizen_sees_only_themself(
    citizen: User, reporter: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(citizen)
    assert heading(page(client.get(f"/people/{citizen.pk}/"))) == citizen.full_name
    assert client.get(f"/people/{reporter.pk}/").status_code == 404
    assert client.get(f"/orgs/{lao_cai.justice.pk}/").status_code == 404
    # Without a province there is no organisation or people list to show.
    assert client.get("/orgs/").status_code == 404
    assert client.get("/people/").status_code == 404
    exported = client.get("/exports/people.csv")
    assert people_in_csv(exported.getvalue()) == {citizen.username}


def test_signed_out_visitors_are_sent_to_the_login_page(reporter: User, client: Client) -> None:
    for url in ("/", "/orgs/", "/people/", f"/people/{reporter.pk}/", "/exports/people.xlsx"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


# --- exports --------------------------------------------------------------------------------


def people_in_xlsx(content: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    return {str(v) for v in values if v}


def people_in_csv(content: bytes) -> set[str]:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    next(reader)  # the header
    return {row[0] for row in reader if row}


def test_the_people_export_gives_a_reporter_only_their_agencys_people(
    reporter: User, head: User, cast: dict[str, User], client_for: ClientFor
) -> None:
    response = client_for(reporter).get("/exports/people.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert people_in_xlsx(response.getvalue()) == {reporter.username, head.username}


def test_the_people_export_gives_the_coordinator_the_whole_province_and_no_other(
    coordinator: User, cast: dict[str, User], client_for: ClientFor
) -> None:
    response = client_for(coordinator).get("/exports/people.xlsx")
    assert people_in_xlsx(response.getvalue()) == {cast[name].username for name in LAO_CAI_STAFF}


def test_the_people_export_through_the_api_with_a_token_applies_the_same_rule(
    reporter: User, head: User, cast: dict[str, User], client: Client
) -> None:
    _token, key = actions.create_api_token(reporter, by=reporter, name="đồng bộ")
    response = client.get("/api/exports/people.csv", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.getvalue()  # streamed: read once
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    assert people_in_csv(body) == {reporter.username, head.username}
    assert head.full_name in body.decode("utf-8-sig")


def test_an_unknown_export_or_format_is_a_400_naming_the_problem(
    reporter: User, client_for: ClientFor
) -> None:
    client = client_for(reporter)
    assert client.get("/exports/nobody.xlsx").status_code == 400
    response = client.get("/exports/people.pdf")
    assert response.status_code == 400
    assert "pdf" in response.content.decode()
