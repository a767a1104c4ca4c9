"""The one access rule: who sees which people and organisations, and who may change them."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoAssertNumQueries

from parindex.orgs import access, actions
from parindex.orgs.models import Organisation, Role, User
from tests.conftest import LaoCai, YenBai


def usernames(people: Iterable[User]) -> set[str]:
    return {person.username for person in people}


def fresh(user: User) -> User:
    """The user as a new request would load it: nothing cached on the object."""
    return User.objects.get(pk=user.pk)


# --- people_for ------------------------------------------------------------------------------


def test_reporter_sees_own_agency_people_and_not_another_agencys(
    reporter: User, head: User, other_reporter: User, coordinator: User
) -> None:
    seen = usernames(access.people_for(reporter))
    assert seen == {reporter.username, head.username}
    assert other_reporter.username not in seen
    assert coordinator.username not in seen


def test_agency_head_sees_the_same_people_as_the_agency_reporter(
    reporter: User, head: User, other_reporter: User
) -> None:
    assert usernames(access.people_for(head)) == {reporter.username, head.username}


def test_district_head_sees_own_district_people_and_no_department_people(
    district_head: User, reporter: User, lao_cai: LaoCai
) -> None:
    colleague = actions.create_person(
        by=None, username="mai.tplc", full_name="Lý Thị Mai", organisation=lao_cai.city
    )
    assert usernames(access.people_for(district_head)) == {
        district_head.username,
        colleague.username,
    }


def test_coordinator_sees_all_people_of_the_province_but_not_the_other_provinces(
    coordinator: User,
    reporter: User,
    other_reporter: User,
    head: User,
    district_head: User,
    leader: User,
    appraiser: User,
    outsider: User,
    citizen: User,
) -> None:
    assert usernames(access.people_for(coordinator)) == {
        coordinator.username,
        reporter.username,
        other_reporter.username,
        head.username,
        district_head.username,
        leader.username,
        appraiser.username,
    }


def test_leader_reads_all_people_of_the_province(
    leader: User, coordinator: User, reporter: User, other_reporter: User, outsider: User
) -> None:
    assert usernames(access.people_for(leader)) == {
        leader.username,
        coordinator.username,
        reporter.username,
        other_reporter.username,
    }


def test_leader_can_manage_nothing(leader: User, lao_cai: LaoCai) -> None:
    assert not access.can_manage_organisations(leader, lao_cai.province.pk)
    for org in (lao_cai.province, lao_cai.ppc, lao_cai.justice, lao_cai.city):
        assert not access.can_manage_people(leader, org)
    assert not access.can_manage_frameworks(leader, lao_cai.province.pk)


def test_appraiser_sees_the_assigned_agencys_people_only(
    appraiser: User, reporter: User, head: User, other_reporter: User, leader: User
) -> None:
    # The leader works at the appraiser's own PPC: working somewhere grants no reading.
    assert usernames(access.people_for(appraiser)) == {
        appraiser.username,
        reporter.username,
        head.username,
    }


def test_appraiser_reads_only_the_assigned_agency(appraiser: User, lao_cai: LaoCai) -> None:
    assert access.can_read_agency(appraiser, lao_cai.justice)
    assert not access.can_read_agency(appraiser, lao_cai.office)
    assert not access.can_read_agency(appraiser, lao_cai.ppc)
    assert not access.can_manage_people(appraiser, lao_cai.justice)


def test_citizen_sees_only_themself(citizen: User, reporter: User, coordinator: User) -> None:
    assert usernames(access.people_for(citizen)) == {citizen.username}


def test_anonymous_visitor_sees_nobody_and_no_organisation(reporter: User) -> None:
    anonymous = AnonymousUser()
    assert access.access_for(anonymous) is access.NOBODY
    assert not access.people_for(anonymous).exists()
    assert not access.organisations_for(anonymous).exists()


def test_deactivated_person_loses_every_role(reporter: User, head: User) -> None:
    actions.update_person(reporter, by=None, is_active=False)
    assert access.access_for(fresh(reporter)) is access.NOBODY
    assert usernames(access.people_for(fresh(reporter))) == {reporter.username}


def test_superuser_sees_everyone(
    reporter: User, outsider: User, citizen: User, lao_cai: LaoCai
) -> None:
    admin = User.objects.create_superuser(username="admin", password="x")
    assert {reporter.username, outsider.username, citizen.username, "admin"} <= usernames(
        access.people_for(admin)
    )
    assert access.can_manage_organisations(admin, lao_cai.province.pk)


# --- managing ------------------------------------------------------------------------------


def test_coordinator_manages_own_province_only(
    coordinator: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    assert access.can_manage_organisations(coordinator, lao_cai.province.pk)
    assert access.can_manage_people(coordinator, lao_cai.commune)
    assert not access.can_manage_organisations(coordinator, yen_bai.province.pk)
    assert not access.can_manage_people(coordinator, yen_bai.home_affairs)
    # Nobody but an administrator manages people without an organisation.
    assert not access.can_manage_people(coordinator, None)


def test_outsider_cannot_manage_this_province(
    outsider: User, reporter: User, lao_cai: LaoCai
) -> None:
    assert not access.can_manage_organisations(outsider, lao_cai.province.pk)
    for org in (lao_cai.province, lao_cai.home_affairs, lao_cai.justice, lao_cai.commune):
        assert not access.can_manage_people(outsider, org)
        assert not access.can_read_agency(outsider, org)
    assert usernames(access.people_for(outsider)) == {outsider.username}


def test_reporter_and_head_manage_nothing(reporter: User, head: User, lao_cai: LaoCai) -> None:
    for person in (reporter, head):
        assert not access.can_manage_organisations(person, lao_cai.province.pk)
        assert not access.can_manage_people(person, lao_cai.justice)


# --- organisations_for ---------------------------------------------------------------------


def test_organisations_for_shows_the_own_province_tree_to_everyone_working_there(
    reporter: User,
    coordinator: User,
    leader: User,
    appraiser: User,
    lao_cai: LaoCai,
    yen_bai: YenBai,
) -> None:
    tree = {
        org.pk
        for org in (
            lao_cai.province,
            lao_cai.ppc,
            lao_cai.home_affairs,
            lao_cai.justice,
            lao_cai.office,
            lao_cai.city,
            lao_cai.bat_xat,
            lao_cai.commune,
        )
    }
    for person in (reporter, coordinator, leader, appraiser):
        assert set(access.organisations_for(person).values_list("pk", flat=True)) == tree


def test_organisations_for_hides_the_other_province(
    coordinator: User, outsider: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    assert yen_bai.province not in access.organisations_for(coordinator)
    assert yen_bai.home_affairs not in access.organisations_for(coordinator)
    assert set(access.organisations_for(outsider)) == {yen_bai.province, yen_bai.home_affairs}


def test_citizen_sees_no_organisation(citizen: User, lao_cai: LaoCai) -> None:
    assert not access.organisations_for(citizen).exists()


# --- one rule, two forms -------------------------------------------------------------------


def test_can_read_agency_agrees_with_the_readable_agencies_query(
    coordinator: User,
    reporter: User,
    head: User,
    other_reporter: User,
    district_head: User,
    leader: User,
    appraiser: User,
    citizen: User,
    outsider: User,
) -> None:
    everyone = [
        coordinator,
        reporter,
        head,
        other_reporter,
        district_head,
        leader,
        appraiser,
        citizen,
        outsider,
    ]
    organisations = list(Organisation.objects.all())
    for person in everyone:
        by_query = set(
            Organisation.objects.filter(access.agency_ids_readable(person)).values_list(
                "pk", flat=True
            )
        )
        one_by_one = {org.pk for org in organisations if access.can_read_agency(person, org)}
        assert by_query == one_by_one, person.username


# --- computing access ----------------------------------------------------------------------


def test_access_lists_what_the_person_holds(appraiser: User, lao_cai: LaoCai) -> None:
    held = access.access_for(fresh(appraiser))
    assert held.roles == (Role.APPRAISER,)
    assert held.appraiser_of == {lao_cai.province.pk}
    assert held.appraised_agencies == {lao_cai.justice.pk}
    assert held.provinces == {lao_cai.province.pk}
    assert held.province_wide == frozenset()
    assert not held.superuser


def test_access_is_computed_once_per_user_object(
    appraiser: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    user = fresh(appraiser)
    # The roles with their organisations, the appraised agencies, the person's organisation.
    with django_assert_num_queries(3):
        first = access.access_for(user)
    with django_assert_num_queries(0):
        assert access.access_for(user) is first


def test_people_for_is_one_query_once_access_is_known(
    coordinator: User, reporter: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    user = fresh(coordinator)
    access.access_for(user)
    with django_assert_num_queries(1):
        assert len(list(access.people_for(user))) == 2


def test_a_new_role_is_seen_at_once_on_the_same_user_object(
    reporter: User, other_reporter: User, lao_cai: LaoCai
) -> None:
    assert other_reporter.username not in usernames(access.people_for(reporter))
    actions.assign_role(reporter, by=None, role=Role.COORDINATOR, organisation=lao_cai.province)
    assert other_reporter.username in usernames(access.people_for(reporter))


# --- organisations across a merger ---------------------------------------------------------------


def test_a_merged_provinces_people_see_the_province_it_became_and_its_people_the_old_one(
    reporter: User, outsider: User, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    from datetime import date

    merged = actions.create_province(
        by=None, name="Tỉnh Lào Cai", code="lao-cai-2025", valid_from=date(2025, 7, 1)
    )
    ward = actions.create_organisation(
        by=None,
        province=merged,
        kind="commune",
        name="UBND phường Lào Cai",
        code="phuong-lao-cai",
        valid_from=date(2025, 7, 1),
    )
    actions.close_organisation(
        lao_cai.province,
        by=None,
        on=date(2025, 7, 1),
        successors=[actions.SuccessorLink(merged)],
    )
    today = set(access.organisations_for(fresh(reporter)).as_of(date(2026, 12, 5)))
    assert {merged, ward} <= today
    assert yen_bai.province not in set(access.organisations_for(fresh(reporter)))
    # Yên Bái's people do not see it: their province was not linked to it here.
    assert merged not in set(access.organisations_for(fresh(outsider)))
