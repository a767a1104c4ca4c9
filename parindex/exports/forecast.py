"""The dashboard's numbers: `forecast` (params `province`, `year`, `part`) writes one chart's
rows, the same rows the page's table under that chart shows (`forecasting.dashboard`).

Parts: `scores` (worst, expected and best against the goal and last year), `domains`, `ranking`
(the last published table with the year's expected score among it), `history`, `stakes` (every
point at stake). For whoever reads the province's forecast (`access.forecast_provinces_for`:
its coordinators and leaders); anything else is "not found". Scores are written rounded
half-up to two places, as published.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from parindex.exports.registry import Exporter, ExportError, Sheet, register
from parindex.forecasting import dashboard, gather
from parindex.orgs import access
from parindex.orgs.access import AnyUser

PARTS = ("scores", "domains", "ranking", "history", "stakes")


def forecast_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    province_id = params.get("province", "")
    year = params.get("year", "")
    part = params.get("part", "scores")
    if part not in PARTS:
        raise ExportError(f"part {part!r}: use one of {', '.join(PARTS)}")
    if not year.isdigit():
        raise ExportError("year: give a year such as 2020")
    try:
        province = access.forecast_province_for(user, province_id)
    except access.NotFound:
        raise ExportError(f"province {province_id} not found") from None
    try:
        data = gather.build(province, int(year))
    except gather.NoForecast as none:
        raise ExportError(none.reason) from None
    figure = dashboard.figures(data)[part]
    return [Sheet(figure.title[:31], list(figure.columns), [list(r) for r in figure.rows])]


register(
    Exporter(
        "forecast",
        lambda: _("Forecast of the year"),
        forecast_sheets,
        formats=("xlsx", "csv"),
        params={
            "province": "province id (GET /api/forecast/choices)",
            "year": "the forecast year",
            "part": "scores, domains, ranking, history or stakes",
        },
        file_stem=lambda params: (
            f"forecast-{params.get('year', '')}-{params.get('part', 'scores')}"
        ),
    )
)
