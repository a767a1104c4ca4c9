"""Where we stand: the leaders' dashboard of a province's year (forecast, rank, points at stake,
reporting progress), the points at stake by agency, what-if and saved scenarios.

Coordinators and leaders read their province's forecast (`access.forecast_provinces_for`); what-if
never writes; saving a scenario goes through `forecasting.actions`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.forecasting import actions, dashboard, gather, reading, tracking
from parindex.forecasting.models import Scenario
from parindex.lib.collation import vi_sorted
from parindex.lib.numbers import NumberFormatError, format_decimal, parse_decimal
from parindex.methodology.tree import Scoring, Unit
from parindex.orgs import access
from parindex.orgs.models import Organisation
from parindex.scoring import forecast as core
from parindex.scoring.engine import LeafInput
from parindex.web.views.common import current_province

# How many points-at-stake lines the dashboard shows and the what-if form starts with.
TOP = 10


def _lang() -> str:
    from django.utils.translation import get_language

    return "vi" if (get_language() or "vi").startswith("vi") else "en"


@login_required
def forecast_start(request: HttpRequest) -> HttpResponse:
    """The person's latest forecast: their own province first."""
    provinces = access.forecast_provinces_for(request.user)
    found = reading.choices(provinces)
    if found:
        mine = current_province(request)
        chosen = next((c for c in found if mine is not None and c.province.pk == mine.pk), None)
        chosen = chosen or found[0]
        return redirect("forecast_dashboard", province=chosen.province.pk, year=chosen.year)
    return render(
        request,
        "web/forecast/none.html",
        {"nav_active": "forecast", "reads": provinces.exists()},
    )


def _load(
    request: HttpRequest, province: int, year: int
) -> tuple[Organisation, gather.ForecastData | None, str]:
    org = access.forecast_province_for(request.user, province)
    try:
        return org, gather.build(org, year), ""
    except gather.NoForecast as none:
        return org, None, none.reason


def _no_forecast(request: HttpRequest, org: Organisation, year: int, reason: str) -> HttpResponse:
    """The year cannot be forecast: say why, and offer the years that can."""
    return render(
        request,
        "web/forecast/none.html",
        {
            "nav_active": "forecast",
            "province": org,
            "year": year,
            "reason": reason,
            "reads": True,
            "choices": reading.choices(access.forecast_provinces_for(request.user)),
        },
    )


def _stake_rows(data: gather.ForecastData, stakes: list[core.Stake]) -> list[dict[str, Any]]:
    rows = []
    for stake in stakes:
        leaf = data.tree.leaves[stake.code]
        rows.append(
            {
                "stake": stake,
                "name": data.names.get(stake.code, ""),
                "leads": data.leads.get(stake.code, []),
                "percent": leaf.unit == Unit.PERCENT or leaf.scoring == Scoring.PROPORTIONAL,
            }
        )
    return rows


def _common(
    request: HttpRequest, org: Organisation, year: int, data: gather.ForecastData
) -> dict[str, Any]:
    result = data.result
    names = dashboard.scenario_names()
    return {
        "nav_active": "forecast",
        "province": org,
        "year": year,
        "data": data,
        "choices": reading.choices(access.forecast_provinces_for(request.user)),
        "scenarios": [(name, names[name], result.scenario(name)) for name in core.SCENARIOS],
        "expected": result.scenario("expected"),
        "goal": result.goal,
        "basis": _basis_counts(data),
    }


def _basis_counts(data: gather.ForecastData) -> list[tuple[str, int]]:
    labels = {
        core.Basis.APPRAISED: _("appraised"),
        core.Basis.SURVEYED: _("measured by the year's satisfaction survey"),
        core.Basis.COMPUTED: _("computed from the one-stop-shop dossiers"),
        core.Basis.ASSESSED: _("from the province's self-assessment"),
        core.Basis.REPORTED: _("from the reporting rounds"),
        core.Basis.STATUS: _("from reported progress"),
        core.Basis.NONE: _("no figure yet"),
    }
    counts: dict[core.Basis, int] = {b: 0 for b in core.Basis}
    for code in data.tree.leaves:
        known = data.result.facts.get(code)
        counts[known.basis if known else core.Basis.NONE] += 1
    return [(str(labels[b]), n) for b, n in counts.items() if n]


