"""The one access rule: who may see and change what.

Every view, API endpoint, export and dashboard asks these functions; none writes its own
access query. Roles are held for a province (coordinator, leader, appraiser) or for one agency
(reporter, head). A person sees their own province's organisation tree; the people and data of
an agency are visible to that agency, to the province's coordinators and leaders, and to the
appraisers assigned to it. Only coordinators change the province's organisations, people and
criteria trees; leaders read everything and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from parindex.orgs.models import Organisation, OrganisationQuerySet, Role, RoleAssignment, User

if TYPE_CHECKING:
    from parindex.methodology.models import Framework
    from parindex.plans.models import Plan
    from parindex.reporting.models import Report

AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Access:
    """What one person holds, computed once per request."""

    superuser: bool = False
    coordinator_of: frozenset[int] = frozenset()  # province ids
    leader_of: frozenset[int] = frozenset()
    appraiser_of: frozenset[int] = frozenset()
    appraised_agencies: frozenset[int] = frozenset()  # agency ids
    reporter_for: frozenset[int] = frozenset()
    head_of: frozenset[int] = frozenset()
    provinces: frozenset[int] = frozenset()  # every province the person works in
    roles: tuple[str, ...] = field(default=())

    @property
    def own_agencies(self) -> frozenset[int]:
        return self.reporter_for | self.head_of

    @property
    def province_wide(self) -> frozenset[int]:
        """Provinces whose agency data this person may read in full."""
        return self.coordinator_of | self.leader_of


NOBODY = Access()


def access_for(user: AnyUser) -> Access:
    if not user.is_authenticated or not user.is_active:
        return NOBODY
    assert isinstance(user, User)
    cached: Access | None = getattr(user, "_parindex_access", None)
    if cached is not None:
        return cached
    sets: dict[str, set[int]] = {role: set() for role in Role.values}
    appraised: set[int] = set()
    provinces: set[int] = set()
    roles: set[str] = set()
    assignments = RoleAssignment.objects.filter(user=user).select_related("organisation")
    for assignment in assignments.prefetch_related("agencies"):
        roles.add(assignment.role)
        org = assignment.organisation
        province_id = org.province_id_or_self
        provinces.add(province_id)
        target = (
            province_id
            if assignment.role in (Role.COORDINATOR, Role.LEADER, Role.APPRAISER)
            else org.pk
        )
        sets[assignment.role].add(target)
        if assignment.role == Role.APPRAISER:
            appraised.update(a.pk for a in assignment.agencies.all())
    if user.organisation_id is not None and user.organisation is not None:
        provinces.add(user.organisation.province_id_or_self)
    access = Access(
        superuser=user.is_superuser,
        coordinator_of=frozenset(sets[Role.COORDINATOR]),
        leader_of=frozenset(sets[Role.LEADER]),
        appraiser_of=frozenset(sets[Role.APPRAISER]),
        appraised_agencies=frozenset(appraised),
        reporter_for=frozenset(sets[Role.REPORTER]),
        head_of=frozenset(sets[Role.HEAD]),
        provinces=frozenset(provinces),
        roles=tuple(sorted(roles)),
    )
    user._parindex_access = access  # type: ignore[attr-defined]
    return access


def forget(user: AnyUser) -> None:
    """Drop the cached access after the person's roles changed."""
    if hasattr(user, "_parindex_access"):
        del user._parindex_access


# --- organisations -----------------------------------------------------------------------


def organisations_for(user: AnyUser) -> OrganisationQuerySet:
    """The organisation trees of the provinces the person works in."""
    access = access_for(user)
    if access.superuser:
        return Organisation.objects.all()
    ids = access.provinces
    return Organisation.objects.filter(Q(pk__in=ids) | Q(province_id__in=ids))


def can_manage_organisations(user: AnyUser, province_id: int | None) -> bool:
    access = access_for(user)
    return access.superuser or (province_id is not None and province_id in access.coordinator_of)


# --- agency data (people now; reports, values and evidence later) ------------------------


def agency_ids_readable(user: AnyUser) -> Q:
    """A condition on an organisation id field: agencies whose data the person may read."""
    access = access_for(user)
    if access.superuser:
        return Q()
    return (
        Q(pk__in=access.own_agencies | access.appraised_agencies)
        | Q(province_id__in=access.province_wide)
        | Q(pk__in=access.province_wide)
    )


def can_read_agency(user: AnyUser, agency: Organisation) -> bool:
    access = access_for(user)
    return (
        access.superuser
        or agency.pk in access.own_agencies
        or agency.pk in access.appraised_agencies
        or agency.province_id_or_self in access.province_wide
    )


def people_for(user: AnyUser) -> QuerySet[User]:
    """People whose records the person may see: their agency's, or the province's."""
    access = access_for(user)
    if access.superuser:
        return User.objects.all()
    if not user.is_authenticated:
        return User.objects.none()
    readable = Organisation.objects.filter(agency_ids_readable(user)).values("pk")
    return User.objects.filter(Q(organisation_id__in=readable) | Q(pk=user.pk))


def can_manage_people(user: AnyUser, organisation: Organisation | None) -> bool:
    if organisation is None:
        return access_for(user).superuser
    return can_manage_organisations(user, organisation.province_id_or_self)


def can_manage_person(user: AnyUser, person: User) -> bool:
    """A coordinator manages the people of their province, but never an administrator's account."""
    if person.is_superuser or person.is_staff:
        return access_for(user).superuser
    return can_manage_people(user, person.organisation)


# --- criteria trees ------------------------------------------------------------------------


def frameworks_for(user: AnyUser) -> QuerySet[Framework]:
    """National frameworks and those of the person's provinces."""
    from parindex.methodology.models import Framework

    access = access_for(user)
    if access.superuser:
        return Framework.objects.all()
    if not user.is_authenticated:
        return Framework.objects.none()
    return Framework.objects.filter(Q(province__isnull=True) | Q(province_id__in=access.provinces))


def can_manage_frameworks(user: AnyUser, province_id: int | None) -> bool:
    """Coordinators manage their province's trees; national trees only an administrator."""
    return can_manage_organisations(user, province_id)


def actor(user: AnyUser) -> User:
    """The signed-in person making a change; views reach here only after authentication."""
    if not isinstance(user, User) or not user.is_authenticated:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("sign in first")
    return user


# --- plans -----------------------------------------------------------------------------------


def plans_for(user: AnyUser) -> QuerySet[Plan]:
    """A province's plans are public within the province: everyone working there reads them."""
    from parindex.plans.models import Plan

    access = access_for(user)
    if access.superuser:
        return Plan.objects.all()
    return Plan.objects.filter(province_id__in=access.provinces)


# --- periodic reports ------------------------------------------------------------------------


def reports_for(user: AnyUser) -> QuerySet[Report]:
    """An agency's people see their agency's reports; coordinators and leaders the province's;
    appraisers their assigned agencies' reports once submitted. Nobody else sees a draft."""
    from parindex.reporting.models import Report, ReportStatus

    access = access_for(user)
    if access.superuser:
        return Report.objects.all()
    if not user.is_authenticated:
        return Report.objects.none()
    return Report.objects.filter(
        Q(agency_id__in=access.own_agencies)
        | Q(agency__province_id__in=access.province_wide)
        | (Q(agency_id__in=access.appraised_agencies) & ~Q(status=ReportStatus.DRAFT))
    )
