"""A satisfaction survey's numbers: `survey` (params `survey`, `period`, `part`, `factor`) writes
the rows the indices page shows under each chart (`surveys.figures`).

Parts: `indices` (every agency × factor, and the province's with its weighting), `factors` (by
factor, the province's or the person's agency's), `agencies` (ranked by one factor, `factor`,
default overall), `trend` (each factor quarter by quarter) and `comments` (the free-text answers
by keyword). As the person may read them (`access.surveys_for`; an agency's people their own
agency's rows, the province's figures only for its coordinators and leaders); anything else is
"not found". Shares are percentages with two places, rounded half-up.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from parindex.exports.registry import Exporter, ExportError, Sheet, register
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.surveys import figures, indices
from parindex.surveys.actions import survey_quarters
from parindex.surveys.models import Factor

PARTS = ("indices", "factors", "agencies", "trend", "comments")


def survey_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    pk = params.get("survey", "")
    part = params.get("part", "indices")
    period = params.get("period", "") or None
    factor = params.get("factor", "") or Factor.OVERALL
    if part not in PARTS:
        raise ExportError(f"part {part!r}: use one of {', '.join(PARTS)}")
    if factor not in Factor.values:
        raise ExportError(f"factor {factor!r}: use one of {', '.join(Factor.values)}")
    try:
        survey = access.survey_for(user, pk)
    except access.NotFound:
        raise ExportError(f"survey {pk} not found") from None
    if period is not None and period not in survey_quarters(survey):
        raise ExportError(f"period {period!r}: give a quarter of the survey such as 2020Q2")
    names = figures.agency_names(survey)
    if part == "comments":
        figure = figures.comment_table(indices.free_text(user, survey, period=period), names)
    elif part == "trend":
        figure = figures.trend(user, survey, survey_quarters(survey), names)
    else:
        found = indices.survey_indices(user, survey, period=period)
        figure = {
            "indices": lambda: figures.index_table(found, names),
            "factors": lambda: figures.by_factor(found, names),
            "agencies": lambda: figures.by_agency(found, names, factor),
        }[part]()
    return [Sheet(figure.title[:31], list(figure.columns), [list(r) for r in figure.rows])]


register(
    Exporter(
        "survey",
        lambda: _("Satisfaction survey"),
        survey_sheets,
        formats=("xlsx", "csv"),
        params={
            "survey": "survey id (GET /api/surveys)",
            "part": "indices, factors, agencies, trend or comments",
            "period": "a quarter such as 2020Q2; the whole survey when left out",
            "factor": "for part=agencies: access, procedure, staff, result, feedback or overall",
        },
        file_stem=lambda params: (
            f"survey-{params.get('survey', '')}-{params.get('part', 'indices')}"
            + (f"-{params['period']}" if params.get("period") else "")
        ),
    )
)