@login_required
def forecast_dashboard(request: HttpRequest, province: int, year: int) -> HttpResponse:
    org, data, reason = _load(request, province, year)
    if data is None:
        return _no_forecast(request, org, year, reason)
    figures = dashboard.figures(data)
    context = _common(request, org, year, data)
    expected = data.result.scenario("expected")
    goal = data.result.goal
    context.update(
        {
            "figures": figures,
            "gauge": dashboard.gauge(data),
            "top": _stake_rows(data, list(data.result.stakes[:TOP])),
            "stake_count": len(data.result.stakes),
            "progress": dashboard.progress(data, timezone.localdate()),
            "tracking": tracking.tracking_for(request.user, data),
            "can_act": access.can_manage_gap_actions(request.user, org.pk),
            "saved": _saved_scenarios(request, org, year, data),
            "can_save": access.can_save_scenarios(request.user, org.pk),
            "what_if_rows": _what_if_rows(data, [s.code for s in data.result.stakes[:TOP]]),
            "score_gap": max(goal.score - expected.total, Decimal(0))
            if goal.score is not None
            else None,
        }
    )
    return render(request, "web/forecast/dashboard.html", context)


@login_required
def forecast_stakes(request: HttpRequest, province: int, year: int) -> HttpResponse:
    """Every point at stake, grouped by the responsible agency for the leaders' meeting."""
    org, data, reason = _load(request, province, year)
    if data is None:
        return _no_forecast(request, org, year, reason)
    groups = [(group, _stake_rows(data, group.stakes)) for group in dashboard.by_agency(data)]
    context = _common(request, org, year, data)
    context.update(
        {
            "groups": groups,
            "stake_count": len(data.result.stakes),
            "can_act": access.can_manage_gap_actions(request.user, org.pk),
        }
    )
    return render(request, "web/forecast/stakes.html", context)


# ---------------------------------------------------------------------------------------------
# What if


def _value_text(entry: LeafInput | None) -> str:
    if entry is None:
        return ""
    if entry.label is not None:
        return entry.label
    value = None
    if entry.value is not None:
        value = entry.value
    elif entry.numerator is not None and entry.denominator:
        value = entry.numerator * 100 / entry.denominator
    if value is None:
        return ""
    return format_decimal(
        value, places=2 if value != value.to_integral_value() else 0, lang=_lang()
    )


def _what_if_rows(data: gather.ForecastData, codes: list[str]) -> list[dict[str, Any]]:
    """The leaves a what-if form offers: a number or a band to choose, filled with what the
    expected scenario assumes."""
    expected = data.result.inputs["expected"]
    nodes = data.result.scenario("expected").result.nodes
    rows = []
    for code in codes:
        leaf = data.tree.leaves[code]
        entry = expected.get(code)
        choice = leaf.scoring == Scoring.CATEGORICAL
        rows.append(
            {
                "code": code,
                "name": data.names.get(code, ""),
                "choice": choice,
                "bands": [b.label for b in sorted(leaf.bands, key=lambda b: -b.points)],
                "value": _value_text(entry) if entry is None or entry.points is None else "",
                "percent": leaf.percent,
                "points": nodes[code].points,
                "max": leaf.max,
                "given": entry is not None and entry.points is not None,
            }
        )
    return rows


def _changes_from(
    request: HttpRequest, data: gather.ForecastData
) -> tuple[dict[str, LeafInput], dict[str, str]]:
    """The fields of the what-if form that differ from the expected scenario."""
    expected = data.result.inputs["expected"]
    changes: dict[str, LeafInput] = {}
    errors: dict[str, str] = {}
    for key in request.POST:
        if not key.startswith("v:"):
            continue
        code = key[2:]
        text = request.POST.get(key, "").strip()
        leaf = data.tree.leaves.get(code)
        if leaf is None or not text:
            continue
        entry = expected.get(code)
        if text == _value_text(entry) and (entry is None or entry.points is None):
            continue
        if leaf.scoring == Scoring.CATEGORICAL:
            changes[code] = LeafInput.choice(text)
            continue
        try:
            number = parse_decimal(text)
        except (NumberFormatError, ValueError, ArithmeticError):
            errors[code] = _("%(value)s is not a number.") % {"value": text[:40]}
            continue
        changes[code] = LeafInput.number(number)
    return changes, errors


