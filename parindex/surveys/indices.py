"""A survey's satisfaction indices as a person may read them: the answers gathered through the
access rule, the figures computed by the pure `stats`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
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


# Each answer's score (1–5) takes 3 bits of a response's packed scores: 20 questions fit in the
# 63 bits of a signed 64-bit integer.
_BITS = 3
_PACKED = 20


def count_by_quarter(
    survey: Survey, responses: QuerySet[Response] | None = None
) -> dict[tuple[int, str, str], stats.Tally]:
    """The survey's satisfaction answers counted per (agency id, factor, quarter) by one grouped
    SQL aggregate, in two steps inside the database:

    1. each response's scores are packed into one whole number, 3 bits per satisfaction
       question (`SUM(score << 3·position)` over its answers: one answer per question, so
       nothing carries), reading the answers in the order of their response (an index), so the
       database aggregates them as it goes, without sorting millions of answers;
    2. the packed responses are grouped per agency and quarter (the quarter decided by comparing
       the response's moment with the quarters' bounds at the province's midnight, the same on
       every database and time zone), and each question's count, satisfied and sum of scores are
       read back out of the bits: only a sort of the responses, not of their answers.

    Only the counts leave the database. `responses` narrows the answers to those a person may
    read. A questionnaire with more than 20 satisfaction questions takes one query per 20."""
    questions = _satisfaction_questions(survey)
    quarters = quarters_of(survey)
    if not questions or not quarters:
        return {}
    ordered = sorted(questions)
    tallies: dict[tuple[int, str, str], stats.Tally] = {}
    for start in range(0, len(ordered), _PACKED):
        chunk = ordered[start : start + _PACKED]
        for agency, number, counts in _packed_counts(survey, chunk, quarters, responses):
            label = quarters[number][0]
            for question, (n, satisfied, total) in zip(chunk, counts, strict=True):
                if not n:
                    continue
                found = tallies.setdefault((agency, questions[question], label), stats.Tally())
                found.n += n
                found.satisfied += satisfied
                found.total += total
    return tallies


def _packed_counts(
    survey: Survey,
    questions: list[int],
    quarters: list[tuple[str, date, date]],
    responses: QuerySet[Response] | None,
) -> list[tuple[int, int, list[tuple[int, int, int]]]]:
    """(agency id, quarter number, [(n, satisfied, total) per question]) per agency × quarter."""
    answer, response = Answer._meta.db_table, Response._meta.db_table
    moment = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    # Which 3 bits each question's score takes, as the power of 2 it is multiplied by (the same
    # arithmetic on SQLite and PostgreSQL; the ids and powers are whole numbers of ours).
    place = " ".join(
        f"WHEN {int(pk)} THEN {1 << (index * _BITS)}" for index, pk in enumerate(questions)
    )
    listed = ", ".join(str(int(pk)) for pk in questions)
    inner = (
        f"SELECT a.response_id AS rid, "
        f"CAST(SUM(CAST(a.number AS BIGINT) * (CASE a.question_id {place} END)) AS BIGINT) "
        f"AS code FROM {answer} a WHERE a.number IS NOT NULL AND a.question_id IN ({listed}) "
        # The survey's responses are one range of ids but for those of surveys run at the same
        # time, which the outer query leaves out: the answers are read through their index on
        # the response, in its order.
        f"AND a.response_id BETWEEN (SELECT MIN(id) FROM {response} WHERE survey_id = %s) "
        f"AND (SELECT MAX(id) FROM {response} WHERE survey_id = %s) "
        f"GROUP BY a.response_id"
    )
    inner_params = [survey.pk, survey.pk]
    cases = ["CASE WHEN r.submitted_at < %s THEN NULL"]
    params.append(moment(_moment(quarters[0][1])))
    for number, (_label, _first, after) in enumerate(quarters):
        cases.append(f"WHEN r.submitted_at < %s THEN {number}")
        params.append(moment(_moment(after)))
    quarter = " ".join(cases) + " ELSE NULL END"
    columns = []
    for index in range(len(questions)):
        # `%%`: the modulo, written for the driver's parameter style.
        digit = f"((x.code / {1 << (index * _BITS)}) %% {1 << _BITS})"
        columns.append(
            f"SUM(CASE WHEN {digit} > 0 THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {digit} >= {stats.SATISFIED_FROM} THEN 1 ELSE 0 END), "
            f"SUM({digit})"
        )
    where = "r.survey_id = %s"
    outer_params: list[Any] = [survey.pk]
    if responses is not None:
        allowed, allowed_params = responses.values("pk").query.sql_with_params()
        where += f" AND r.id IN ({allowed})"
        outer_params.extend(allowed_params)
    sql = (
        f"SELECT r.agency_id, {quarter} AS quarter, {', '.join(columns)} "
        f"FROM ({inner}) x CROSS JOIN {response} r "
        f"WHERE r.id = x.rid AND {where} "
        f"GROUP BY r.agency_id, 2"
    )
    found: list[tuple[int, int, list[tuple[int, int, int]]]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params, *outer_params])
        for row in cursor.fetchall():
            agency, number, *sums = row
            if number is None:
                continue  # outside the survey's dates
            counts = [
                (int(sums[i] or 0), int(sums[i + 1] or 0), int(sums[i + 2] or 0))
                for i in range(0, len(sums), 3)
            ]
            found.append((int(agency), int(number), counts))
    return found


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
