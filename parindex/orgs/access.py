"""The one access rule: who may see and change what.

Every view, API endpoint, export, dashboard and command asks these functions; none writes its
own access query. Each model family has a queryset (`reports_for(user)`) and a per-object getter
(`report_for(user, pk)`); a getter raises `NotFound` for an object the person may not see, as
for one that does not exist, so nobody learns what exists. Views and the API answer 404 (it is
an `Http404`); exports and commands turn it into their own error. The `can_*` rules say who may
change what; the action functions check them again before writing. Roles are held for a province (coordinator, leader, appraiser) or for one agency
(reporter, head). A person sees their own province's organisation tree; the people and data of
an agency are visible to that agency, to the province's coordinators and leaders, and to the
appraisers assigned to it. Only coordinators change the province's organisations, people and
criteria trees; leaders read everything and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from parindex.orgs.models import (
    AuditEntry,
    Organisation,
    OrganisationQuerySet,
    OrgKind,
    Role,
    RoleAssignment,
    Succession,
    User,
)

if TYPE_CHECKING:
    from parindex.assessment.models import AssessedUnit, Assessment, Document, Entry
    from parindex.benchmark.models import ProvinceResult, ResultYear
    from parindex.dossiers.models import AgencyCode, DossierImport, SourceMapping
    from parindex.forecasting.models import ActionLine, GapAction, Scenario
    from parindex.methodology.models import Framework, Node
    from parindex.plans.models import Plan, PlanImport
    from parindex.reporting.models import Evidence, Item, Report, Round, Value
    from parindex.surveys.models import ColumnMapping, Questionnaire, Response, Survey, Volume

AnyUser = User | AnonymousUser


class NotFound(Http404):
    """The object does not exist or the person may not see it; the two are not told apart."""


M = TypeVar("M", bound=Model)


def _one(query: QuerySet[M], pk: int | str, what: str) -> M:
    found = query.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(f"{what} {pk} not found")
    return found


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
    """The organisation trees of the provinces the person works in, and of the provinces those
    became or came from (a 2020 reporter of Lào Cai sees the merged Lào Cai of today, and its
    people the province as it was): organisations are public within the province's history."""
    access = access_for(user)
    if access.superuser:
        return Organisation.objects.all()
    ids = access.provinces
    provinces = (
        Q(pk__in=ids)
        | Q(pk__in=Succession.objects.filter(predecessor_id__in=ids).values("successor_id"))
        | Q(pk__in=Succession.objects.filter(successor_id__in=ids).values("predecessor_id"))
    )
    trees = Organisation.objects.filter(provinces, kind=OrgKind.PROVINCE).values("pk")
    return Organisation.objects.filter(Q(pk__in=ids) | Q(pk__in=trees) | Q(province_id__in=trees))


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


def person_for(user: AnyUser, pk: int | str) -> User:
    return _one(people_for(user).select_related("organisation"), pk, "person")


def role_assignments_for(user: AnyUser) -> QuerySet[RoleAssignment]:
    """A person's roles are read with the person."""
    return RoleAssignment.objects.filter(user__in=people_for(user))


def role_assignment_for(user: AnyUser, pk: int | str) -> RoleAssignment:
    return _one(role_assignments_for(user).select_related("user", "organisation"), pk, "role")


def organisation_for(user: AnyUser, pk: int | str) -> Organisation:
    return _one(organisations_for(user).select_related("parent", "province"), pk, "organisation")


def province_for(user: AnyUser, pk: int | str) -> Organisation:
    """A province the person works in (any province, for an administrator)."""
    query = organisations_for(user).filter(kind=OrgKind.PROVINCE)
    return _one(query, pk, "province")


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


def framework_for(user: AnyUser, pk: int | str) -> Framework:
    return _one(frameworks_for(user).select_related("province"), pk, "criteria tree")


