"""The generated access matrix: every route of the URL configuration, every operation of the API
schema and every exporter of the registry, held for each role of the cast against a declared table.

A route, API operation or exporter without a declared expectation fails
`test_every_route_operation_and_exporter_is_declared`, naming it: whoever adds one says who may
read it and who may change through it. For each role, a GET answers the declared status; a write
by a role not declared as a writer is refused (403 or 404; a sign-in redirect or 401 when
anonymous) and changes nothing (no audit entry, no row). Exporters either give data or refuse.

Set PARINDEX_MATRIX_DUMP=1 to print the statuses actually answered, in the table's own layout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import AssessedUnit, Assessment, Document, Entry
from parindex.benchmark.actions import load_published_results
from parindex.benchmark.models import ProvinceResult, ResultYear
from parindex.dossiers import actions as dossier_actions
from parindex.exports.registry import ExportError, exporters
from parindex.forecasting import actions as forecast_actions
from parindex.forecasting.models import ActionLine, GapAction, Scenario
from parindex.methodology.models import Framework, Node
from parindex.orgs import actions as org_actions
from parindex.orgs.models import ApiToken, AuditEntry, Organisation, RoleAssignment, User
from parindex.plans import actions as plan_actions
from parindex.plans.models import Plan, PlanImport, TargetNode
from parindex.reporting import actions
from parindex.reporting.models import Evidence, Item, Report, Round
from parindex.surveys import actions as survey_actions
from tests.conftest import LaoCai, YenBai
from tests.dossiers.support import csv_file
from tests.plans.support import SEED, SEED_BYTES, illustrative_tree
from tests.web.reporting_data import SmallPlan, fill, open_quarter, report_of, value_of

ROLES = (
    "coordinator",
    "reporter",
    "head",
    "district_head",
    "leader",
    "appraiser",
    "citizen",
    "outsider",
    "anonymous",
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DUMP = bool(os.environ.get("PARINDEX_MATRIX_DUMP"))

# Routes the matrix leaves out, each with its reason.
EXCLUDED = {
    "admin/": "Django's own administration site: staff only, guarded by Django itself",
}


# --- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, User]
    lao_cai: LaoCai
    plan: Plan
    round: Round  # this year's Q4: Sở Tư pháp submitted, VP UBND a draft
    submitted: Report  # Sở Tư pháp's, which the appraiser is assigned to
    draft: Report  # VP UBND's
    item: Item  # the submitted report's first item
    evidence: Evidence  # a file of the submitted report
    framework: Framework
    node: Node
    staged: PlanImport
    role: RoleAssignment  # the reporter's role
    token: ApiToken  # the reporter's
    colleague: User  # a person of Sở Tư pháp without a role, managed by the coordinator
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(
    lao_cai: LaoCai,
    yen_bai: YenBai,
    coordinator: User,
    reporter: User,
    head: User,
    district_head: User,
    leader: User,
    appraiser: User,
    citizen: User,
    outsider: User,
    small_plan: SmallPlan,
    media: None,
    tmp_path: Path,
) -> World:
    year = small_plan.plan.year
    q4 = open_quarter(small_plan.plan, 4, date(year + 1, 1, 10))
    submitted = report_of(q4, lao_cai.justice)
    fill(submitted, None, counts={value_of(submitted, small_plan.on_time_rate): ("9", "10")})
    item = submitted.items.order_by("position").first()
    assert item is not None
    item.report = submitted
    evidence = actions.add_evidence(
        item, by=None, upload=SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")
    )
    actions.submit_report(report_of(q4, lao_cai.justice), by=None)
    framework = illustrative_tree(lao_cai.province)
    node = framework.nodes.order_by("pk").first()
    assert node is not None
    # A 2020 assessment of the departments on the same tree; Sở Tư pháp's unit, still a draft,
    # is the appraiser's, with a document whose file is stored.
    assessment = assessment_actions.open_assessment(
        lao_cai.province,
        by=None,
        framework=framework,
        year=2020,
        scope="departments",
        deadline=date(2021, 1, 15),
    )
    unit = assessment.units.get(organisation=lao_cai.justice)
    document = assessment_actions.add_document(
        unit,
        by=None,
        number="12/KH-STP",
        upload=SimpleUploadedFile("ke-hoach.pdf", PDF, "application/pdf"),
    )
    leaf = unit.entries.select_related("node").order_by("position").first()
    assert leaf is not None
    staged = plan_actions.stage_plan(
        by=None, province=lao_cai.province, filename=SEED.name, data=SEED_BYTES
    )
    token, _key = org_actions.create_api_token(reporter, by=reporter, name="một cửa")
    # The plan matched to the tree, its on-time rate measuring 3.4.1: the year has a forecast,
    # and two actions close its gap: Sở Tư pháp's (its report is submitted: no line), and VP
    # UBND's, a line in its draft report.
    Plan.objects.filter(pk=small_plan.plan.pk).update(framework=framework)
    TargetNode.objects.create(
        target=small_plan.on_time, node=framework.nodes.get(code="3.4.1"), confirmed=True
    )
    gap_action = forecast_actions.create_action(
        lao_cai.province,
        by=None,
        year=year,
        node_code="3.4.1",
        title="Đôn đốc hồ sơ sắp đến hạn",
        owner=lao_cai.justice,
        deadline=date(year, 12, 31),
        expected_points=Decimal("0.5"),
    )
    office_action = forecast_actions.create_action(
        lao_cai.province,
        by=None,
        year=year,
        node_code="3.4.1",
        title="Số hoá hồ sơ",
        owner=lao_cai.office,
        deadline=date(year, 12, 31),
        expected_points=Decimal("0.5"),
    )
    line = ActionLine.objects.get(action=office_action)
    load_published_results(by=None)
    # The plan matched to the tree, as the coordinator does on its review: the year forecasts.
    Plan.objects.filter(pk=small_plan.plan.pk).update(framework=framework)
    forecast_leaf = next(
        n.code
        for n in framework.nodes.filter(children__isnull=True, unit="count").order_by("position")
    )
    scenario = forecast_actions.save_scenario(
        lao_cai.province,
        small_plan.plan.year,
        by=None,
        name="Thêm một sáng kiến",
        changes={forecast_leaf: "3"},
    )
    survey = survey_actions.create_survey(
        by=None,
        code="sipas-2020",
        questionnaire=survey_actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    # One answer for Sở Tư pháp: its people, Home Affairs and the leaders read it.
    survey_actions.add_response(
        survey,
        by=None,
        agency=lao_cai.justice,
        submitted_at=datetime(2020, 4, 15, 10),
        answers={"sat_staff": "5", "suggestion": "Cán bộ tận tình"},
    )
    today = timezone.localdate()
    open_survey = survey_actions.create_survey(
        by=None,
        code="sipas-now",
        questionnaire=survey_actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    # Spring 2024's dossiers of Sở Tư pháp, the city and a code matched to nobody.
    dossier_run = dossier_actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "hs.csv"), by=None
    )
    colleague = org_actions.create_person(
        by=None,
        username="mai.stp",
        full_name="Nguyễn Thị Mai",
        organisation=lao_cai.justice,
        password="Lao-Cai-2020!",
    )
    return World(
        people={
            "coordinator": coordinator,
            "reporter": reporter,
            "head": head,
            "district_head": district_head,
            "leader": leader,
            "appraiser": appraiser,
            "citizen": citizen,
            "outsider": outsider,
        },
        lao_cai=lao_cai,
        plan=small_plan.plan,
        round=q4,
        submitted=report_of(q4, lao_cai.justice),
        draft=report_of(q4, lao_cai.office),
        item=item,
        evidence=evidence,
        framework=framework,
        node=node,
        staged=staged,
        role=RoleAssignment.objects.get(user=reporter),
        token=token,
        colleague=colleague,
        extra={
            "dossier_run": dossier_run,
            "assessment": assessment,
            "unit": unit,
            "document": document,
            "leaf": leaf.node.code,
            "forecast_leaf": forecast_leaf,
            "scenario": scenario,
            "survey": survey,
            "gap_action": gap_action,
            "line": line,
            "open_survey": open_survey,
        },
    )


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role])
    return client


# Row counts of the models whose rows the snapshot does not list below.
SNAPSHOT_MODELS: tuple[type[Model], ...] = (
    AuditEntry,
    RoleAssignment,
    Node,
    Plan,
    Round,
    Evidence,
    ResultYear,
    Scenario,
)


def snapshot() -> dict[str, Any]:
    """Row counts, and the fields a refused write could still touch."""
    state: dict[str, Any] = {m.__name__: m._default_manager.count() for m in SNAPSHOT_MODELS}
    state["reports"] = sorted(Report.objects.values_list("pk", "status", "version"))
    state["items"] = sorted(Item.objects.values_list("pk", "review", "status"))
    state["passwords"] = sorted(User.objects.values_list("pk", "password", "is_active"))
    state["tokens"] = sorted(ApiToken.objects.values_list("pk", "revoked_at"))
    state["imports"] = sorted(PlanImport.objects.values_list("pk", "status", "revision"))
    state["orgs"] = sorted(Organisation.objects.values_list("pk", "name", "valid_to"))
    state["frameworks"] = sorted(Framework.objects.values_list("pk", "name", "status"))
    state["assessments"] = sorted(Assessment.objects.values_list("pk", "title", "status"))
    state["units"] = sorted(AssessedUnit.objects.values_list("pk", "status", "version"))
    state["entries"] = sorted(Entry.objects.values_list("pk", "explanation", "appraisal", "answer"))
    state["documents"] = sorted(Document.objects.values_list("pk", "name"))
    state["results"] = sorted(ProvinceResult.objects.values_list("pk", "score", "rank"))
    state["gap_actions"] = sorted(
        GapAction.objects.values_list("pk", "title", "status", "deadline", "owner_id")
    )
    state["lines"] = sorted(ActionLine.objects.values_list("pk", "status", "description"))
    return state


# --- the declared table ---------------------------------------------------------------------------

Statuses = dict[str, int]


def answers(default: int, anonymous: int = 302, **by_role: int) -> Statuses:
    """Every role gets `default` unless named; anonymous visitors are sent to sign in."""
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(by_role)
    return table


def api(default: int, anonymous: int = 401, **by_role: int) -> Statuses:
    """The API answers an anonymous caller 401 instead of sending them to sign in."""
    return answers(default, anonymous=anonymous, **by_role)


@dataclass(frozen=True)
class Route:
    """One route of the table: where it is for this world, what a GET answers per role, and,
    for a route that changes something, who may (everyone else is refused)."""

    url: Callable[[World], str]
    get: Statuses | None  # None: the route answers no GET worth holding (API writes)
    writers: frozenset[str] | None = None  # None: the route changes nothing
    method: str = "post"
    payload: Callable[[World], Any] = lambda w: {}


def writes(
    url: Callable[[World], str],
    get: Statuses | None,
    writers: tuple[str, ...] = ("coordinator",),
    method: str = "post",
    payload: Callable[[World], Any] = lambda w: {},
) -> Route:
    return Route(url, get, frozenset(writers), method, payload)


R = Route
W = writes
POST_ONLY = answers(405)  # a view that only takes POST (signed-in visitors get 405 on a GET)
# Changing the province's organisations, people, trees, plans and rounds: its coordinators.
# The outsider coordinates Yên Bái, so the create screens are theirs too (for Yên Bái); the cast's
# objects, all in Lào Cai, are not found for them.
MANAGE = answers(403, coordinator=200, outsider=200, citizen=404)
MANAGE_OBJECT = answers(403, coordinator=200, outsider=404, citizen=404)
CREATORS = ("coordinator", "outsider")
# Lào Cai's organisation tree, trees and plans are public to whoever works in the province.
IN_PROVINCE = answers(200, citizen=404, outsider=404)
# Lists filtered to what each person sees: a citizen has no province to list.
LIST = answers(200, citizen=404)
# Sở Tư pháp's people, report and evidence: its own staff, Home Affairs, leaders, its appraiser.
JUSTICE_DATA = answers(200, district_head=404, citizen=404, outsider=404)
# VP UBND's draft report: only the province-wide roles (the draft is no one else's business).
OFFICE_DRAFT = answers(404, coordinator=200, leader=200)
# The round's overview: who follows it; agencies that report in it know it but do not follow it.
ROUND = answers(404, coordinator=200, leader=200, appraiser=200, reporter=403, head=403)
REVIEWERS = ("coordinator", "appraiser")
# Sở Tư pháp's own people: they enter its self-assessment.
OWN_UNIT = ("reporter", "head")
# The province's forecast and what-if scenarios: Home Affairs and the leaders.
FORECAST = answers(404, coordinator=200, leader=200)
FORECAST_READERS = ("coordinator", "leader")
# A survey: the province's coordinators and leaders, and the people of its agencies; what
# changes it, its coordinators (the others who read it are refused, the rest find nothing).
SURVEY = answers(404, coordinator=200, leader=200, reporter=200, head=200, district_head=200)
SURVEY_MANAGE = answers(404, coordinator=200, leader=403, reporter=403, head=403, district_head=403)
# Dossier KPIs: whoever reads a province's dossiers (the outsider reads Yên Bái's, empty); what
# changes them, the province's coordinators (the outsider, Yên Bái's).
DOSSIERS = answers(200, citizen=404, appraiser=404)
DOSSIER_MANAGE = answers(403, coordinator=200, outsider=200, citizen=404, appraiser=404)
DOSSIER_HISTORY = answers(
    403, coordinator=200, leader=200, outsider=200, citizen=404, appraiser=404
)


def dossier_progress(world: World) -> str:
    """The progress of an import the coordinator started (read only by them)."""
    from parindex.web import dossier_jobs

    token = "d" * 32
    dossier_jobs.write_state(token, {"user": world.people["coordinator"].pk, "phase": "reading"})
    return f"/dossiers/import/{token}/"


def w(*parts: str) -> Callable[[World], str]:
    """A URL with no parameters."""
    return lambda world: "/" + "".join(parts)


WEB: dict[str, Route] = {
    "i18n/setlang/": R(w("i18n/setlang/"), answers(302)),
    "": R(w(""), answers(200)),
    "login/": R(w("login/"), answers(302, anonymous=200)),
    "logout/": R(w("logout/"), answers(405, anonymous=405)),
    "password/": R(w("password/"), answers(200)),
    "password/done/": R(w("password/done/"), answers(200)),
    "account/": R(w("account/"), answers(200)),
    "account/tokens/<int:pk>/revoke/": W(
        lambda x: f"/account/tokens/{x.token.pk}/revoke/", POST_ONLY, writers=("reporter",)
    ),
    "orgs/": R(w("orgs/"), LIST),
    "orgs/new/": W(w("orgs/new/"), MANAGE, writers=CREATORS),
    # Loading a province's present structure from the national list: administrators alone.
    "orgs/load/": W(
        w("orgs/load/"), answers(403), writers=(), payload=lambda x: {"province": "15"}
    ),
    "orgs/<int:pk>/": R(lambda x: f"/orgs/{x.lao_cai.justice.pk}/", IN_PROVINCE),
    "orgs/<int:pk>/edit/": W(lambda x: f"/orgs/{x.lao_cai.justice.pk}/edit/", MANAGE_OBJECT),
    "orgs/<int:pk>/close/": W(lambda x: f"/orgs/{x.lao_cai.justice.pk}/close/", MANAGE_OBJECT),
    "people/": R(w("people/"), LIST),
    "people/new/": W(w("people/new/"), MANAGE, writers=CREATORS),
    "people/<int:pk>/": R(lambda x: f"/people/{x.colleague.pk}/", JUSTICE_DATA),
    "people/<int:pk>/edit/": W(
        lambda x: f"/people/{x.colleague.pk}/edit/", {**MANAGE_OBJECT, "district_head": 404}
    ),
    "people/<int:pk>/roles/": W(
        lambda x: f"/people/{x.colleague.pk}/roles/",
        POST_ONLY,
        payload=lambda x: {"role": "reporter", "organisation": x.lao_cai.justice.pk},
    ),
    "people/<int:pk>/password/": W(
        lambda x: f"/people/{x.colleague.pk}/password/",
        POST_ONLY,
        payload=lambda x: {"password": "Phan-Xi-Păng-3143"},
    ),
    "roles/<int:pk>/remove/": W(lambda x: f"/roles/{x.role.pk}/remove/", POST_ONLY),
    "criteria/": R(w("criteria/"), answers(200)),  # national trees are everyone's
    "criteria/import/": W(w("criteria/import/"), {**MANAGE, "citizen": 403}, writers=CREATORS),
    "criteria/<int:pk>/": R(lambda x: f"/criteria/{x.framework.pk}/", IN_PROVINCE),
    "criteria/<int:pk>/edit/": W(
        lambda x: f"/criteria/{x.framework.pk}/edit/",
        MANAGE_OBJECT,
        payload=lambda x: {"name": "Đổi tên"},
    ),
    "criteria/<int:pk>/export.<str:fmt>": R(
        lambda x: f"/criteria/{x.framework.pk}/export.yaml", IN_PROVINCE
    ),
    "criteria/<int:pk>/nodes/new/": W(
        lambda x: f"/criteria/{x.framework.pk}/nodes/new/", MANAGE_OBJECT
    ),
    "criteria/<int:pk>/version/": W(lambda x: f"/criteria/{x.framework.pk}/version/", POST_ONLY),
    "criteria/<int:pk>/delete/": W(lambda x: f"/criteria/{x.framework.pk}/delete/", POST_ONLY),
    "criteria/nodes/<int:pk>/edit/": W(
        lambda x: f"/criteria/nodes/{x.node.pk}/edit/", MANAGE_OBJECT
    ),
    "criteria/nodes/<int:pk>/bands/": W(
        lambda x: f"/criteria/nodes/{x.node.pk}/bands/", MANAGE_OBJECT
    ),
    "criteria/nodes/<int:pk>/delete/": W(
        lambda x: f"/criteria/nodes/{x.node.pk}/delete/", POST_ONLY
    ),
    "plans/": R(w("plans/"), LIST),
    "plans/import/": W(w("plans/import/"), MANAGE, writers=CREATORS),
    # A plan under review is the coordinators' alone: to anyone else it does not exist.
    "plans/imports/<int:pk>/": W(
        lambda x: f"/plans/imports/{x.staged.pk}/",
        answers(404, coordinator=200),
        payload=lambda x: {"approve": "1"},
    ),
    "plans/imports/<int:pk>/discard/": W(
        lambda x: f"/plans/imports/{x.staged.pk}/discard/", POST_ONLY
    ),
    "plans/<int:pk>/": R(lambda x: f"/plans/{x.plan.pk}/", IN_PROVINCE),
    "reports/": R(w("reports/"), LIST),
    "reports/rounds/new/": W(w("reports/rounds/new/"), MANAGE, writers=CREATORS),
    "reports/rounds/<int:pk>/": R(lambda x: f"/reports/rounds/{x.round.pk}/", ROUND),
    # One target's agencies, the overview's drill-down: whoever follows the round.
    "reports/rounds/<int:pk>/targets/<int:target_id>/": R(
        lambda x: f"/reports/rounds/{x.round.pk}/targets/{x.item.target_id}/", ROUND
    ),
    # VP UBND's draft: only its own people may save it, and none of them is in the cast.
    "reports/<int:pk>/": W(
        lambda x: f"/reports/{x.draft.pk}/",
        OFFICE_DRAFT,
        writers=(),
        payload=lambda x: {"version": str(x.draft.version), "narrative": "Đã sửa"},
    ),
    "reports/<int:pk>/items/<int:item_id>/review/": W(
        lambda x: f"/reports/{x.submitted.pk}/items/{x.item.pk}/review/",
        POST_ONLY,
        writers=REVIEWERS,
        payload=lambda x: {"decision": "accept"},
    ),
    # Reopening an accepted target: its reviewers alone (anyone else is refused first).
    "reports/<int:pk>/items/<int:item_id>/reopen/": W(
        lambda x: f"/reports/{x.submitted.pk}/items/{x.item.pk}/reopen/",
        POST_ONLY,
        writers=REVIEWERS,
        payload=lambda x: {"comment": "Mở lại"},
    ),
    # Sở Tư pháp's report is submitted: nobody adds or removes its evidence until it is returned.
    "reports/<int:pk>/items/<int:item_id>/evidence/": W(
        lambda x: f"/reports/{x.submitted.pk}/items/{x.item.pk}/evidence/",
        POST_ONLY,
        writers=(),
        payload=lambda x: {"file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")},
    ),
    "reports/<int:pk>/accept-pending/": W(
        lambda x: f"/reports/{x.submitted.pk}/accept-pending/", POST_ONLY, writers=REVIEWERS
    ),
    "reports/<int:pk>/finish-review/": W(
        lambda x: f"/reports/{x.submitted.pk}/finish-review/", POST_ONLY, writers=REVIEWERS
    ),
    "reports/evidence/<int:pk>/": R(lambda x: f"/reports/evidence/{x.evidence.pk}/", JUSTICE_DATA),
    "reports/evidence/<int:pk>/remove/": W(
        lambda x: f"/reports/evidence/{x.evidence.pk}/remove/", POST_ONLY, writers=()
    ),
    # Assessments: listed to whoever they concern; Sở Tư pháp's unit (a draft) is its people's,
    # Home Affairs', the leaders' and its appraiser's; the ranking is Home Affairs' and the
    # leaders' until it is published.
    # VP UBND's line in its draft report: its own people alone report on it (none in the cast).
    "reports/<int:pk>/actions/<int:line_id>/": W(
        lambda x: f"/reports/{x.draft.pk}/actions/{x.extra['line'].pk}/",
        POST_ONLY,
        writers=(),
        payload=lambda x: {"status": "done", "description": "Đã xong"},
    ),
    # Actions that close the gap: the province's coordinators and leaders see all of them, an
    # agency's people their own agency's (Sở Tư pháp's is the one in the table); only the
    # coordinators create and change them.
    "forecast/<int:province_id>/<int:year>/actions/": R(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/actions/",
        answers(200, appraiser=404, citizen=404, outsider=404),
    ),
    "forecast/<int:province_id>/<int:year>/actions/new/": W(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/actions/new/",
        answers(403, coordinator=200, appraiser=404, citizen=404, outsider=404),
        payload=lambda x: {
            "node_code": "3.4.1",
            "title": "Mới",
            "owner": x.lao_cai.justice.pk,
            "deadline": f"31/12/{x.plan.year}",
            "expected_points": "0,5",
        },
    ),
    "forecast/actions/<int:pk>/": R(
        lambda x: f"/forecast/actions/{x.extra['gap_action'].pk}/",
        answers(404, coordinator=200, leader=200, reporter=200, head=200),
    ),
    "forecast/actions/<int:pk>/edit/": W(
        lambda x: f"/forecast/actions/{x.extra['gap_action'].pk}/edit/",
        answers(404, coordinator=200, leader=403, reporter=403, head=403),
        payload=lambda x: {
            "title": "Đổi",
            "owner": x.lao_cai.justice.pk,
            "deadline": f"31/12/{x.plan.year}",
            "expected_points": "0,5",
        },
    ),
    "forecast/actions/<int:pk>/status/": W(
        lambda x: f"/forecast/actions/{x.extra['gap_action'].pk}/status/",
        POST_ONLY,
        payload=lambda x: {"status": "done"},
    ),
    "assessments/": R(w("assessments/"), answers(200)),
    "assessments/new/": W(w("assessments/new/"), {**MANAGE, "citizen": 403}, writers=CREATORS),
    "assessments/<int:pk>/": R(lambda x: f"/assessments/{x.extra['assessment'].pk}/", JUSTICE_DATA),
    "assessments/<int:pk>/edit/": W(
        lambda x: f"/assessments/{x.extra['assessment'].pk}/edit/",
        POST_ONLY,
        payload=lambda x: {"title": "Đổi tên"},
    ),
    "assessments/<int:pk>/survey/": W(
        lambda x: f"/assessments/{x.extra['assessment'].pk}/survey/", POST_ONLY
    ),
    "assessments/<int:pk>/close/": W(
        lambda x: f"/assessments/{x.extra['assessment'].pk}/close/", POST_ONLY
    ),
    "assessments/<int:pk>/publish/": W(
        lambda x: f"/assessments/{x.extra['assessment'].pk}/publish/", POST_ONLY
    ),
    "assessments/<int:pk>/results/": R(
        lambda x: f"/assessments/{x.extra['assessment'].pk}/results/",
        answers(403, district_head=404, citizen=404, outsider=404, coordinator=200, leader=200),
    ),
    "assessments/units/<int:pk>/": W(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/",
        JUSTICE_DATA,
        writers=OWN_UNIT,
        payload=lambda x: {"version": str(x.extra["unit"].version)},
    ),
    "assessments/units/<int:pk>/points/<str:code>/": R(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/points/{x.extra['leaf']}/",
        JUSTICE_DATA,
    ),
    "assessments/units/<int:pk>/documents/": W(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/documents/",
        POST_ONLY,
        writers=OWN_UNIT,
        payload=lambda x: {"number": "15/QĐ-STP"},
    ),
    "assessments/units/<int:pk>/answer/<str:code>/": W(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/answer/{x.extra['leaf']}/",
        POST_ONLY,
        writers=OWN_UNIT,
        payload=lambda x: {"answer": "Đã bổ sung"},
    ),
    "assessments/units/<int:pk>/appraiser/": W(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/appraiser/", POST_ONLY
    ),
    "assessments/units/<int:pk>/appraisal/": R(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/appraisal/", JUSTICE_DATA
    ),
    "assessments/units/<int:pk>/appraise/<str:code>/": W(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/appraise/{x.extra['leaf']}/",
        POST_ONLY,
        writers=REVIEWERS,
        payload=lambda x: {"decision": "accept"},
    ),
    "assessments/units/<int:pk>/finish/": W(
        lambda x: f"/assessments/units/{x.extra['unit'].pk}/finish/",
        POST_ONLY,
        writers=REVIEWERS,
    ),
    "assessments/documents/<int:pk>/": R(
        lambda x: f"/assessments/documents/{x.extra['document'].pk}/", JUSTICE_DATA
    ),
    # Published national results are public to everyone signed in; any province's coordinator
    # imports a year's official table (it is national, the same for every province).
    "results/": R(w("results/"), answers(200)),
    "results/import/": W(
        w("results/import/"),
        answers(403, coordinator=200, outsider=200),
        writers=CREATORS,
        payload=lambda x: {"year": "2020", "text": "Quảng Ninh\t91,04\t1\n"},
    ),
    # The log of each coordinator's own province (the outsider's is Yên Bái's).
    "audit/": R(w("audit/"), answers(403, coordinator=200, outsider=200)),
    "exports/<slug:name>.<str:fmt>": R(w("exports/people.csv"), answers(200)),
    # The API's own pages: its root is nothing, its schema and documentation are public.
    # Where a person lands after signing in: a redirect, to the forecast or the home page.
    "start/": R(w("start/"), answers(302)),
    # The forecast of Lào Cai's year: its coordinators and leaders. The others have none to
    # open; the outsider's Yên Bái has no plan yet.
    "forecast/": R(w("forecast/"), answers(200, coordinator=302, leader=302)),
    "forecast/<int:province>/<int:year>/": R(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/", FORECAST
    ),
    "forecast/<int:province>/<int:year>/stakes/": R(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/stakes/", FORECAST
    ),
    "forecast/<int:province>/<int:year>/what-if/": R(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/what-if/", FORECAST
    ),
    # A what-if keeps nothing; it answers only a POST.
    "forecast/<int:province>/<int:year>/what-if/run/": R(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/what-if/run/", POST_ONLY
    ),
    "forecast/<int:province>/<int:year>/scenarios/": W(
        lambda x: f"/forecast/{x.lao_cai.province.pk}/{x.plan.year}/scenarios/",
        POST_ONLY,
        writers=FORECAST_READERS,
        payload=lambda x: {"name": "Thử", f"v:{x.extra['forecast_leaf']}": "1"},
    ),
    "forecast/scenarios/<int:pk>/delete/": W(
        lambda x: f"/forecast/scenarios/{x.extra['scenario'].pk}/delete/",
        POST_ONLY,
        writers=FORECAST_READERS,
    ),
    "api/": R(w("api/"), answers(404, anonymous=404)),
    "api/openapi.json": R(w("api/openapi.json"), answers(200, anonymous=200)),
    "api/docs": R(w("api/docs"), answers(200, anonymous=200)),
    # The public survey form: everyone, signed in or not, may answer it (a post without its
    # form token is refused and saves nothing); the 2020 survey is closed today.
    "s/<slug:survey_code>/<slug:agency_code>/": W(
        lambda x: f"/s/{x.extra['open_survey'].code}/so-tu-phap/",
        answers(200, anonymous=200),
        writers=ROLES,
    ),
    "s/<slug:survey_code>/<slug:agency_code>/cam-on/": R(
        lambda x: f"/s/{x.extra['survey'].code}/so-tu-phap/cam-on/", answers(200, anonymous=200)
    ),
    # The links and QR codes per agency: the province's coordinators print them.
    "surveys/<int:pk>/links/": R(
        lambda x: f"/surveys/{x.extra['survey'].pk}/links/",
        answers(404, coordinator=200, leader=403, reporter=403, head=403, district_head=403),
    ),
    # Surveys: listed to whoever follows one; a survey and its results to the province's
    # coordinators and leaders and the people of its agencies (their own agency's rows); the
    # coordinators create surveys and enter, import and weigh responses.
    "surveys/": R(w("surveys/"), answers(200)),
    # One-stop-shop dossiers: the form and the lists to their readers, each their own codes; the
    # import history to the province-wide roles; imports, codes, mappings and settings to the
    # coordinators (the forms posted empty change nothing).
    "dossiers/": R(w("dossiers/"), DOSSIERS),
    "dossiers/list/": R(w("dossiers/list/"), DOSSIERS),
    "dossiers/import/": W(w("dossiers/import/"), DOSSIER_MANAGE, CREATORS),
    "dossiers/import/<str:token>/": R(
        dossier_progress, answers(403, coordinator=200, outsider=404, citizen=404, appraiser=404)
    ),
    "dossiers/imports/": R(w("dossiers/imports/"), DOSSIER_HISTORY),
    "dossiers/imports/<int:pk>/": R(
        lambda x: f"/dossiers/imports/{x.extra['dossier_run'].pk}/",
        answers(404, coordinator=200, leader=200),
    ),
    "dossiers/codes/": W(w("dossiers/codes/"), DOSSIER_MANAGE, CREATORS),
    "dossiers/mappings/": W(w("dossiers/mappings/"), DOSSIER_MANAGE, CREATORS),
    "dossiers/settings/": W(w("dossiers/settings/"), DOSSIER_MANAGE, CREATORS),
    "surveys/new/": W(w("surveys/new/"), answers(403, coordinator=200, outsider=200), CREATORS),
    "surveys/<int:pk>/": R(lambda x: f"/surveys/{x.extra['survey'].pk}/", SURVEY),
    "surveys/<int:pk>/indices/": R(lambda x: f"/surveys/{x.extra['survey'].pk}/indices/", SURVEY),
    "surveys/<int:pk>/comments/": R(lambda x: f"/surveys/{x.extra['survey'].pk}/comments/", SURVEY),
    "surveys/<int:pk>/responses/new/": W(
        lambda x: f"/surveys/{x.extra['survey'].pk}/responses/new/",
        SURVEY_MANAGE,
        payload=lambda x: {"agency": "so-tu-phap", "submitted_on": "15/04/2020", "sat_staff": "5"},
    ),
    "surveys/<int:pk>/import/": W(
        lambda x: f"/surveys/{x.extra['survey'].pk}/import/",
        SURVEY_MANAGE,
        payload=lambda x: {
            "file": SimpleUploadedFile(
                "phieu.csv", b"agency,submitted_at,sat_staff\nso-tu-phap,2020-04-15,5\n"
            )
        },
    ),
    "surveys/<int:pk>/mappings/": W(
        lambda x: f"/surveys/{x.extra['survey'].pk}/mappings/",
        SURVEY_MANAGE,
        payload=lambda x: {"name": "kobo", "columns": "co_quan=agency"},
    ),
    "surveys/<int:pk>/volumes/": W(
        lambda x: f"/surveys/{x.extra['survey'].pk}/volumes/",
        SURVEY_MANAGE,
        payload=lambda x: {"v:so-tu-phap:all": "1000"},
    ),
    # Questionnaires are national: everyone signed in reads them; any province's coordinator
    # adds one.
    "surveys/questionnaires/": R(w("surveys/questionnaires/"), answers(200)),
    "surveys/questionnaires/import/": W(
        w("surveys/questionnaires/import/"),
        answers(403, coordinator=200, outsider=200),
        CREATORS,
        payload=lambda x: {"file": SimpleUploadedFile("phieu.xlsx", b"not a workbook")},
    ),
    "surveys/questionnaires/<int:pk>/": R(
        lambda x: f"/surveys/questionnaires/{x.extra['survey'].questionnaire_id}/", answers(200)
    ),
    "surveys/questionnaires/<int:pk>/xlsform.xlsx": R(
        lambda x: f"/surveys/questionnaires/{x.extra['survey'].questionnaire_id}/xlsform.xlsx",
        answers(200),
    ),
}


def a(path: str) -> Callable[[World], str]:
    return lambda x: path.format(x=x)


API_IN_PROVINCE = api(200, citizen=404, outsider=404)
API_JUSTICE_DATA = api(200, district_head=404, citizen=404, outsider=404)
API_FORECAST = api(404, coordinator=200, leader=200)
# A survey's results: the province's coordinators and leaders, and the people of its agencies
# (their own agency's rows).
API_SURVEY = api(404, coordinator=200, leader=200, reporter=200, head=200, district_head=200)
# The dossier form: the province's coordinators and leaders, and the people of its agencies
# (the codes matched to their agency).
API_DOSSIERS = api(404, coordinator=200, leader=200, reporter=200, head=200, district_head=200)

API: dict[str, Route] = {
    "GET /api/orgs/me": R(a("/api/orgs/me"), api(200)),
    "GET /api/orgs": R(a("/api/orgs"), api(200)),
    "POST /api/orgs": W(
        a("/api/orgs"),
        None,
        writers=CREATORS,
        payload=lambda x: {"kind": "department", "name": "Sở Mới", "code": "so-moi"},
    ),
    "GET /api/orgs/{org_id}": R(a("/api/orgs/{x.lao_cai.justice.pk}"), API_IN_PROVINCE),
    "PATCH /api/orgs/{org_id}": W(
        a("/api/orgs/{x.lao_cai.justice.pk}"),
        None,
        method="patch",
        payload=lambda x: {"name": "Sở Tư pháp mới"},
    ),
    "POST /api/orgs/{org_id}/close": W(
        a("/api/orgs/{x.lao_cai.justice.pk}/close"), None, payload=lambda x: {"on": "2026-01-01"}
    ),
    "GET /api/people": R(a("/api/people"), api(200)),
    "POST /api/people": W(
        a("/api/people"),
        None,
        payload=lambda x: {
            "username": "moi.stp",
            "full_name": "Người Mới",
            "organisation_id": x.lao_cai.justice.pk,
        },
    ),
    "GET /api/people/{person_id}": R(a("/api/people/{x.colleague.pk}"), API_JUSTICE_DATA),
    "PATCH /api/people/{person_id}": W(
        a("/api/people/{x.colleague.pk}"),
        None,
        method="patch",
        payload=lambda x: {"is_active": False},
    ),
    "POST /api/people/{person_id}/roles": W(
        a("/api/people/{x.colleague.pk}/roles"),
        None,
        payload=lambda x: {"role": "reporter", "organisation_id": x.lao_cai.justice.pk},
    ),
    "DELETE /api/people/roles/{role_id}": W(
        a("/api/people/roles/{x.role.pk}"), None, method="delete"
    ),
    "GET /api/criteria": R(a("/api/criteria"), api(200)),
    "GET /api/criteria/{framework_id}": R(a("/api/criteria/{x.framework.pk}"), API_IN_PROVINCE),
    "POST /api/criteria/import": W(
        a("/api/criteria/import"), None, writers=CREATORS, payload=lambda x: {"text": "1. A"}
    ),
    "GET /api/criteria/{framework_id}/export": R(
        a("/api/criteria/{x.framework.pk}/export"), API_IN_PROVINCE
    ),
    "POST /api/criteria/{framework_id}/nodes": W(
        a("/api/criteria/{x.framework.pk}/nodes"),
        None,
        payload=lambda x: {"kind": "domain", "code": "99", "name": "Mới", "max_points": "1"},
    ),
    "PATCH /api/criteria/nodes/{node_id}": W(
        a("/api/criteria/nodes/{x.node.pk}"),
        None,
        method="patch",
        payload=lambda x: {"name": "Đổi"},
    ),
    "DELETE /api/criteria/nodes/{node_id}": W(
        a("/api/criteria/nodes/{x.node.pk}"), None, method="delete"
    ),
    "PUT /api/criteria/nodes/{node_id}/bands": W(
        a("/api/criteria/nodes/{x.node.pk}/bands"), None, method="put", payload=lambda x: []
    ),
    # Reads a document and saves nothing: a POST, held here only as present.
    "POST /api/plans/parse": R(a("/api/plans/parse"), api(405, anonymous=405)),
    "POST /api/plans/import": W(
        a("/api/plans/import"), None, writers=CREATORS, payload=lambda x: {"text": "x"}
    ),
    "GET /api/plans": R(a("/api/plans"), api(200)),
    "GET /api/plans/{plan_id}": R(a("/api/plans/{x.plan.pk}"), API_IN_PROVINCE),
    "GET /api/exports/{name}.{fmt}": R(a("/api/exports/people.csv"), api(200)),
    "GET /api/reporting/rounds": R(a("/api/reporting/rounds"), api(200)),
    "POST /api/reporting/rounds": W(
        a("/api/reporting/rounds"),
        None,
        payload=lambda x: {
            "plan_id": x.plan.pk,
            "kind": "quarter",
            "number": 3,
            "deadline": "2030-01-01",
        },
    ),
    "GET /api/reporting/rounds/{round_id}": R(
        a("/api/reporting/rounds/{x.round.pk}"),
        api(404, coordinator=200, leader=200, appraiser=200, reporter=200, head=200),
    ),
    "GET /api/reporting/rounds/{round_id}/overview": R(
        a("/api/reporting/rounds/{x.round.pk}/overview"), {**ROUND, "anonymous": 401}
    ),
    "GET /api/reporting/reports": R(a("/api/reporting/reports"), api(200)),
    "GET /api/reporting/reports/{report_id}": R(
        a("/api/reporting/reports/{x.draft.pk}"), {**OFFICE_DRAFT, "anonymous": 401}
    ),
    "PUT /api/reporting/reports/{report_id}": W(
        a("/api/reporting/reports/{x.draft.pk}"),
        None,
        writers=(),
        method="put",
        payload=lambda x: {"version": x.draft.version, "narrative": "Đã sửa"},
    ),
    "POST /api/reporting/reports/{report_id}/submit": W(
        a("/api/reporting/reports/{x.draft.pk}/submit"), None, writers=()
    ),
    "POST /api/reporting/reports/{report_id}/items/{item_id}/review": W(
        a("/api/reporting/reports/{x.submitted.pk}/items/{x.item.pk}/review"),
        None,
        writers=REVIEWERS,
        payload=lambda x: {"accept": True},
    ),
    "POST /api/reporting/reports/{report_id}/items/{item_id}/reopen": W(
        a("/api/reporting/reports/{x.submitted.pk}/items/{x.item.pk}/reopen"),
        None,
        writers=REVIEWERS,
        payload=lambda x: {"comment": "Mở lại"},
    ),
    "POST /api/reporting/reports/{report_id}/finish-review": W(
        a("/api/reporting/reports/{x.submitted.pk}/finish-review"), None, writers=REVIEWERS
    ),
    "POST /api/reporting/reports/{report_id}/items/{item_id}/evidence": W(
        a("/api/reporting/reports/{x.submitted.pk}/items/{x.item.pk}/evidence"),
        None,
        writers=(),
        method="multipart",
        payload=lambda x: {"file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")},
    ),
    "GET /api/reporting/evidence/{evidence_id}": R(
        a("/api/reporting/evidence/{x.evidence.pk}"), API_JUSTICE_DATA
    ),
    "DELETE /api/reporting/evidence/{evidence_id}": W(
        a("/api/reporting/evidence/{x.evidence.pk}"), None, writers=(), method="delete"
    ),
    # Assessment: every assessment is listed to whoever it concerns; Sở Tư pháp's unit is its
    # people's, Home Affairs', the leaders' and its appraiser's (as its report is).
    "GET /api/assessment/assessments": R(a("/api/assessment/assessments"), api(200)),
    "POST /api/assessment/assessments": W(
        a("/api/assessment/assessments"),
        None,
        payload=lambda x: {
            "framework_id": x.framework.pk,
            "year": 2020,
            "scope": "districts",
            "deadline": "2021-01-15",
        },
    ),
    "GET /api/assessment/assessments/{assessment_id}": R(
        a("/api/assessment/assessments/{x.extra[assessment].pk}"), API_JUSTICE_DATA
    ),
    "PATCH /api/assessment/assessments/{assessment_id}": W(
        a("/api/assessment/assessments/{x.extra[assessment].pk}"),
        None,
        method="patch",
        payload=lambda x: {"title": "Đổi tên"},
    ),
    "GET /api/assessment/assessments/{assessment_id}/units": R(
        a("/api/assessment/assessments/{x.extra[assessment].pk}/units"), API_JUSTICE_DATA
    ),
    # The ranking: Home Affairs and the leaders until the results are published.
    "GET /api/assessment/assessments/{assessment_id}/results": R(
        a("/api/assessment/assessments/{x.extra[assessment].pk}/results"),
        api(403, district_head=404, citizen=404, outsider=404, coordinator=200, leader=200),
    ),
    "POST /api/assessment/assessments/{assessment_id}/survey-results": W(
        a("/api/assessment/assessments/{x.extra[assessment].pk}/survey-results"),
        None,
        payload=lambda x: [],
    ),
    "POST /api/assessment/assessments/{assessment_id}/close": W(
        a("/api/assessment/assessments/{x.extra[assessment].pk}/close"), None
    ),
    "POST /api/assessment/assessments/{assessment_id}/publish": W(
        a("/api/assessment/assessments/{x.extra[assessment].pk}/publish"), None
    ),
    "GET /api/assessment/units/{unit_id}": R(
        a("/api/assessment/units/{x.extra[unit].pk}"), API_JUSTICE_DATA
    ),
    "PATCH /api/assessment/units/{unit_id}": W(
        a("/api/assessment/units/{x.extra[unit].pk}"),
        None,
        method="patch",
        payload=lambda x: {"appraiser_id": None},
    ),
    "PUT /api/assessment/units/{unit_id}": W(
        a("/api/assessment/units/{x.extra[unit].pk}"),
        None,
        writers=OWN_UNIT,
        method="put",
        payload=lambda x: {
            "version": x.extra["unit"].version,
            "entries": [{"code": x.extra["leaf"], "explanation": "Giải trình"}],
        },
    ),
    "POST /api/assessment/units/{unit_id}/documents": W(
        a("/api/assessment/units/{x.extra[unit].pk}/documents"),
        None,
        writers=OWN_UNIT,
        payload=lambda x: {"number": "15/QĐ-STP"},
    ),
    "POST /api/assessment/units/{unit_id}/submit": W(
        a("/api/assessment/units/{x.extra[unit].pk}/submit"), None, writers=("head",)
    ),
    "POST /api/assessment/units/{unit_id}/entries/{code}/appraise": W(
        a("/api/assessment/units/{x.extra[unit].pk}/entries/{x.extra[leaf]}/appraise"),
        None,
        writers=REVIEWERS,
        payload=lambda x: {"decision": "accept"},
    ),
    "POST /api/assessment/units/{unit_id}/entries/{code}/answer": W(
        a("/api/assessment/units/{x.extra[unit].pk}/entries/{x.extra[leaf]}/answer"),
        None,
        writers=OWN_UNIT,
        payload=lambda x: {"answer": "Đã bổ sung"},
    ),
    "POST /api/assessment/units/{unit_id}/finish-appraisal": W(
        a("/api/assessment/units/{x.extra[unit].pk}/finish-appraisal"), None, writers=REVIEWERS
    ),
    "POST /api/assessment/documents/{document_id}/file": W(
        a("/api/assessment/documents/{x.extra[document].pk}/file"),
        None,
        writers=OWN_UNIT,
        method="multipart",
        payload=lambda x: {"file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")},
    ),
    "GET /api/assessment/documents/{document_id}/file": R(
        a("/api/assessment/documents/{x.extra[document].pk}/file"), API_JUSTICE_DATA
    ),
    # Actions that close the gap, as on the screens.
    "GET /api/gap-actions": R(a("/api/gap-actions"), api(200)),
    "POST /api/gap-actions": W(
        a("/api/gap-actions"),
        None,
        payload=lambda x: {
            "province_id": x.lao_cai.province.pk,
            "year": x.plan.year,
            "node_code": "3.4.1",
            "title": "Mới",
            "owner_id": x.lao_cai.justice.pk,
            "deadline": f"{x.plan.year}-12-31",
            "expected_points": "0,5",
        },
    ),
    "GET /api/gap-actions/{action_id}": R(
        a("/api/gap-actions/{x.extra[gap_action].pk}"),
        api(404, coordinator=200, leader=200, reporter=200, head=200),
    ),
    "PATCH /api/gap-actions/{action_id}": W(
        a("/api/gap-actions/{x.extra[gap_action].pk}"),
        None,
        method="patch",
        payload=lambda x: {"title": "Đổi"},
    ),
    "POST /api/gap-actions/{action_id}/status": W(
        a("/api/gap-actions/{x.extra[gap_action].pk}/status"),
        None,
        payload=lambda x: {"status": "done"},
    ),
    "PUT /api/gap-actions/lines/{line_id}": W(
        a("/api/gap-actions/lines/{x.extra[line].pk}"),
        None,
        writers=(),
        method="put",
        payload=lambda x: {"status": "done", "description": "Đã xong"},
    ),
    # Published national results: public to everyone signed in; coordinators import.
    "GET /api/results/years": R(a("/api/results/years"), api(200)),
    "GET /api/results/years/{year}": R(a("/api/results/years/2019"), api(200)),
    "GET /api/results/show": R(a("/api/results/show?year=2019&province=lao-cai"), api(200)),
    "GET /api/results/rank": R(a("/api/results/rank?year=2020&score=88.00"), api(200)),
    "GET /api/results/provinces": R(a("/api/results/provinces"), api(200)),
    "GET /api/results/provinces/{code}/history": R(
        a("/api/results/provinces/lao-cai-2025/history"), api(200)
    ),
    "POST /api/results/import": W(
        a("/api/results/import"),
        None,
        writers=CREATORS,
        method="multipart",
        payload=lambda x: {"year": "2020", "text": "Quảng Ninh\t91,04\t1\n"},
    ),
    # Satisfaction surveys: listed to whoever follows one; results as `API_SURVEY`.
    "GET /api/surveys": R(a("/api/surveys"), api(200)),
    "GET /api/surveys/{survey_id}/indices": R(
        a("/api/surveys/{x.extra[survey].pk}/indices"), API_SURVEY
    ),
    # Responses from the public: a form token for an agency, then the answers with it.
    "GET /api/surveys/{code}/form-token": R(
        a("/api/surveys/{x.extra[open_survey].code}/form-token?agency=so-tu-phap"),
        api(200, anonymous=200),
    ),
    "POST /api/surveys/{code}/responses": W(
        a("/api/surveys/{x.extra[open_survey].code}/responses"), None, writers=ROLES
    ),
    # One-stop-shop dossiers: the form as `API_DOSSIERS`; the import runs are listed to whoever
    # follows the province's (the list is empty for the others).
    "GET /api/dossiers/form": R(
        a("/api/dossiers/form?period=2024Q2&province={x.lao_cai.province.code}"), API_DOSSIERS
    ),
    "GET /api/dossiers/imports": R(a("/api/dossiers/imports"), api(200)),
    "GET /api/dossiers/list": R(
        a("/api/dossiers/list?period=2024Q2&kind=late&province={x.lao_cai.province.code}"),
        API_DOSSIERS,
    ),
    # The forecast: the province's coordinators and leaders; what-if keeps nothing.
    "GET /api/forecast": R(
        a("/api/forecast?province={x.lao_cai.province.code}&year={x.plan.year}"), API_FORECAST
    ),
    "GET /api/forecast/choices": R(a("/api/forecast/choices"), api(200)),
    "POST /api/forecast/what-if": R(a("/api/forecast/what-if"), None),
    "GET /api/forecast/scenarios": R(
        a("/api/forecast/scenarios?province={x.lao_cai.province.code}&year={x.plan.year}"),
        API_FORECAST,
    ),
    "POST /api/forecast/scenarios": W(
        a("/api/forecast/scenarios"),
        None,
        writers=FORECAST_READERS,
        payload=lambda x: {
            "province": x.lao_cai.province.code,
            "year": x.plan.year,
            "name": "Thử",
            "changes": {x.extra["forecast_leaf"]: "1"},
        },
    ),
    "DELETE /api/forecast/scenarios/{scenario_id}": W(
        a("/api/forecast/scenarios/{x.extra[scenario].pk}"),
        None,
        writers=FORECAST_READERS,
        method="delete",
    ),
}

# What each exporter gives each role, built for the cast's objects: "data" (rows), "empty" (no
# rows: nothing visible) or "refused" (not found, or not theirs to export).
EXPORTS: dict[str, dict[str, str]] = {
    "organisations": {**dict.fromkeys(ROLES, "data"), "citizen": "empty", "anonymous": "empty"},
    # A citizen's export holds their own record.
    "people": {**dict.fromkeys(ROLES, "data"), "anonymous": "empty"},
    # The consolidated report: those who follow the round.
    "round-consolidated": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader", "appraiser"), "data"),
    },
    # Sở Tư pháp's assessed unit: whoever reads it (the ranking, before publication, is Home
    # Affairs' and the leaders').
    "assessment-unit": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader", "appraiser", "reporter", "head"), "data"),
    },
    "assessment-ranking": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader"), "data"),
    },
    # The forecast's numbers: the province's coordinators and leaders.
    "forecast": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader"), "data"),
    },
    # A survey's numbers: its readers, each their own part (Sở Tư pháp holds the one answer,
    # so the district's head has no rows).
    "survey": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader", "reporter", "head"), "data"),
        "district_head": "empty",
    },
    # The dossier form: whoever reads the province's dossiers, each their own codes.
    "dossier-form": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader", "reporter", "head", "district_head"), "data"),
    },
    # The dossiers behind a count: the same readers (the city's head reads its own two).
    "dossier-list": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader", "reporter", "head", "district_head"), "data"),
    },
    # Sở Tư pháp's report: whoever reads it.
    "agency-report": {
        **dict.fromkeys(ROLES, "refused"),
        **dict.fromkeys(("coordinator", "leader", "appraiser", "reporter", "head"), "data"),
    },
}


# --- enumeration ----------------------------------------------------------------------------------


def web_routes() -> list[str]:
    """Every URL pattern of the configuration, as its full route text (API and admin aside)."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route in EXCLUDED:
                    continue
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and not (
                route.startswith("api/") and _as_schema_path(route) in operation_paths
            ):
                found.append(route)

    operation_paths = {op.split(" ", 1)[1] for op in api_operations()}
    walk(get_resolver().url_patterns, "")
    return found


