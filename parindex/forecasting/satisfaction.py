"""The province's measured satisfaction, fed to the survey-based sub-criteria of a criteria tree:
for the forecast of the year (`measured_leaves`) and into an assessment's entries
(`fill_from_survey`, through `assessment.actions.enter_survey_results`).

Which factor measures which sub-criterion is data, per criteria tree code and version
(`data/survey-feeds.yaml`, read by the pure `scoring.satisfaction`); docs/surveys.md explains
the mapping and the choices made where the published methodology is silent.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import Assessment
from parindex.lib.numbers import format_decimal
from parindex.methodology.models import Framework
from parindex.methodology.tree import Method
from parindex.orgs import access
from parindex.orgs.models import Organisation, User
from parindex.scoring import satisfaction as core
from parindex.surveys import indices, stats
from parindex.surveys.models import Survey

FEEDS = Path(__file__).resolve().parent / "data" / "survey-feeds.yaml"


@lru_cache(maxsize=1)
def shipped_feeds() -> dict[tuple[str, int], tuple[core.Feed, ...]]:
    return core.read_feeds(FEEDS.read_text(encoding="utf-8"))


def feeds_of(framework: Framework, survey_leaves: set[str] | None = None) -> tuple[core.Feed, ...]:
    """The survey-fed sub-criteria of a criteria tree version: those of the mapping that are
    survey-based leaves of this tree (`survey_leaves` when the caller has the tree at hand)."""
    mapped = core.feeds_for(shipped_feeds(), framework.code, framework.version)
    if not mapped:
        return ()
    if survey_leaves is None:
        survey_leaves = set(
            framework.nodes.filter(method=Method.SURVEY, children__isnull=True).values_list(
                "code", flat=True
            )
        )
    return tuple(f for f in mapped if f.code in survey_leaves)


def survey_of_year(province: Organisation, year: int) -> Survey | None:
    """The province's survey that runs within the year, the latest ending first."""
    return (
        Survey.objects.filter(province=province, starts_on__year=year, ends_on__year=year)
        .order_by("-ends_on", "-pk")
        .first()
    )


def _figures(rows: list[stats.Index]) -> dict[str, core.FactorFigure]:
    found: dict[str, core.FactorFigure] = {}
    for row in rows:
        if row.share is None or row.low is None or row.high is None or not row.n:
            continue
        found[row.factor] = core.FactorFigure(
            row.factor, row.share, row.low, row.high, row.n, row.weighted, row.deff
        )
    return found


def source_text(survey: Survey, measured: core.Measured) -> str:
    """ "đo bằng khảo sát sipas-2020, n = 3 412, khoảng tin cậy 95 %: 90,12–92,03 %"."""
    text = _("measured by survey %(survey)s, n = %(n)s, 95%% interval %(low)s–%(high)s %%") % {
        "survey": survey.code,
        "n": format_decimal(Decimal(measured.n), places=0),
        "low": format_decimal(measured.low),
        "high": format_decimal(measured.high),
    }
    if measured.weighted and measured.deff is not None:
        text += _(", weighted by dossiers (deff %(deff)s)") % {
            "deff": format_decimal(measured.deff)
        }
    return text


def measured_leaves(
    framework: Framework,
    province: Organisation,
    year: int,
    *,
    survey_leaves: set[str] | None = None,
) -> tuple[Survey | None, dict[str, core.Measured]]:
    """The year's survey and the rate it measures for each mapped sub-criterion: the province's
    figure over the whole survey (volume-weighted when every agency's volume is known). The
    caller has checked that the person reads the province's forecast."""
    feeds = feeds_of(framework, survey_leaves)
    if not feeds:
        return None, {}
    survey = survey_of_year(province, year)
    if survey is None:
        return None, {}
    found = indices.all_indices(None, survey)
    figures = _figures([r for r in found.province if r.period == stats.WHOLE])
    measured: dict[str, core.Measured] = {}
    for feed in feeds:
        result = core.measure(feed, figures)
        if result is not None:
            measured[feed.code] = result
    return survey, measured


def fill_from_survey(assessment: Assessment, survey: Survey, *, by: User | None) -> int:
    """Enter the assessment's survey-based sub-criteria from a survey's figures, through
    `enter_survey_results` (its checks, rescoring and audit): the province itself gets the
    province's figure, an agency assessed as a unit its own (satisfied of answered, as counts,
    for one factor). Units the survey did not reach are left as they are. Returns the rows
    entered; a ValidationError says why none could be."""
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise PermissionDenied(_("You may not enter survey results here."))
    if survey.province_id != assessment.province_id:
        raise ValidationError(_("The survey is not of this assessment's province."))
    feeds = feeds_of(assessment.framework)
    if not feeds:
        raise ValidationError(
            _("No sub-criterion of the criteria tree “%(tree)s” is mapped to survey factors.")
            % {"tree": assessment.framework.name}
        )
    found = indices.all_indices(None, survey)
    province = _figures([r for r in found.province if r.period == stats.WHOLE])
    by_agency: dict[str, dict[str, stats.Index]] = {}
    for row in found.rows:
        if row.period == stats.WHOLE and row.n:
            by_agency.setdefault(row.agency, {})[row.factor] = row
    units = list(assessment.units.select_related("organisation"))
    results: list[assessment_actions.SurveyResult] = []
    for unit in units:
        organisation = unit.organisation
        for feed in feeds:
            if organisation.pk == survey.province_id:
                measured = core.measure(feed, province)
                if measured is None:
                    continue
                results.append(
                    assessment_actions.SurveyResult(
                        organisation.pk,
                        feed.code,
                        value=measured.rate,
                        source=source_text(survey, measured),
                    )
                )
                continue
            own = by_agency.get(organisation.code, {})
            rows = [own.get(f) for f in feed.factors]
            if any(r is None for r in rows):
                continue
            present = [r for r in rows if r is not None]
            measured = core.measure(feed, _figures(present))
            if measured is None:
                continue
            if len(present) == 1:
                (row,) = present
                result = assessment_actions.SurveyResult(
                    organisation.pk,
                    feed.code,
                    numerator=Decimal(row.satisfied),
                    denominator=Decimal(row.n),
                    source=source_text(survey, measured),
                )
            else:
                result = assessment_actions.SurveyResult(
                    organisation.pk,
                    feed.code,
                    value=measured.rate,
                    source=source_text(survey, measured),
                )
            results.append(result)
    if not results:
        raise ValidationError(
            _("The survey %(survey)s has no answers for the units of this assessment.")
            % {"survey": survey.code}
        )
    return assessment_actions.enter_survey_results(assessment, by=by, results=results)