def node_for(user: AnyUser, pk: int | str) -> Node:
    """A criterion of a tree the person reads."""
    from parindex.methodology.models import Node

    query = Node.objects.filter(framework__in=frameworks_for(user)).select_related("framework")
    return _one(query, pk, "criterion")


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


def plan_for(user: AnyUser, pk: int | str) -> Plan:
    return _one(plans_for(user).select_related("province", "framework"), pk, "plan")


def plan_imports_for(user: AnyUser) -> QuerySet[PlanImport]:
    """A plan under review is seen only by those who may approve it: the province's coordinators."""
    from parindex.plans.models import PlanImport

    access = access_for(user)
    if access.superuser:
        return PlanImport.objects.all()
    return PlanImport.objects.filter(province_id__in=access.coordinator_of)


def plan_import_for(user: AnyUser, pk: int | str) -> PlanImport:
    return _one(plan_imports_for(user).select_related("province", "framework"), pk, "plan import")


# --- periodic reports ------------------------------------------------------------------------


def follows_rounds(user: AnyUser, province_id: int) -> bool:
    """Who follows a province's rounds across agencies: its coordinators and leaders (every
    agency) and its appraisers (their assigned agencies, as `reports_for` limits them)."""
    who = access_for(user)
    return who.superuser or province_id in who.province_wide or province_id in who.appraiser_of


def rounds_for(user: AnyUser) -> QuerySet[Round]:
    """The rounds a person follows (`follows_rounds`), and those in which one of their own
    agencies is asked to report; everyone else in the province learns of a round from nobody."""
    from parindex.reporting.models import Report, Round

    access = access_for(user)
    if access.superuser:
        return Round.objects.all()
    if not user.is_authenticated:
        return Round.objects.none()
    followed = access.province_wide | access.appraiser_of
    # A subquery, not a join: callers count a round's reports on the same relation.
    asked = Report.objects.filter(agency_id__in=access.own_agencies).values("round_id")
    return Round.objects.filter(Q(plan__province_id__in=followed) | Q(pk__in=asked))


def round_for(user: AnyUser, pk: int | str) -> Round:
    return _one(rounds_for(user).select_related("plan__province", "opened_by"), pk, "round")


def can_follow_round(user: AnyUser, round_: Round) -> bool:
    """Who sees a round's overview and its consolidated report."""
    return follows_rounds(user, round_.plan.province_id)


def can_open_round(user: AnyUser, province_id: int | None) -> bool:
    return can_manage_organisations(user, province_id)


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


def report_for(user: AnyUser, pk: int | str) -> Report:
    return _one(
        reports_for(user).select_related(
            "round__plan__province", "agency__province", "submitted_by"
        ),
        pk,
        "report",
    )


def item_for(user: AnyUser, report: Report, pk: int | str) -> Item:
    """A target's line in a report the person already reads (`report_for`)."""
    from parindex.reporting.models import Item

    item = _one(Item.objects.filter(report=report).select_related("target"), pk, "item")
    item.report = report
    return item


def items_for(user: AnyUser) -> QuerySet[Item]:
    """Targets' lines of the reports the person reads (`reports_for`), for reads across
    reports such as a round's overview."""
    from parindex.reporting.models import Item

    return Item.objects.filter(report__in=reports_for(user))


def values_for(user: AnyUser) -> QuerySet[Value]:
    """Counts of the reports the person reads (`reports_for`)."""
    from parindex.reporting.models import Value

    return Value.objects.filter(item__report__in=reports_for(user))


def evidence_set_for(user: AnyUser) -> QuerySet[Evidence]:
    """Evidence files are read with their report: whoever reads the report reads its files."""
    from parindex.reporting.models import Evidence

    return Evidence.objects.filter(item__report__in=reports_for(user))


def evidence_for(user: AnyUser, pk: int | str) -> Evidence:
    return _one(
        evidence_set_for(user).select_related(
            "item__report__round__plan", "item__report__agency", "item__target"
        ),
        pk,
        "evidence",
    )


EDITABLE_STATUSES = ("draft", "returned")


