"""The forecast as the command line, the API and the pages read it: one JSON shape, the
what-if answer, and the (province, year) pairs a person can open.

The shape of `parindex forecast --json` and GET /api/forecast (docs/forecast.md):

    {"province": {...}, "year": 2020, "as_of": "2020-06-30", "tree": {...},
     "worst": {"score": "69.28", "rank": 9, ...}, "expected": {...}, "best": {...},
     "goal": {"score": "90.00", "rank": 10, ...}, "last_year": {...}, "ranked_against": {...},
     "at_stake": [{"code": "3.4.1", "points": "3.00", "recoverable": "1.00", ...}, ...]}

Scores are written with two places, half-up, as published; the arithmetic behind them is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from parindex.assessment.models import Assessment, Scope
from parindex.forecasting.gather import ForecastData
from parindex.lib.numbers import round_half_up
from parindex.methodology.tree import Method
from parindex.orgs.models import Organisation
from parindex.plans.models import Plan
from parindex.scoring import forecast as core
from parindex.scoring.engine import InputProblem, LeafInput, parse_inputs

__all__ = [
    "Choice",
    "choices",
    "forecast_json",
    "parse_changes",
    "points",
    "scenario_json",
    "stake_json",
    "what_if_json",
]


def points(value: Decimal | None) -> str | None:
    """A score as published: two places, half-up, a point."""
    return None if value is None else format(round_half_up(value), "f")


def _number(value: Decimal | None) -> str | None:
    """A measured value: a count as it is, a rate to two places."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return format(value.to_integral_value(), "f")
    return format(round_half_up(value), "f")


@dataclass(frozen=True)
class Choice:
    province: Organisation
    year: int


def choices(provinces: QuerySet[Organisation]) -> list[Choice]:
    """The years with a plan or a self-assessment of the province, newest first."""
    found: set[tuple[int, int]] = set(
        Plan.objects.filter(province__in=provinces).values_list("province_id", "year")
    )
    found.update(
        Assessment.objects.filter(province__in=provinces, scope=Scope.PROVINCE).values_list(
            "province_id", "year"
        )
    )
    by_id = {p.pk: p for p in provinces.filter(pk__in={pid for pid, _y in found})}
    return [
        Choice(by_id[pid], year)
        for pid, year in sorted(found, key=lambda pair: (-pair[1], pair[0]))
        if pid in by_id
    ]


def _domains(data: ForecastData, result: core.ScenarioResult) -> list[dict[str, Any]]:
    nodes = result.result.nodes
    return [
        {
            "code": code,
            "name": data.names.get(code, ""),
            "score": points(nodes[code].points),
            "max": points(nodes[code].max),
        }
        for code in data.domains
    ]


def _parts(data: ForecastData, result: core.ScenarioResult) -> dict[str, str | None]:
    survey = Decimal(0)
    for code, leaf in data.tree.leaves.items():
        if leaf.method == Method.SURVEY:
            survey += result.result.nodes[code].points
    return {"appraisal": points(result.total - survey), "survey": points(survey)}


def scenario_json(data: ForecastData, result: core.ScenarioResult) -> dict[str, Any]:
    placing, trend = result.placing, result.trend_placing
    return {
        "score": points(result.total),
        "rank": result.rank,
        "of": placing.of if placing else None,
        "rank_exact": result.rank_exact,
        "rank_range": list(result.bounds) if result.bounds else None,
        "rank_if_trend": trend.rank if trend else None,
        "parts": _parts(data, result),
        "domains": _domains(data, result),
    }


def _target(facts: core.LeafFacts) -> str | None:
    return facts.target.text if facts.target is not None else None


