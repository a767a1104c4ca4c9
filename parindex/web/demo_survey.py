"""The demo's 2020 satisfaction survey `sipas-2020`, generated and clearly marked as demo data.

Home Affairs runs the shipped `sipas-default` questionnaire at the one-stop desks of Lào Cai's
district People's Committees and of twelve departments through 2020. About 4 900 responses are
drawn from a generator seeded per agency and quarter (the same every run, on every database)
and imported through the survey actions in the flat layout, in one file, the way a province
brings in its collected forms; the agencies' dossier volumes per quarter are imported likewise.

What the figures show, by design:

- most agencies well above the 90 % target; **Sở Tài nguyên và Môi trường** and **huyện Si Ma
  Cai** clearly below it (the former improving each quarter, as do huyện Bát Xát and Sở Kế hoạch
  và Đầu tư); **Sở Xây dựng** around 90 %, its interval straddling the target; **Sở Ngoại vụ**
  with too few answers to judge;
- the five factors and overall satisfaction answered by the same people, so they move together;
  feedback (asked only of those who gave some, as the skip condition says) lowest, the result's
  delay asked only when it came late;
- free-text suggestions in Vietnamese around recurring themes (thời gian, thái độ, hướng dẫn,
  niêm yết, chỗ ngồi, trực tuyến).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from parindex.orgs.models import Organisation, OrgKind, User
from parindex.surveys import actions
from parindex.surveys.models import Survey

CODE = "sipas-2020"
TITLE = "Khảo sát sự hài lòng của người dân, tổ chức năm 2020 (dữ liệu minh hoạ, sinh tự động)"
YEAR = 2020
# The departments whose one-stop desks are surveyed (the others receive few citizens' dossiers).
DEPARTMENTS = (
    "so-cong-thuong",
    "so-giao-thong-van-tai",
    "so-ke-hoach-va-dau-tu",
    "so-lao-dong-tbxh",
    "so-ngoai-vu",
    "so-nong-nghiep-va-ptnt",
    "so-tai-nguyen-va-moi-truong",
    "so-tu-phap",
    "so-xay-dung",
    "so-y-te",
    "so-giao-duc-va-dao-tao",
    "so-van-hoa-the-thao-va-du-lich",
)
# Share satisfied per quarter for the agencies with a story; the others draw theirs.
PROFILES: dict[str, tuple[float, float, float, float]] = {
    "so-tai-nguyen-va-moi-truong": (0.74, 0.78, 0.82, 0.86),  # below, improving
    "huyen-si-ma-cai": (0.83, 0.82, 0.84, 0.83),  # below
    "so-xay-dung": (0.90, 0.89, 0.90, 0.91),  # straddles the target
    "huyen-bat-xat": (0.86, 0.89, 0.93, 0.95),  # improving
    "so-ke-hoach-va-dau-tu": (0.88, 0.91, 0.94, 0.96),  # improving
}
TOO_FEW = "so-ngoai-vu"  # a handful of answers a quarter
# How each factor sits against the agency's overall satisfaction.
FACTORS = {
    "sat_access": 0.01,
    "sat_procedure": -0.02,
    "sat_staff": 0.01,
    "sat_result": 0.0,
    "sat_feedback": -0.07,
    "sat_overall": 0.0,
}
SUGGESTIONS = (
    "Rút ngắn thời gian giải quyết hồ sơ đất đai.",
    "Cần rút ngắn thời gian chờ đợi tại bộ phận một cửa.",
    "Thời gian trả kết quả cần đúng hẹn hơn.",
    "Công chức cần có thái độ niềm nở, nhiệt tình hơn.",
    "Thái độ phục vụ của một số công chức chưa tốt.",
    "Hướng dẫn đầy đủ một lần, tránh đi lại nhiều lần.",
    "Cần hướng dẫn rõ hơn về thành phần hồ sơ.",
    "Niêm yết công khai đầy đủ thủ tục và lệ phí.",
    "Bố trí thêm chỗ ngồi chờ cho người dân.",
    "Mở rộng nộp hồ sơ trực tuyến để người dân đỡ đi lại.",
    "Nộp hồ sơ trực tuyến còn khó, cần hướng dẫn thêm.",
    "Rất hài lòng, cảm ơn cán bộ.",
)


@dataclass(frozen=True)
class Plan:
    """One agency's part in the survey: answers and dossiers per quarter, satisfaction."""

    code: str
    answers: tuple[int, int, int, int]
    dossiers: tuple[int, int, int, int]
    satisfied: tuple[float, float, float, float]


def surveyed_agencies(province: Organisation) -> list[Organisation]:
    """The district People's Committees and the listed departments as they stood in 2020, by
    code (ordered in Python: the same on every database)."""
    mid_year = date(YEAR, 6, 30)
    found = (
        Organisation.objects.filter(
            Q(kind=OrgKind.DISTRICT) | Q(code__in=DEPARTMENTS), province=province
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=mid_year))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=mid_year))
    )
    return sorted(found, key=lambda o: o.code)


