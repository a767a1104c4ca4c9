"""The demo province: Lào Cai as it stood in 2020, its 2025 reorganisation (departments in March,
the merger with Yên Bái in July, with the merged province's communes and wards from the national
list), criteria trees, people.

Everything is created through the action functions, so the demo is audited like real work and
exercises the same rules. The people are fictional demo accounts sharing one password.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from parindex.benchmark.actions import load_published_results
from parindex.forecasting import actions as forecast_actions
from parindex.forecasting.models import ActionLine, ActionStatus, GapAction
from parindex.lib.numbers import format_decimal
from parindex.methodology import actions as criteria_actions
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Framework
from parindex.orgs import actions, admin_units
from parindex.orgs.dbstats import refresh_statistics
from parindex.orgs.demo_data import OrgsDocument, load_bundled
from parindex.orgs.models import Organisation, OrgKind, Role, RoleAssignment, User
from parindex.plans import actions as plan_actions
from parindex.plans.models import Comparator, Measure, Plan, PlanImport, Quantity, QuantityUnit
from parindex.reporting import actions as reporting_actions
from parindex.reporting import progress
from parindex.reporting.lights import quantity_light
from parindex.reporting.models import Item, PeriodKind, Report, Round, TargetStatus, Value
from parindex.web import demo_assessment, demo_dossiers, demo_survey

DEMO_PASSWORD = "LaoCai-2020-demo"
DEMO_PROVINCE = "lao-cai-1991"
# Lào Cai since 1 July 2025 (with Yên Bái); its communes and wards come from the national list.
MERGED_PROVINCE = "lao-cai-2025"
MERGED_PROVINCE_OFFICIAL_CODE = "15"
CRITERIA_DIR = Path(__file__).resolve().parent.parent / "methodology" / "data"
PLAN_FILE = (
    Path(__file__).resolve().parent.parent
    / "plans"
    / "data"
    / "ke-hoach-165-KH-UBND-lao-cai-2020.txt"
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    agency: str  # agency code in the demo province
    position: str
    role: str
    appraises: tuple[str, ...] = ()


PEOPLE = (
    DemoPerson(
        "noivu", "Nguyễn Thu Hà", "so-noi-vu", "Chuyên viên phụ trách CCHC", Role.COORDINATOR
    ),
    DemoPerson("tuphap", "Trần Văn Minh", "so-tu-phap", "Chuyên viên", Role.REPORTER),
    DemoPerson("tuphap.gd", "Lê Thị Lan", "so-tu-phap", "Giám đốc Sở", Role.HEAD),
    DemoPerson(
        "vpubnd",
        "Phạm Quang Huy",
        "van-phong-ubnd",
        "Chuyên viên Phòng Kiểm soát TTHC",
        Role.REPORTER,
    ),
    DemoPerson("tplaocai", "Hoàng Văn Nam", "tp-lao-cai", "Chủ tịch UBND thành phố", Role.HEAD),
    DemoPerson("lanhdao", "Vũ Thị Mai", "ubnd-tinh", "Phó Chủ tịch UBND tỉnh", Role.LEADER),
    DemoPerson(
        "thamdinh",
        "Đỗ Minh Tuấn",
        "so-noi-vu",
        "Chuyên viên thẩm định",
        Role.APPRAISER,
        appraises=("so-tu-phap", "van-phong-ubnd", "so-thong-tin-va-truyen-thong"),
    ),
)

# Criteria trees shipped as data: file, owner (None = shared by all provinces).
CRITERIA = (
    ("par-index-2017-province.yaml", None),
    ("camau-1880-2013.yaml", None),
    ("demo-lao-cai-2020-illustrative.yaml", DEMO_PROVINCE),
)


class DemoError(Exception):
    pass


def demo_exists() -> bool:
    return Organisation.objects.filter(code=DEMO_PROVINCE, province__isnull=True).exists()


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    if demo_exists():
        raise DemoError("the demo province is already loaded")
    provinces = _load_orgs(load_bundled())
    _load_present_structure()
    _load_criteria(provinces)
    _load_people(provinces[DEMO_PROVINCE], provinces[MERGED_PROVINCE])
    refresh_statistics(
        {
            Organisation: Organisation.objects.count(),
            User: User.objects.count(),
            RoleAssignment: RoleAssignment.objects.count(),
        }
    )
    plan = _load_plan(provinces[DEMO_PROVINCE])
    # A generated year of one-stop-shop dossiers, imported first: the agencies' reports type the
    # dossier rates their records give (all but one), and the rounds show the computed ones.
    demo_dossiers.load_dossiers(
        provinces[DEMO_PROVINCE], User.objects.get(username=_coordinator_username())
    )
    _load_rounds(plan, demo_dossiers.quarter_figures(provinces[DEMO_PROVINCE]))
    _load_assessments(provinces[DEMO_PROVINCE])
    # The 2020 satisfaction survey, generated: the forecast reads its measured satisfaction.
    demo_survey.load_survey(
        provinces[DEMO_PROVINCE], User.objects.get(username=_coordinator_username())
    )
    # The national results of past years, for the results page and the forecast.
    load_published_results(by=None)
    return list(PEOPLE)


def _coordinator_username() -> str:
    return next(p.username for p in PEOPLE if p.role == Role.COORDINATOR)


def _load_orgs(document: OrgsDocument) -> dict[str, Organisation]:
    provinces: dict[str, Organisation] = {}
    by_ref: dict[str, Organisation] = {}
    for spec in document.provinces:
        province = actions.create_province(
            by=None,
            name=spec.name,
            code=spec.code,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            note=spec.note,
        )
        provinces[spec.code] = by_ref[spec.code] = province
        created: dict[str, Organisation] = {}
        # Parents first: the file may list a commune before its district.
        pending = list(spec.agencies)
        while pending:
            progressed = False
            for agency in list(pending):
                if agency.parent_code and agency.parent_code not in created:
                    continue
                org = actions.create_organisation(
                    by=None,
                    province=province,
                    kind=agency.kind,
                    name=agency.name,
                    short_name=agency.short_name,
                    code=agency.code,
                    parent=created[agency.parent_code] if agency.parent_code else province,
                    valid_from=agency.valid_from,
                    valid_to=agency.valid_to if agency.valid_to is not None else spec.valid_to,
                    email=agency.email,
                    note=agency.note,
                )
                created[agency.code] = by_ref[f"{spec.code}/{agency.code}"] = org
                pending.remove(agency)
                progressed = True
            if not progressed:
                raise DemoError(f"{spec.code}: unresolved parents {[a.code for a in pending]}")
    grouped: dict[str, list[actions.SuccessorLink]] = {}
    dates = {}
    for succession in document.successions:
        grouped.setdefault(succession.from_ref, []).append(
            actions.SuccessorLink(by_ref[succession.to_ref], succession.kind, succession.note)
        )
        dates[succession.from_ref] = succession.on
    for ref, links in grouped.items():
        actions.close_organisation(by_ref[ref], by=None, on=dates[ref], successors=links)
    return provinces


def _load_present_structure() -> None:
    """The merged province's 99 communes and wards with their official codes, and the links from
    the 2020 districts and communes to them, through the same action as `parindex orgs load`."""
    unit = admin_units.find_province(MERGED_PROVINCE_OFFICIAL_CODE)
    if unit is None:
        raise DemoError(f"province {MERGED_PROVINCE_OFFICIAL_CODE} is not in the national list")
    result = actions.load_province_structure(by=None, unit=unit)
    if result.province.code != MERGED_PROVINCE:
        raise DemoError(f"the national list's {unit.name} did not match {MERGED_PROVINCE}")


def _load_criteria(provinces: dict[str, Organisation]) -> list[Framework]:
    frameworks = []
    for filename, owner in CRITERIA:
        path = CRITERIA_DIR / filename
        result = read_tree(path.read_bytes(), path.name)
        try:
            frameworks.append(
                criteria_actions.import_framework(
                    result, by=None, province=provinces[owner] if owner else None
                )
            )
        except criteria_actions.ImportRefused as refused:
            raise DemoError(f"{filename}: {refused.problems}") from None
    return frameworks


def _load_plan(province: Organisation) -> Plan:
    """The 2020 plan, read and approved the way a coordinator's upload is."""
    path = PLAN_FILE
    staged = plan_actions.stage_plan(
        by=None, province=province, filename=path.name, data=path.read_bytes()
    )
    # The one figure the plan's wording leaves open ("tỷ lệ doanh nghiệp thành lập mới ... tăng
    # từ 20% trở lên so với năm 2019"): the coordinator answers that it is the new firms of 2020
    # over those of 2019, as the review screen asks; saved with the confirmed links.
    for _path, target in plan_actions.all_targets(staged.proposal):
        for quantity in target.get("quantities") or []:
            if plan_actions.quantity_measure(quantity) is None:
                quantity["measure"] = (
                    Measure.BELOW_REFERENCE
                    if quantity.get("direction") == "decrease"
                    else Measure.ABOVE_REFERENCE
                )
    staged = _confirm_links(staged)
    try:
        return plan_actions.approve_import(staged, by=None)
    except ValidationError as refusal:
        raise DemoError(f"{path.name}: {refusal.messages}") from None


