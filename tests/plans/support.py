"""Shared helpers for the plan-import tests that use the database, the screens, the API, the CLI.

The cast province of tests/conftest.py has only a few agencies; the seed plan (Kế hoạch
165/KH-UBND, Lào Cai 2020) also names Sở Tài chính, Sở Thông tin và Truyền thông, Sở Khoa học và
Công nghệ and Sở Kế hoạch và Đầu tư. `add_seed_agencies` creates them the way a coordinator
would, and `illustrative_tree` loads the shipped criteria tree written for that plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db.models import Model

from parindex.methodology import actions as criteria_actions
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Framework
from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, Organisation, OrgKind
from parindex.plans import actions as plan_actions
from parindex.plans.models import (
    Area,
    Goal,
    Plan,
    PlanImport,
    Quantity,
    ReportingDuty,
    Target,
    TargetAgency,
    TargetNode,
)
from parindex.plans.parsing import parse_text
from parindex.plans.proposal import Proposal

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "plans" / "data"
SEED = DATA / "ke-hoach-165-KH-UBND-lao-cai-2020.txt"
SEED_BYTES = SEED.read_bytes()
SEED_TEXT = SEED.read_text(encoding="utf-8")
ILLUSTRATIVE = ROOT / "parindex" / "methodology" / "data" / "demo-lao-cai-2020-illustrative.yaml"

# The seed's agencies the cast lacks: (name, code, short name as the province writes it).
MISSING_AGENCIES = (
    ("Sở Tài chính", "so-tai-chinh", "STC"),
    ("Sở Thông tin và Truyền thông", "so-tttt", "Sở TT&TT"),
    ("Sở Khoa học và Công nghệ", "so-khcn", "Sở KH&CN"),
    ("Sở Kế hoạch và Đầu tư", "so-khdt", "Sở KH&ĐT"),
)

NEWS = (
    "Lào Cai: Nâng cao chất lượng phục vụ người dân\n"
    "Thứ Hai, 15/06/2020 - 09:30\n"
    "Sáng nay, lãnh đạo tỉnh đã làm việc với các sở, ngành về công tác cải cách hành chính.\n"
    "Theo báo cáo, năm 2019 tỷ lệ hồ sơ giải quyết đúng hạn đạt 98%, tăng 3% so với năm 2018.\n"
    "Tin liên quan | Chia sẻ | In bài\n"
)

# A short plan of the same province; {number} and {lead} are filled in by `small_plan`.
SMALL_PLAN = """\
ỦY BAN NHÂN DÂN
TỈNH LÀO CAI
Số: {number}/KH-UBND
Lào Cai, ngày 10 tháng 3 năm 2021

KẾ HOẠCH
Cải cách hành chính năm 2021

I. MỤC TIÊU
Phấn đấu Chỉ số CCHC của tỉnh năm 2021 đạt từ 85 điểm trở lên.
II. NHIỆM VỤ
1. Chỉ số nội dung “Cải cách thủ tục hành chính”
a) Công khai 100% TTHC;
b) Giải quyết đúng hạn từ 98% hồ sơ trở lên.
Cơ quan chủ trì: {lead}.
Cơ quan phối hợp: Sở Tư pháp.
III. TỔ CHỨC THỰC HIỆN
Sở Nội vụ định kỳ hằng quý, 6 tháng, năm báo cáo UBND tỉnh.
"""


def small_plan(number: int = 31, lead: str = "Văn phòng UBND tỉnh") -> str:
    return SMALL_PLAN.format(number=number, lead=lead)


# The one figure of the seed whose wording leaves open what is reported ("Tỷ lệ doanh nghiệp thành
# lập mới trong năm 2020 phải tăng từ 20% trở lên so với năm 2019"), and the coordinator's answer:
# the new firms of 2020 over those of 2019.
SEED_OPEN_MEASURE = "tỷ lệ doanh nghiệp thành lập mới trong năm 2020"
SEED_ANSWER = "above_reference"
# The seed with that sentence worded so that it says what is reported (the rate of increase): it
# goes through a one-step import (API, command line) without a question.
SEED_WORDED = SEED_TEXT.replace(
    "Tỷ lệ doanh nghiệp thành lập mới trong năm 2020 phải tăng từ 20% trở lên so với năm 2019",
    "Tỷ lệ tăng số doanh nghiệp thành lập mới trong năm 2020 so với năm 2019 đạt từ 20% trở lên",
)


def answer_open_measures(staged: PlanImport) -> PlanImport:
    """The staged seed as the coordinator leaves it after answering the review screen's question
    on what a figure is (set in place: the revision the tests expect stays as staged)."""
    proposal = staged.proposal
    for _path, target in plan_actions.all_targets(proposal):
        for quantity in target.get("quantities") or []:
            if plan_actions.quantity_measure(quantity) is None:
                quantity["measure"] = SEED_ANSWER
    PlanImport.objects.filter(pk=staged.pk).update(proposal=proposal)
    staged.refresh_from_db()
    return staged


def seed_proposal() -> Proposal:
    """What the parser reads from the seed, as the tests' yardstick."""
    return parse_text(SEED_TEXT)


@dataclass(frozen=True)
class SeedAgencies:
    finance: Organisation | None  # None when left out, to be an unmatched name
    information: Organisation
    science: Organisation
    planning: Organisation


def add_seed_agencies(
    province: Organisation, *, skip: tuple[str, ...] = (), valid_to: date | None = None
) -> SeedAgencies:
    """The departments the seed names that the cast province lacks (those in `skip` left out),
    lasting until `valid_to` (exclusive) when given."""
    created: dict[str, Organisation] = {}
    for name, code, short_name in MISSING_AGENCIES:
        if name in skip:
            continue
        created[code] = org_actions.create_organisation(
            by=None,
            province=province,
            kind=OrgKind.DEPARTMENT,
            name=name,
            code=code,
            short_name=short_name,
            valid_to=valid_to,
        )
    return SeedAgencies(
        finance=created.get("so-tai-chinh"),
        information=created["so-tttt"],
        science=created["so-khcn"],
        planning=created["so-khdt"],
    )


def illustrative_tree(province: Organisation) -> Framework:
    """The shipped illustrative tree for the 2020 plan, valid, owned by `province`."""
    return criteria_actions.import_framework(
        read_tree(ILLUSTRATIVE.read_bytes(), ILLUSTRATIVE.name), by=None, province=province
    )


PLAN_MODELS: tuple[type[Model], ...] = (
    PlanImport,
    Plan,
    Area,
    Target,
    TargetAgency,
    TargetNode,
    Quantity,
    Goal,
    ReportingDuty,
)


def plan_rows() -> dict[str, int]:
    """How many rows of each plan model there are, and the plan audit entries."""
    rows = {model.__name__: model._default_manager.count() for model in PLAN_MODELS}
    rows["audit"] = AuditEntry.objects.filter(action__startswith="plans.").count()
    return rows


NOTHING = dict.fromkeys([model.__name__ for model in PLAN_MODELS] + ["audit"], 0)