def plan_for(agency: Organisation) -> Plan:
    rng = random.Random(f"{CODE}/{agency.code}")
    district = agency.kind == OrgKind.DISTRICT
    if agency.code == TOO_FEW:
        answers = tuple(rng.randint(2, 5) for _ in range(4))
        ratio = 3.0
    elif district:
        answers = tuple(rng.randint(80, 100) for _ in range(4))
        ratio = rng.uniform(3.0, 5.0)
    else:
        answers = tuple(rng.randint(32, 44) for _ in range(4))
        ratio = rng.uniform(1.2, 1.6)
    dossiers = tuple(round(n * ratio * rng.uniform(0.9, 1.1)) for n in answers)
    base = rng.uniform(0.92, 0.97)
    satisfied = PROFILES.get(agency.code, tuple(base for _ in range(4)))
    return Plan(agency.code, answers, dossiers, satisfied)  # type: ignore[arg-type]


def _score(rng: random.Random, satisfied: bool) -> int:
    if satisfied:
        return 5 if rng.random() < 0.45 else 4
    roll = rng.random()
    return 3 if roll < 0.6 else 2 if roll < 0.9 else 1


def _response(rng: random.Random, share: float, common: float) -> dict[str, str]:
    """One citizen's answers: overall satisfaction follows the citizen's `common` draw and the
    factors mostly do, so they move together; a question a skip condition hides is never
    answered."""
    answers: dict[str, str] = {}
    for code, offset in FACTORS.items():
        draw = common if code == "sat_overall" or rng.random() < 0.7 else rng.random()
        answers[code] = str(_score(rng, draw < min(share + offset, 0.995)))
    content = int(answers["sat_overall"]) >= 4
    if rng.random() < 0.5:
        answers["trips"] = str(rng.choices((1, 2, 3, 4), (60, 28, 9, 3))[0] + (0 if content else 1))
    if rng.random() < 0.4:
        answers["ask_access"] = "du" if content else rng.choice(("mot-phan", "khong"))
    if rng.random() < 0.3:
        answers["ask_procedure"] = rng.choice(("bang", "bang web", "web", "khong-thay"))
    if rng.random() < 0.3:
        answers["expect_staff"] = rng.choice(("thai-do", "huong-dan", "thoi-gian"))
    if rng.random() < 0.8:
        late = rng.random() < (0.04 if content else 0.3)
        answers["on_time"] = "no" if late else "yes"
        if late:
            answers["late_days"] = str(rng.randint(1, 10))
    if rng.random() < 0.12:
        answers["gave_feedback"] = "yes"
    else:
        # Only those who gave feedback are asked how it was handled.
        del answers["sat_feedback"]
        if rng.random() < 0.5:
            answers["gave_feedback"] = "no"
    if rng.random() < (0.08 if content else 0.35):
        answers["suggestion"] = rng.choice(SUGGESTIONS[:-1] if not content else SUGGESTIONS)
    return answers


QUESTIONS = (
    "trips",
    "ask_access",
    "sat_access",
    "ask_procedure",
    "sat_procedure",
    "sat_staff",
    "expect_staff",
    "on_time",
    "late_days",
    "sat_result",
    "gave_feedback",
    "sat_feedback",
    "sat_overall",
    "suggestion",
)


def responses_file(plans: list[Plan]) -> bytes:
    """The flat layout: one row per response, each with a dossier code of its agency."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agency", "submitted_at", "dossier_code", *QUESTIONS])
    for number, plan in enumerate(plans, start=1):
        for quarter in range(4):
            rng = random.Random(f"{CODE}/{plan.code}/{quarter + 1}")
            first = date(YEAR, 3 * quarter + 1, 1)
            days = (date(YEAR + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - first).days
            count = plan.answers[quarter]
            # Stratified draws: a quarter's share satisfied overall is its plan's, give or
            # take one answer, so the stories hold however small the sample.
            commons = [(i + rng.random()) / count for i in range(count)]
            rng.shuffle(commons)
            for index in range(count):
                day = first + timedelta(days=rng.randrange(days))
                moment = f"{day.isoformat()} {rng.randint(7, 16):02d}:{rng.randrange(60):02d}"
                dossier = (
                    f"000.{number:02d}.{quarter + 1}.H37-{day:%y%m%d}-{index + 1:04d}"
                    if rng.random() < 0.6
                    else ""
                )
                answers = _response(rng, plan.satisfied[quarter], commons[index])
                writer.writerow(
                    [plan.code, moment, dossier, *(answers.get(q, "") for q in QUESTIONS)]
                )
    return out.getvalue().encode("utf-8")


def volumes_file(plans: list[Plan]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agency", "period", "dossiers"])
    for plan in plans:
        for quarter, dossiers in enumerate(plan.dossiers, start=1):
            writer.writerow([plan.code, f"{YEAR}Q{quarter}", dossiers])
    return out.getvalue().encode("utf-8")


def load_survey(province: Organisation, coordinator: User) -> Survey:
    """Create `sipas-2020` and import its generated responses and dossier volumes."""
    questionnaire = actions.latest_questionnaire("sipas-default")
    assert questionnaire is not None
    survey = actions.create_survey(
        by=coordinator,
        code=CODE,
        questionnaire=questionnaire,
        province=province,
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
        title=TITLE,
    )
    plans = [plan_for(agency) for agency in surveyed_agencies(province)]
    actions.import_responses(
        responses_file(plans), "sipas-2020-phieu.csv", survey=survey, by=coordinator
    )
    actions.import_volumes(
        volumes_file(plans), "sipas-2020-ho-so.csv", survey=survey, by=coordinator
    )
    return survey