# The sub-criteria the coordinator confirms for the plan's measurable targets on the review
# screen (words of the target → codes in the demo tree): the forecast reads a leaf's figure
# through these links.
CONFIRMED_LINKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hoàn thành 100% kế hoạch CCHC", ("1.1.2",)),
    ("kiểm tra công tác CCHC", ("1.3.1", "1.3.2")),
    ("tuyên truyền về CCHC", ("1.4",)),
    ("khảo sát, đo lường sự hài lòng", ("1.7",)),
    ("sáng kiến", ("1.5",)),
    ("Chính phủ, Thủ tướng", ("1.6",)),
    ("văn bản quy phạm pháp luật sau rà soát", ("2.2.2",)),
    ("văn bản trái pháp luật", ("2.3.2",)),
    ("Kiểm soát quy định về ban hành TTHC", ("3.1.1", "3.1.2")),
    ("Công bố TTHC", ("3.2.1", "3.2.2")),
    ("cơ chế một cửa", ("3.3.1", "3.3.2")),
    ("Kết quả giải quyết TTHC", ("3.4.1", "3.4.2")),
    ("phản ánh, kiến nghị", ("3.5",)),
    ("quản lý biên chế", ("4.2.1", "4.2.2")),
    ("phân cấp quản lý", ("4.3.1", "4.3.2")),
    ("cơ cấu công chức, viên chức", ("5.1.1", "5.1.2")),
    ("kỷ luật, kỷ cương", ("5.6",)),
    ("đào tạo, bồi dưỡng", ("5.7.2",)),
    ("công chức cấp xã đạt chuẩn", ("5.8",)),
    ("tài chính - ngân sách", ("6.1.1", "6.1.2", "6.1.3")),
    ("tài sản công", ("6.2.1", "6.2.2")),
    ("tự bảo đảm chi thường xuyên", ("6.3.1",)),
    ("giảm chi trực tiếp", ("6.3.2",)),
    ("Kế hoạch ứng dụng CNTT", ("7.1.1",)),
    ("văn bản trao đổi", ("7.1.2",)),
    ("một cửa điện tử", ("7.1.3",)),
    ("Từ 50% số TTHC trở lên cung cấp trực tuyến", ("7.2.1",)),
    ("mức độ 4; tỷ lệ hồ", ("7.2.2", "7.2.3")),
    ("có phát sinh hồ sơ tiếp nhận/trả kết quả", ("7.3.1",)),
    ("qua dịch vụ BCCI đạt", ("7.3.2",)),
    ("ISO 9001", ("7.4.1", "7.4.2")),
    ("Kết quả khảo sát sự hài lòng", ("8.1.1",)),
    ("doanh nghiệp thành lập mới", ("8.3.2",)),
    ("vượt chỉ tiêu từ 4%", ("8.3.3",)),
    ("chỉ tiêu phát triển KT-XH", ("8.3.4",)),
)