@login_required
@require_POST
def forecast_what_if(request: HttpRequest, province: int, year: int) -> HttpResponse:
    """The expected scenario with the form's changes, scored and ranked; nothing is kept."""
    org, data, reason = _load(request, province, year)
    if data is None:
        return HttpResponse(reason, status=404, content_type="text/plain; charset=utf-8")
    changes, errors = _changes_from(request, data)
    answer = None
    problems: list[str] = list(errors.values())
    if changes and not errors:
        changed = core.what_if(data.result, changes)
        problems += [p.message for p in changed.result.problems]
        answer = _answer(data, changed)
    context = {
        "province": org,
        "year": year,
        "data": data,
        "answer": answer,
        "problems": problems,
        "changes": sorted(changes),
        "expected": data.result.scenario("expected"),
        "can_save": access.can_save_scenarios(request.user, org.pk),
        "posted": {k[2:]: v for k, v in request.POST.items() if k.startswith("v:")},
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/forecast/_what_if_result.html", context)
    return render(
        request,
        "web/forecast/what_if.html",
        {
            **_common(request, org, year, data),
            **context,
            "what_if_rows": _what_if_rows(data, list(data.tree.leaves)),
        },
    )


def _answer(data: gather.ForecastData, changed: core.ScenarioResult) -> dict[str, Any]:
    expected = data.result.scenario("expected")
    moved = (
        expected.rank - changed.rank
        if expected.rank is not None and changed.rank is not None
        else 0
    )
    nodes = changed.result.nodes
    base = expected.result.nodes
    domains: list[dict[str, Any]] = [
        {
            "code": code,
            "name": data.names.get(code, ""),
            "before": base[code].points,
            "after": nodes[code].points,
            "max": base[code].max,
            "moved": nodes[code].points - base[code].points,
        }
        for code in data.domains
    ]
    chart = {
        "type": "bar",
        "data": {
            "labels": [d["code"] for d in domains],
            "datasets": [
                {
                    "label": _("Expected"),
                    "data": [float(d["before"]) for d in domains],
                    "backgroundColor": dashboard.OTHERS,
                },
                {
                    "label": _("What if"),
                    "data": [float(d["after"]) for d in domains],
                    "backgroundColor": dashboard.OURS,
                },
            ],
        },
        "options": {"plugins": {"legend": {"position": "bottom"}}},
    }
    return {
        "result": changed,
        "change": changed.total - expected.total,
        "rank_up": max(moved, 0),
        "rank_down": max(-moved, 0),
        "domains": domains,
        "chart": chart,
    }


@login_required
def forecast_what_if_page(request: HttpRequest, province: int, year: int) -> HttpResponse:
    """Every sub-criterion in one what-if form."""
    org, data, reason = _load(request, province, year)
    if data is None:
        return _no_forecast(request, org, year, reason)
    context = _common(request, org, year, data)
    context.update(
        {
            "what_if_rows": _what_if_rows(data, list(data.tree.leaves)),
            "can_save": access.can_save_scenarios(request.user, org.pk),
            "posted": {},
        }
    )
    return render(request, "web/forecast/what_if.html", context)


# ---------------------------------------------------------------------------------------------
# Saved scenarios


def _saved_scenarios(
    request: HttpRequest, org: Organisation, year: int, data: gather.ForecastData
) -> list[dict[str, Any]]:
    found = []
    for scenario in vi_sorted(
        access.scenarios_for(request.user)
        .filter(province=org, year=year)
        .select_related("created_by")
        .order_by("pk"),
        key=lambda s: s.name,
    ):
        changes, problems = reading.parse_changes(data, scenario.changes)
        changed = core.what_if(data.result, changes)
        found.append(
            {
                "scenario": scenario,
                "result": changed,
                "change": changed.total - data.result.scenario("expected").total,
                "count": len(changes),
                "problems": [p.message for p in problems],
                "can_delete": access.can_delete_scenario(request.user, scenario),
            }
        )
    return found


@login_required
@require_POST
def forecast_scenario_save(request: HttpRequest, province: int, year: int) -> HttpResponse:
    org, data, reason = _load(request, province, year)
    back = reverse("forecast_dashboard", kwargs={"province": org.pk, "year": year})
    if data is None:
        messages.error(request, reason)
        return redirect(back)
    changes, errors = _changes_from(request, data)
    if errors:
        messages.error(request, " ".join(errors.values()))
        return redirect(back + "#what-if")
    raw = {
        code: (entry.label if entry.label is not None else str(entry.value))
        for code, entry in changes.items()
    }
    try:
        scenario = actions.save_scenario(
            org,
            year,
            by=access.actor(request.user),
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
            changes=raw,
        )
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back + "#what-if")
    messages.success(request, _("Scenario “%(name)s” saved.") % {"name": scenario.name})
    return redirect(back + "#scenarios")


@login_required
@require_POST
def forecast_scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scenario: Scenario = access.scenario_for(request.user, pk)
    back = reverse(
        "forecast_dashboard", kwargs={"province": scenario.province_id, "year": scenario.year}
    )
    actions.delete_scenario(scenario, by=access.actor(request.user))
    messages.success(request, _("Scenario “%(name)s” deleted.") % {"name": scenario.name})
    return redirect(back + "#scenarios")
