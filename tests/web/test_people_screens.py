"""The people screens: accounts, roles and passwords, and signing in (lock-out, Argon2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from parindex.orgs import actions
from parindex.orgs.models import AuditEntry, Role, RoleAssignment, User
from tests.conftest import PASSWORD, LaoCai
from tests.web.pages import (
    alerts,
    all_errors,
    field_errors,
    form_errors,
    heading,
    page,
    parse,
    vi,
)

ClientFor = Callable[[User], Client]

GOOD_PASSWORD = "Phan-Xi-Păng-3143"


def person_form(lao_cai: LaoCai, **fields: object) -> dict[str, object]:
    return {
        "username": "thao.stp",
        "full_name": "Lò Thị Thảo",
        "email": "thao.stp@laocai.gov.vn",
        "organisation": lao_cai.justice.pk,
        "position": "Chuyên viên",
        "phone": "0214 3840 123",
        "password": GOOD_PASSWORD,
        **fields,
    }


def people_snapshot() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


# --- accounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["123456", "thao.stp", "ngắn", "password"])
def test_a_weak_initial_password_is_refused_with_the_reason_and_nothing_is_saved(
    weak: str, coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = people_snapshot()
    doc = page(client_for(coordinator).post("/people/new/", person_form(lao_cai, password=weak)))
    errors = form_errors(doc)
    assert errors, "the reason must be shown"
    # Each reason is one of Django's password validators', in the reader's language.
    reasons = {
        vi("This password is too common."),
        vi("This password is entirely numeric."),
        vi("The password is too similar to the %(verbose_name)s.", verbose_name=vi("username")),
    }
    assert any(e in reasons or "8" in e for e in errors), errors
    assert people_snapshot() == before
    assert not User.objects.filter(username="thao.stp").exists()


def test_coordinator_creates_a_person_with_a_good_password_who_can_then_sign_in(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    response = client_for(coordinator).post("/people/new/", person_form(lao_cai))
    person = User.objects.get(username="thao.stp")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert (person.full_name, person.organisation, person.position) == (
        "Lò Thị Thảo",
        lao_cai.justice,
        "Chuyên viên",
    )
    assert person.check_password(GOOD_PASSWORD)
    entry = AuditEntry.objects.get(action="orgs.person.create", object_id=str(person.pk))
    assert (entry.channel, entry.actor) == ("web", coordinator)
    assert GOOD_PASSWORD not in str(entry.changes)

    signed_in = Client()
    login = signed_in.post("/login/", {"username": "thao.stp", "password": GOOD_PASSWORD})
    assert login.status_code == 302
    assert heading(page(signed_in.get("/"))) == vi("Welcome, %(name)s", name="Lò Thị Thảo")


def test_a_person_created_without_a_password_cannot_sign_in_yet(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client_for(coordinator).post("/people/new/", person_form(lao_cai, password=""))
    person = User.objects.get(username="thao.stp")
    assert not person.has_usable_password()
    assert Client().post("/login/", {"username": "thao.stp", "password": ""}).status_code == 200


def test_a_taken_username_is_shown_beside_the_field_and_nothing_is_saved(
    coordinator: User, reporter: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = people_snapshot()
    doc = page(
        client_for(coordinator).post("/people/new/", person_form(lao_cai, username="minh.stp"))
    )
    assert field_errors(doc, "username") == [vi("A user with that username already exists.")]
    assert people_snapshot() == before


def test_coordinator_cannot_put_a_person_in_another_provinces_agency(
    coordinator: User, outsider: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    assert outsider.organisation is not None
    before = people_snapshot()
    doc = page(
        client_for(coordinator).post(
            "/people/new/", person_form(lao_cai, organisation=outsider.organisation.pk)
        )
    )
    assert field_errors(doc, "organisation")
    assert people_snapshot() == before


def test_coordinator_edits_a_person_and_deactivates_the_account(
    coordinator: User, reporter: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    response = client.post(
        f"/people/{reporter.pk}/edit/",
        {
            "username": reporter.username,
            "full_name": "Trần Văn Minh",
            "email": reporter.email,
            "organisation": lao_cai.office.pk,
            "position": "Phó Chánh Văn phòng",
            "phone": "",
        },  # is_active left out: the box is unticked
    )
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert (reporter.organisation, reporter.position, reporter.is_active) == (
        lao_cai.office,
        "Phó Chánh Văn phòng",
        False,
    )
    entry = AuditEntry.objects.get(action="orgs.person.update", object_id=str(reporter.pk))
    assert entry.changes["is_active"] == [True, False]
    assert (
        Client().post("/login/", {"username": "minh.stp", "password": PASSWORD}).status_code == 200
    )


# --- roles -------------------------------------------------------------------------------------


def test_coordinator_makes_someone_an_appraiser_of_two_agencies_and_removes_the_role(
    coordinator: User, other_reporter: User, reporter: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    response = client.post(
        f"/people/{other_reporter.pk}/roles/",
        {
            "role": Role.APPRAISER,
            "organisation": lao_cai.office.pk,  # any agency: held for the whole province
            "agencies": [lao_cai.justice.pk, lao_cai.city.pk],
        },
    )
    assert response.status_code == 302
    role = RoleAssignment.objects.get(user=other_reporter, role=Role.APPRAISER)
    assert role.organisation == lao_cai.province
    assert set(role.agencies.all()) == {lao_cai.justice, lao_cai.city}
    entry = AuditEntry.objects.get(action="orgs.role.assign", object_id=str(role.pk))
    assert entry.channel == "web"

    detail = page(client.get(response["Location"]))
    assert vi("Role added.") in alerts(detail)
    roles_card = detail.one("section", data_section="roles")
    assert lao_cai.justice.name in roles_card.text and lao_cai.city.name in roles_card.text

    # The appraiser now reads Sở Tư pháp's people.
    seen = page(client_for(other_reporter).get(f"/orgs/{lao_cai.justice.pk}/"))
    assert seen.has("a", href=f"/people/{reporter.pk}/")

    removed = client.post(f"/roles/{role.pk}/remove/")
    assert removed.status_code == 302
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()
    assert AuditEntry.objects.filter(action="orgs.role.remove", object_id=str(role.pk)).exists()
    assert vi("Role removed.") in alerts(page(client.get(removed["Location"])))


def test_a_reporter_role_for_the_whole_province_is_refused_with_a_message(
    coordinator: User, citizen: User, other_reporter: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    before = RoleAssignment.objects.count()
    client = client_for(coordinator)
    response = client.post(
        f"/people/{other_reporter.pk}/roles/",
        {"role": Role.HEAD, "organisation": lao_cai.province.pk},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.count() == before
    assert vi("Reporters and heads are assigned to an agency, not to a province.") in alerts(
        page(client.get(response["Location"]))
    )


# --- passwords ---------------------------------------------------------------------------------


def test_coordinator_resets_a_password_and_only_the_new_one_works(
    coordinator: User, reporter: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    response = client.post(f"/people/{reporter.pk}/password/", {"password": GOOD_PASSWORD})
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert reporter.check_password(GOOD_PASSWORD)
    assert not reporter.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="orgs.person.password", object_id=str(reporter.pk))
    assert (entry.actor, entry.channel, entry.changes) == (
        coordinator,
        "web",
        {"password": ["***", "***"]},
    )
    assert vi("The password was changed.") in alerts(page(client.get(response["Location"])))


def test_a_weak_reset_password_is_refused_and_the_old_one_still_works(
    coordinator: User, reporter: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    response = client.post(f"/people/{reporter.pk}/password/", {"password": "12345678"})
    reporter.refresh_from_db()
    assert reporter.check_password(PASSWORD)
    assert vi("This password is entirely numeric.") in alerts(
        page(client.get(response["Location"]))
    )
    assert not AuditEntry.objects.filter(action="orgs.person.password").exists()


@pytest.fixture
def administrator(lao_cai: LaoCai) -> User:
    """An administrator's account that happens to sit in the coordinator's province."""
    admin = User.objects.create_superuser(
        "quantri", email="quantri@laocai.gov.vn", password=PASSWORD, full_name="Quản trị"
    )
    admin.organisation = lao_cai.home_affairs
    admin.save()
    actions.assign_role(admin, by=None, role=Role.COORDINATOR, organisation=lao_cai.province)
    return admin


def test_coordinator_cannot_touch_an_administrators_account(
    coordinator: User, administrator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    role = RoleAssignment.objects.get(user=administrator)
    before = people_snapshot()
    attempts = [
        client.get(f"/people/{administrator.pk}/edit/"),
        client.post(
            f"/people/{administrator.pk}/edit/",
            {"username": "quantri", "full_name": "Đã đổi", "organisation": lao_cai.justice.pk},
        ),
        client.post(f"/people/{administrator.pk}/password/", {"password": GOOD_PASSWORD}),
        client.post(
            f"/people/{administrator.pk}/roles/",
            {"role": Role.LEADER, "organisation": lao_cai.province.pk},
        ),
        client.post(f"/roles/{role.pk}/remove/"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert people_snapshot() == before
    administrator.refresh_from_db()
    assert administrator.check_password(PASSWORD)
    assert (administrator.full_name, administrator.is_superuser) == ("Quản trị", True)
    # The administrator's page shows no management control either.
    doc = page(client.get(f"/people/{administrator.pk}/"))
    assert not doc.has("a", href=f"/people/{administrator.pk}/edit/")
    assert not doc.has("form", action=f"/people/{administrator.pk}/password/")
    assert not doc.has("form", action=f"/roles/{role.pk}/remove/")


def test_a_person_changes_their_own_password_on_the_password_page(
    reporter: User, client_for: ClientFor
) -> None:
    client = client_for(reporter)
    assert page(client.get("/password/")).has("input", name="old_password")
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/password/done/"
    reporter.refresh_from_db()
    assert reporter.check_password(GOOD_PASSWORD)
    # Still signed in on this browser, and the new password signs in elsewhere.
    assert client.get("/").status_code == 200
    assert (
        Client().post("/login/", {"username": "minh.stp", "password": GOOD_PASSWORD}).status_code
        == 302
    )


def test_a_wrong_current_password_is_shown_beside_its_field_and_nothing_changes(
    reporter: User, client_for: ClientFor
) -> None:
    doc = page(
        client_for(reporter).post(
            "/password/",
            {"old_password": "sai", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
        )
    )
    assert field_errors(doc, "old_password") == [
        vi("Your old password was entered incorrectly. Please enter it again.")
    ]
    reporter.refresh_from_db()
    assert reporter.check_password(PASSWORD)


def test_the_password_page_needs_a_signed_in_person(client: Client) -> None:
    response = client.get("/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- signing in --------------------------------------------------------------------------------


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(
    reporter: User, head: User
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    failures = [sign_in(client, "minh.stp", f"sai-{n}") for n in range(1, 5)]
    assert failures == [200, 200, 200, 200]  # the login form again, with its error
    assert sign_in(client, "minh.stp", "sai-5") == 429  # the fifth failure locks

    response = client.post("/login/", {"username": "minh.stp", "password": PASSWORD})
    assert response.status_code == 429
    doc = parse(response.content)
    assert heading(doc) == vi("Account temporarily locked")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out

    # Someone else signing in from the same computer is not locked out.
    assert sign_in(Client(), "hung.stp", PASSWORD) == 302


def test_a_failed_sign_in_says_so_on_the_form(reporter: User) -> None:
    response = Client().post("/login/", {"username": "minh.stp", "password": "sai"})
    doc = page(response)
    assert doc.one("input", name="username").attrs.get("value") == "minh.stp"
    assert all_errors(doc) or doc.has(cls="form-errors")


@pytest.mark.real_password_hashing
def test_a_person_created_on_the_screen_gets_an_argon2_password_hash(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    client_for(coordinator).post("/people/new/", person_form(lao_cai))
    person = User.objects.get(username="thao.stp")
    assert person.password.startswith("argon2$")
    assert sign_in(Client(), "thao.stp", GOOD_PASSWORD) == 302
