"""A small internal index tree and an open 2020 assessment of Lào Cai's departments.

    1   Chỉ đạo, điều hành (6)
        1.1  Ban hành kế hoạch (2)            categorical: Kịp thời 2 / Không kịp thời 1 / Không ban hành 0
        1.2  Tỷ lệ hoàn thành kế hoạch (2)    percent ranges: ≥ 90 → 2, 70–<90 → 1, < 70 → 0
        1.3  Tỷ lệ hồ sơ đúng hạn (2)          proportional to a percent
    2   Sự hài lòng và sáng kiến (4)
        2.1  Số sáng kiến (2)                  count ranges: ≥ 3 → 2, 1–<3 → 1, < 1 → 0
        2.2  Mức độ hài lòng (2)               survey, proportional to a percent

The departments of the cast are Sở Nội vụ, Sở Tư pháp and Văn phòng UBND tỉnh; the appraiser is
assigned Sở Tư pháp, so that unit is theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from parindex.assessment import actions
from parindex.assessment.models import AssessedUnit, Assessment
from parindex.methodology import actions as methodology
from parindex.methodology.models import Framework
from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    ImportResult,
    Level,
    Method,
    NodeSpec,
    Scoring,
    Unit,
)
from parindex.orgs.models import Organisation, User
from tests.conftest import LaoCai

D = Decimal


def small_tree(code: str = "chi-so-noi-bo") -> FrameworkSpec:
    return FrameworkSpec(
        name="Chỉ số CCHC nội bộ (thử nghiệm)",
        code=code,
        first_year=2019,
        last_year=2026,
        level=Level.DEPARTMENT,
        declared_total=D(10),
        nodes=[
            NodeSpec("1", "Chỉ đạo, điều hành", D(6)),
            NodeSpec(
                "1.1",
                "Ban hành kế hoạch CCHC năm",
                D(2),
                scoring=Scoring.CATEGORICAL,
                bands=[
                    BandSpec("Ban hành kịp thời", D(2)),
                    BandSpec("Ban hành không kịp thời", D(1)),
                    BandSpec("Không ban hành", D(0)),
                ],
            ),
            NodeSpec(
                "1.2",
                "Tỷ lệ hoàn thành kế hoạch",
                D(2),
                scoring=Scoring.RANGES,
                unit=Unit.PERCENT,
                bands=[
                    BandSpec("Từ 90% trở lên", D(2), lower=D(90)),
                    BandSpec(
                        "Từ 70% đến dưới 90%", D(1), lower=D(70), upper=D(90), upper_inclusive=False
                    ),
                    BandSpec("Dưới 70%", D(0), lower=D(0), upper=D(70), upper_inclusive=False),
                ],
            ),
            NodeSpec(
                "1.3",
                "Tỷ lệ hồ sơ giải quyết đúng hạn",
                D(2),
                scoring=Scoring.PROPORTIONAL,
                unit=Unit.PERCENT,
            ),
            NodeSpec("2", "Sự hài lòng và sáng kiến", D(4)),
            NodeSpec(
                "2.1",
                "Số sáng kiến CCHC",
                D(2),
                scoring=Scoring.RANGES,
                unit=Unit.COUNT,
                bands=[
                    BandSpec("Từ 03 sáng kiến trở lên", D(2), lower=D(3)),
                    BandSpec(
                        "01 – 02 sáng kiến", D(1), lower=D(1), upper=D(3), upper_inclusive=False
                    ),
                    BandSpec("Không có", D(0), lower=D(0), upper=D(1), upper_inclusive=False),
                ],
            ),
            NodeSpec(
                "2.2",
                "Mức độ hài lòng của người dân",
                D(2),
                method=Method.SURVEY,
                scoring=Scoring.PROPORTIONAL,
                unit=Unit.PERCENT,
            ),
        ],
    )


def import_tree(province: Organisation, spec: FrameworkSpec | None = None) -> Framework:
    framework = methodology.import_framework(
        ImportResult(spec or small_tree()), by=None, province=province
    )
    assert framework.is_valid, framework.problems
    return framework


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; the Vietnamese catalogue has its own test."""
    with translation.override("en"):
        yield


@pytest.fixture
def tree(lao_cai: LaoCai) -> Framework:
    return import_tree(lao_cai.province)


@dataclass(frozen=True)
class Open2020:
    assessment: Assessment
    justice: AssessedUnit  # the appraiser's unit; reporter and head work here
    office: AssessedUnit  # other_reporter works here
    home_affairs: AssessedUnit


@pytest.fixture
def open_2020(tree: Framework, lao_cai: LaoCai, coordinator: User, appraiser: User) -> Open2020:
    assessment = actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=tree,
        year=2020,
        scope="departments",
        deadline=date(2021, 1, 15),
    )
    units = {u.organisation_id: u for u in assessment.units.all()}
    return Open2020(
        assessment=assessment,
        justice=units[lao_cai.justice.pk],
        office=units[lao_cai.office.pk],
        home_affairs=units[lao_cai.home_affairs.pk],
    )


def fresh(unit: AssessedUnit) -> AssessedUnit:
    return AssessedUnit.objects.select_related("assessment", "organisation").get(pk=unit.pk)


def save(unit: AssessedUnit, by: User | None, **entries: actions.EntryInput) -> AssessedUnit:
    """Save entries given as code_with_underscores=EntryInput, failing the test on field errors."""
    current = fresh(unit)
    saved, errors = actions.save_entries(
        current,
        by=by,
        version=current.version,
        entries={code.lstrip("_").replace("_", "."): data for code, data in entries.items()},
    )
    assert errors == {}, errors
    return fresh(saved)


def complete(unit: AssessedUnit, by: User | None) -> AssessedUnit:
    """Every self-assessed leaf entered and explained, ready to submit: 2 + 1 + 1.9 + 1 = 5.9."""
    return save(
        unit,
        by,
        _1_1=actions.EntryInput(band="Ban hành kịp thời", explanation="Kế hoạch 12/KH-STP"),
        _1_2=actions.EntryInput(numerator="80", denominator="100", explanation="Báo cáo năm"),
        _1_3=actions.EntryInput(value="95", explanation="Số liệu một cửa"),
        _2_1=actions.EntryInput(value="2", explanation="Hai sáng kiến được công nhận"),
    )
