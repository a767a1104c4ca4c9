"""Plan import actions: stage the seed plan for review, correct it, approve it into a plan.

The yardstick is the parser itself (`parse_text` of the seed): the actions must keep everything it
reads, resolve every agency it names to the province's own agencies and link the areas to the
criteria tree, and create nothing before approval.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.methodology.models import Framework, Node
from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, Organisation, OrgKind, User
from parindex.plans import actions
from parindex.plans.actions import NotAPlan, StaleRevision
from parindex.plans.models import (
    Area,
    Comparator,
    Goal,
    ImportStatus,
    Plan,
    PlanImport,
    Quantity,
    ReportingDuty,
    Responsibility,
    Target,
    TargetAgency,
    TargetNode,
)
from tests.conftest import LaoCai
from tests.plans.support import (
    NEWS,
    NOTHING,
    SEED,
    SEED_BYTES,
    SeedAgencies,
    add_seed_agencies,
    answer_open_measures,
    illustrative_tree,
    plan_rows,
    seed_proposal,
)
from tests.web.pages import vi

PLAN_DAY = date(2020, 6, 11)
ALL_PERIODS = ["quarter", "half_year", "year"]


@dataclass(frozen=True)
class Province:
    """The cast province with every agency the seed names, and its criteria tree for 2020."""

    cast: LaoCai
    seed: SeedAgencies
    tree: Framework
    closed: Organisation  # a department abolished before the plan
    later: Organisation  # a department founded after it

    @property
    def org(self) -> Organisation:
        return self.cast.province

    def by_name(self) -> dict[str, Organisation]:
        """The agency each name of the seed stands for (groups left out)."""
        c, s = self.cast, self.seed
        assert s.finance is not None
        return {
            "Sở Nội vụ": c.home_affairs,
            "Sở Tư pháp": c.justice,
            "Văn phòng UBND tỉnh": c.office,
            "Sở Tài chính": s.finance,
            "Sở Thông tin và Truyền thông": s.information,
            "Sở Khoa học và Công nghệ": s.science,
            "Sở Kế hoạch và Đầu tư": s.planning,
            "UBND tỉnh": c.ppc,
        }


def _department(
    province: Organisation,
    name: str,
    code: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Organisation:
    return org_actions.create_organisation(
        by=None,
        province=province,
        kind=OrgKind.DEPARTMENT,
        name=name,
        code=code,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@pytest.fixture
def laocai(lao_cai: LaoCai) -> Province:
    closed = _department(
        lao_cai.province, "Sở Giao thông vận tải", "so-gtvt", valid_to=date(2019, 1, 1)
    )
    later = _department(lao_cai.province, "Sở Xây dựng", "so-xay-dung", valid_from=date(2021, 1, 1))
    return Province(
        cast=lao_cai,
        seed=add_seed_agencies(lao_cai.province),
        tree=illustrative_tree(lao_cai.province),
        closed=closed,
        later=later,
    )


def stage(by: User | None, province: Organisation) -> PlanImport:
    """The seed staged, with the review screen's one question (what a figure is) answered."""
    staged = actions.stage_plan(by=by, province=province, filename=SEED.name, data=SEED_BYTES)
    return answer_open_measures(staged) if staged.pk else staged


@pytest.fixture
def staged(laocai: Province, coordinator: User) -> PlanImport:
    return stage(coordinator, laocai.org)


def leads(target: Target) -> set[Organisation]:
    return {
        ta.organisation for ta in target.agencies.all() if ta.responsibility == Responsibility.LEAD
    }


def reread(staged: PlanImport) -> PlanImport:
    return PlanImport.objects.get(pk=staged.pk)


# --- staging ------------------------------------------------------------------------------------