def _confirm_links(staged: PlanImport) -> PlanImport:
    """Confirm the demo's links on the review screen's proposal, as the coordinator would."""
    if staged.framework is None:
        raise DemoError(f"{staged.filename}: the plan was not matched to the demo tree")
    ids = dict(staged.framework.nodes.values_list("code", "pk"))
    proposal = staged.proposal
    used: set[str] = set()
    for _path, target in plan_actions.all_targets(proposal):
        text = target.get("text", "")
        for words, codes in CONFIRMED_LINKS:
            if words in text and words not in used:
                used.add(words)
                target["confirmed_node_ids"] = [ids[c] for c in codes]
                break
    missing = [w for w, _codes in CONFIRMED_LINKS if w not in used]
    if missing:
        raise DemoError(f"{staged.filename}: no target for the links {missing}")
    return plan_actions.save_review(
        staged,
        by=None,
        proposal=proposal,
        framework=staged.framework,
        revision=staged.revision,
    )


def _load_people(province: Organisation, merged: Organisation) -> None:
    agencies = {o.code: o for o in Organisation.objects.filter(province=province)}
    for person in PEOPLE:
        user = actions.create_person(
            by=None,
            username=person.username,
            full_name=person.full_name,
            organisation=agencies[person.agency],
            position=person.position,
            email=f"{person.username}@demo.parindex.local",
            password=DEMO_PASSWORD,
        )
        target = (
            province
            if person.role in (Role.COORDINATOR, Role.LEADER, Role.APPRAISER)
            else agencies[person.agency]
        )
        actions.assign_role(
            user,
            by=None,
            role=person.role,
            organisation=target,
            agencies=[agencies[c] for c in person.appraises],
        )
        # Home Affairs and the leadership carry on in the merged province, so they see it today.
        if person.role in (Role.COORDINATOR, Role.LEADER):
            actions.assign_role(user, by=None, role=person.role, organisation=merged)
    admin = User.objects.create_superuser(
        "quantri", email="quantri@demo.parindex.local", password=DEMO_PASSWORD
    )
    admin.full_name = "Quản trị hệ thống"
    admin.save(update_fields=["full_name"])


# --- reporting rounds --------------------------------------------------------------------------
#
# Two quarterly rounds of plan 165/KH-UBND, written through the reporting actions with the dates
# on which things happened (`at=`), so lateness is judged against 2020 deadlines, not today.
# The deadlines are the demo's choice: the 5th day after the quarter ends, 05/04/2020 and
# 05/07/2020 (the coordinator sets each round's deadline when opening it).
#
# Q1/2020: every agency submitted in time and every report was accepted; Sở Tư pháp's only after
# one return and a resubmission.
# Q2/2020, as Home Affairs sees it after the deadline: most reports in time (accepted or awaiting
# review), three late (one of them already accepted), two returned with comments (Sở Tư pháp,
# huyện Bắc Hà), five never submitted (Văn phòng UBND tỉnh and two more half-filled drafts, two
# empty ones) which the overview shows as missing.
#
# Figures are drawn from a generator seeded by round, agency and quantity: the same every run.

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
Q1_DEADLINE = date(2020, 4, 5)
Q2_DEADLINE = date(2020, 7, 5)


@dataclass(frozen=True)
class Fate:
    """What happens to one agency's report in a round, in order."""

    submitted: date | None = None  # None: never submitted (a draft, missing after the deadline)
    returned_on: date | None = None  # returned, with `comments` on the targets they name
    comments: tuple[tuple[str, str], ...] = ()  # (words of the target text, comment)
    resubmitted: date | None = None
    accepted_on: date | None = None
    reviewer: str = "noivu"
    filled: float = 1.0  # share of the targets filled in


def _day(month: int, day: int) -> date:
    return date(2020, month, day)


def _at(day: date, index: int = 0) -> datetime:
    """An office-hours moment of `day`, varied by `index`."""
    return datetime(day.year, day.month, day.day, 8 + index % 9, (index * 7) % 60, tzinfo=LOCAL)


APPRAISED = {code for person in PEOPLE for code in person.appraises}


def _q1_fates(codes: list[str]) -> dict[str, Fate]:
    fates = {
        code: Fate(
            submitted=_day(4, 1 + i % 3),
            accepted_on=_day(4, 6 + i % 5),
            reviewer="thamdinh" if code in APPRAISED else "noivu",
        )
        for i, code in enumerate(codes)
    }
    fates["so-tu-phap"] = Fate(
        submitted=_day(4, 2),
        returned_on=_day(4, 6),
        comments=(
            (
                "Theo dõi thi hành pháp luật",
                "Đề nghị nêu rõ số cuộc kiểm tra tình hình thi hành pháp luật đã thực hiện trong quý.",
            ),
        ),
        resubmitted=_day(4, 8),
        accepted_on=_day(4, 9),
        reviewer="thamdinh",
    )
    return fates


