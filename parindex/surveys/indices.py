"""A survey's satisfaction indices as a person may read them: the answers gathered through the
access rule, the figures computed by the pure `stats`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.surveys import stats, words
from parindex.surveys.models import Answer, QuestionKind, Survey, Volume

PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


class BadPeriod(ValueError):
    """The period is not a quarter such as 2020Q2."""


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