def can_edit(user: AnyUser, report: Report) -> bool:
    """The agency's reporters and head edit its report while it is a draft or returned."""
    who = access_for(user)
    return report.status in EDITABLE_STATUSES and report.agency_id in who.own_agencies


def can_submit(user: AnyUser, report: Report) -> bool:
    """Only the agency's head submits."""
    who = access_for(user)
    return report.status in EDITABLE_STATUSES and report.agency_id in who.head_of


def can_review(user: AnyUser, report: Report) -> bool:
    """Home Affairs reviews every agency of the province; an appraiser their assigned ones."""
    who = access_for(user)
    province_id = report.agency.province_id_or_self
    return (
        who.superuser
        or province_id in who.coordinator_of
        or (province_id in who.appraiser_of and report.agency_id in who.appraised_agencies)
    )


# --- actions that close the gap ----------------------------------------------------------------
#
# The province's coordinators and leaders see every action of the province; an agency's people
# see the actions their agency owns. Only coordinators create and change actions; the owner's
# people report on them in their reports (`can_edit` on the report).


def can_manage_gap_actions(user: AnyUser, province_id: int) -> bool:
    who = access_for(user)
    return who.superuser or province_id in who.coordinator_of


def gap_actions_for(user: AnyUser) -> QuerySet[GapAction]:
    from parindex.forecasting.models import GapAction

    who = access_for(user)
    if who.superuser:
        return GapAction.objects.all()
    if not user.is_authenticated:
        return GapAction.objects.none()
    return GapAction.objects.filter(
        Q(province_id__in=who.province_wide) | Q(owner_id__in=who.own_agencies)
    )


def gap_action_for(user: AnyUser, pk: int | str) -> GapAction:
    return _one(
        gap_actions_for(user).select_related("province", "owner", "framework", "created_by"),
        pk,
        "action",
    )


def reads_gap_actions(user: AnyUser, province_id: int) -> bool:
    """Whether the province's list of actions is anything to this person: its coordinators and
    leaders, and the people of its agencies (who see their own agency's)."""
    who = access_for(user)
    return (
        who.superuser
        or province_id in who.province_wide
        or (bool(who.own_agencies) and province_id in who.provinces)
    )


def action_lines_for(user: AnyUser) -> QuerySet[ActionLine]:
    """An action's lines are read with their report: whoever reads the report reads them."""
    from parindex.forecasting.models import ActionLine

    return ActionLine.objects.filter(report__in=reports_for(user))


# --- the audit trail -----------------------------------------------------------------------------

REPORT_ENTRY = "reporting.report"
ORGANISATION_ENTRY = "orgs.organisation"
UNIT_ENTRY = "assessment.assessedunit"
GAP_ACTION_ENTRY = "forecasting.gapaction"


def can_read_audit_log(user: AnyUser) -> bool:
    """The whole log, screen by screen, is Home Affairs' (and an administrator's) to read."""
    who = access_for(user)
    return who.superuser or bool(who.coordinator_of)


def audit_entries_for(user: AnyUser) -> QuerySet[AuditEntry]:
    """The audit entries a person may read; every history (the log, a report's, an
    organisation's, a person's, the API's) is this set filtered to its object.

    Coordinators read every entry of their provinces. Anyone else reads the history of what
    they may see and that history belongs to: the reports they read (`reports_for`), the
    assessed units whose self-assessment they read (`units_for`), the actions that close the
    gap they read (`gap_actions_for`) and the organisations of their provinces. Entries about
    people, plans, criteria trees and rounds stay with the coordinators, as do the actions of
    other provinces."""
    who = access_for(user)
    if who.superuser:
        return AuditEntry.objects.all()
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        Q(province_id__in=who.coordinator_of)
        | Q(object_type=REPORT_ENTRY, object_id__in=_text_ids(reports_for(user)))
        | Q(object_type=ORGANISATION_ENTRY, object_id__in=_text_ids(organisations_for(user)))
        | Q(object_type=UNIT_ENTRY, object_id__in=_text_ids(units_for(user)))
        | Q(object_type=GAP_ACTION_ENTRY, object_id__in=_text_ids(gap_actions_for(user)))
    )