def test_staging_the_seed_keeps_the_proposal_for_review_and_creates_no_plan(
    staged: PlanImport, laocai: Province, coordinator: User
) -> None:
    parsed = seed_proposal()
    assert plan_rows() == {**NOTHING, "PlanImport": 1, "audit": 1}
    assert (staged.status, staged.revision, staged.created_by, staged.framework) == (
        ImportStatus.PENDING,
        1,
        coordinator,
        laocai.tree,
    )
    assert (staged.filename, staged.province) == (SEED.name, laocai.org)
    assert staged.proposal["number"] == "165/KH-UBND"
    assert staged.proposal["date"] == "2020-06-11"
    assert len(staged.proposal["areas"]) == 8
    assert len(list(actions.all_targets(staged.proposal))) == len(parsed.targets())
    # The text the line numbers refer to, and the reader's warnings, are kept for the review.
    assert staged.source_text.splitlines()[16] == "Số: 165 /KH-UBND"
    assert [w["kind"] for w in staged.warnings] == [w.kind for w in parsed.warnings]
    assert "warnings" not in staged.proposal
    entry = AuditEntry.objects.get(action="plans.import.stage")
    assert (entry.actor, entry.object_id, entry.province) == (
        coordinator,
        str(staged.pk),
        laocai.org,
    )


def test_every_agency_the_seed_names_is_resolved_to_an_agency_of_the_province(
    staged: PlanImport, laocai: Province
) -> None:
    mapping = staged.proposal["agency_map"]
    assert set(mapping) == set(actions.agency_names(staged.proposal))
    for name, agency in laocai.by_name().items():
        assert mapping[name] == {"ids": [agency.pk], "group": "", "chosen": False}, name
    assert all(entry["ids"] for entry in mapping.values())
    assert actions.check_proposal(staged.proposal) == []


def test_group_names_expand_to_the_agencies_of_their_kind_that_existed_on_the_plan_date(
    staged: PlanImport, laocai: Province
) -> None:
    mapping = staged.proposal["agency_map"]
    departments = set(
        Organisation.objects.filter(province=laocai.org, kind=OrgKind.DEPARTMENT)
        .as_of(PLAN_DAY)
        .values_list("pk", flat=True)
    )
    cast, seed = laocai.cast, laocai.seed
    assert seed.finance is not None
    # The cast's three and the four added; not the one closed before nor the one opened after.
    expected = [cast.home_affairs, cast.justice, cast.office, seed.finance, seed.information]
    expected += [seed.science, seed.planning]
    assert departments == {o.pk for o in expected}
    assert (mapping["Các sở, ban, ngành"]["group"], set(mapping["Các sở, ban, ngành"]["ids"])) == (
        "department",
        departments,
    )
    assert (mapping["UBND cấp huyện"]["group"], set(mapping["UBND cấp huyện"]["ids"])) == (
        "district",
        {laocai.cast.city.pk, laocai.cast.bat_xat.pk},
    )
    assert (mapping["UBND cấp xã"]["group"], mapping["UBND cấp xã"]["ids"]) == (
        "commune",
        [laocai.cast.commune.pk],
    )
    # "các cơ quan, đơn vị" (who reports, in the duties) is every agency of the time.
    everyone = set(mapping["các cơ quan, đơn vị"]["ids"])
    assert mapping["các cơ quan, đơn vị"]["group"] == "all"
    assert departments | {laocai.cast.ppc.pk, laocai.cast.city.pk} <= everyone
    assert laocai.closed.pk not in everyone and laocai.later.pk not in everyone


