"""A survey's results as figures: the rows a page's table, its chart and its download share.

Each function returns a `Figure`: a title, column headings, rows of plain values (shares as
percentages with two places, exact Decimals) and the Chart.js configuration drawn from those same
rows, so a chart, its table and its XLSX/CSV download cannot disagree. The 95 % interval is drawn
as a thin floating bar over the share's bar (Chart.js draws [low, high] pairs as floating bars),
with no chart plugin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from parindex.lib.collation import sort_key
from parindex.orgs.access import AnyUser
from parindex.surveys import stats, words
from parindex.surveys.indices import SurveyIndices, survey_indices
from parindex.surveys.models import Factor, Survey

# The palette of the product's charts (app.js): ours stands out, the rest is grey.
OURS = "#1b56a3"
WHISKER = "#11365f"
GOOD, WARN, BAD = "#23a05a", "#e0a000", "#d92d20"
TARGET_COLOUR = "#d92d20"
PERCENT_PLACES = Decimal("0.01")
FACTORS = tuple(Factor.values)


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    chart: dict[str, Any] = field(default_factory=dict)


def percent(value: Decimal | None) -> Decimal | None:
    """A share (0.9324) as the percentage shown (93.24), half-up like every figure shown."""
    if value is None:
        return None
    return rounded(value * 100, PERCENT_PLACES)


def rounded(value: Decimal | None, places: Decimal) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(places, rounding=ROUND_HALF_UP)


def mean_of(value: Decimal | None) -> Decimal | None:
    return rounded(value, stats.MEAN_PLACES)


def factor_names() -> dict[str, str]:
    return {code: str(label) for code, label in Factor.choices}


def flag_words(flags: Sequence[str]) -> list[str]:
    words_of = {
        stats.BELOW_TARGET: _("below 90 %"),
        stats.STRADDLES_TARGET: _("interval straddles 90 %"),
        stats.TOO_FEW: _("too few answers"),
    }
    return [words_of.get(f, f) for f in flags]


def province_label() -> str:
    return _("The whole province")


def _f(value: Decimal | None) -> float | None:
    """A number for the chart library (it draws floats); tables keep the Decimal."""
    return float(value) if value is not None else None


def _ordered(rows: Sequence[stats.Index]) -> list[stats.Index]:
    order = {code: i for i, code in enumerate(FACTORS)}
    return sorted(rows, key=lambda r: order.get(r.factor, len(order)))


def subject_of(found: SurveyIndices, names: Mapping[str, str]) -> tuple[str, list[stats.Index]]:
    """Whose figures the factor and trend charts show: the province's for those who read it,
    else the person's own agency's (the first, for someone in several)."""
    if found.province:
        return province_label(), _ordered(found.province)
    agencies = sorted({r.agency for r in found.rows}, key=lambda a: sort_key(names.get(a, a)))
    if not agencies:
        return "", []
    first = agencies[0]
    return names.get(first, first), _ordered([r for r in found.rows if r.agency == first])


def _colour(row: stats.Index) -> str:
    if stats.BELOW_TARGET in row.flags:
        return BAD
    if stats.STRADDLES_TARGET in row.flags:
        return WARN
    return GOOD


def _interval_chart(
    labels: list[str],
    lines: Sequence[stats.Index],
    *,
    horizontal: bool,
) -> dict[str, Any]:
    """Shares as bars, their 95 % interval as a thin floating bar over each, the 90 % target
    as a line (on vertical charts; a horizontal chart names it in the axis title)."""
    shares = [_f(percent(r.share)) for r in lines]
    intervals = [
        [_f(percent(r.low)), _f(percent(r.high))] if r.low is not None else None for r in lines
    ]
    colours = [_colour(r) for r in lines]
    datasets: list[dict[str, Any]] = [
        {
            "label": _("Satisfied (%)"),
            "data": shares,
            "backgroundColor": [c + "99" for c in colours],
            "borderColor": colours,
            "borderWidth": 1,
            "grouped": False,
            "barPercentage": 0.8,
            "maxBarThickness": 72,
            "order": 2,
        },
        {
            "label": _("95 % interval"),
            "data": intervals,
            "backgroundColor": WHISKER,
            "borderColor": WHISKER,
            "grouped": False,
            "barPercentage": 0.12,
            "maxBarThickness": 6,
            "order": 1,
        },
    ]
    value_axis = {
        "min": 0,
        "max": 100,
        "title": {"display": True, "text": _("Satisfied (%), target 90 %")},
    }
    if not horizontal:
        datasets.append(
            {
                "type": "line",
                "label": _("Target 90 %"),
                "data": [90] * len(labels),
                "borderColor": TARGET_COLOUR,
                "backgroundColor": TARGET_COLOUR,
                "borderDash": [6, 4],
                "borderWidth": 1.5,
                "pointRadius": 0,
                "order": 0,
            }
        )
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "indexAxis": "y" if horizontal else "x",
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {"y" if not horizontal else "x": value_axis},
        },
    }


def _shown(row: stats.Index) -> list[Any]:
    return [
        row.n,
        percent(row.share),
        percent(row.low),
        percent(row.high),
        mean_of(row.mean),
        ", ".join(flag_words(row.flags)),
    ]


def _shown_columns() -> list[str]:
    return [
        _("Answers"),
        _("Satisfied (%)"),
        _("95 % interval from"),
        _("to"),
        _("Mean (1–5)"),
        _("Flags"),
    ]


def by_factor(found: SurveyIndices, names: Mapping[str, str]) -> Figure:
    subject, lines = subject_of(found, names)
    factors = factor_names()
    rows = [[factors.get(r.factor, r.factor), *_shown(r)] for r in lines]
    title = _("Satisfaction by factor")
    if subject:
        title = f"{title} · {subject}"
    return Figure(
        "factors",
        title,
        [_("Factor"), *_shown_columns()],
        rows,
        _interval_chart([str(r[0]) for r in rows], lines, horizontal=False) if rows else {},
    )


def by_agency(found: SurveyIndices, names: Mapping[str, str], factor: str) -> Figure:
    """The agencies ranked by their share satisfied with one factor, best first."""
    lines = sorted(
        (r for r in found.rows if r.factor == factor),
        key=lambda r: (-(r.share or Decimal(-1)), sort_key(names.get(r.agency, r.agency))),
    )
    rows = [
        [i + 1, names.get(r.agency, r.agency), *_shown(r)[:5], r.required, _shown(r)[5]]
        for i, r in enumerate(lines)
    ]
    columns = [
        _("Place"),
        _("Agency"),
        *_shown_columns()[:5],
        _("Minimum sample"),
        _("Flags"),
    ]
    title = _("Agencies ranked · %(factor)s") % {"factor": factor_names().get(factor, factor)}
    chart = _interval_chart([str(r[1]) for r in rows], lines, horizontal=True) if rows else {}
    return Figure("agencies", title, columns, rows, chart)


def trend(
    user: AnyUser, survey: Survey, quarters: Sequence[str], names: Mapping[str, str]
) -> Figure:
    """Each factor's share quarter by quarter, for the province (or the person's agency)."""
    factors = factor_names()
    rows: list[list[Any]] = []
    series: dict[str, list[float | None]] = {}
    subject = ""
    for position, quarter in enumerate(quarters):
        found = survey_indices(user, survey, period=quarter)
        named, lines = subject_of(found, names)
        subject = subject or named
        for row in lines:
            rows.append([quarter, factors.get(row.factor, row.factor), *_shown(row)])
            series.setdefault(row.factor, [None] * len(quarters))[position] = _f(percent(row.share))
    datasets: list[dict[str, Any]] = [
        {
            "label": factors.get(code, code),
            "data": series[code],
            "spanGaps": True,
            "tension": 0,
            "borderWidth": 3 if code == Factor.OVERALL else 1.5,
        }
        for code in FACTORS
        if code in series
    ]
    if datasets:
        datasets.append(
            {
                "label": _("Target 90 %"),
                "data": [90] * len(quarters),
                "borderColor": TARGET_COLOUR,
                "backgroundColor": TARGET_COLOUR,
                "borderDash": [6, 4],
                "borderWidth": 1.5,
                "pointRadius": 0,
            }
        )
    chart = (
        {
            "type": "line",
            "data": {"labels": list(quarters), "datasets": datasets},
            "options": {
                "plugins": {"legend": {"position": "bottom"}},
                "scales": {"y": {"min": 0, "max": 100, "title": {"display": True, "text": "%"}}},
            },
        }
        if datasets
        else {}
    )
    title = _("Trend by quarter")
    if subject:
        title = f"{title} · {subject}"
    return Figure("trend", title, [_("Quarter"), _("Factor"), *_shown_columns()], rows, chart)


def index_table(found: SurveyIndices, names: Mapping[str, str]) -> Figure:
    """Every agency × factor figure, then the province's, with the weighting's details."""
    factors = factor_names()
    rows: list[list[Any]] = []
    agencies = sorted({r.agency for r in found.rows}, key=lambda a: sort_key(names.get(a, a)))
    by_agency_rows: dict[str, list[stats.Index]] = {}
    for row in found.rows:
        by_agency_rows.setdefault(row.agency, []).append(row)
    for agency in agencies:
        for row in _ordered(by_agency_rows[agency]):
            rows.append(
                [
                    agency,
                    names.get(agency, agency),
                    factors.get(row.factor, row.factor),
                    row.period,
                    row.n,
                    row.satisfied,
                    percent(row.share),
                    percent(row.low),
                    percent(row.high),
                    mean_of(row.mean),
                    row.required,
                    ", ".join(flag_words(row.flags)),
                    None,
                    None,
                    None,
                    "",
                ]
            )
    for row in _ordered(found.province):
        rows.append(
            [
                "",
                province_label(),
                factors.get(row.factor, row.factor),
                row.period,
                row.n,
                row.satisfied,
                percent(row.share),
                percent(row.low),
                percent(row.high),
                mean_of(row.mean),
                None,
                ", ".join(flag_words(row.flags)),
                _("yes") if row.weighted else _("no"),
                rounded(row.deff, stats.DEFF_PLACES),
                rounded(row.effective_n, stats.DEFF_PLACES),
                ", ".join(names.get(a, a) for a in row.missing_volume),
            ]
        )
    columns = [
        _("Agency code"),
        _("Agency"),
        _("Factor"),
        _("Time span"),
        _("Answers"),
        _("Satisfied"),
        _("Satisfied (%)"),
        _("95 % interval from"),
        _("to"),
        _("Mean (1–5)"),
        _("Minimum sample"),
        _("Flags"),
        _("Weighted by volume"),
        _("Design effect"),
        _("Effective sample"),
        _("Agencies without a volume"),
    ]
    return Figure("indices", _("Satisfaction indices"), columns, rows)


def comment_table(groups: Mapping[str, list[words.Group]], names: Mapping[str, str]) -> Figure:
    """One row per free-text answer, under its agency and keyword."""
    rows: list[list[Any]] = []
    for agency in sorted(groups, key=lambda a: sort_key(names.get(a, a))):
        for group in groups[agency]:
            keyword = group.keyword or _("(other)")
            for answer in group.answers:
                rows.append([agency, names.get(agency, agency), keyword, group.count, answer])
    columns = [_("Agency code"), _("Agency"), _("Keyword"), _("Answers with it"), _("Answer")]
    return Figure("comments", _("Free-text answers by keyword"), columns, rows)


def agency_names(survey: Survey) -> dict[str, str]:
    """The names of the survey province's agencies, by code (closed ones too: their answers
    stay counted)."""
    from parindex.surveys.actions import survey_agencies

    return {code: org.name for code, org in survey_agencies(survey).items()}