def _text_ids(query: QuerySet[Any]) -> QuerySet[Any]:
    """Object ids in the log are text; compare them as text on every database."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    ids: QuerySet[Any] = query.annotate(text_id=Cast("pk", CharField())).values("text_id")
    return ids


def history_of(user: AnyUser, obj: Model) -> QuerySet[AuditEntry]:
    """One object's history, newest first, as far as the person may read it."""
    return (
        audit_entries_for(user)
        .filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("-at", "-id")
    )


# --- assessment (self-assessment and appraisal) -----------------------------------------------
#
# Who sees an assessment: the province's coordinators and leaders (all of it), its appraisers
# (the units assigned to them in the assessment), and the people of each assessed unit (their own
# unit). A unit never sees another unit's self-assessment before the results are published; once
# they are, everyone working in the province sees every unit's results and the ranking.


def assessments_for(user: AnyUser) -> QuerySet[Assessment]:
    from parindex.assessment.models import Assessment, AssessmentStatus

    who = access_for(user)
    if who.superuser:
        return Assessment.objects.all()
    if not user.is_authenticated:
        return Assessment.objects.none()
    return Assessment.objects.filter(
        Q(province_id__in=who.province_wide)
        | Q(units__appraiser_id=user.pk)
        | Q(units__organisation_id__in=who.own_agencies)
        | Q(province_id__in=who.provinces, status=AssessmentStatus.PUBLISHED)
    ).distinct()


def assessment_for(user: AnyUser, pk: int | str) -> Assessment:
    """The assessment, or Http404 when it does not exist or the person may not see it."""
    return _one(assessments_for(user), pk, "assessment")


def units_for(user: AnyUser) -> QuerySet[AssessedUnit]:
    """Assessed units whose entries the person may read."""
    from parindex.assessment.models import AssessedUnit, AssessmentStatus

    who = access_for(user)
    if who.superuser:
        return AssessedUnit.objects.all()
    if not user.is_authenticated:
        return AssessedUnit.objects.none()
    return AssessedUnit.objects.filter(
        Q(assessment__province_id__in=who.province_wide)
        | Q(appraiser_id=user.pk)
        | Q(organisation_id__in=who.own_agencies)
        | Q(
            assessment__province_id__in=who.provinces,
            assessment__status=AssessmentStatus.PUBLISHED,
        )
    )


def unit_for(user: AnyUser, pk: int | str) -> AssessedUnit:
    return _one(units_for(user).select_related("assessment__framework", "organisation"), pk, "unit")


def entries_for(user: AnyUser) -> QuerySet[Entry]:
    from parindex.assessment.models import Entry

    return Entry.objects.filter(unit__in=units_for(user))


def documents_for(user: AnyUser) -> QuerySet[Document]:
    from parindex.assessment.models import Document

    return Document.objects.filter(unit__in=units_for(user))


def document_for(user: AnyUser, pk: int | str) -> Document:
    return _one(documents_for(user).select_related("unit__assessment"), pk, "document")


def can_manage_assessment(user: AnyUser, province_id: int | None) -> bool:
    """Coordinators open, close and publish their province's assessments."""
    return can_manage_organisations(user, province_id)


def can_self_assess(user: AnyUser, unit: AssessedUnit) -> bool:
    """The unit's reporters and head fill its entries while the assessment is open, before
    submitting, and answer the entries returned to it."""
    from parindex.assessment.models import AssessmentStatus, UnitStatus

    who = access_for(user)
    return (
        unit.assessment.status == AssessmentStatus.OPEN
        and unit.status in (UnitStatus.DRAFT, UnitStatus.RETURNED)
        and (
            who.superuser
            or unit.organisation_id in who.own_agencies
            or _prepares_for_province(who, unit)
        )
    )


