"""The demo's 2020 assessments on the illustrative criteria tree, clearly marked as demo data.

Two assessments of 2020 by Sở Nội vụ, written only through the assessment actions with the
dates on which things happened (`at=`), so the audit trail reads like the work it shows:

- the **districts** (9 district-level units): every unit submitted, was appraised (some scores
  lowered, with the appraiser's reason), the appraisal closed and the results published, so
  every screen and export shows a ranking, units' own people included;
- the **province itself**, as Home Affairs keeps its self-assessment during the year (the
  choices it can make already and its own satisfaction survey; not submitted), which the
  forecast of the year reads with the reporting rounds;
- the **departments** (20 units), partly appraised as Home Affairs sees it in February 2021:
  Sở Tư pháp was asked for more evidence on one item and answered (waiting for the appraiser
  again), Sở Thông tin và Truyền thông and a few others submitted and wait, most are appraised,
  Văn phòng UBND tỉnh and Sở Ngoại vụ are still drafts (partly filled).

Values come from a generator seeded by unit and sub-criterion: the same every run. Each unit
records two evidence documents (its annual plan and its annual report, with number, date and
issuer; no files) cited by its entries; below the best band the unit explains (giải trình).
Survey-based sub-criteria get results entered by Home Affairs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from parindex.assessment import actions
from parindex.assessment.models import AssessedUnit, Assessment
from parindex.methodology.models import Framework
from parindex.methodology.store import spec_from_framework
from parindex.methodology.tree import BandSpec, FrameworkSpec, Method, NodeSpec, Scoring, Unit
from parindex.orgs.models import Organisation, User

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
TREE_CODE = "demo-lao-cai-2020-illustrative"
DEMO_MARK = "(dữ liệu minh hoạ)"
DEADLINE = date(2021, 1, 15)

# What happens to a department (by code); the others are appraised. A district is appraised.
DRAFT = ("van-phong-ubnd", "so-ngoai-vu")  # partly filled, not submitted
WAITING = ("so-thong-tin-va-truyen-thong", "so-y-te", "ban-dan-toc")  # submitted, not appraised
ANSWERED = "so-tu-phap"  # asked for more evidence on REQUESTED_CODE, answered

REQUESTED_CODE = "1.1.1"
REQUEST = (
    "Đề nghị bổ sung văn bản ban hành Kế hoạch CCHC năm 2020 có ngày ký để xác định việc ban hành "
    "kịp thời (trước ngày 31/01/2020)."
)
ANSWER = (
    "Sở Tư pháp bổ sung Kế hoạch số 08/KH-STP ngày 20/01/2020 (bản chụp có chữ ký, đóng dấu) "
    "và công văn gửi Sở Nội vụ ngày 21/01/2020."
)
# Why an appraiser lowers a score: (words of the sub-criterion, reason).
REASONS = (
    (
        "báo cáo",
        "Báo cáo quý III gửi chậm 05 ngày so với quy định; chấm theo mức không đúng thời hạn.",
    ),
    ("kiểm tra", "Chỉ tính các cuộc kiểm tra có kết luận bằng văn bản trong năm 2020."),
    ("tuyên truyền", "Tài liệu kiểm chứng chưa thể hiện đủ các hình thức tuyên truyền đã kê khai."),
    ("văn bản", "Một số văn bản ban hành sau thời hạn; số liệu tính lại theo sổ văn bản đi."),
    ("hồ sơ", "Số liệu tính lại theo Hệ thống thông tin một cửa điện tử của tỉnh."),
)
DEFAULT_REASON = (
    "Tài liệu kiểm chứng chưa đầy đủ; chấm lại theo số liệu Hội đồng thẩm định rà soát."
)
EXPLANATIONS = (
    "Đơn vị còn thiếu nguồn lực thực hiện; đã đề ra giải pháp khắc phục trong kế hoạch năm 2021.",
    "Một số nhiệm vụ chậm do ảnh hưởng của dịch COVID-19 trong quý I và quý III/2020.",
    "Số liệu tổng hợp từ phần mềm quản lý văn bản và Hệ thống một cửa điện tử đến 31/12/2020.",
    "Chưa đạt mức tối đa do một số nội dung triển khai muộn so với kế hoạch.",
)
SURVEY_SOURCE = "Kết quả khảo sát sự hài lòng năm 2020 (Sở Nội vụ, tháng 12/2020) — minh hoạ"


def _at(day: date, index: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 8 + index % 9, (index * 7) % 60, tzinfo=LOCAL)


def _pick_band(bands: list[BandSpec], rng: random.Random) -> BandSpec:
    """The best band most often, as units mostly reach it; lower bands now and then."""
    ordered = sorted(bands, key=lambda b: -b.points)
    roll = rng.random()
    if roll < 0.68 or len(ordered) == 1:
        return ordered[0]
    if roll < 0.92 or len(ordered) == 2:
        return ordered[1]
    return ordered[rng.randrange(2, len(ordered))]


def _entry(node: NodeSpec, rng: random.Random) -> tuple[actions.EntryInput, bool]:
    """What a unit enters for a self-assessed leaf, and whether it reached the best band."""
    if node.scoring == Scoring.PROPORTIONAL:
        denominator = rng.randint(12, 480)
        numerator = min(denominator, round(denominator * rng.uniform(82, 100) / 100))
        return _rate(numerator, denominator), numerator == denominator
    band = _pick_band(node.bands, rng)
    best = band.points == max(b.points for b in node.bands)
    if node.scoring == Scoring.CATEGORICAL:
        return actions.EntryInput(band=band.label), best
    low = band.lower if band.lower is not None else Decimal(0)
    if node.unit == Unit.COUNT:
        if band.upper is None:
            high = low + 3
        else:
            high = band.upper if band.upper_inclusive else band.upper - 1
        return actions.EntryInput(value=Decimal(rng.randint(int(low), int(high)))), best
    high = band.upper if band.upper is not None else Decimal(100)
    exclusive = band.upper is not None and not band.upper_inclusive
    while True:  # counts whose rate falls in the band: some denominators have none
        denominator = rng.randint(12, 480)
        first = math.ceil(low * denominator / 100)
        edge = high * denominator / 100
        last = math.ceil(edge) - 1 if exclusive else math.floor(edge)
        if first <= last:
            return _rate(rng.randint(first, last), denominator), best


def _rate(numerator: int, denominator: int) -> actions.EntryInput:
    return actions.EntryInput(numerator=Decimal(numerator), denominator=Decimal(denominator))


def _abbreviation(organisation: Organisation) -> str:
    words = [w for w in organisation.code.split("-") if w != "va"]  # so-tu-phap → STP
    return "".join(w[0] for w in words).upper()[:6] or "DV"


@dataclass(frozen=True)
class People:
    coordinator: User
    appraiser: User
    savers: dict[str, User]  # agency code → the person who types the self-assessment
    heads: dict[str, User]


def _self_assess(
    unit: AssessedUnit,
    spec: FrameworkSpec,
    leaves: list[NodeSpec],
    people: People,
    *,
    share: float = 1.0,
) -> None:
    code = unit.organisation.code
    by = people.savers.get(code) or people.heads.get(code)
    abbreviation = _abbreviation(unit.organisation)
    issuer = unit.organisation.name
    plan = actions.add_document(
        unit,
        by=by,
        number=f"{random.Random(code).randint(3, 40):02d}/KH-{abbreviation}",
        date_=date(2020, 1, 10 + random.Random(code + "/plan").randint(0, 20)),
        issuer=issuer,
        title="Kế hoạch cải cách hành chính năm 2020",
    )
    report = actions.add_document(
        unit,
        by=by,
        number=f"{random.Random(code + '/report').randint(150, 420)}/BC-{abbreviation}",
        date_=date(2020, 12, 10 + random.Random(code + "/report").randint(0, 8)),
        issuer=issuer,
        title="Báo cáo kết quả công tác cải cách hành chính năm 2020",
    )
    entries: dict[str, actions.EntryInput] = {}
    filled = leaves[: round(len(leaves) * share)]
    for index, node in enumerate(filled):
        rng = random.Random(f"2020/{code}/{node.code}")
        data, best = _entry(node, rng)
        data.documents = [plan.pk if node.code.startswith("1.1") else report.pk]
        if not best:
            data.explanation = EXPLANATIONS[(index + len(code)) % len(EXPLANATIONS)]
        entries[node.code] = data
    current = _fresh(unit)
    _saved, errors = actions.save_entries(current, by=by, version=current.version, entries=entries)
    if errors:
        raise ValueError(f"{unit}: {errors}")


def _lowered(
    unit: AssessedUnit, spec: FrameworkSpec, rng: random.Random
) -> list[tuple[str, Decimal]]:
    """One or two leaves an appraiser scores lower: the next band down, or 80 % of the points."""
    entries = {e.node.code: e for e in unit.entries.select_related("node")}
    nodes = {n.code: n for n in spec.nodes}
    candidates = [
        code
        for code, e in entries.items()
        if e.self_points and nodes[code].method == Method.SELF and code != REQUESTED_CODE
    ]
    chosen = rng.sample(candidates, k=min(len(candidates), rng.choice((1, 1, 2))))
    lowered = []
    for code in chosen:
        own = entries[code].self_points or Decimal(0)
        lower = [b.points for b in nodes[code].bands if b.points < own]
        points = max(lower) if lower else (own * Decimal("0.8")).quantize(Decimal("0.01"))
        lowered.append((code, points))
    return lowered


def _reason(name: str) -> str:
    folded = name.casefold()
    return next((reason for words, reason in REASONS if words in folded), DEFAULT_REASON)


def _appraise(
    unit: AssessedUnit, spec: FrameworkSpec, people: People, index: int, *, finish: bool = True
) -> None:
    by = people.appraiser if unit.appraiser_id == people.appraiser.pk else people.coordinator
    rng = random.Random(f"2020/appraisal/{unit.organisation.code}")
    names = {n.code: n.name for n in spec.nodes}
    day = date(2021, 2, 1 + index % 20)
    for code, points in _lowered(unit, spec, rng):
        actions.appraise_entry(
            _fresh(unit),
            code,
            by=by,
            decision="score",
            points=points,
            comment=_reason(names[code]),
            at=_at(day, index),
        )
    if finish:
        actions.finish_unit_appraisal(_fresh(unit), by=by, at=_at(day, index + 1))


def _fresh(unit: AssessedUnit) -> AssessedUnit:
    return AssessedUnit.objects.select_related("assessment", "organisation").get(pk=unit.pk)


def _survey(assessment: Assessment, spec: FrameworkSpec, people: People) -> None:
    survey = [n for n in spec.nodes if n.method == Method.SURVEY]
    results = []
    for unit in assessment.units.select_related("organisation"):
        for node in survey:
            rng = random.Random(f"2020/survey/{unit.organisation.code}/{node.code}")
            asked = rng.randint(120, 400)
            content = round(asked * rng.uniform(0.78, 0.97))
            results.append(
                actions.SurveyResult(
                    organisation_id=unit.organisation_id,
                    code=node.code,
                    numerator=Decimal(content),
                    denominator=Decimal(asked),
                    source=SURVEY_SOURCE,
                )
            )
    actions.enter_survey_results(assessment, by=people.coordinator, results=results)


def _open(
    province: Organisation, framework: Framework, scope: str, title: str, people: People
) -> Assessment:
    return actions.open_assessment(
        province,
        by=people.coordinator,
        framework=framework,
        year=2020,
        scope=scope,
        deadline=DEADLINE,
        title=f"{title} {DEMO_MARK}",
    )


def load_assessments(province: Organisation, people: People) -> list[Assessment]:
    framework = Framework.objects.get(code=TREE_CODE, province=province)
    spec = spec_from_framework(framework)
    parents = {n.parent_code for n in spec.nodes}
    leaves = [n for n in spec.nodes if n.code not in parents and n.method == Method.SELF]

    districts = _open(
        province,
        framework,
        "districts",
        "Đánh giá Chỉ số CCHC năm 2020 của UBND các huyện, thị xã, thành phố",
        people,
    )
    departments = _open(
        province,
        framework,
        "departments",
        "Đánh giá Chỉ số CCHC năm 2020 của các sở, ban, ngành",
        people,
    )
    for assessment in (districts, departments):
        # Ordered in Python, the same on every database whatever its collation.
        units = sorted(
            assessment.units.select_related("organisation"), key=lambda u: u.organisation.code
        )
        for index, unit in enumerate(units):
            code = unit.organisation.code
            share = 0.6 if code in DRAFT else 1.0
            _self_assess(unit, spec, leaves, people, share=share)
            if code in DRAFT:
                continue
            actions.submit_unit(
                _fresh(unit),
                by=people.heads.get(code),
                at=_at(date(2021, 1, 8 + index % 8), index),
            )
        _survey(assessment, spec, people)
        for index, unit in enumerate(units):
            code = unit.organisation.code
            if code in DRAFT or code in WAITING:
                continue
            if code == ANSWERED:
                _answered(unit, spec, people, index)
                continue
            _appraise(unit, spec, people, index)
    actions.close_appraisal(districts, by=people.coordinator, at=_at(date(2021, 2, 25)))
    actions.publish_results(districts, by=people.coordinator, at=_at(date(2021, 3, 2)))
    return [districts, departments, load_province_self_assessment(province, people)]


PROVINCE_TITLE = "Tự đánh giá Chỉ số CCHC năm 2020 của tỉnh, cập nhật sau 6 tháng"
# The province's own satisfaction survey of the first half of 2020 (illustrative): satisfied
# respondents and respondents, per survey sub-criterion it measures.
PROVINCE_SURVEY = {"8.1.1": (1187, 1300), "8.1.2": (1151, 1300)}
# The choices where the province is one band short of the best at mid-year.
PROVINCE_SHORT_OF_BEST = ("2.1.2", "3.2.1", "4.1.1", "1.7")
PROVINCE_SURVEY_SOURCE = "Khảo sát sự hài lòng 6 tháng đầu năm 2020 (Sở Nội vụ) — minh hoạ"


def load_province_self_assessment(province: Organisation, people: People) -> Assessment:
    """The province's self-assessment as Home Affairs keeps it during the year: the choices it
    can already make, and its own satisfaction survey; rates and counts are left to the
    reporting rounds, so the forecast reads them there. Not yet submitted."""
    framework = Framework.objects.get(code=TREE_CODE, province=province)
    spec = spec_from_framework(framework)
    parents = {n.parent_code for n in spec.nodes}
    assessment = _open(province, framework, "province", PROVINCE_TITLE, people)
    (unit,) = list(assessment.units.select_related("assessment", "organisation"))
    entries: dict[str, actions.EntryInput] = {}
    for node in spec.nodes:
        if node.code in parents or node.method != Method.SELF:
            continue
        if node.scoring != Scoring.CATEGORICAL:
            continue
        ordered = sorted(node.bands, key=lambda b: -b.points)
        band = ordered[1] if node.code in PROVINCE_SHORT_OF_BEST else ordered[0]
        data = actions.EntryInput(band=band.label)
        if band is not ordered[0]:
            data.explanation = EXPLANATIONS[len(entries) % len(EXPLANATIONS)]
        entries[node.code] = data
    _saved, errors = actions.save_entries(
        _fresh(unit), by=people.coordinator, version=unit.version, entries=entries
    )
    if errors:
        raise ValueError(f"{unit}: {errors}")
    actions.enter_survey_results(
        assessment,
        by=people.coordinator,
        results=[
            actions.SurveyResult(
                organisation_id=province.pk,
                code=code,
                numerator=Decimal(numerator),
                denominator=Decimal(denominator),
                source=PROVINCE_SURVEY_SOURCE,
            )
            for code, (numerator, denominator) in PROVINCE_SURVEY.items()
        ],
    )
    return assessment


def _answered(unit: AssessedUnit, spec: FrameworkSpec, people: People, index: int) -> None:
    """Asked for more evidence on the plan's date; the unit adds the document and answers."""
    by = people.appraiser if unit.appraiser_id == people.appraiser.pk else people.coordinator
    actions.appraise_entry(
        _fresh(unit),
        REQUESTED_CODE,
        by=by,
        decision="request",
        comment=REQUEST,
        at=_at(date(2021, 2, 3), index),
    )
    code = unit.organisation.code
    saver = people.savers.get(code) or people.heads.get(code)
    actions.add_document(
        _fresh(unit),
        by=saver,
        number="08/KH-STP",
        date_=date(2020, 1, 20),
        issuer=unit.organisation.name,
        title="Kế hoạch cải cách hành chính năm 2020 (bản có chữ ký, đóng dấu)",
        codes=[REQUESTED_CODE],
    )
    actions.answer_entry(
        _fresh(unit), REQUESTED_CODE, by=saver, answer=ANSWER, at=_at(date(2021, 2, 5), index)
    )