def _q2_fates(codes: list[str]) -> dict[str, Fate]:
    special = {
        "so-tu-phap": Fate(
            submitted=_day(7, 3),
            returned_on=_day(7, 8),
            comments=(
                (
                    "Xử lý văn bản quy phạm pháp luật sau rà soát",
                    "Số văn bản đã xử lý chưa khớp với danh mục kèm theo; đề nghị bổ sung danh mục "
                    "và quyết định xử lý làm tài liệu kiểm chứng.",
                ),
            ),
        ),
        "huyen-bac-ha": Fate(
            submitted=_day(7, 2),
            returned_on=_day(7, 9),
            comments=(
                (
                    "Kết quả giải quyết TTHC",
                    "Đề nghị tách số hồ sơ giải quyết quá hạn của cấp xã và nêu rõ nguyên nhân.",
                ),
            ),
        ),
        "van-phong-ubnd": Fate(filled=0.6),
        "huyen-van-ban": Fate(filled=0.8),
        "phuong-bac-cuong": Fate(filled=0.3),
        "so-ngoai-vu": Fate(filled=0),
        "xa-cam-duong": Fate(filled=0),
        "tp-lao-cai": Fate(submitted=_day(7, 8)),
        "huyen-bat-xat": Fate(submitted=_day(7, 10)),
        "so-y-te": Fate(submitted=_day(7, 6), accepted_on=_day(7, 13)),
        "so-thong-tin-va-truyen-thong": Fate(
            submitted=_day(7, 2), accepted_on=_day(7, 7), reviewer="thamdinh"
        ),
    }
    fates = {}
    for i, code in enumerate(c for c in codes if c not in special):
        # Two in three accepted by now, the others awaiting review.
        fates[code] = Fate(
            submitted=_day(7, 1 + i % 3), accepted_on=_day(7, 6 + i % 4) if i % 3 != 2 else None
        )
    return {**fates, **special}


# What the lead agency did, by words of the target text (first match wins).
LEAD_WORK = (
    (
        "kế hoạch CCHC năm 2020",
        "Đã tham mưu UBND tỉnh ban hành Kế hoạch CCHC năm 2020 và hướng dẫn các cơ quan, đơn vị triển khai.",
    ),
    (
        "chế độ báo cáo",
        "Đã tổng hợp báo cáo CCHC định kỳ của các cơ quan, đơn vị và báo cáo UBND tỉnh đúng hạn.",
    ),
    (
        "kiểm tra công tác CCHC",
        "Đã ban hành kế hoạch kiểm tra công tác CCHC năm 2020; kiểm tra theo lịch và theo dõi việc khắc phục tồn tại.",
    ),
    (
        "tuyên truyền",
        "Đã đăng tin, bài về CCHC trên Cổng thông tin điện tử tỉnh và duy trì chuyên mục CCHC trên sóng phát thanh, truyền hình tỉnh.",
    ),
    (
        "sáng kiến",
        "Đã hướng dẫn các cơ quan, đơn vị đăng ký sáng kiến, giải pháp mới trong CCHC.",
    ),
    (
        "hài lòng",
        "Đã xây dựng phương án khảo sát sự hài lòng năm 2020 và phối hợp với Bưu điện tỉnh phát phiếu khảo sát.",
    ),
    (
        "Chính phủ, Thủ tướng",
        "Theo dõi, đôn đốc các nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao; nhiệm vụ đến hạn đều hoàn thành.",
    ),
    (
        "thi hành pháp luật",
        "Đã ban hành kế hoạch theo dõi thi hành pháp luật năm 2020; thu thập thông tin qua báo cáo của các cơ quan, đơn vị.",
    ),
    (
        "sau rà soát",
        "Đã rà soát văn bản QPPL do HĐND, UBND tỉnh ban hành và lập danh mục văn bản cần sửa đổi, bổ sung, thay thế.",
    ),
    (
        "trái pháp luật",
        "Đã kiểm tra văn bản theo thẩm quyền; văn bản có dấu hiệu trái pháp luật đều được kiến nghị xử lý.",
    ),
    (
        "ban hành TTHC",
        "Đã kiểm soát dự thảo văn bản có quy định TTHC; không phát hiện TTHC ban hành trái thẩm quyền.",
    ),
    (
        "Công bố TTHC",
        "Đã trình Chủ tịch UBND tỉnh công bố danh mục TTHC mới ban hành, sửa đổi, bổ sung và cập nhật lên Cơ sở dữ liệu quốc gia về TTHC.",
    ),
    (
        "một cửa, một cửa liên thông",
        "Duy trì tiếp nhận, trả kết quả hồ sơ TTHC tại Bộ phận Một cửa các cấp theo danh mục được duyệt.",
    ),
    (
        "Kết quả giải quyết TTHC",
        "Theo dõi kết quả giải quyết TTHC trên Hệ thống thông tin một cửa điện tử; đôn đốc xử lý hồ sơ quá hạn.",
    ),
    (
        "PAKN",
        "Đã tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức và công khai kết quả trên Cổng thông tin điện tử tỉnh.",
    ),
    (
        "tổ chức bộ máy",
        "Đã thẩm định các đề án sắp xếp tổ chức bộ máy, đơn vị sự nghiệp công lập theo Nghị quyết số 19-NQ/TW.",
    ),
    (
        "biên chế",
        "Đã giao biên chế năm 2020; không có cơ quan, đơn vị sử dụng vượt số biên chế được giao.",
    ),
    (
        "phân cấp",
        "Đã kiểm tra việc thực hiện nhiệm vụ được phân cấp tại một số huyện; vấn đề phát hiện đều được kiến nghị xử lý.",
    ),
    (
        "vị trí việc làm",
        "Đã rà soát cơ cấu ngạch công chức, chức danh nghề nghiệp viên chức theo vị trí việc làm được phê duyệt.",
    ),
    (
        "đúng quy định về:",
        "Thực hiện tuyển dụng, nâng ngạch, bổ nhiệm và đánh giá công chức, viên chức theo quy định; chi tiết ở từng nội dung.",
    ),
    (
        "Tuyển dụng",
        "Tuyển dụng công chức, viên chức đúng quy trình; kết quả được công khai trên Cổng thông tin điện tử tỉnh.",
    ),
    (
        "nâng ngạch",
        "Đã tổng hợp nhu cầu thi nâng ngạch, thăng hạng và lập kế hoạch tổ chức trong năm.",
    ),
    (
        "Bổ nhiệm",
        "Bổ nhiệm, bổ nhiệm lại lãnh đạo đúng quy trình, tiêu chuẩn và thẩm quyền.",
    ),
    (
        "phân loại",
        "Đã hướng dẫn trình tự, thủ tục đánh giá, phân loại công chức, viên chức năm 2020.",
    ),
    (
        "kỷ luật",
        "Đã tổ chức kiểm tra công vụ đột xuất; theo dõi việc chấp hành kỷ luật, kỷ cương hành chính.",
    ),
    (
        "đào tạo, bồi dưỡng",
        "Đã tổ chức các lớp bồi dưỡng theo Kế hoạch đào tạo, bồi dưỡng năm 2020.",
    ),
    (
        "cấp xã đạt chuẩn",
        "Đã rà soát trình độ cán bộ, công chức cấp xã và cử đi đào tạo những người chưa đạt chuẩn.",
    ),
    (
        "tài chính - ngân sách",
        "Đã đôn đốc giải ngân vốn đầu tư công và theo dõi việc nộp ngân sách theo kiến nghị sau thanh tra, kiểm toán.",
    ),
    (
        "tài sản công",
        "Đã tham mưu quy định quản lý, sử dụng tài sản công và thẩm định phương án sắp xếp lại cơ sở nhà, đất.",
    ),
    (
        "sự nghiệp công lập",
        "Đã hướng dẫn các đơn vị sự nghiệp công lập xây dựng phương án tự chủ tài chính.",
    ),
    (
        "trực tuyến",
        "Đã rà soát và cung cấp thêm dịch vụ công trực tuyến mức độ 3, 4 trên Cổng dịch vụ công của tỉnh.",
    ),
    (
        "bưu chính",
        "Phối hợp với Bưu điện tỉnh tiếp nhận hồ sơ, trả kết quả giải quyết TTHC qua dịch vụ bưu chính công ích.",
    ),
    (
        "BCCI",
        "Phối hợp với Bưu điện tỉnh tiếp nhận hồ sơ, trả kết quả giải quyết TTHC qua dịch vụ bưu chính công ích.",
    ),
    (
        "ISO 9001",
        "Đã hướng dẫn các cơ quan, đơn vị duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015.",
    ),
    (
        "CNTT",
        "Đã triển khai Kế hoạch ứng dụng CNTT năm 2020 và theo dõi việc gửi, nhận văn bản điện tử.",
    ),
    (
        "điện tử",
        "Đã theo dõi vận hành các hệ thống thông tin dùng chung của tỉnh, bảo đảm kết nối thông suốt.",
    ),
    (
        "báo cáo của tỉnh",
        "Đã xây dựng yêu cầu kỹ thuật của hệ thống thông tin báo cáo của tỉnh.",
    ),
    (
        "kinh tế - xã hội",
        "Đã tổng hợp các chỉ tiêu kinh tế - xã hội của kỳ báo cáo.",
    ),
    (
        "doanh nghiệp",
        "Theo dõi tình hình đăng ký thành lập doanh nghiệp mới và thu hút đầu tư trên địa bàn.",
    ),
    (
        "ngân sách",
        "Theo dõi tiến độ thu ngân sách so với dự toán được giao.",
    ),
    (
        "KT-XH",
        "Đã tổng hợp kết quả thực hiện các chỉ tiêu phát triển kinh tế - xã hội do HĐND tỉnh giao.",
    ),
)