def stake_json(data: ForecastData, stake: core.Stake) -> dict[str, Any]:
    leads = data.leads.get(stake.code, [])
    unit = data.tree.leaves[stake.code].unit
    return {
        "code": stake.code,
        "name": data.names.get(stake.code, ""),
        "domain": data.domain_of(stake.code),
        "max": points(stake.max),
        "points": points(stake.expected),
        "worst": points(stake.worst),
        "best": points(stake.best),
        "recoverable": points(stake.recoverable),
        "at_risk": points(stake.at_risk),
        "unit": str(unit) or None,
        "current": _number(stake.value),
        "target": _target(stake.facts),
        "gap": _number(stake.gap),
        "basis": str(stake.facts.basis),
        "source": stake.facts.source,
        "agency": {"code": leads[0].code, "name": leads[0].name} if leads else None,
        "agencies": [{"code": a.code, "name": a.name} for a in leads],
        "next": {
            "label": stake.next_label,
            "value": _number(stake.next_value),
            "gain": points(stake.next_gain),
        },
    }


def _goal_json(data: ForecastData) -> dict[str, Any]:
    goal = data.result.goal
    reached: dict[str, bool | None] = {}
    for name in core.SCENARIOS:
        scenario = data.result.scenario(name)
        met: bool | None = None
        if goal.score is not None:
            met = round_half_up(scenario.total) >= goal.score
        if goal.rank is not None and scenario.placing is not None:
            met = (met is not False) and (scenario.rank or 10**6) <= goal.rank
        reached[name] = met
    expected = round_half_up(data.result.scenario("expected").total)
    return {
        "score": points(goal.score),
        "rank": goal.rank,
        "score_gap": points(max(goal.score - expected, Decimal(0)))
        if goal.score is not None
        else None,
        "reached": reached,
    }


def forecast_json(data: ForecastData) -> dict[str, Any]:
    result = data.result
    last = data.published.last
    others = result.others
    basis: dict[str, int] = {str(b): 0 for b in core.Basis}
    for code in data.tree.leaves:
        known = result.facts.get(code)
        basis[str(known.basis if known else core.Basis.NONE)] += 1
    return {
        "province": {"code": data.province.code, "name": data.province.name},
        "year": data.year,
        "as_of": data.as_of.isoformat() if data.as_of else None,
        "tree": {
            "code": data.framework.code,
            "version": data.framework.version,
            "name": data.framework.name,
            "max": points(data.tree.max_total),
        },
        **{name: scenario_json(data, result.scenario(name)) for name in core.SCENARIOS},
        "goal": _goal_json(data),
        "last_year": {
            "year": last.year.year,
            "score": points(last.score),
            "rank": last.rank,
            "of": last.year.province_count,
        }
        if last is not None
        else None,
        "ranked_against": {
            "year": others.year,
            "known_scores": len(others.last),
            "of": others.of,
            "partial": others.partial,
        }
        if others is not None
        else None,
        "fallback_rate": points(result.fallback_rate),
        "basis": basis,
        "at_stake": [stake_json(data, s) for s in result.stakes],
    }


# ---------------------------------------------------------------------------------------------
# What if


def parse_changes(
    data: ForecastData, raw: Mapping[str, object]
) -> tuple[dict[str, LeafInput], list[InputProblem]]:
    """Changes as JSON writes them: leaf code → a number (the value in the leaf's unit), a
    band's label, {"numerator", "denominator"}, {"value"}, {"label"} or {"points"}."""
    return parse_inputs(data.tree, raw)


def what_if_json(
    data: ForecastData, changes: Mapping[str, LeafInput], problems: list[InputProblem]
) -> dict[str, Any]:
    expected = data.result.scenario("expected")
    changed = core.what_if(data.result, changes)
    problems = [*problems, *changed.result.problems]
    base_rank = expected.rank
    rank = changed.rank
    return {
        **scenario_json(data, changed),
        "expected": {"score": points(expected.total), "rank": base_rank},
        "change": points(changed.total - expected.total),
        "rank_change": (base_rank - rank) if base_rank is not None and rank is not None else None,
        "changed": sorted(changes),
        "problems": [{"code": p.code, "kind": p.kind, "message": p.message} for p in problems],
    }