def _as_schema_path(route: str) -> str:
    """'api/orgs/<int:org_id>' as the schema writes it: '/api/orgs/{org_id}'."""
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operations() -> list[str]:
    from parindex.api.schema import schema

    return [
        f"{method.upper()} {path}"
        for path, operations in schema()["paths"].items()
        for method in operations
    ]


def test_every_route_operation_and_exporter_is_declared() -> None:
    routes, operations = web_routes(), api_operations()
    names = [e.name for e in exporters()]
    missing = (
        [f"web route {r!r}" for r in routes if r not in WEB]
        + [f"API operation {o!r}" for o in operations if o not in API]
        + [f"exporter {n!r}" for n in names if n not in EXPORTS]
    )
    stale = (
        [f"web route {r!r}" for r in WEB if r not in routes]
        + [f"API operation {o!r}" for o in API if o not in operations]
        + [f"exporter {n!r}" for n in EXPORTS if n not in names]
    )
    assert not missing, "declare who may use: " + "; ".join(missing)
    assert not stale, "declared but gone (remove from the table): " + "; ".join(stale)
    assert routes and operations and names


# --- the checks -----------------------------------------------------------------------------------


def _send(client: Client, method: str, url: str, payload: Any, *, is_api: bool) -> int:
    if method == "multipart":
        return client.post(url, payload).status_code
    send = getattr(client, method)
    if is_api:
        body = json.dumps(payload)
        status: int = send(url, body, content_type="application/json").status_code
        return status
    status = send(url, payload).status_code
    return status