def test_the_areas_are_linked_to_the_domains_of_the_tree_and_targets_to_its_sub_criteria(
    staged: PlanImport, laocai: Province
) -> None:
    domains = {n.pk: n for n in Node.objects.filter(framework=laocai.tree, parent__isnull=True)}
    areas = staged.proposal["areas"]
    assert [domains[a["domain_id"]].code for a in areas] == [str(n) for n in range(1, 9)]
    leaves = {n.pk: n for n in actions.leaf_nodes(laocai.tree)}
    proposed = 0
    for index, area in enumerate(areas):
        code = domains[area["domain_id"]].code
        for _path, target in actions.iter_targets(area["targets"], str(index)):
            # Only sub-criteria of the area's own domain are proposed.
            assert all(leaves[pk].code.startswith(f"{code}.") for pk in target["node_ids"])
            proposed += len(target["node_ids"])
    assert proposed > 50
    # The electronic-documents target of domain 7 proposes that very sub-criterion first.
    documents = next(
        t
        for _p, t in actions.iter_targets(areas[6]["targets"], "6")
        if t["text"].startswith("Tỷ lệ văn bản trao đổi")
    )
    assert leaves[documents["node_ids"][0]].code == "7.1.2"


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("tin-tuc.txt", NEWS.encode()),
        ("trong.txt", b""),
        ("ke-hoach.pdf", b"%PDF-1.4 this is not really a pdf"),
        ("ke-hoach.docx", b"PK\x03\x04 not really a zip"),
    ],
    ids=["a news article", "an empty file", "a damaged PDF", "a damaged Word file"],
)
def test_a_document_that_is_not_a_plan_is_refused_and_nothing_is_saved(
    filename: str, data: bytes, laocai: Province, coordinator: User
) -> None:
    with pytest.raises(NotAPlan, match=filename):
        actions.stage_plan(by=coordinator, province=laocai.org, filename=filename, data=data)
    assert plan_rows() == NOTHING