# What a coordinating agency did, by progress status.
COORDINATING_WORK = {
    TargetStatus.DONE: "Đã hoàn thành phần việc được giao tại cơ quan, đơn vị.",
    TargetStatus.ON_TRACK: "Đang triển khai theo kế hoạch của cơ quan, đơn vị; bảo đảm tiến độ.",
    TargetStatus.AT_RISK: "Tiến độ còn chậm; đã chỉ đạo các bộ phận liên quan khắc phục.",
    TargetStatus.NOT_STARTED: "Chưa phát sinh nhiệm vụ trong kỳ báo cáo.",
}

# Totals that a rate is a share of, by words of the quantity and kind of agency:
# (department, district, commune).
TOTALS: tuple[tuple[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]], ...] = (
    ("hồ sơ", ((150, 1500), (1500, 4500), (300, 1200))),
    ("dạng điện tử", ((600, 3000), (1500, 5000), (300, 1200))),
    ("hài lòng", ((60, 300), (200, 500), (50, 150))),
    ("văn bản", ((20, 200), (40, 250), (10, 60))),
    ("TTHC", ((40, 180), (200, 320), (90, 130))),
    ("dịch vụ công", ((40, 180), (200, 320), (90, 130))),
    ("biên chế", ((40, 300), (300, 1500), (20, 30))),
    ("sự nghiệp", ((3, 25), (10, 80), (1, 3))),
    ("nhà, đất", ((2, 20), (10, 60), (1, 5))),
    ("giải ngân", ((5_000, 120_000), (50_000, 300_000), (1_000, 8_000))),
    ("tiền nộp", ((50, 900), (100, 1500), (10, 80))),
    ("doanh nghiệp", ((150, 300), (150, 300), (5, 20))),
    ("thu ngân sách", ((4_000, 6_000), (4_000, 6_000), (4_000, 6_000))),
    ("chỉ tiêu", ((20, 35), (20, 35), (15, 25))),
    ("kế hoạch", ((12, 40), (20, 50), (8, 20))),
    ("nhiệm vụ", ((5, 30), (10, 40), (3, 10))),
    ("vấn đề", ((2, 15), (3, 20), (1, 5))),
    ("PAKN", ((1, 30), (5, 40), (1, 8))),
    ("công chức", ((20, 120), (150, 450), (18, 25))),
)
DEFAULT_TOTAL = ((10, 60), (20, 80), (5, 20))

