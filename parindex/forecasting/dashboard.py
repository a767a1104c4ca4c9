"""The leaders' dashboard as data: the forecast's figures, each chart's numbers (the same rows the
page's tables and the downloads show) and the reporting progress of the year's latest round.

One function per chart returns a `Figure`: a title, column headings and rows of plain values, and
the Chart.js configuration drawn from those same rows, so a chart, its table and its XLSX/CSV
download cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from parindex.forecasting.gather import ForecastData
from parindex.lib.collation import sort_key
from parindex.lib.numbers import round_half_up
from parindex.reporting.actions import state_on
from parindex.reporting.models import STATE_LABELS, Report, Round
from parindex.scoring import forecast as core

# Colours of the product's palette (app.js): ours stands out, the others are grey.
OURS = "#1b56a3"
OTHERS = "#b8c2cf"
GOOD, WARN, BAD = "#23a05a", "#e0a000", "#d92d20"


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    chart: dict[str, Any] = field(default_factory=dict)


def _f(value: object) -> float | None:
    """A number for the chart library (it draws floats); tables keep the Decimal."""
    if isinstance(value, Decimal):
        return float(round_half_up(value))
    return float(value) if isinstance(value, int) else None


def _rank_text(placing: Any) -> str:
    if placing is None:
        return "—"
    return f"{'' if placing.exact else '≥ '}{placing.rank}/{placing.of}"


def scenario_names() -> dict[str, str]:
    return {"worst": _("Worst case"), "expected": _("Expected"), "best": _("Best case")}


def scores(data: ForecastData) -> Figure:
    """The year's score against the goal and last year: one bar each."""
    result = data.result
    names = scenario_names()
    rows: list[list[Any]] = []
    last = data.published.last
    if last is not None and last.score is not None:
        rows.append([_("Last year (%(year)s)") % {"year": last.year.year}, last.score, last.rank])
    for name in core.SCENARIOS:
        scenario = result.scenario(name)
        rows.append([names[name], round_half_up(scenario.total), _rank_text(scenario.placing)])
    if result.goal.score is not None:
        rows.append([_("Goal"), result.goal.score, result.goal.rank])
    colours = [
        OTHERS if i == 0 and last is not None else GOOD if r[0] == _("Goal") else OURS
        for i, r in enumerate(rows)
    ]
    chart = {
        "type": "bar",
        "data": {
            "labels": [r[0] for r in rows],
            "datasets": [
                {
                    "label": _("Score"),
                    "data": [_f(r[1]) for r in rows],
                    "backgroundColor": colours,
                    "borderColor": colours,
                }
            ],
        },
        "options": {
            "indexAxis": "y",
            "plugins": {"legend": {"display": False}},
            "scales": {"x": {"min": 0, "max": float(data.tree.max_total)}},
        },
    }
    return Figure(
        "scores",
        _("Score against the goal and last year"),
        [_("Figure"), _("Score"), _("Rank")],
        rows,
        chart,
    )


def gauge(data: ForecastData) -> dict[str, Any]:
    """A half doughnut: the expected score out of the tree's maximum."""
    expected = round_half_up(data.result.scenario("expected").total)
    rest = max(data.tree.max_total - expected, Decimal(0))
    goal = data.result.goal.score
    colour = GOOD if goal is not None and expected >= goal else WARN if goal else OURS
    return {
        "type": "doughnut",
        "data": {
            "labels": [_("Expected"), _("Below the maximum")],
            "datasets": [
                {
                    "label": _("Score"),
                    "data": [_f(expected), _f(rest)],
                    "backgroundColor": [colour, "#e3e7ed"],
                    "borderColor": [colour, "#e3e7ed"],
                }
            ],
        },
        "options": {
            "rotation": -90,
            "circumference": 180,
            "cutout": "70%",
            "plugins": {"legend": {"display": False}},
        },
    }


def domains(data: ForecastData) -> Figure:
    result = data.result
    nodes = {name: result.scenario(name).result.nodes for name in core.SCENARIOS}
    last_domains: dict[str, Any] = {}
    last = data.published.last
    if last is not None:
        last_domains = {d.domain: d for d in last.domains.all()}
    rows: list[list[Any]] = []
    for code in data.domains:
        published = last_domains.get(code)
        rows.append(
            [
                code,
                data.names.get(code, ""),
                nodes["expected"][code].max,
                round_half_up(nodes["worst"][code].points),
                round_half_up(nodes["expected"][code].points),
                round_half_up(nodes["best"][code].points),
                published.score if published is not None else None,
                published.rank if published is not None else None,
            ]
        )
    datasets: list[dict[str, Any]] = [
        {"label": _("Expected"), "data": [_f(r[4]) for r in rows], "backgroundColor": OURS},
        {"label": _("Maximum"), "data": [_f(r[2]) for r in rows], "backgroundColor": "#d5dbe3"},
    ]
    if any(r[6] is not None for r in rows):
        datasets.append(
            {"label": _("Last year"), "data": [_f(r[6]) for r in rows], "backgroundColor": OTHERS}
        )
    chart = {
        "type": "bar",
        "data": {"labels": [f"{r[0]}. {_short(str(r[1]))}" for r in rows], "datasets": datasets},
        "options": {"indexAxis": "y", "plugins": {"legend": {"position": "bottom"}}},
    }
    return Figure(
        "domains",
        _("Domains against their maxima"),
        [
            _("Domain"),
            _("Name"),
            _("Maximum"),
            _("Worst case"),
            _("Expected"),
            _("Best case"),
            _("Last year's score"),
            _("Last year's rank"),
        ],
        rows,
        chart,
    )


def _short(name: str, length: int = 34) -> str:
    return name if len(name) <= length else name[: length - 1] + "…"


