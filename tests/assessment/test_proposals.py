"""Values already reported in the reporting rounds are proposed for the leaves they measure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parindex.assessment import actions
from parindex.assessment.actions import EntryInput
from parindex.assessment.models import AssessedUnit, Entry
from parindex.assessment.proposals import proposals_for
from parindex.methodology.models import Framework, Node
from parindex.orgs.models import User
from parindex.plans.models import TargetNode
from parindex.reporting import actions as reporting
from tests.assessment.conftest import fresh, save
from tests.conftest import LaoCai
from tests.web.reporting_data import SmallPlan, fill, open_quarter, report_of, value_of

D = Decimal


@pytest.fixture
def reported(
    small_plan: SmallPlan, tree: Framework, lao_cai: LaoCai, head: User, coordinator: User
) -> AssessedUnit:
    """Sở Tư pháp reported 91/100 dossiers on time and 12 procedures digitised in quarter IV,
    accepted; the plan links those targets to leaves 1.3 (a rate) and 2.1 (a count)."""
    year = small_plan.plan.year
    for target, code in ((small_plan.on_time, "1.3"), (small_plan.digitised, "2.1")):
        TargetNode.objects.create(
            target=target, node=Node.objects.get(framework=tree, code=code), confirmed=True
        )
    q4 = open_quarter(small_plan.plan, 4, date(year + 1, 1, 10))
    report = report_of(q4, lao_cai.justice)
    fill(
        report,
        None,
        counts={
            value_of(report, small_plan.on_time_rate): ("91", "100"),
            value_of(report, small_plan.digitised_count): ("12", None),
        },
    )
    reporting.submit_report(report_of(q4, lao_cai.justice), by=head)
    reporting.accept_pending(report_of(q4, lao_cai.justice), by=coordinator)
    reporting.finish_review(report_of(q4, lao_cai.justice), by=coordinator, notify=False)
    assessment = actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=tree,
        year=year,
        scope="departments",
        deadline=date(year + 1, 1, 31),
    )
    return assessment.units.get(organisation=lao_cai.justice)


def test_a_reported_rate_and_count_are_proposed_with_their_source(reported: AssessedUnit) -> None:
    proposals = proposals_for(fresh(reported))
    assert set(proposals) == {"1.3", "2.1"}
    rate = proposals["1.3"]
    assert (rate.numerator, rate.denominator, rate.value) == (D(91), D(100), None)
    # Stored in the product's language, as the round's title is.
    assert rate.source == f"từ Báo cáo quý IV/{reported.assessment.year}, đã chấp nhận"
    assert proposals["2.1"].value == D(12)


def test_taking_a_proposal_keeps_its_source_and_counts_as_evidence(
    reported: AssessedUnit, head: User
) -> None:
    unit = save(
        reported,
        head,
        _1_1=EntryInput(band="Ban hành kịp thời", explanation="Kế hoạch 12/KH-STP"),
        _1_2=EntryInput(value="100", explanation="Báo cáo năm"),
        _1_3=EntryInput(use_proposal=True),
        _2_1=EntryInput(use_proposal=True),
    )
    taken = Entry.objects.get(unit=unit, node__code="1.3")
    assert (taken.numerator, taken.denominator) == (D(91), D(100))
    assert taken.source_report is not None and taken.source.endswith(", đã chấp nhận")
    assert unit.self_total == D("2") + D("2") + D("1.82") + D("2")
    # No document is attached to 1.3 and 2.1: the accepted report is their evidence.
    assert actions.submit_problems(unit) == []


def test_typing_over_a_proposed_value_drops_its_source(reported: AssessedUnit, head: User) -> None:
    save(reported, head, _1_3=EntryInput(use_proposal=True))
    save(reported, head, _1_3=EntryInput(numerator="95", denominator="100"))
    typed = Entry.objects.get(unit=reported, node__code="1.3")
    assert (typed.source, typed.source_report) == ("", None)


def test_nothing_is_proposed_for_a_leaf_no_target_measures(
    reported: AssessedUnit, head: User
) -> None:
    current = fresh(reported)
    _saved, errors = actions.save_entries(
        current, by=head, version=current.version, entries={"1.2": EntryInput(use_proposal=True)}
    )
    assert "1.2-value" in errors