# Figures quoted by the demo's walk-through: (quarter, agency, words of the quantity).
FIGURES: dict[tuple[int, str, str], tuple[int, int | None]] = {
    (1, "van-phong-ubnd", "tỷ lệ hồ sơ TTHC do"): (1046, 1071),
    (2, "van-phong-ubnd", "tỷ lệ hồ sơ TTHC do"): (1180, 1215),
    (1, "so-noi-vu", "kiểm tra công tác CCHC"): (4, 35),
    (2, "so-noi-vu", "kiểm tra công tác CCHC"): (12, 35),
    (1, "so-noi-vu", "sáng kiến"): (0, None),
    (2, "so-noi-vu", "sáng kiến"): (2, None),
    (2, "huyen-muong-khuong", "bị kỷ luật"): (1, None),  # one reprimand: a red light
    (1, "so-noi-vu", "tỷ lệ hài lòng"): (1104, 1250),
    (2, "so-noi-vu", "tỷ lệ hài lòng"): (1187, 1300),
}


def _quoted(quantity: Quantity, agency: Organisation, quarter: int) -> bool:
    return any(
        q == quarter and code == agency.code and words in quantity.subject
        for q, code, words in FIGURES
    )


def _total(subject: str, kind: str, rng: random.Random) -> int:
    column = {OrgKind.DISTRICT.value: 1, OrgKind.COMMUNE.value: 2}.get(kind, 0)
    for words, ranges in TOTALS:
        if words in subject:
            return rng.randint(*ranges[column])
    return rng.randint(*DEFAULT_TOTAL[column])


def _is_progress(quantity: Quantity) -> bool:
    """A share of a year's plan done so far: it grows through the year."""
    return quantity.measure == Measure.YEAR_PROGRESS