def _prepares_for_province(who: Access, unit: AssessedUnit) -> bool:
    """The province's own self-assessment is prepared and sent by Home Affairs: its
    coordinators act as the unit's people when the unit is the province itself."""
    return (
        unit.organisation_id == unit.assessment.province_id
        and unit.assessment.province_id in who.coordinator_of
    )


def can_submit_unit(user: AnyUser, unit: AssessedUnit) -> bool:
    from parindex.assessment.models import AssessmentStatus, UnitStatus

    who = access_for(user)
    return (
        unit.assessment.status == AssessmentStatus.OPEN
        and unit.status == UnitStatus.DRAFT
        and (
            who.superuser
            or unit.organisation_id in who.head_of
            or _prepares_for_province(who, unit)
        )
    )


def can_appraise(user: AnyUser, unit: AssessedUnit) -> bool:
    """The unit's appraiser, or a coordinator of the province, while the assessment is open."""
    from parindex.assessment.models import AssessmentStatus

    who = access_for(user)
    province_id = unit.assessment.province_id
    allowed = (
        who.superuser
        or province_id in who.coordinator_of
        or (province_id in who.appraiser_of and unit.appraiser_id == user.pk)
    )
    return allowed and unit.assessment.status == AssessmentStatus.OPEN


def can_read_results(user: AnyUser, assessment: Assessment) -> bool:
    """The ranking: coordinators and leaders at any time; everyone in the province once
    published."""
    from parindex.assessment.models import AssessmentStatus

    who = access_for(user)
    return (
        who.superuser
        or assessment.province_id in who.province_wide
        or (
            assessment.status == AssessmentStatus.PUBLISHED
            and assessment.province_id in who.provinces
        )
    )


# --- published national results --------------------------------------------------------------


def result_years_for(user: AnyUser) -> QuerySet[ResultYear]:
    """Published results are public: everyone signed in reads every year."""
    from parindex.benchmark.models import ResultYear

    if not user.is_authenticated:
        return ResultYear.objects.none()
    return ResultYear.objects.all()


def province_results_for(user: AnyUser) -> QuerySet[ProvinceResult]:
    from parindex.benchmark.models import ProvinceResult

    if not user.is_authenticated:
        return ProvinceResult.objects.none()
    return ProvinceResult.objects.all()


def can_import_results(user: AnyUser) -> bool:
    """A year's official table is imported by Home Affairs (any province's coordinator) or an
    administrator; the table is national, the same for every province."""
    access = access_for(user)
    return access.superuser or bool(access.coordinator_of)


# --- the forecast, what-if scenarios ---------------------------------------------------------


def forecast_provinces_for(user: AnyUser) -> OrganisationQuerySet:
    """The provinces whose forecast a person reads: those they coordinate or lead, and the
    provinces these were merged from (their years before the merger)."""
    who = access_for(user)
    provinces = Organisation.objects.filter(kind=OrgKind.PROVINCE)
    if who.superuser:
        return provinces
    ids = set(who.province_wide)
    if not ids:
        return provinces.none()
    earlier = Succession.objects.filter(successor_id__in=ids).values_list(
        "predecessor_id", flat=True
    )
    ids.update(earlier)
    return provinces.filter(pk__in=ids)


def forecast_province_for(user: AnyUser, pk: int | str) -> Organisation:
    return _one(forecast_provinces_for(user), pk, "province")


def can_read_forecast(user: AnyUser, province_id: int) -> bool:
    return forecast_provinces_for(user).filter(pk=province_id).exists()


def scenarios_for(user: AnyUser) -> QuerySet[Scenario]:
    from parindex.forecasting.models import Scenario

    return Scenario.objects.filter(province__in=forecast_provinces_for(user))


def scenario_for(user: AnyUser, pk: int | str) -> Scenario:
    return _one(scenarios_for(user).select_related("province", "created_by"), pk, "scenario")