@pytest.mark.parametrize("person", ["reporter", "head", "leader", "appraiser", "outsider"])
def test_only_a_coordinator_of_the_province_stages_a_plan(
    person: str, laocai: Province, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(person)
    with pytest.raises(PermissionDenied):
        stage(user, laocai.org)
    assert plan_rows() == NOTHING


def test_only_a_coordinator_of_the_province_reviews_approves_or_discards(
    staged: PlanImport, reporter: User, leader: User, outsider: User
) -> None:
    before = plan_rows()
    for user in (reporter, leader, outsider):
        with pytest.raises(PermissionDenied):
            actions.save_review(
                staged, by=user, proposal=staged.proposal, framework=None, revision=1
            )
        with pytest.raises(PermissionDenied):
            actions.approve_import(staged, by=user)
        with pytest.raises(PermissionDenied):
            actions.discard_import(staged, by=user)
    assert plan_rows() == before
    assert (reread(staged).status, reread(staged).revision) == (ImportStatus.PENDING, 1)


# --- approving ----------------------------------------------------------------------------------


@pytest.fixture
def plan(staged: PlanImport, coordinator: User) -> Plan:
    return actions.approve_import(staged, by=coordinator)


def test_approving_the_seed_creates_one_plan_with_its_eight_areas_and_every_target(
    plan: Plan, staged: PlanImport, laocai: Province, coordinator: User
) -> None:
    parsed = seed_proposal()
    assert Plan.objects.get() == plan
    assert (plan.number, plan.date, plan.year, plan.province, plan.framework) == (
        "165/KH-UBND",
        PLAN_DAY,
        2020,
        laocai.org,
        laocai.tree,
    )
    assert (plan.issuer, plan.signer, plan.title) == (
        "UBND tỉnh Lào Cai",
        "Đặng Xuân Phong",
        parsed.title,
    )
    assert plan.baseline["points"] == 82.85 and plan.baseline["rank"] == 15
    assert (plan.source, reread(staged).status) == (staged, ImportStatus.APPROVED)

    areas = list(plan.areas.select_related("domain"))
    assert [(a.number, a.title) for a in areas] == [(a.number, a.title) for a in parsed.areas]
    assert [a.domain.code if a.domain else None for a in areas] == [str(n) for n in range(1, 9)]

    targets = list(plan.targets.order_by("position"))
    assert len(targets) == len(parsed.targets()) == 58
    assert [(t.text, t.source_line) for t in targets] == [
        (t.text, t.line) for t in parsed.targets()
    ]
    assert Target.objects.filter(plan=plan, parent__isnull=False).count() == 25
    # Sub-items hang under their target, in their area.
    for area, parsed_area in zip(areas, parsed.areas, strict=True):
        tops = list(area.targets.filter(parent__isnull=True).order_by("position"))
        assert [t.text for t in tops] == [t.text for t in parsed_area.targets]
        for top, parsed_top in zip(tops, parsed_area.targets, strict=True):
            assert [c.text for c in top.children.order_by("position")] == [
                c.text for c in parsed_top.children
            ]


def test_each_target_is_led_by_the_agency_the_plan_gives_it(plan: Plan, laocai: Province) -> None:
    agencies = laocai.by_name()
    targets = plan.targets.order_by("position").prefetch_related("agencies__organisation")
    for target, parsed in zip(targets, seed_proposal().targets(), strict=True):
        assert leads(target) == {agencies[name] for name in parsed.lead}, target.text

    def area_leads(number: str) -> set[Organisation]:
        return {o for t in plan.targets.filter(area__number=number) for o in leads(t)}

    cast, seed = laocai.cast, laocai.seed
    assert area_leads("1") == {cast.home_affairs}
    assert area_leads("2") == {cast.justice}
    assert area_leads("3") == {cast.office}
    assert area_leads("4") == area_leads("5") == {cast.home_affairs}
    assert area_leads("6") == {seed.finance}
    # Area 7 has two leads: Sở TT&TT for IT, online services and postal delivery, Sở KH&CN for ISO.
    assert area_leads("7") == {seed.information, seed.science}
    iso = plan.targets.get(area__number="7", text__contains="ISO 9001")
    assert list(
        TargetAgency.objects.filter(target=iso, responsibility=Responsibility.LEAD).values_list(
            "organisation", flat=True
        )
    ) == [seed.science.pk]
    online = plan.targets.get(area__number="7", text__startswith="Về cung cấp dịch vụ công")
    assert leads(online) == {seed.information}
    assert all(leads(child) == {seed.information} for child in online.children.all())
    # Area 8: satisfaction by Sở Nội vụ, the socio-economic impact by Sở KH&ĐT.
    satisfaction, impact = plan.targets.filter(area__number="8", parent__isnull=True)
    assert (leads(satisfaction), leads(impact)) == ({cast.home_affairs}, {seed.planning})


def test_the_coordinating_agencies_are_the_groups_expanded_without_the_lead(
    plan: Plan, laocai: Province
) -> None:
    target = plan.targets.get(area__number="2", position=8)  # "Theo dõi thi hành pháp luật"
    coordinating = set(
        target.agencies.filter(responsibility=Responsibility.COORDINATING).values_list(
            "organisation", flat=True
        )
    )
    departments = set(
        Organisation.objects.filter(province=laocai.org, kind=OrgKind.DEPARTMENT)
        .as_of(PLAN_DAY)
        .exclude(pk=laocai.cast.justice.pk)
        .values_list("pk", flat=True)
    )
    cast = laocai.cast
    assert coordinating == departments | {cast.city.pk, cast.bat_xat.pk, cast.commune.pk}
    assert cast.justice.pk not in coordinating


def test_quantities_are_stored_exactly_as_decimals_with_comparator_unit_and_reference(
    plan: Plan,
) -> None:
    parsed = seed_proposal().targets()
    targets = plan.targets.order_by("position").prefetch_related("quantities")
    stored = [
        (q.comparator, q.value, q.value_high, q.unit, q.relative_kind, q.relative_year)
        for t in targets
        for q in t.quantities.all()
    ]
    expected = [
        (
            q.comparator,
            q.value,
            q.value_high,
            q.unit,
            q.relative_to.kind if q.relative_to else "",
            q.relative_to.year if q.relative_to else None,
        )
        for t in parsed
        for q in t.quantities
    ]
    assert stored == expected
    assert len(stored) == Quantity.objects.count() == 56

    on_time = plan.targets.get(text__startswith="Kết quả giải quyết TTHC")
    first, second = on_time.quantities.all()
    assert (first.comparator, first.value, first.value_high, first.unit) == (
        Comparator.BETWEEN,
        Decimal("95"),
        Decimal("100"),
        "percent",
    )
    assert isinstance(first.value, Decimal) and isinstance(first.value_high, Decimal)
    assert (second.comparator, second.value, second.value_high) == (">=", Decimal("80"), None)
    fewer_units = plan.targets.get(text__startswith="Thực hiện quy định của Chính phủ")
    cut = fewer_units.quantities.get()
    assert (cut.comparator, cut.value, cut.relative_kind, cut.relative_year) == (
        ">=",
        Decimal("10"),
        "baseline_year",
        2015,
    )


def test_targets_are_reported_on_the_periods_of_the_duties_and_the_duties_are_kept(
    plan: Plan, laocai: Province
) -> None:
    assert set(map(tuple, plan.targets.values_list("periods", flat=True))) == {tuple(ALL_PERIODS)}
    first, second = ReportingDuty.objects.filter(plan=plan).order_by("position")
    cast = laocai.cast
    assert (first.reporter, first.all_agencies, first.recipient, first.periods) == (
        cast.home_affairs,
        False,
        cast.ppc,
        ALL_PERIODS,
    )
    assert first.text.startswith("Định kỳ hàng quý, 6 tháng, năm tổng hợp, báo cáo UBND tỉnh")
    # "các cơ quan, đơn vị" report to Sở Nội vụ: every responsible agency, not one.
    assert (second.reporter, second.all_agencies, second.recipient, second.periods) == (
        None,
        True,
        cast.home_affairs,
        ALL_PERIODS,
    )


def test_the_plans_overall_goals_are_kept_with_their_values(plan: Plan) -> None:
    goals = [(g.comparator, g.value, g.unit, g.subject) for g in Goal.objects.filter(plan=plan)]
    assert goals == [
        (">=", Decimal("90"), "points", "chỉ số CCHC năm 2020 của tỉnh Lào Cai"),
        ("<=", Decimal("10"), "rank", "chỉ số CCHC năm 2020 của tỉnh Lào Cai"),
        (">=", Decimal("90"), "percent", "tỷ lệ hài lòng"),
    ]


def test_proposed_sub_criteria_stay_unconfirmed_until_the_coordinator_confirms_them(
    staged: PlanImport, laocai: Province, coordinator: User
) -> None:
    proposal = copy.deepcopy(staged.proposal)
    documents = next(
        t
        for _p, t in actions.all_targets(proposal)
        if t["text"].startswith("Tỷ lệ văn bản trao đổi")
    )
    chosen = documents["node_ids"][0]
    documents["confirmed_node_ids"] = [chosen]
    reviewed = actions.save_review(
        staged, by=coordinator, proposal=proposal, framework=laocai.tree, revision=1
    )
    plan = actions.approve_import(reviewed, by=coordinator)

    expected = {
        (target["text"], node_id)
        for _p, target in actions.all_targets(reread(staged).proposal)
        for node_id in target["node_ids"]
    }
    stored = set(TargetNode.objects.filter(target__plan=plan).values_list("target__text", "node"))
    assert stored == expected
    confirmed = TargetNode.objects.filter(target__plan=plan, confirmed=True)
    assert [(tn.target.text, tn.node_id) for tn in confirmed] == [(documents["text"], chosen)]
    assert Node.objects.get(pk=chosen).code == "7.1.2"


def test_staging_and_approving_are_audited_with_the_coordinator(
    plan: Plan, staged: PlanImport, coordinator: User, laocai: Province
) -> None:
    entries = AuditEntry.objects.filter(action__startswith="plans.").order_by("at", "id")
    assert [(e.action, e.object_type, e.object_id, e.actor) for e in entries] == [
        ("plans.import.stage", "plans.planimport", str(staged.pk), coordinator),
        ("plans.plan.approve", "plans.plan", str(plan.pk), coordinator),
    ]
    approve = entries.last()
    assert approve is not None and approve.province == laocai.org
    assert approve.changes == {"targets": [None, 58], "areas": [None, 8]}


# --- what stops approval, and the review's own rules --------------------------------------------


@pytest.fixture
def without_finance(lao_cai: LaoCai) -> SeedAgencies:
    """The province registers its finance department under a name the matcher cannot pair."""
    seed = add_seed_agencies(lao_cai.province, skip=("Sở Tài chính",))
    illustrative_tree(lao_cai.province)
    return seed


def test_approval_is_refused_naming_an_unmatched_agency_until_the_coordinator_maps_it(
    without_finance: SeedAgencies, lao_cai: LaoCai, coordinator: User
) -> None:
    finance = _department(lao_cai.province, "Sở Tài chính tỉnh Lào Cai", "stc")
    staged = stage(coordinator, lao_cai.province)
    assert staged.proposal["agency_map"]["Sở Tài chính"]["ids"] == []

    with pytest.raises(ValidationError) as refused:
        actions.approve_import(staged, by=coordinator)
    unmatched = vi("“%(name)s” is not matched to an agency of the province.", name="Sở Tài chính")
    assert unmatched in refused.value.messages
    assert sum("Sở Tài chính" in m for m in refused.value.messages) == 1
    assert (Plan.objects.count(), reread(staged).status) == (0, ImportStatus.PENDING)

    proposal = copy.deepcopy(staged.proposal)
    proposal["agency_map"]["Sở Tài chính"] = {"ids": [finance.pk], "group": "", "chosen": True}
    reviewed = actions.save_review(
        staged, by=coordinator, proposal=proposal, framework=staged.framework, revision=1
    )
    assert reviewed.proposal["agency_map"]["Sở Tài chính"]["ids"] == [finance.pk]
    plan = actions.approve_import(reviewed, by=coordinator)
    assert {o for t in plan.targets.filter(area__number="6") for o in leads(t)} == {finance}


def test_an_agency_the_coordinator_marks_as_not_of_the_province_does_not_stop_approval(
    without_finance: SeedAgencies, lao_cai: LaoCai, coordinator: User
) -> None:
    staged = stage(coordinator, lao_cai.province)
    proposal = copy.deepcopy(staged.proposal)
    proposal["agency_map"]["Sở Tài chính"] = {
        "ids": [],
        "group": "",
        "ignored": True,
        "chosen": True,
    }
    # Area 6 then has no lead: each of its targets must be given one, or approval is refused.
    reviewed = actions.save_review(
        staged, by=coordinator, proposal=proposal, framework=staged.framework, revision=1
    )
    with pytest.raises(ValidationError) as refused:
        actions.approve_import(reviewed, by=coordinator)
    no_lead = vi("%(where)s has no lead agency.", where=vi("Target %(path)s", path="6.1"))
    assert no_lead in refused.value.messages
    assert Plan.objects.count() == 0


def test_a_save_from_a_stale_review_form_is_refused_and_the_first_save_stands(
    staged: PlanImport, coordinator: User, laocai: Province
) -> None:
    mine, theirs = copy.deepcopy(staged.proposal), copy.deepcopy(staged.proposal)
    mine["areas"][0]["targets"][0]["text"] = "Hoàn thành 100% kế hoạch CCHC năm 2020 (đã sửa)."
    theirs["areas"][0]["targets"][0]["text"] = "Một bản sửa khác."
    actions.save_review(staged, by=coordinator, proposal=mine, framework=laocai.tree, revision=1)

    with pytest.raises(StaleRevision):
        actions.save_review(
            staged, by=coordinator, proposal=theirs, framework=laocai.tree, revision=1
        )
    stored = reread(staged)
    assert stored.revision == 2
    assert stored.proposal["areas"][0]["targets"][0]["text"] == (
        "Hoàn thành 100% kế hoạch CCHC năm 2020 (đã sửa)."
    )
    assert AuditEntry.objects.filter(action="plans.import.review").count() == 1


def test_an_import_is_approved_only_once(
    plan: Plan, staged: PlanImport, coordinator: User, laocai: Province
) -> None:
    before = plan_rows()
    with pytest.raises(ValidationError):
        actions.approve_import(staged, by=coordinator)
    with pytest.raises(ValidationError):
        actions.save_review(
            staged, by=coordinator, proposal=staged.proposal, framework=laocai.tree, revision=1
        )
    assert plan_rows() == before
    assert Plan.objects.get() == plan


def test_reading_a_plan_the_province_already_has_names_it_and_stages_nothing(
    plan: Plan, laocai: Province, coordinator: User
) -> None:
    before = plan_rows()
    entries = AuditEntry.objects.count()
    with pytest.raises(actions.DuplicatePlan) as refused:
        stage(coordinator, laocai.org)
    assert refused.value.plan == plan
    said = str(refused.value)
    assert said.startswith("Kế hoạch số 165/KH-UBND năm 2020 đã có") and plan.title in said
    assert plan_rows() == before
    assert PlanImport.objects.count() == 1 and AuditEntry.objects.count() == entries


def test_a_plan_the_province_already_has_is_refused_not_created_twice(
    plan: Plan, laocai: Province, coordinator: User
) -> None:
    again = answer_open_measures(
        actions.stage_plan(
            by=coordinator,
            province=laocai.org,
            filename=SEED.name,
            data=SEED_BYTES,
            duplicate_ok=True,
        )
    )
    before = plan_rows()
    with pytest.raises(ValidationError) as refused:
        actions.approve_import(again, by=coordinator)
    assert refused.value.messages == [
        vi("The plan %(number)s of %(year)s already exists.", number="165/KH-UBND", year=2020)
    ]
    assert plan_rows() == before
    assert (Plan.objects.get(), reread(again).status) == (plan, ImportStatus.PENDING)


def test_discarding_an_import_leaves_nothing_but_the_discarded_import(
    staged: PlanImport, coordinator: User
) -> None:
    actions.discard_import(staged, by=coordinator)
    assert plan_rows() == {**NOTHING, "PlanImport": 1, "audit": 2}
    assert reread(staged).status == ImportStatus.DISCARDED
    with pytest.raises(ValidationError):
        actions.approve_import(staged, by=coordinator)
    assert plan_rows() == {**NOTHING, "PlanImport": 1, "audit": 2}
    entry = AuditEntry.objects.get(action="plans.import.discard")
    assert (entry.actor, entry.object_id) == (coordinator, str(staged.pk))


def test_without_a_criteria_tree_the_plan_is_created_without_domains_or_sub_criteria(
    lao_cai: LaoCai, coordinator: User
) -> None:
    add_seed_agencies(lao_cai.province)
    staged = stage(coordinator, lao_cai.province)
    assert staged.framework is None
    assert {a["domain_id"] for a in staged.proposal["areas"]} == {None}
    plan = actions.approve_import(staged, by=coordinator)
    assert (plan.framework, plan.targets.count()) == (None, 58)
    assert not Area.objects.filter(plan=plan, domain__isnull=False).exists()
    assert not TargetNode.objects.exists()


def test_the_stored_proposal_is_the_documented_shape_plus_the_review_keys(
    staged: PlanImport,
) -> None:
    documented = set(seed_proposal().to_json()) - {"warnings"}
    assert set(staged.proposal) == documented | {"agency_map"}
    area = staged.proposal["areas"][0]
    assert {"domain_id", "targets", "lead", "coordinating", "lead_parts"} <= set(area)
    assert {"node_ids", "quantities", "children", "line"} <= set(area["targets"][0])