def _figures(
    quantity: Quantity, agency: Organisation, lead: bool, quarter: int, rng: random.Random
) -> tuple[Decimal, Decimal | None]:
    """(numerator, denominator) an agency plausibly reports for a quantity in a quarter."""
    for (q, code, words), (num, den) in FIGURES.items():
        if q == quarter and code == agency.code and words in quantity.subject:
            return Decimal(num), None if den is None else Decimal(den)
    threshold = float(quantity.value)
    if quantity.measure in (Measure.ABOVE_REFERENCE, Measure.BELOW_REFERENCE):
        # What came in so far over the year's reference (collected over the planned budget):
        # about a quarter of it by 31/03, a little over half by 30/06.
        reference = _total(quantity.subject, agency.kind, rng)
        share = rng.uniform(0.24, 0.3) if quarter == 1 else rng.uniform(0.47, 0.58)
        return Decimal(round(reference * share)), Decimal(reference)
    if quantity.unit == QuantityUnit.PERCENT:
        total = _total(quantity.subject, agency.kind, rng)
        if _is_progress(quantity):
            rate = rng.uniform(18, 32) if quarter == 1 else rng.uniform(42, 62)
        elif quantity.comparator == Comparator.EQ:
            rate = threshold if rng.random() < 0.8 else rng.uniform(0.93, 0.99) * threshold
        elif quantity.comparator == Comparator.BETWEEN:
            rate = rng.uniform(threshold - 3, float(quantity.value_high or 100))
        elif quantity.comparator in (Comparator.LE, Comparator.LT):
            rate = rng.uniform(max(0, threshold - 10), threshold + 3)
        else:
            rate = rng.uniform(max(0, threshold - 6), min(100, threshold + 25))
        done = min(total, max(0, round(total * rate / 100)))
        return Decimal(done), Decimal(total)
    if quantity.unit == QuantityUnit.AMOUNT:
        # A change against the year before, in billion đồng; only the lead reports it.
        return Decimal(rng.randint(150, 250) if quarter == 1 else rng.randint(350, 520)), None
    if threshold == 0:
        return Decimal(0), None  # violations: none
    if lead:
        return Decimal(
            rng.randint(max(1, round(threshold / 4)), max(1, round(threshold / 2)))
        ), None
    if threshold <= 5:
        return Decimal(1 if rng.random() < 0.1 else 0), None
    return Decimal(rng.randint(0, int(threshold) // 12)), None


def _judged(quantity: Quantity) -> bool:
    """Whether one agency's own figure can be held against the target: a rate, or a count that
    must stay at 0; not a province-wide total (initiatives) nor a year's plan half done."""
    if quantity.unit == QuantityUnit.PERCENT:
        return not _is_progress(quantity)
    return quantity.unit == QuantityUnit.COUNT and quantity.value == 0


def _status(
    values: list[tuple[Quantity, Decimal, Decimal | None]],
    quarter: int,
    lead: bool,
    rng: random.Random,
) -> str:
    lights = []
    for quantity, num, den in values:
        if _judged(quantity):
            value = num if den is None else num * 100 / den if den else None
            lights.append(quantity_light(quantity, value, Decimal(quarter) / 4))
    roll = rng.random()
    if lights:
        if progress.worst(lights) != progress.Light.GREEN:
            return TargetStatus.AT_RISK
        return TargetStatus.DONE if quarter == 2 and roll < 0.3 else TargetStatus.ON_TRACK
    if values:  # progress through the year, or totals the province adds up
        return TargetStatus.ON_TRACK if roll < 0.9 else TargetStatus.AT_RISK
    if roll < 0.015 and not lead:
        return TargetStatus.NOT_STARTED  # nothing came up for this agency in the quarter
    if quarter == 1:
        return (
            TargetStatus.ON_TRACK
            if roll < 0.82
            else TargetStatus.AT_RISK
            if roll < 0.93
            else TargetStatus.DONE
        )
    return (
        TargetStatus.ON_TRACK
        if roll < 0.6
        else TargetStatus.DONE
        if roll < 0.88
        else TargetStatus.AT_RISK
    )


def _description(
    item: Item, status: str, values: list[tuple[Quantity, Decimal, Decimal | None]]
) -> str:
    text = ""
    if item.lead:
        text = next((work for words, work in LEAD_WORK if words in item.target.text), "")
    text = text or COORDINATING_WORK[TargetStatus(status)]
    if item.lead and status == TargetStatus.AT_RISK:
        text += " Một số nội dung còn chậm, đang đôn đốc."
    if values:
        _quantity, num, den = values[0]
        if den:
            text += (
                f" Kết quả: {format_decimal(num, places=0)}/{format_decimal(den, places=0)}"
                f" ({format_decimal(num * 100 / den, places=1)} %)."
            )
        elif den is None:
            text += f" Kết quả: {format_decimal(num, places=None)}."
    return text


def _fill(
    report: Report,
    items: list[Item],
    quarter: int,
    share: float,
    records: demo_dossiers.Figures,
) -> dict[int, reporting_actions.ItemInput]:
    """What the agency types into its report: the first `share` of its targets."""
    inputs: dict[int, reporting_actions.ItemInput] = {}
    for item in items[: round(len(items) * share)]:
        rng = random.Random(f"{quarter}/{report.agency.code}/{item.target.position}")
        values = []
        # In the plan's order: the draws must not follow a database's row order.
        for value in sorted(item.values.all(), key=lambda v: (v.quantity.position, v.quantity_id)):
            num, den = _figures(value.quantity, report.agency, item.lead, quarter, rng)
            # A dossier rate is typed from the agency's records (drawn all the same, so that the
            # draws after it stay what they were), unless the walk-through quotes it.
            records_say = demo_dossiers.typed(records, value.quantity, report.agency.code, quarter)
            if records_say is not None and not _quoted(value.quantity, report.agency, quarter):
                num, den = records_say
            values.append((value, num, den))
        quantities = [(v.quantity, n, d) for v, n, d in values]
        status = _status(quantities, quarter, item.lead, rng)
        inputs[item.pk] = reporting_actions.ItemInput(
            status=status,
            description=_description(item, status, quantities),
            values={v.pk: (n, d) for v, n, d in values},
        )
    return inputs


def _narrative(report: Report, quarter: int, inputs: dict[int, reporting_actions.ItemInput]) -> str:
    statuses = [i.status for i in inputs.values()]
    return (
        f"Quý {'I' if quarter == 1 else 'II'}/2020, {report.agency.name} triển khai "
        f"{len(statuses)} nhiệm vụ CCHC được giao: {statuses.count(TargetStatus.DONE)} đã hoàn "
        f"thành, {statuses.count(TargetStatus.ON_TRACK)} đúng tiến độ, "
        f"{statuses.count(TargetStatus.AT_RISK)} còn chậm, "
        f"{statuses.count(TargetStatus.NOT_STARTED)} chưa triển khai."
    )


# Two actions the coordinator set after reading the first quarter's forecast (20/04/2020), from
# its points at stake: (sub-criterion, owner, what will be done, points expected, deadline),
# and what the owner reported on it in quarter II (progress, what was done). The first moved its
# points after quarter II: satisfaction measured by Sở Nội vụ rose from 88,3 % (1 104 of 1 250)
# to 91,3 % (1 187 of 1 300, FIGURES), past the 90 % band; the second's sub-criterion stayed in
# its band (Sở Tư pháp's report was returned, the agencies' rate still under 100 %).
ACTIONS_ON = date(2020, 4, 20)
DEMO_ACTIONS: tuple[tuple[str, str, str, str, date, str, str], ...] = (
    (
        "8.1.1",
        "so-noi-vu",
        "Khảo sát sự hài lòng tại bộ phận một cửa các cấp; khắc phục ngay những nội dung người "
        "dân chưa hài lòng",
        "2",
        date(2020, 6, 30),
        TargetStatus.DONE,
        "Đã khảo sát 1.300 phiếu tại bộ phận một cửa các cấp (91,3% hài lòng); gửi kết quả và "
        "kiến nghị khắc phục tới 12 cơ quan, đơn vị có tỷ lệ thấp.",
    ),
    (
        "2.2.2",
        "so-tu-phap",
        "Xử lý dứt điểm các văn bản quy phạm pháp luật phải sửa đổi, bổ sung sau rà soát",
        "1",
        date(2020, 9, 30),
        TargetStatus.ON_TRACK,
        "Đã tham mưu sửa đổi 5/9 văn bản; 4 văn bản còn lại đang lấy ý kiến, dự kiến hoàn thành "
        "trong quý III.",
    ),
)


def _load_actions(plan: Plan, coordinator: User) -> None:
    """The actions the coordinator creates from the points at stake after quarter I."""
    owners = {o.code: o for o in Organisation.objects.filter(province=plan.province)}
    for code, owner, title, points, deadline, _status, _done in DEMO_ACTIONS:
        try:
            forecast_actions.create_action(
                plan.province,
                by=coordinator,
                year=plan.year,
                node_code=code,
                title=title,
                owner=owners[owner],
                deadline=deadline,
                expected_points=Decimal(points),
                at=_at(ACTIONS_ON),
            )
        except ValidationError as refusal:
            raise DemoError(f"action on {code}: {refusal.messages}") from None


def _report_on_actions(report: Report, saver: User | None, day: date, index: int) -> None:
    """What the owner writes on its actions' lines in the report."""
    said = {(code, title): (status, done) for code, _o, title, *_r, status, done in DEMO_ACTIONS}
    for line in ActionLine.objects.filter(report=report).select_related("action"):
        status, done = said.get((line.action.node_code, line.action.title), ("", ""))
        if status:
            forecast_actions.report_on_action(
                line, by=saver, status=status, description=done, at=_at(day, index)
            )


def _load_rounds(plan: Plan, records: demo_dossiers.Figures) -> list[Round]:
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    reporters = {p.agency: users[p.username] for p in PEOPLE if p.role == Role.REPORTER}
    heads = {p.agency: users[p.username] for p in PEOPLE if p.role == Role.HEAD}
    coordinator = users["noivu"]
    rounds = []
    for quarter, deadline, fates_for in ((1, Q1_DEADLINE, _q1_fates), (2, Q2_DEADLINE, _q2_fates)):
        round_ = reporting_actions.open_round(
            plan,
            by=coordinator,
            kind=PeriodKind.QUARTER,
            number=quarter,
            deadline=deadline,
            # In Vietnamese whatever language the command runs in.
            title=f"Báo cáo quý {'I' if quarter == 1 else 'II'}/2020",
            notify=False,
        )
        # Ordered in Python: a database's collation would order the codes its own way, and the
        # demo must be the same on every database.
        reports = sorted(round_.reports.select_related("agency"), key=lambda r: r.agency.code)
        items: dict[int, list[Item]] = {}
        for item in (
            Item.objects.filter(report__round=round_)
            .select_related("target")
            .prefetch_related(Prefetch("values", Value.objects.select_related("quantity")))
            .order_by("position")
        ):
            items.setdefault(item.report_id, []).append(item)
        fates = fates_for([r.agency.code for r in reports])
        for index, report in enumerate(reports):
            _live(
                report,
                items[report.pk],
                quarter,
                fates[report.agency.code],
                index,
                saver=reporters.get(report.agency.code) or heads.get(report.agency.code),
                head=heads.get(report.agency.code),
                reviewer=users[fates[report.agency.code].reviewer],
                records=records,
            )
        rounds.append(round_)
        if quarter == 1:
            _load_actions(plan, coordinator)
    # Home Affairs closes the action its owner reported done once quarter II is reviewed.
    for action in GapAction.objects.filter(lines__status=TargetStatus.DONE, province=plan.province):
        forecast_actions.set_action_status(
            action, by=coordinator, status=ActionStatus.DONE, at=_at(date(2020, 7, 15))
        )
    return rounds


def _live(
    report: Report,
    items: list[Item],
    quarter: int,
    fate: Fate,
    index: int,
    *,
    saver: User | None,
    head: User | None,
    reviewer: User,
    records: demo_dossiers.Figures,
) -> None:
    """Fill, submit and review one report the way its fate says."""
    inputs = _fill(report, items, quarter, fate.filled, records)
    if not inputs:
        return
    report, errors = reporting_actions.save_report(
        report,
        by=saver,
        version=report.version,
        narrative=_narrative(report, quarter, inputs),
        items=inputs,
    )
    if errors:
        raise DemoError(f"{report}: {errors}")
    _report_on_actions(report, saver, fate.submitted or _day(7, 3), index)
    if fate.submitted is None:
        return
    report = reporting_actions.submit_report(report, by=head, at=_at(fate.submitted, index))
    if fate.returned_on is not None:
        returned = _review(report, items, reviewer, fate.returned_on, index, fate.comments)
        reporting_actions.finish_review(
            report, by=reviewer, at=_at(fate.returned_on, index + 1), notify=False
        )
        if fate.resubmitted is None:
            return
        fixed = {
            item.pk: reporting_actions.ItemInput(
                status=inputs[item.pk].status,
                description=inputs[item.pk].description + " Đã bổ sung theo ý kiến của Sở Nội vụ.",
                values=inputs[item.pk].values,
            )
            for item in returned
        }
        report.refresh_from_db()
        report, errors = reporting_actions.save_report(
            report, by=saver, version=report.version, items=fixed
        )
        if errors:
            raise DemoError(f"{report}: {errors}")
        report = reporting_actions.submit_report(report, by=head, at=_at(fate.resubmitted, index))
    if fate.accepted_on is not None:
        reporting_actions.accept_pending(report, by=reviewer, at=_at(fate.accepted_on, index))
        reporting_actions.finish_review(report, by=reviewer, at=_at(fate.accepted_on, index + 1))


def _load_assessments(province: Organisation) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    demo_assessment.load_assessments(
        province,
        demo_assessment.People(
            coordinator=users["noivu"],
            appraiser=users["thamdinh"],
            savers={p.agency: users[p.username] for p in PEOPLE if p.role == Role.REPORTER},
            heads={p.agency: users[p.username] for p in PEOPLE if p.role == Role.HEAD},
        ),
    )


def _review(
    report: Report,
    items: list[Item],
    reviewer: User,
    day: date,
    index: int,
    comments: tuple[tuple[str, str], ...],
) -> list[Item]:
    """Return the items a comment names, accept the rest; the returned items."""
    returned = []
    for item in items:
        comment = next((c for words, c in comments if words in item.target.text), "")
        if comment:
            reporting_actions.review_item(
                item, by=reviewer, accept=False, comment=comment, at=_at(day, index)
            )
            returned.append(item)
    reporting_actions.accept_pending(report, by=reviewer, at=_at(day, index))
    return returned