def can_save_scenarios(user: AnyUser, province_id: int) -> bool:
    """Coordinators and leaders keep what-if scenarios of the provinces they follow."""
    return can_read_forecast(user, province_id)


def can_delete_scenario(user: AnyUser, scenario: Scenario) -> bool:
    """The person who saved it, or a coordinator of the province."""
    who = access_for(user)
    if not can_read_forecast(user, scenario.province_id):
        return False
    return (
        who.superuser
        or scenario.created_by_id == getattr(user, "pk", None)
        or bool(who.coordinator_of)
    )


# --- satisfaction surveys --------------------------------------------------------------------
#
# A survey is seen by the province's coordinators and leaders (all its responses and the
# province's figures) and by the people of its agencies (their own agency's responses and
# results only). Coordinators create surveys and import responses. Questionnaires are shared
# by every province.


def questionnaires_for(user: AnyUser) -> QuerySet[Questionnaire]:
    from parindex.surveys.models import Questionnaire

    if not user.is_authenticated:
        return Questionnaire.objects.none()
    return Questionnaire.objects.all()


def questionnaire_for(user: AnyUser, pk: int | str) -> Questionnaire:
    return _one(questionnaires_for(user), pk, "questionnaire")


def can_manage_questionnaires(user: AnyUser) -> bool:
    """A questionnaire is national: any province's Home Affairs (or an administrator) adds one."""
    access = access_for(user)
    return access.superuser or bool(access.coordinator_of)


def surveys_for(user: AnyUser) -> QuerySet[Survey]:
    from parindex.surveys.models import Survey

    who = access_for(user)
    if who.superuser:
        return Survey.objects.all()
    if not user.is_authenticated:
        return Survey.objects.none()
    own = Organisation.objects.filter(pk__in=who.own_agencies).values("province_id")
    return Survey.objects.filter(Q(province_id__in=who.province_wide) | Q(province_id__in=own))


def survey_for(user: AnyUser, pk: int | str) -> Survey:
    return _one(surveys_for(user).select_related("province", "questionnaire"), pk, "survey")


def responses_for(user: AnyUser) -> QuerySet[Response]:
    """An agency's people read their agency's responses; coordinators and leaders the
    province's."""
    from parindex.surveys.models import Response

    who = access_for(user)
    if who.superuser:
        return Response.objects.all()
    if not user.is_authenticated:
        return Response.objects.none()
    return Response.objects.filter(
        Q(survey__province_id__in=who.province_wide) | Q(agency_id__in=who.own_agencies)
    )


def can_read_survey_province(user: AnyUser, survey: Survey) -> bool:
    """The province's figures (every agency pooled or weighted) are the coordinators' and
    leaders'."""
    who = access_for(user)
    return who.superuser or survey.province_id in who.province_wide


def can_manage_surveys(user: AnyUser, province_id: int | None) -> bool:
    """The province's coordinators create its surveys and import their responses."""
    return can_manage_organisations(user, province_id)


def mappings_for(user: AnyUser) -> QuerySet[ColumnMapping]:
    """A survey's saved column mappings are its imports' tool: the province's coordinators'."""
    from parindex.surveys.models import ColumnMapping

    who = access_for(user)
    if who.superuser:
        return ColumnMapping.objects.all()
    return ColumnMapping.objects.filter(survey__province_id__in=who.coordinator_of)


def volumes_for(user: AnyUser) -> QuerySet[Volume]:
    """Agencies' dossier volumes weigh the province's figure: read by those who read it."""
    from parindex.surveys.models import Volume

    who = access_for(user)
    if who.superuser:
        return Volume.objects.all()
    return Volume.objects.filter(survey__province_id__in=who.province_wide)


