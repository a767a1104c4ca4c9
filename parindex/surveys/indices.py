"""A survey's satisfaction indices as a person may read them: the answers gathered through the
access rule, the figures computed by the pure `stats`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation
from parindex.surveys import stats, words
from parindex.surveys.models import Answer, Question, QuestionKind, Response, Survey, Volume

PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


class BadPeriod(ValueError):
    """The period is not a quarter such as 2020Q2."""


@dataclass(frozen=True)
class AllIndices:
    """Every period's figures at once: each quarter's and the whole survey's (`stats.WHOLE`)."""

    survey: Survey
    periods: list[str]  # the quarters, then "all"
    rows: list[stats.Index]  # agency × factor × period
    province: list[stats.Index]  # factor × period; empty for who reads only their agency

    def province_of(self, period: str = stats.WHOLE) -> dict[str, stats.Index]:
        return {row.factor: row for row in self.province if row.period == period}


@dataclass(frozen=True)
class SurveyIndices:
    survey: Survey
    period: str  # "all" for the whole survey, or 2020Q2
    rows: list[stats.Index]
    # Empty for a person who reads only their own agency's figures.
    province: list[stats.Index]


def quarter_bounds(period: str) -> tuple[date, date]:
    """The first day of the quarter and the first day after it."""
    match = PERIOD.match(period)
    if not match:
        raise BadPeriod(period)
    year, number = int(match.group(1)), int(match.group(2))
    first = date(year, 3 * number - 2, 1)
    after = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return first, after


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def stored_volumes(survey: Survey, period: str | None) -> dict[str, int]:
    """The agencies' dossiers in the period: a quarter's as entered; the whole survey's as
    entered for `all`, or else the sum of the agency's quarters."""
    rows = Volume.objects.filter(survey=survey).values_list("agency__code", "period", "dossiers")
    if period is not None:
        return {code: n for code, p, n in rows if p == period}
    whole: dict[str, int] = {}
    summed: dict[str, int] = {}
    for code, p, n in rows:
        if p == stats.WHOLE:
            whole[code] = n
        else:
            summed[code] = summed.get(code, 0) + n
    return {**summed, **whole}


def _responses(user: AnyUser, survey: Survey, period: str | None) -> Any:
    start, after = survey.starts_on, survey.ends_on + timedelta(days=1)
    if period is not None:
        first, end = quarter_bounds(period)
        start, after = max(start, first), min(after, end)
    return access.responses_for(user).filter(
        survey=survey, submitted_at__gte=_moment(start), submitted_at__lt=_moment(after)
    )


def free_text(
    user: AnyUser, survey: Survey, *, period: str | None = None
) -> dict[str, list[words.Group]]:
    """The free-text answers each agency received, grouped by keyword, as the person may read
    them (their own agency's, or every agency's)."""
    rows = Answer.objects.filter(
        response__in=_responses(user, survey, period), question__kind=QuestionKind.TEXT
    ).exclude(text="")
    return words.by_agency(
        list(
            rows.order_by("response__submitted_at", "pk").values_list(
                "response__agency__code", "text"
            )
        )
    )


def survey_indices(
    user: AnyUser,
    survey: Survey,
    *,
    period: str | None = None,
    volumes: Mapping[str, int] | None = None,
) -> SurveyIndices:
    """Every agency × factor index over the whole survey (or one quarter), and the province's
    per factor for those who may read it. `volumes` gives agencies' dossiers in the period, by
    code, for the minimum samples and the weighted province figure; without it, the volumes
    entered for the survey (`stored_volumes`). Only the 1–5 satisfaction
    questions that feed a factor count."""
    label = period or stats.WHOLE
    responses = _responses(user, survey, period)
    # Counted by the database: one row per agency × factor, however many answers.
    counted = (
        Answer.objects.filter(
            response__in=responses,
            question__kind=QuestionKind.SCALE,
            question__dimension__in=("", "satisfaction"),
            number__isnull=False,
        )
        .exclude(question__factor="")
        .values_list("response__agency__code", "question__factor")
        .annotate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(number__gte=stats.SATISFIED_FROM)),
            total=Sum("number"),
        )
        .order_by()
    )
    tallies = {
        (agency, factor, label): stats.Tally(n, satisfied, int(total or 0))
        for agency, factor, n, satisfied, total in counted
    }
    if volumes is None:
        volumes = stored_volumes(survey, period)
    by_period = {(code, label): volume for code, volume in volumes.items()} if volumes else None
    rows, province = stats.indices_of(tallies, volumes=by_period)
    if not access.can_read_survey_province(user, survey):
        province = []
    return SurveyIndices(survey, label, rows, province)


def quarters_of(survey: Survey) -> list[tuple[str, date, date]]:
    """The quarters the survey's dates touch, each with its first day within the survey and the
    first day after it within the survey."""
    found: list[tuple[str, date, date]] = []
    start, after = survey.starts_on, survey.ends_on + timedelta(days=1)
    day = start
    while day < after:
        label = stats.quarter(day)
        first, end = quarter_bounds(label)
        found.append((label, max(first, start), min(end, after)))
        day = end
    return found