def ranking(data: ForecastData) -> Figure:
    """The last published table's known scores with ours (expected) among them."""
    others = data.result.others
    expected = round_half_up(data.result.scenario("expected").total)
    ours_label = _("%(province)s %(year)s (expected)") % {
        "province": data.province.short_name or data.province.name,
        "year": data.year,
    }
    lines: list[tuple[str, Decimal, bool]] = []
    if others is not None:
        lines = [(r.name, r.score, False) for r in others.last if r.score is not None]
    lines.append((ours_label, expected, True))
    lines.sort(key=lambda line: (-line[1], not line[2], sort_key(line[0])))
    rows = [
        [i + 1, name, value, _("ours") if ours else ""]
        for i, (name, value, ours) in enumerate(lines)
    ]
    colours = [OURS if ours else OTHERS for _n, _v, ours in lines]
    chart = {
        "type": "bar",
        "data": {
            "labels": [r[1] for r in rows],
            "datasets": [
                {
                    "label": _("Score"),
                    "data": [_f(r[2]) for r in rows],
                    "backgroundColor": colours,
                    "borderColor": colours,
                }
            ],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }
    title = (
        _("Among the provinces of the %(year)s table") % {"year": others.year}
        if others is not None
        else _("Among the provinces")
    )
    return Figure(
        title=title,
        key="ranking",
        columns=[_("Place"), _("Province"), _("Score"), ""],
        rows=rows,
        chart=chart,
    )


def history(data: ForecastData) -> Figure:
    rows: list[list[Any]] = [
        [r.year.year, r.score, r.rank, r.year.province_count, _("published")]
        for r in data.published.history
        if r.year.year < data.year and (r.score is not None or r.rank is not None)
    ]
    expected = data.result.scenario("expected")
    rows.append(
        [
            data.year,
            round_half_up(expected.total),
            expected.placing.rank if expected.placing else None,
            expected.placing.of if expected.placing else None,
            _("expected"),
        ]
    )
    chart = {
        "type": "line",
        "data": {
            "labels": [str(r[0]) for r in rows],
            "datasets": [
                {
                    "label": _("Score"),
                    "data": [_f(r[1]) for r in rows],
                    "yAxisID": "y",
                    "spanGaps": True,
                },
                {
                    "label": _("Rank"),
                    "data": [r[2] for r in rows],
                    "yAxisID": "rank",
                    "spanGaps": True,
                },
            ],
        },
        "options": {
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {
                "y": {"position": "left"},
                "rank": {"position": "right", "reverse": True, "grid": {"drawOnChartArea": False}},
            },
        },
    }
    return Figure(
        "history",
        _("Across the years"),
        [_("Year"), _("Score"), _("Rank"), _("Provinces ranked"), _("Figure")],
        rows,
        chart,
    )


def stakes(data: ForecastData, limit: int | None = None) -> Figure:
    rows = []
    for stake in data.result.stakes[:limit]:
        leads = data.leads.get(stake.code, [])
        rows.append(
            [
                stake.code,
                data.names.get(stake.code, ""),
                ", ".join(a.name for a in leads),
                stake.max,
                round_half_up(stake.expected),
                round_half_up(stake.recoverable),
                round_half_up(stake.at_risk),
                stake.facts.target.text if stake.facts.target else "",
                round_half_up(stake.value) if stake.value is not None else None,
                round_half_up(stake.gap) if stake.gap is not None else None,
                stake.next_label,
                round_half_up(stake.next_gain) if stake.next_gain else None,
            ]
        )
    return Figure(
        "stakes",
        _("Points at stake"),
        [
            _("Code"),
            _("Sub-criterion"),
            _("Responsible agency"),
            _("Maximum"),
            _("Expected"),
            _("Recoverable"),
            _("Points at risk"),
            _("Target"),
            _("Current value"),
            _("Gap"),
            _("Next band"),
            _("Worth"),
        ],
        rows,
    )


@dataclass(frozen=True)
class AgencyGroup:
    """The points at stake of one responsible agency, for the leaders' meeting."""

    name: str
    recoverable: Decimal
    at_risk: Decimal
    stakes: list[core.Stake]


def by_agency(data: ForecastData) -> list[AgencyGroup]:
    groups: dict[str, list[core.Stake]] = {}
    for stake in data.result.stakes:
        leads = data.leads.get(stake.code, [])
        name = leads[0].name if leads else _("No responsible agency in the plan")
        groups.setdefault(name, []).append(stake)
    found = [
        AgencyGroup(
            name,
            sum((s.recoverable for s in items), Decimal(0)),
            sum((s.at_risk for s in items), Decimal(0)),
            items,
        )
        for name, items in groups.items()
    ]
    found.sort(key=lambda g: (-g.recoverable, sort_key(g.name)))
    return found


@dataclass(frozen=True)
class Progress:
    round: Round
    states: list[tuple[str, str, int]]  # state, label, count
    total: int


def progress(data: ForecastData, today: date) -> Progress | None:
    """How the latest round of the year's plan stands, counted like the home page counts it."""
    if not data.rounds:
        return None
    latest = data.rounds[0]
    counts: dict[str, int] = {}
    for report in Report.objects.filter(round=latest).only(
        "status", "late", "submitted_at", "round_id"
    ):
        report.round = latest
        state = state_on(report, today)
        counts[state] = counts.get(state, 0) + 1
    states = [(s, str(STATE_LABELS[s]), n) for s, n in sorted(counts.items())]
    return Progress(latest, states, sum(counts.values()))


def figures(data: ForecastData) -> dict[str, Figure]:
    """Every chart of the dashboard with its rows, by key (also the downloads' `part`)."""
    return {
        f.key: f for f in (scores(data), domains(data), ranking(data), history(data), stakes(data))
    }