def _refused(role: str, status: int, *, is_api: bool) -> bool:
    if role == "anonymous":
        return status in ((401,) if is_api else (302,))
    return status in (403, 404)


def check_routes(world: World, role: str, table: dict[str, Route], *, is_api: bool) -> list[str]:
    problems: list[str] = []
    actual: dict[str, int] = {}
    # A refused write changes nothing, so the state after one is the state before the next.
    before = snapshot()
    for key, route in table.items():
        client = client_as(world, role)
        url = route.url(world)
        if route.get is not None:
            status = client.get(url).status_code
            actual[key] = status
            if status != route.get[role]:
                problems.append(f"{role} GET {key} ({url}): {status}, declared {route.get[role]}")
        if route.writers is not None and role not in route.writers:
            status = _send(client, route.method, url, route.payload(world), is_api=is_api)
            if not _refused(role, status, is_api=is_api):
                problems.append(
                    f"{role} {route.method.upper()} {key} ({url}): {status}, not refused"
                )
            after = snapshot()
            if after != before:
                problems.append(f"{role} {route.method.upper()} {key} ({url}) changed data")
                before = after
    if DUMP:
        print(f"\n# {role} {'API' if is_api else 'web'}")
        for key, status in actual.items():
            print(f"{role:>14} {status} {key}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_web_route_answers_each_role_as_declared(world: World, role: str) -> None:
    problems = check_routes(world, role, WEB, is_api=False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_answers_each_role_as_declared(world: World, role: str) -> None:
    problems = check_routes(world, role, API, is_api=True)
    assert not problems, "\n".join(problems)


def export_params(world: World, name: str) -> dict[str, str]:
    return {
        "round-consolidated": {"round": str(world.round.pk)},
        "agency-report": {"report": str(world.submitted.pk)},
        "assessment-unit": {"unit": str(world.extra["unit"].pk)},
        "assessment-ranking": {"assessment": str(world.extra["assessment"].pk)},
        "dossier-form": {"province": world.lao_cai.province.code, "period": "2024Q2"},
        "dossier-list": {"province": world.lao_cai.province.code, "period": "2024Q2"},
        "forecast": {
            "province": str(world.lao_cai.province.pk),
            "year": str(world.plan.year),
            "part": "stakes",
        },
        "survey": {"survey": str(world.extra["survey"].pk), "part": "indices"},
    }.get(name, {})


@pytest.mark.parametrize("role", ROLES)
def test_every_exporter_gives_data_or_refuses_each_role_as_declared(
    world: World, role: str
) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if role == "anonymous" else world.people[role]
    problems = []
    for exporter in exporters():
        assert exporter.build is not None
        try:
            sheets = exporter.build(user, export_params(world, exporter.name))
        except ExportError:
            outcome = "refused"
        else:
            rows = sum(len(list(sheet.rows)) for sheet in sheets)
            outcome = "data" if rows else "empty"
        if DUMP:
            print(f"{role:>14} {outcome} {exporter.name}")
        declared = EXPORTS.get(exporter.name, {}).get(role)
        if outcome != declared:
            problems.append(f"{role} export {exporter.name}: {outcome}, declared {declared}")
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Refusals are logged as warnings by Django; hundreds of them say nothing here."""
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)
    yield
    logging.getLogger("django.request").setLevel(logging.NOTSET)