def public_survey_form(survey_code: str, agency_code: str) -> tuple[Survey, Organisation]:
    """A survey's public form for one of its province's present agencies: anyone reaches it,
    signed in or not, and it reveals nothing of the responses. Anything else is not found."""
    from parindex.surveys.models import Survey

    survey = (
        Survey.objects.select_related("province", "questionnaire").filter(code=survey_code).first()
    )
    agency = (
        Organisation.objects.filter(province_id=survey.province_id, code=agency_code)
        .exclude(kind=OrgKind.PROVINCE)
        .current()
        .first()
        if survey is not None
        else None
    )
    if survey is None or agency is None:
        raise NotFound(f"survey form {survey_code}/{agency_code} not found")
    return survey, agency


def can_print_survey_links(user: AnyUser, survey: Survey) -> bool:
    """The links and QR codes of a survey's agencies are printed by its province's
    coordinators."""
    return can_manage_surveys(user, survey.province_id)


def public_dossier_answered(survey: Survey, dossier_code: str) -> bool:
    """Whether a dossier's link was already used: all the public form learns of responses."""
    return bool(dossier_code) and survey.responses.filter(dossier_code=dossier_code).exists()


def public_survey(survey_code: str) -> Survey:
    """A survey as its public form and the API's submissions know it: by code, for anyone."""
    from parindex.surveys.models import Survey

    found = (
        Survey.objects.select_related("province", "questionnaire").filter(code=survey_code).first()
    )
    if found is None:
        raise NotFound(f"survey {survey_code} not found")
    return found


# --- one-stop-shop dossiers ------------------------------------------------------------------
#
# A province's dossiers and their figures are read in full by its coordinators and leaders; an
# agency's people read the rows of the agency codes matched to their agency, nothing else.
# Coordinators import dossiers, save mappings, match agency codes and choose the settings.


def dossier_provinces_for(user: AnyUser) -> OrganisationQuerySet:
    """Provinces some of whose dossier figures the person may read."""
    who = access_for(user)
    if who.superuser:
        return Organisation.objects.filter(kind=OrgKind.PROVINCE)
    if not user.is_authenticated:
        return Organisation.objects.none()
    own = Organisation.objects.filter(pk__in=who.own_agencies).values("province_id")
    return Organisation.objects.filter(kind=OrgKind.PROVINCE).filter(
        Q(pk__in=who.province_wide) | Q(pk__in=own)
    )


def dossier_province_for(user: AnyUser, code: str) -> Organisation:
    found = dossier_provinces_for(user).filter(code=code).first()
    if found is None:
        raise NotFound(f"province {code} not found")
    return found


def reads_all_dossiers(user: AnyUser, province_id: int) -> bool:
    who = access_for(user)
    return who.superuser or province_id in who.province_wide


def dossier_organisations_for(user: AnyUser, province_id: int) -> frozenset[int] | None:
    """The organisations whose matched agency codes the person reads; None for all of the
    province's codes, matched or not."""
    if reads_all_dossiers(user, province_id):
        return None
    return access_for(user).own_agencies


def can_manage_dossiers(user: AnyUser, province_id: int | None) -> bool:
    """The province's coordinators import its dossiers and keep their mappings and settings."""
    return can_manage_organisations(user, province_id)


def dossier_imports_for(user: AnyUser) -> QuerySet[DossierImport]:
    from parindex.dossiers.models import DossierImport

    who = access_for(user)
    if who.superuser:
        return DossierImport.objects.all()
    return DossierImport.objects.filter(province_id__in=who.province_wide)


def dossier_import_for(user: AnyUser, pk: int | str) -> DossierImport:
    return _one(dossier_imports_for(user).select_related("province"), pk, "dossier import")


def dossier_mappings_for(user: AnyUser) -> QuerySet[SourceMapping]:
    from parindex.dossiers.models import SourceMapping

    who = access_for(user)
    if who.superuser:
        return SourceMapping.objects.all()
    return SourceMapping.objects.filter(province_id__in=who.province_wide)


def dossier_agency_codes_for(user: AnyUser) -> QuerySet[AgencyCode]:
    from parindex.dossiers.models import AgencyCode

    who = access_for(user)
    if who.superuser:
        return AgencyCode.objects.all()
    return AgencyCode.objects.filter(province_id__in=who.province_wide)