def _satisfaction_questions(survey: Survey) -> dict[int, str]:
    """The 1–5 satisfaction questions that feed a factor, by id: the factor they feed."""
    return dict(
        Question.objects.filter(
            questionnaire_id=survey.questionnaire_id,
            kind=QuestionKind.SCALE,
            dimension__in=("", "satisfaction"),
        )
        .exclude(factor="")
        .values_list("pk", "factor")
    )


def count_by_quarter(
    survey: Survey, responses: QuerySet[Response] | None = None
) -> dict[tuple[int, str, str], stats.Tally]:
    """The survey's satisfaction answers counted per (agency id, factor, quarter) by one grouped
    query. The quarter of each answer is decided in the database by comparing its moment with
    the quarters' bounds (local midnight, so the same on every database and time zone; outside
    the survey it is NULL and the answer is left out), and the group is one whole number
    (agency, question, quarter packed together), which SQLite sorts and PostgreSQL hashes
    fastest; only the counts leave the database. `responses` narrows the answers to those a
    person may read."""
    questions = _satisfaction_questions(survey)
    quarters = quarters_of(survey)
    if not questions or not quarters:
        return {}
    answers = Answer.objects.filter(
        response__survey=survey, question_id__in=list(questions), number__isnull=False
    )
    if responses is not None:
        answers = answers.filter(response__in=responses)
    # Question ids and quarter numbers packed below the agency id:
    # key = (agency · width + question) · 8 + quarter number.
    width = max(questions) + 1
    quarter = Case(
        When(response__submitted_at__lt=_moment(quarters[0][1]), then=None),
        *(
            When(response__submitted_at__lt=_moment(after), then=Value(number))
            for number, (_label, _first, after) in enumerate(quarters)
        ),
        default=None,
        output_field=IntegerField(),
    )
    # Not filtered on the moment: an index on it would make the database visit every answer
    # through its response; the few answers outside the survey fall in the NULL group.
    counted = (
        answers.annotate(quarter=quarter)
        .annotate(key=(F("response__agency_id") * width + F("question_id")) * 8 + F("quarter"))
        .values_list("key")
        .annotate(
            n=Count("*"),
            satisfied=Sum(
                Case(
                    When(number__gte=stats.SATISFIED_FROM, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
            total=Sum("number"),
        )
        .order_by()
    )
    labels = [label for label, _first, _after in quarters]
    tallies: dict[tuple[int, str, str], stats.Tally] = {}
    for key, n, satisfied, total in counted:
        if key is None:
            continue
        rest, number = divmod(key, 8)
        agency, question = divmod(rest, width)
        found = tallies.setdefault((agency, questions[question], labels[number]), stats.Tally())
        found.n += n
        found.satisfied += satisfied
        found.total += int(total or 0)
    return tallies


def all_indices(
    user: AnyUser | None,
    survey: Survey,
    *,
    volumes: Mapping[tuple[str, str], int] | None = None,
) -> AllIndices:
    """Every agency × factor index for each quarter and for the whole survey, and the
    province's per factor and period, from one grouped query (`count_by_quarter`) and the pure
    `stats`: the whole survey's counts are the sum of its quarters'. `volumes` maps (agency
    code, period) to dossiers; without it, those entered for the survey. `user` None reads as
    the server itself: the caller has checked that the province's figures may be read (the
    forecast, whose readers are the province's coordinators and leaders)."""
    responses = None if user is None else access.responses_for(user)
    by_id = count_by_quarter(survey, responses)
    codes = dict(
        Organisation.objects.filter(pk__in={agency for agency, _f, _p in by_id}).values_list(
            "pk", "code"
        )
    )
    tallies: dict[tuple[str, str, str], stats.Tally] = {}
    for (agency, factor, label), counted in by_id.items():
        code = codes[agency]
        tallies[(code, factor, label)] = counted
        whole = tallies.setdefault((code, factor, stats.WHOLE), stats.Tally())
        whole.n += counted.n
        whole.satisfied += counted.satisfied
        whole.total += counted.total
    periods = [label for label, _first, _after in quarters_of(survey)] + [stats.WHOLE]
    if volumes is None:
        volumes = _all_volumes(survey)
    rows, province = stats.indices_of(tallies, volumes=volumes or None)
    if user is not None and not access.can_read_survey_province(user, survey):
        province = []
    return AllIndices(survey, periods, rows, province)


def _all_volumes(survey: Survey) -> dict[tuple[str, str], int]:
    """The volumes entered, by (agency code, period): each quarter's, and the whole survey's
    as entered for `all` or else the sum of the agency's quarters (one query)."""
    found: dict[tuple[str, str], int] = {}
    summed: dict[str, int] = {}
    whole: dict[str, int] = {}
    for code, period, dossiers in Volume.objects.filter(survey=survey).values_list(
        "agency__code", "period", "dossiers"
    ):
        if period == stats.WHOLE:
            whole[code] = dossiers
        else:
            found[(code, period)] = dossiers
            summed[code] = summed.get(code, 0) + dossiers
    for code, dossiers in {**summed, **whole}.items():
        found[(code, stats.WHOLE)] = dossiers
    return found
