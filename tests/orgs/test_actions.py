"""Changing organisations, people, roles and tokens: permission, the write, and the audit entry."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from pytest_django import DjangoAssertNumQueries

from parindex.orgs import access, actions, audit
from parindex.orgs.models import (
    ApiToken,
    AuditEntry,
    Organisation,
    OrgKind,
    Role,
    RoleAssignment,
    Succession,
    SuccessionKind,
    User,
)
from tests.conftest import PASSWORD, LaoCai, YenBai

MERGER_DAY = date(2025, 3, 1)


def counts() -> dict[str, int]:
    """Rows of everything an org action could write, to show that nothing landed."""
    kinds: list[type[models.Model]] = [
        Organisation,
        User,
        RoleAssignment,
        Succession,
        ApiToken,
        AuditEntry,
    ]
    return {kind.__name__: kind._default_manager.count() for kind in kinds}


def fresh(user: User) -> User:
    """The user as a new request would load it: nothing cached on the object."""
    return User.objects.get(pk=user.pk)


def last_entry() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    return entry


# --- the audit trail ---------------------------------------------------------------------------


def test_creating_an_organisation_records_who_and_what(coordinator: User, lao_cai: LaoCai) -> None:
    org = actions.create_organisation(
        by=coordinator,
        province=lao_cai.province,
        kind=OrgKind.DEPARTMENT,
        name="Sở  Xây   dựng",
        code="so-xay-dung",
    )
    entry = last_entry()
    assert org.name == "Sở Xây dựng"
    assert entry.action == "orgs.organisation.create"
    assert entry.actor == coordinator
    assert entry.actor_name == "Nguyễn Thị Hoa"
    assert entry.province == lao_cai.province
    assert (entry.object_type, entry.object_id) == ("orgs.organisation", str(org.pk))
    assert entry.changes["name"] == [None, "Sở Xây dựng"]
    assert entry.changes["parent"] == [None, "Tỉnh Lào Cai"]
    assert entry.channel == "system"


def test_the_audit_entry_names_the_channel_of_the_change(
    coordinator: User, lao_cai: LaoCai
) -> None:
    with audit.channel("web"):
        actions.update_organisation(lao_cai.justice, by=coordinator, email="stp@laocai.gov.vn")
    assert last_entry().channel == "web"


def test_updating_an_organisation_records_only_what_changed(
    coordinator: User, lao_cai: LaoCai
) -> None:
    actions.update_organisation(
        lao_cai.justice, by=coordinator, short_name="Sở TP", name="Sở Tư pháp"
    )
    entry = last_entry()
    assert entry.action == "orgs.organisation.update"
    assert entry.actor == coordinator
    assert entry.changes == {"short_name": ["STP", "Sở TP"]}


ActionCall = Callable[[User, LaoCai, User], Any]


def _close(by: User, cast: LaoCai, person: User) -> Any:
    return actions.close_organisation(cast.bat_xat, by=by, on=date(2025, 7, 1))


def _update_person(by: User, cast: LaoCai, person: User) -> Any:
    return actions.update_person(person, by=by, position="Phó Giám đốc")


def _set_password(by: User, cast: LaoCai, person: User) -> Any:
    return actions.set_password(person, by=by, password="Sa-Pa-Mây-Trắng-2021")


def _assign(by: User, cast: LaoCai, person: User) -> Any:
    return actions.assign_role(person, by=by, role=Role.HEAD, organisation=cast.justice)


def _remove(by: User, cast: LaoCai, person: User) -> Any:
    return actions.remove_role(person.roles.get(), by=by)


def _create_person(by: User, cast: LaoCai, person: User) -> Any:
    return actions.create_person(
        by=by, username="quang.stp", full_name="Mạc Văn Quang", organisation=cast.justice
    )


@pytest.mark.parametrize(
    ("call", "action", "changed"),
    [
        (_close, "orgs.organisation.close", {"valid_to", "successors"}),
        (_update_person, "orgs.person.update", {"position"}),
        (_set_password, "orgs.person.password", {"password"}),
        (_assign, "orgs.role.assign", {"role", "organisation", "agencies"}),
        (_remove, "orgs.role.remove", {"role", "organisation"}),
        (_create_person, "orgs.person.create", {"username", "full_name", "organisation"}),
    ],
)
def test_every_change_by_a_coordinator_records_an_audit_entry(
    coordinator: User,
    reporter: User,
    lao_cai: LaoCai,
    call: ActionCall,
    action: str,
    changed: set[str],
) -> None:
    before = AuditEntry.objects.count()
    call(coordinator, lao_cai, reporter)
    assert AuditEntry.objects.count() == before + 1
    entry = last_entry()
    assert entry.action == action
    assert entry.actor == coordinator
    assert entry.province == lao_cai.province
    assert changed <= set(entry.changes)


def test_password_changes_are_audited_without_the_password(reporter: User) -> None:
    actions.set_password(
        reporter, by=reporter, password="Sa-Pa-Mây-Trắng-2021", current_password=PASSWORD
    )
    entry = last_entry()
    assert entry.changes == {"password": ["***", "***"]}
    assert "Sa-Pa" not in str(entry.changes)
    reporter.refresh_from_db()
    assert reporter.check_password("Sa-Pa-Mây-Trắng-2021")


def test_the_cast_was_built_through_audited_actions(coordinator: User, outsider: User) -> None:
    # 2 provinces, 7 + 1 agencies, 2 people, each with a role; all by the system.
    created = AuditEntry.objects.filter(action__endswith=".create").count()
    assert created == 2 + 8 + 2
    assert AuditEntry.objects.filter(action="orgs.role.assign").count() == 2
    assert not AuditEntry.objects.exclude(actor=None).exists()


# --- permission: nothing lands -----------------------------------------------------------------


def test_reporter_cannot_create_an_organisation_and_nothing_is_saved(
    reporter: User, lao_cai: LaoCai
) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.create_organisation(
            by=reporter,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name="Sở Xây dựng",
            code="so-xay-dung",
        )
    assert counts() == before


def test_reporter_cannot_create_a_person_and_nothing_is_saved(
    reporter: User, lao_cai: LaoCai
) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.create_person(
            by=reporter,
            username="quang.stp",
            full_name="Mạc Văn Quang",
            organisation=lao_cai.justice,
            password=PASSWORD,
        )
    assert counts() == before


def test_reporter_cannot_give_themself_a_role_and_nothing_is_saved(
    reporter: User, lao_cai: LaoCai
) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.assign_role(
            reporter, by=reporter, role=Role.COORDINATOR, organisation=lao_cai.province
        )
    assert counts() == before
    assert access.access_for(reporter).coordinator_of == frozenset()


def test_leader_cannot_change_anything(leader: User, reporter: User, lao_cai: LaoCai) -> None:
    before = counts()
    attempts: list[Callable[[], Any]] = [
        lambda: actions.update_organisation(lao_cai.justice, by=leader, short_name="TP"),
        lambda: actions.close_organisation(lao_cai.bat_xat, by=leader, on=date(2025, 7, 1)),
        lambda: actions.update_person(reporter, by=leader, position="Trưởng phòng"),
        lambda: actions.set_password(reporter, by=leader, password="Sa-Pa-Mây-Trắng-2021"),
        lambda: actions.remove_role(reporter.roles.get(), by=leader),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert counts() == before


def test_outsider_cannot_change_this_province(
    outsider: User, reporter: User, lao_cai: LaoCai
) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.create_organisation(
            by=outsider,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name="Sở Xây dựng",
            code="so-xay-dung",
        )
    with pytest.raises(PermissionDenied):
        actions.update_person(reporter, by=outsider, is_active=False)
    with pytest.raises(PermissionDenied):
        actions.assign_role(reporter, by=outsider, role=Role.HEAD, organisation=lao_cai.justice)
    assert counts() == before


def test_coordinator_cannot_move_a_person_to_another_province(
    coordinator: User, reporter: User, yen_bai: YenBai
) -> None:
    with pytest.raises(PermissionDenied):
        actions.update_person(reporter, by=coordinator, organisation=yen_bai.home_affairs)
    reporter.refresh_from_db()
    assert reporter.organisation is not None
    assert reporter.organisation.code == "so-tu-phap"


def test_only_the_person_creates_their_own_api_token(coordinator: User, reporter: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_api_token(reporter, by=coordinator, name="Báo cáo")
    assert not ApiToken.objects.exists()


# --- validation: nothing lands -----------------------------------------------------------------


@pytest.mark.parametrize("weak", ["123456", "minh.stp", "ngắn", "password"])
def test_create_person_rejects_a_weak_password_and_saves_nothing(
    coordinator: User, lao_cai: LaoCai, weak: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError):
        actions.create_person(
            by=coordinator,
            username="minh.stp",
            full_name="Trần Văn Minh",
            organisation=lao_cai.justice,
            password=weak,
        )
    assert counts() == before


def test_create_person_rejects_a_taken_username(
    coordinator: User, reporter: User, lao_cai: LaoCai
) -> None:
    before = counts()
    with pytest.raises(ValidationError):
        actions.create_person(
            by=coordinator,
            username=reporter.username,
            full_name="Người khác",
            organisation=lao_cai.office,
        )
    assert counts() == before


def test_create_person_stores_names_in_nfc(coordinator: User, lao_cai: LaoCai) -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    person = actions.create_person(
        by=coordinator, username="thuy.snv", full_name=decomposed, organisation=lao_cai.home_affairs
    )
    person.refresh_from_db()
    assert person.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Thuỷ")
    assert not person.has_usable_password()


def test_an_organisation_cannot_hang_under_another_provinces_unit(
    coordinator: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    before = counts()
    with pytest.raises(ValidationError):
        actions.update_organisation(lao_cai.commune, by=coordinator, parent=yen_bai.home_affairs)
    assert counts() == before


def test_an_organisation_cannot_become_its_own_ancestor(coordinator: User, lao_cai: LaoCai) -> None:
    with pytest.raises(ValidationError):
        actions.update_organisation(lao_cai.city, by=coordinator, parent=lao_cai.commune)
    lao_cai.city.refresh_from_db()
    assert lao_cai.city.parent == lao_cai.province


def test_an_agency_cannot_be_turned_into_a_province(coordinator: User, lao_cai: LaoCai) -> None:
    before = counts()
    with pytest.raises(ValidationError):
        actions.update_organisation(lao_cai.justice, by=coordinator, kind=OrgKind.PROVINCE)
    assert counts() == before
    lao_cai.justice.refresh_from_db()
    assert lao_cai.justice.kind == OrgKind.DEPARTMENT


def test_organisation_codes_are_unique_within_a_province_only(
    coordinator: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    # Yên Bái already has its own so-noi-vu.
    assert yen_bai.home_affairs.code == lao_cai.home_affairs.code
    with pytest.raises(ValidationError):
        actions.create_organisation(
            by=coordinator,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name="Sở Nội vụ (bản sao)",
            code="so-noi-vu",
        )


# --- roles -------------------------------------------------------------------------------------


def test_a_province_wide_role_given_for_an_agency_is_held_for_its_province(
    coordinator: User, reporter: User, lao_cai: LaoCai
) -> None:
    assignment = actions.assign_role(
        reporter, by=coordinator, role=Role.LEADER, organisation=lao_cai.justice
    )
    assert assignment.organisation == lao_cai.province
    assert lao_cai.province.pk in access.access_for(reporter).leader_of


def test_a_reporter_is_assigned_to_an_agency_not_a_province(
    coordinator: User, other_reporter: User, lao_cai: LaoCai
) -> None:
    before = RoleAssignment.objects.filter(user=other_reporter).count()
    with pytest.raises(ValidationError):
        actions.assign_role(
            other_reporter, by=coordinator, role=Role.REPORTER, organisation=lao_cai.province
        )
    assert RoleAssignment.objects.filter(user=other_reporter).count() == before


def test_a_coordinator_cannot_give_a_role_to_someone_outside_the_province(
    coordinator: User, citizen: User, lao_cai: LaoCai
) -> None:
    with pytest.raises(PermissionDenied):
        actions.assign_role(
            citizen, by=coordinator, role=Role.REPORTER, organisation=lao_cai.justice
        )
    assert not RoleAssignment.objects.filter(user=citizen).exists()


def test_an_appraiser_cannot_be_assigned_another_provinces_agency(
    coordinator: User, appraiser: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    with pytest.raises(ValidationError):
        actions.assign_role(
            appraiser,
            by=coordinator,
            role=Role.APPRAISER,
            organisation=lao_cai.province,
            agencies=[lao_cai.office, yen_bai.home_affairs],
        )
    assert access.access_for(fresh(appraiser)).appraised_agencies == {lao_cai.justice.pk}


def test_reassigning_an_appraiser_replaces_the_agencies_and_records_both_lists(
    coordinator: User, appraiser: User, lao_cai: LaoCai
) -> None:
    actions.assign_role(
        appraiser,
        by=coordinator,
        role=Role.APPRAISER,
        organisation=lao_cai.province,
        agencies=[lao_cai.office],
    )
    assert access.access_for(appraiser).appraised_agencies == {lao_cai.office.pk}
    assert last_entry().changes["agencies"] == [["Sở Tư pháp"], ["Văn phòng UBND tỉnh"]]


def test_removing_a_role_takes_its_access_away(
    coordinator: User, reporter: User, head: User
) -> None:
    assert head.username in {p.username for p in access.people_for(reporter)}
    actions.remove_role(reporter.roles.get(), by=coordinator)
    assert {p.username for p in access.people_for(reporter)} == {reporter.username}


# --- history: closing, merging, as_of ----------------------------------------------------------


@pytest.fixture
def finance_merger(coordinator: User, lao_cai: LaoCai) -> dict[str, Organisation]:
    """1 March 2025: Sở Kế hoạch và Đầu tư and Sở Tài chính merge into a new Sở Tài chính."""

    def department(name: str, code: str, **validity: date) -> Organisation:
        return actions.create_organisation(
            by=coordinator,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name=name,
            code=code,
            **validity,  # type: ignore[arg-type]
        )

    planning = department("Sở Kế hoạch và Đầu tư", "so-khdt", valid_from=date(2008, 4, 1))
    old_finance = department("Sở Tài chính", "so-tai-chinh-cu", valid_from=date(2008, 4, 1))
    finance = department("Sở Tài chính", "so-tai-chinh", valid_from=MERGER_DAY)
    for old in (planning, old_finance):
        actions.close_organisation(
            old,
            by=coordinator,
            on=MERGER_DAY,
            successors=[actions.SuccessorLink(finance, SuccessionKind.MERGED)],
        )
    return {"planning": planning, "old_finance": old_finance, "finance": finance}


def test_as_of_shows_the_province_before_and_after_a_merger(
    finance_merger: dict[str, Organisation],
) -> None:
    planning, old_finance, finance = finance_merger.values()
    day_before = set(Organisation.objects.as_of(date(2025, 2, 28)))
    merger_day = set(Organisation.objects.as_of(MERGER_DAY))
    assert {planning, old_finance} <= day_before
    assert finance not in day_before
    assert finance in merger_day
    assert not {planning, old_finance} & merger_day
    assert finance in Organisation.objects.current()


def test_a_closed_organisation_keeps_its_name_and_links_to_its_successor(
    finance_merger: dict[str, Organisation],
) -> None:
    planning = Organisation.objects.get(pk=finance_merger["planning"].pk)
    assert planning.name == "Sở Kế hoạch và Đầu tư"
    assert planning.valid_to == MERGER_DAY
    assert not planning.is_valid_on(MERGER_DAY)
    assert planning.is_valid_on(date(2025, 2, 28))
    (link,) = planning.successions_out.all()
    assert (link.successor, link.kind, link.on) == (
        finance_merger["finance"],
        SuccessionKind.MERGED,
        MERGER_DAY,
    )
    assert set(finance_merger["finance"].successions_in.values_list("predecessor", flat=True)) == {
        planning.pk,
        finance_merger["old_finance"].pk,
    }


def test_closing_is_audited_with_the_successors(finance_merger: dict[str, Organisation]) -> None:
    entry = AuditEntry.objects.get(
        action="orgs.organisation.close", object_id=str(finance_merger["planning"].pk)
    )
    assert entry.changes["valid_to"] == [None, "2025-03-01"]
    assert entry.changes["successors"] == [None, ["merged: Sở Tài chính"]]


def test_an_organisation_cannot_close_before_it_started(
    coordinator: User, finance_merger: dict[str, Organisation]
) -> None:
    with pytest.raises(ValidationError):
        actions.close_organisation(finance_merger["finance"], by=coordinator, on=date(2024, 12, 31))


def test_a_successor_must_still_exist_on_the_closing_day(
    coordinator: User, lao_cai: LaoCai, finance_merger: dict[str, Organisation]
) -> None:
    before = counts()
    with pytest.raises(ValidationError):
        actions.close_organisation(
            lao_cai.office,
            by=coordinator,
            on=date(2025, 7, 1),
            successors=[actions.SuccessorLink(finance_merger["planning"])],
        )
    assert counts() == before


def test_coordinator_cannot_merge_an_agency_into_another_provinces(
    coordinator: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.close_organisation(
            lao_cai.home_affairs,
            by=coordinator,
            on=date(2025, 7, 1),
            successors=[actions.SuccessorLink(yen_bai.home_affairs)],
        )
    assert counts() == before


def test_only_an_administrator_closes_a_province(
    coordinator: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        actions.close_organisation(
            lao_cai.province,
            by=coordinator,
            on=date(2025, 7, 1),
            successors=[actions.SuccessorLink(yen_bai.province)],
        )
    assert counts() == before


def test_provinces_merge_through_the_command_line(lao_cai: LaoCai, yen_bai: YenBai) -> None:
    # 1 July 2025: Lào Cai and Yên Bái became the new Lào Cai.
    new = actions.create_province(
        by=None, name="Tỉnh Lào Cai", code="lao-cai-2025", valid_from=date(2025, 7, 1)
    )
    for old in (lao_cai.province, yen_bai.province):
        actions.close_organisation(
            old, by=None, on=date(2025, 7, 1), successors=[actions.SuccessorLink(new)]
        )
    provinces = Organisation.objects.provinces()
    assert set(provinces.as_of(date(2025, 6, 30))) == {lao_cai.province, yen_bai.province}
    assert set(provinces.as_of(date(2025, 7, 1))) == {new}


# --- API tokens --------------------------------------------------------------------------------


def test_api_tokens_are_stored_only_as_digests(reporter: User) -> None:
    token, key = actions.create_api_token(reporter, by=reporter, name="Đồng bộ báo cáo")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(stored.prefix) and len(stored.prefix) < len(key) // 3
    columns = [str(getattr(stored, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(key in value for value in columns)
    assert key not in str(last_entry().changes)
    assert last_entry().action == "orgs.token.create"


def test_each_api_token_key_is_new(reporter: User) -> None:
    keys = {actions.create_api_token(reporter, by=reporter, name="API")[1] for _ in range(5)}
    assert len(keys) == 5


def test_revoking_a_token_is_audited_and_only_by_its_owner(
    reporter: User, other_reporter: User
) -> None:
    token, _key = actions.create_api_token(reporter, by=reporter, name="API")
    with pytest.raises(PermissionDenied):
        actions.revoke_api_token(token, by=other_reporter)
    actions.revoke_api_token(token, by=reporter)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert last_entry().action == "orgs.token.revoke"
    assert last_entry().actor == reporter


# --- cost --------------------------------------------------------------------------------------


def test_creating_a_person_costs_a_fixed_number_of_queries(
    coordinator: User, lao_cai: LaoCai, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    access.access_for(coordinator)
    # Savepoint, organisation exists, username is free, insert, audit entry, release.
    with django_assert_num_queries(6):
        actions.create_person(
            by=coordinator,
            username="quang.stp",
            full_name="Mạc Văn Quang",
            organisation=lao_cai.justice,
            password=PASSWORD,
        )
