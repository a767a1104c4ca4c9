"""The demo's generated 2020 satisfaction survey: marked as demo data, a few thousand responses
across agencies and quarters that respect the skip conditions, the stories its figures tell,
the same on every run and database, and the forecast reading it."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from parindex.forecasting.gather import build
from parindex.lib.numbers import round_half_up
from parindex.orgs.models import Organisation
from parindex.scoring import forecast as core
from parindex.surveys import indices, stats, words
from parindex.surveys.models import Answer, Response, Survey, Volume
from parindex.web import demo_survey

# What the seeded generator gives, on every database.
RESPONSES = 4996
ANSWERS = 40614
OVERALL = {"n": 4996, "satisfied": 4623, "share": "0.9237", "ci95": ["0.9153", "0.9314"]}


def test_the_demo_survey_is_marked_generated_and_tells_its_stories(loaded_demo: str) -> None:
    assert "sipas-2020" in loaded_demo
    survey = Survey.objects.get(code="sipas-2020")
    assert "dữ liệu minh hoạ" in survey.title and "sinh tự động" in survey.title
    assert survey.questionnaire.code == "sipas-default"
    assert Response.objects.filter(survey=survey).count() == RESPONSES
    assert Answer.objects.filter(response__survey=survey).count() == ANSWERS

    # Every agency surveyed has its dossiers per quarter; 21 agencies, four quarters.
    volumes = Counter(Volume.objects.filter(survey=survey).values_list("agency__code", flat=True))
    assert len(volumes) == 21 and set(volumes.values()) == {4}

    # Skip conditions: feedback rated only by those who gave some, delays only when late.
    given = set(
        Answer.objects.filter(
            response__survey=survey, question__code="gave_feedback", text="yes"
        ).values_list("response_id", flat=True)
    )
    rated = set(
        Answer.objects.filter(response__survey=survey, question__code="sat_feedback").values_list(
            "response_id", flat=True
        )
    )
    assert rated and rated <= given
    late = set(
        Answer.objects.filter(
            response__survey=survey, question__code="on_time", text="no"
        ).values_list("response_id", flat=True)
    )
    delays = set(
        Answer.objects.filter(response__survey=survey, question__code="late_days").values_list(
            "response_id", flat=True
        )
    )
    assert delays and delays <= late

    found = indices.all_indices(None, survey)
    whole = {r.agency: r for r in found.rows if r.period == stats.WHOLE and r.factor == "overall"}
    assert stats.BELOW_TARGET in whole["so-tai-nguyen-va-moi-truong"].flags
    assert stats.BELOW_TARGET in whole["huyen-si-ma-cai"].flags
    high = whole["so-tai-nguyen-va-moi-truong"].high
    assert high is not None and high < stats.TARGET  # clearly below
    assert stats.STRADDLES_TARGET in whole["so-xay-dung"].flags
    assert stats.TOO_FEW in whole["so-ngoai-vu"].flags
    assert sum(1 for r in whole.values() if not r.flags) >= 6
    # Sở TN&MT improves every quarter.
    quarters = sorted(
        (r.period, r.share)
        for r in found.rows
        if r.agency == "so-tai-nguyen-va-moi-truong"
        and r.factor == "overall"
        and r.period != stats.WHOLE
    )
    shares = [share for _period, share in quarters if share is not None]
    assert shares == sorted(shares) and len(shares) == 4
    province = found.province_of()["overall"]
    assert {k: v for k, v in stats.as_text(province).items() if k in OVERALL} == OVERALL
    assert province.weighted and province.deff is not None and province.deff > 1

    # Suggestions in Vietnamese group around recurring keywords.
    grouped = words.by_agency(
        list(
            Answer.objects.filter(response__survey=survey, question__code="suggestion")
            .order_by("pk")
            .values_list("response__agency__code", "text")
        )
    )
    keywords = Counter(g.keyword for groups in grouped.values() for g in groups)
    assert {"thời gian", "thái độ", "hướng dẫn"} <= set(keywords)

    # The forecast's satisfaction leaves are measured by the survey, and say so.
    province_org = Organisation.objects.get(code="lao-cai-1991")
    data = build(province_org, 2020)
    assert data.survey == survey
    for code in ("8.1.1", "8.1.2"):
        facts = data.result.facts[code]
        assert facts.basis == core.Basis.SURVEYED
        assert facts.source.startswith("đo bằng khảo sát sipas-2020, n = 4.996,")
    assert data.result.facts["8.1.1"].current.value == Decimal("92.3739")  # type: ignore[union-attr]
    # The demo's 2020 forecast with the survey's 92,37 % and 93,45 % (8.1.2 at 1,87 of 2) and
    # the dossier rates computed from the one-stop-shop records of the first half-year (post
    # at 5 % and 7 %, below the plan's 10 %): 68,61 / 81,17 / 95,88. (Without the records the
    # survey gave 69,36 / 81,92 / 95,88; the province's typed 91,3 % and 88,5 % before it,
    # 69,28 / 81,82 / 95,77.)
    totals = [round_half_up(data.result.scenario(n).total) for n in core.SCENARIOS]
    assert totals == [Decimal("68.61"), Decimal("81.17"), Decimal("95.88")]


def test_the_generated_file_is_the_same_on_every_run() -> None:
    plans = [
        demo_survey.Plan("so-y-te", (3, 2, 1, 2), (5, 4, 2, 3), (0.9, 0.9, 0.9, 0.9)),
        demo_survey.Plan("huyen-bat-xat", (2, 2, 2, 2), (9, 9, 9, 9), (0.8, 0.85, 0.9, 0.95)),
    ]
    first, second = demo_survey.responses_file(plans), demo_survey.responses_file(plans)
    assert first == second
    assert first.decode().count("\n") == 1 + 16
