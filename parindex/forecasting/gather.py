"""What the forecast of a province's year is made of, read from the database in a fixed number of
queries, and the forecast itself (`parindex.scoring.forecast` does the arithmetic).

- **The tree**: the one the province's self-assessment of the year uses (scope "the province
  itself"), else the one the year's plan is matched to.
- **Each leaf's figure**, best first: an appraised entry of that self-assessment (settled); for
  a survey-based leaf mapped to survey factors (`satisfaction`), the share satisfied the year's
  survey measures, with its interval; for a rate leaf mapped to a dossier rate
  (`dossier_feeds`), the rate of the province's one-stop-shop dossiers for the year so far; an
  entry the province entered (a band, a value, a ratio; survey leaves hold its own satisfaction
  measurements); the latest reporting round's figures for the plan's target linked to the leaf
  (the agencies' numerators and denominators added up, submitted and accepted reports only); for
  a choice leaf, the progress the lead agency reported on that target. A target is linked to a
  leaf by the coordinator's confirmed links (`plans.TargetNode`); of its quantities, the one in
  the leaf's unit whose threshold is closest to the leaf's best band measures it.
- **Published results**: the province's last published score (the rate a leaf with no figure is
  expected at, and last year on the dashboard), and the other provinces' scores in the last
  published table and their trends, which the scenarios are ranked among.
- **The goal**: the plan's goals of points and rank.

The caller checks who may read the province's forecast (`access.can_read_forecast`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import duckdb
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from parindex.assessment.models import (
    Appraisal,
    AssessedUnit,
    Assessment,
    Entry,
    Scope,
)
from parindex.benchmark import provinces
from parindex.benchmark.models import Province, ProvinceResult, ResultYear
from parindex.benchmark.ranks import Row
from parindex.dossiers import reading as reading_dossiers
from parindex.dossiers.models import KpiSetting
from parindex.dossiers.store import StoreDamaged
from parindex.forecasting import dossier_feeds, satisfaction
from parindex.methodology.models import Framework
from parindex.methodology.store import spec_from_framework
from parindex.methodology.tree import Method, Scoring, Unit
from parindex.orgs.models import Organisation
from parindex.plans.models import (
    Comparator,
    Measure,
    Plan,
    Quantity,
    QuantityUnit,
    Responsibility,
    Target,
    TargetAgency,
    TargetNode,
)
from parindex.reporting.models import Item, ReportStatus, Round, Value
from parindex.scoring import forecast as core
from parindex.scoring.engine import CompiledTree, LeafInput, TreeError, compile_tree
from parindex.surveys.models import Survey

logger = logging.getLogger(__name__)
# Reports whose figures the forecast counts: sent, and not sent back.
COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
# Words of a rate that is a share of the year's plan done so far (it grows through the year).
PROGRESS_WORDS = ("kế hoạch", "giải ngân", "tiến độ")


class NoForecast(LookupError):
    """The year cannot be forecast; `reason` says why in words for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Published:
    """The province's place in the published tables."""

    ranked: Province | None
    history: list[ProvinceResult]  # every year with a figure, oldest first
    last: ProvinceResult | None  # the latest with a score before the forecast year
    table_year: ResultYear | None  # the table the scenarios are ranked in
    table: list[ProvinceResult]  # its lines with a score (every province)


@dataclass(frozen=True)
class ForecastData:
    province: Organisation
    year: int
    plan: Plan | None
    framework: Framework
    assessment: Assessment | None
    tree: CompiledTree
    names: dict[str, str]  # node code → name
    leads: dict[str, list[Organisation]]  # leaf → lead agencies of its linked targets
    targets: dict[str, Target]  # leaf → the target that measures it
    rounds: list[Round]  # the plan's rounds, latest first
    as_of: date | None  # the end of the latest period counted
    published: Published
    result: core.Forecast
    domains: list[str] = field(default_factory=list)
    survey: Survey | None = None  # the year's satisfaction survey the forecast reads
    # The days and dossiers the dossier-fed sub-criteria were computed from, if any.
    dossiers: dossier_feeds.Coverage | None = None

    def domain_of(self, code: str) -> str:
        return code.split(".", 1)[0]


def tree_for(province: Organisation, year: int) -> tuple[Plan | None, Assessment | None, Framework]:
    plan = (
        Plan.objects.filter(province=province, year=year)
        # The province's dossier settings come along, so that the dossier-fed leaves cost no
        # query of their own.
        .select_related("framework", "province__dossier_kpi_setting")
        .order_by("-date", "-pk")
        .first()
    )
    assessment = (
        Assessment.objects.filter(province=province, year=year, scope=Scope.PROVINCE)
        .select_related("framework", "province__dossier_kpi_setting")
        .order_by("-pk")
        .first()
    )
    framework = (
        assessment.framework
        if assessment is not None
        else plan.framework
        if plan is not None
        else None
    )
    if framework is None:
        if plan is None:
            raise NoForecast(
                _("%(province)s has no plan and no self-assessment for %(year)s.")
                % {"province": province.name, "year": year}
            )
        raise NoForecast(
            _("The plan for %(year)s is not matched to a criteria tree; match it on its page.")
            % {"year": year}
        )
    return plan, assessment, framework


def build(province: Organisation, year: int, *, today: date | None = None) -> ForecastData:
    plan, assessment, framework = tree_for(province, year)
    spec = spec_from_framework(framework)
    try:
        tree = compile_tree(spec)
    except TreeError as error:
        raise NoForecast(
            _("The criteria tree “%(tree)s” cannot score yet: %(problems)s")
            % {"tree": framework.name, "problems": "; ".join(error.messages[:3])}
        ) from None
    if all(
        not leaf.bands and leaf.scoring != Scoring.PROPORTIONAL for leaf in tree.leaves.values()
    ):
        raise NoForecast(
            _("The criteria tree “%(tree)s” has no scoring bands yet.") % {"tree": framework.name}
        )
    names = {n.code: n.name for n in spec.nodes}
    facts: dict[str, core.LeafFacts] = {}
    unit = (
        AssessedUnit.objects.filter(assessment=assessment).order_by("pk").first()
        if assessment is not None
        else None
    )
    if unit is not None:
        facts.update(_assessed(unit, tree))
    survey_leaves = {n.code for n in spec.nodes if n.method == Method.SURVEY} & set(tree.leaves)
    survey, surveyed = _surveyed(framework, province, year, survey_leaves)
    for code, known in surveyed.items():
        if code in tree.leaves and (code not in facts or facts[code].settled is None):
            facts[code] = known
    rate_leaves = {
        n.code for n in spec.nodes if n.method != Method.SURVEY and n.unit == Unit.PERCENT
    } & set(tree.leaves)
    coverage, computed = _computed(framework, province, year, rate_leaves, plan, assessment)
    for code, known in computed.items():
        if code not in facts or facts[code].settled is None:
            facts[code] = known
    rounds: list[Round] = []
    leads: dict[str, list[Organisation]] = {}
    targets: dict[str, Target] = {}
    as_of: date | None = None
    if plan is not None:
        rounds = list(Round.objects.filter(plan=plan).order_by("-ends_on", "starts_on", "-pk"))
        as_of, reported = _reported(plan, framework, tree, rounds, leads, targets)
        _area_leads(plan, tree, leads)
        for code, known in reported.items():
            assessed = facts.get(code)
            if assessed is None:
                facts[code] = known
            else:
                # The province's own figure stands; the plan still says what is aimed at.
                facts[code] = replace(assessed, target=known.target, status=known.status)
    published = _published(province, year)
    goal = _goal(plan)
    fallback = published.last.score if published.last is not None and published.last.score else None
    others = _others(published, province, year)
    result = core.forecast(tree, facts, goal=goal, fallback_rate=fallback, others=others)
    return ForecastData(
        province=province,
        year=year,
        plan=plan,
        framework=framework,
        assessment=assessment,
        tree=tree,
        names=names,
        leads=leads,
        targets=targets,
        rounds=rounds,
        as_of=as_of,
        published=published,
        result=result,
        domains=[n.code for n in spec.nodes if n.parent_code is None],
        survey=survey,
        dossiers=coverage,
    )


def _kpi_setting(
    province: Organisation, plan: Plan | None, assessment: Assessment | None
) -> KpiSetting:
    """The province's dossier settings, read with the plan or the assessment (`tree_for`)."""
    holder = assessment if assessment is not None else plan
    if holder is not None and holder.province_id == province.pk:
        try:
            return holder.province.dossier_kpi_setting
        except KpiSetting.DoesNotExist:
            return KpiSetting(province=province)
    return reading_dossiers.kpi_setting(province)


def _computed(
    framework: Framework,
    province: Organisation,
    year: int,
    rate_leaves: set[str],
    plan: Plan | None,
    assessment: Assessment | None,
) -> tuple[dossier_feeds.Coverage | None, dict[str, core.LeafFacts]]:
    """The rate sub-criteria the province's dossiers of the year measure: the rate of the year
    so far (a level, not pro-rated), with the dossiers and days it rests on as the source.
    They take the place of the self-assessment's typed entry (the records are what that entry
    would copy, and they keep counting) and of the reporting rounds' sums, not of an appraised
    entry. A survey-based leaf is never fed by dossiers."""
    if not dossier_feeds.feeds_of(framework, rate_leaves):
        return None, {}
    try:
        coverage, found = dossier_feeds.computed_leaves(
            framework,
            province,
            year,
            _kpi_setting(province, plan, assessment),
            rate_leaves=rate_leaves,
        )
    except (StoreDamaged, duckdb.Error):
        # A damaged store does not take the forecast down: the leaves are read as without
        # dossiers, and `parindex dossiers check` says what is wrong.
        logger.exception("dossier store of %s unreadable; forecast without it", province.code)
        return None, {}
    if coverage is None:
        return None, {}
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    covered = Decimal((coverage.end - coverage.start).days + 1) / Decimal(days)
    source = dossier_feeds.source_text(coverage)
    return coverage, {
        code: core.LeafFacts(
            code,
            basis=core.Basis.COMPUTED,
            current=LeafInput.ratio(Decimal(result.numerator), Decimal(result.denominator)),
            covered=min(Decimal(1), covered),
            accumulates=False,
            source=source,
        )
        for code, result in found.items()
    }


def _surveyed(
    framework: Framework, province: Organisation, year: int, survey_leaves: set[str]
) -> tuple[Survey | None, dict[str, core.LeafFacts]]:
    """The survey-based leaves the year's satisfaction survey measures: the rate as it stands,
    its 95 % interval for the worst and best cases, and the survey named as the source. They
    take the place of the self-assessment's typed entry (the survey is the measurement that
    entry would copy, and it keeps counting), not of an appraised one."""
    survey, measured = satisfaction.measured_leaves(
        framework, province, year, survey_leaves=survey_leaves
    )
    if survey is None:
        return None, {}
    return survey, {
        code: core.LeafFacts(
            code,
            basis=core.Basis.SURVEYED,
            current=LeafInput.number(found.rate),
            low=found.low,
            high=found.high,
            source=satisfaction.source_text(survey, found),
        )
        for code, found in measured.items()
    }


# ---------------------------------------------------------------------------------------------
# The province's self-assessment


def _entry_input(entry: Entry) -> LeafInput | None:
    if entry.band:
        return LeafInput.choice(entry.band)
    if entry.numerator is not None and entry.denominator is not None:
        return LeafInput.ratio(entry.numerator, entry.denominator)
    if entry.value is not None:
        return LeafInput.number(entry.value)
    return None


def _assessed(unit: AssessedUnit, tree: CompiledTree) -> dict[str, core.LeafFacts]:
    found: dict[str, core.LeafFacts] = {}
    source = _("Self-assessment of the province")
    for entry in (
        Entry.objects.filter(unit=unit)
        .select_related("node")
        .only(
            "band",
            "value",
            "numerator",
            "denominator",
            "appraisal",
            "appraised_points",
            "self_points",
            "node__code",
        )
    ):
        code = entry.node.code
        if code not in tree.leaves:
            continue
        settled = entry.appraisal in (Appraisal.ACCEPTED, Appraisal.SCORED)
        current = _entry_input(entry)
        if settled and entry.final_points is not None:
            found[code] = core.LeafFacts(
                code,
                basis=core.Basis.APPRAISED,
                current=current,
                settled=entry.final_points,
                source=_("Appraised"),
            )
        elif current is not None:
            found[code] = core.LeafFacts(
                code, basis=core.Basis.ASSESSED, current=current, source=source
            )
    return found


# ---------------------------------------------------------------------------------------------
# The reporting rounds


def _unit_fits(leaf_unit: Unit, quantity: Quantity) -> bool:
    if leaf_unit == Unit.PERCENT:
        return quantity.unit == QuantityUnit.PERCENT
    return leaf_unit == Unit.COUNT and quantity.unit == QuantityUnit.COUNT


def _best_bound(tree: CompiledTree, code: str) -> Decimal | None:
    leaf = tree.leaves[code]
    if not leaf.ranges:
        return Decimal(100) if leaf.scoring == Scoring.PROPORTIONAL else None
    top = max(leaf.ranges, key=lambda b: b.points)
    return top.lower if top.lower is not None else top.upper


def _accumulates(quantity: Quantity) -> bool:
    """A count, or a share of the year's plan done so far, as the plan's review settled what
    the figure measures (by its words for a quantity the review left open)."""
    if quantity.unit == QuantityUnit.COUNT:
        return True
    if quantity.measure:
        return quantity.measure == Measure.YEAR_PROGRESS
    subject = quantity.subject.casefold()
    return quantity.unit == QuantityUnit.PERCENT and any(w in subject for w in PROGRESS_WORDS)


def _covered(round_: Round, year: int) -> Decimal:
    start = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - start).days
    done = (min(round_.ends_on, date(year, 12, 31)) - start).days + 1
    return min(Decimal(1), max(Decimal(0), Decimal(done) / Decimal(days)))


def _reported(
    plan: Plan,
    framework: Framework,
    tree: CompiledTree,
    rounds: list[Round],
    leads: dict[str, list[Organisation]],
    targets: dict[str, Target],
) -> tuple[date | None, dict[str, core.LeafFacts]]:
    links = TargetNode.objects.filter(
        confirmed=True,
        target__plan=plan,
        node__framework__code=framework.code,
        node__code__in=list(tree.leaves),
    ).order_by("target__position", "pk")
    codes_of: dict[int, list[str]] = defaultdict(list)
    linked: dict[str, list[Target]] = defaultdict(list)
    for target_id, code in links.values_list("target_id", "node__code"):
        codes_of[target_id].append(code)
    target_rows = {t.pk: t for t in Target.objects.filter(pk__in=list(codes_of))}
    for target_id, codes in codes_of.items():
        for code in codes:
            linked[code].append(target_rows[target_id])
    if not linked:
        return (rounds[0].ends_on if rounds else None), {}
    quantities: dict[int, list[Quantity]] = defaultdict(list)
    for quantity in Quantity.objects.filter(target_id__in=list(codes_of)).order_by(
        "target_id", "position", "pk"
    ):
        quantities[quantity.target_id].append(quantity)
    for assignment in (
        TargetAgency.objects.filter(
            target_id__in=list(codes_of), responsibility=Responsibility.LEAD
        )
        .select_related("organisation")
        .order_by("target__position", "pk")
    ):
        for code in codes_of[assignment.target_id]:
            agencies = leads.setdefault(code, [])
            if assignment.organisation not in agencies:
                agencies.append(assignment.organisation)
    # The quantity that measures each numeric leaf.
    measures: dict[str, Quantity] = {}
    for code, found_targets in linked.items():
        leaf = tree.leaves[code]
        targets[code] = found_targets[0]
        if leaf.scoring not in (Scoring.RANGES, Scoring.PROPORTIONAL):
            continue
        bound = _best_bound(tree, code)
        fitting = [
            q for t in found_targets for q in quantities.get(t.pk, []) if _unit_fits(leaf.unit, q)
        ]
        if not fitting:
            continue
        chosen = min(
            fitting,
            key=lambda q: abs(q.value - bound) if bound is not None else Decimal(0),
        )
        measures[code] = chosen
        targets[code] = next(t for t in found_targets if t.pk == chosen.target_id)
    round_order = {r.pk: i for i, r in enumerate(rounds)}
    # Per quantity and round: the agencies' figures added up.
    sums: dict[int, dict[int, tuple[Decimal, Decimal | None, int]]] = defaultdict(dict)
    for row in (
        Value.objects.filter(
            quantity_id__in=[q.pk for q in measures.values()],
            item__report__round__plan=plan,
            item__report__status__in=COUNTED,
            numerator__isnull=False,
        )
        .values("quantity_id", "item__report__round_id")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), n=Count("pk"))
    ):
        sums[row["quantity_id"]][row["item__report__round_id"]] = (
            row["num"],
            row["den"],
            row["n"],
        )
    by_round = {r.pk: r for r in rounds}
    facts: dict[str, core.LeafFacts] = {}
    as_of: date | None = None
    for code, quantity in measures.items():
        leaf = tree.leaves[code]
        target = core.TargetFacts(
            comparator=quantity.comparator,
            value=quantity.value,
            high=quantity.value_high,
            text=_target_text(quantity),
        )
        per_round = sums.get(quantity.pk, {})
        if not per_round:
            facts[code] = core.LeafFacts(code, target=target)
            continue
        round_id = min(per_round, key=lambda r: round_order.get(r, 10**6))
        num, den, reporting = per_round[round_id]
        round_ = by_round[round_id]
        current: LeafInput | None
        if leaf.unit == Unit.PERCENT:
            current = LeafInput.ratio(num, den) if den else None
        else:
            current = LeafInput.number(num)
        if current is None:
            facts[code] = core.LeafFacts(code, target=target)
            continue
        as_of = max(as_of, round_.ends_on) if as_of is not None else round_.ends_on
        facts[code] = core.LeafFacts(
            code,
            basis=core.Basis.REPORTED,
            current=current,
            covered=_covered(round_, plan.year),
            accumulates=_accumulates(quantity),
            target=target,
            source=_("%(round)s, %(n)s agencies") % {"round": round_.title, "n": reporting},
        )
    # Choice leaves: the progress the lead agency reported on the linked target, latest round.
    choice_targets = {
        code: [t.pk for t in found]
        for code, found in linked.items()
        if tree.leaves[code].scoring == Scoring.CATEGORICAL
    }
    if choice_targets:
        statuses: dict[int, tuple[int, str, str]] = {}
        for target_id, round_id, status in (
            Item.objects.filter(
                target_id__in=[t for ids in choice_targets.values() for t in ids],
                report__round__plan=plan,
                report__status__in=COUNTED,
                lead=True,
            )
            .exclude(status="")
            .values_list("target_id", "report__round_id", "status")
        ):
            order = round_order.get(round_id, 10**6)
            if target_id not in statuses or order < statuses[target_id][0]:
                statuses[target_id] = (order, status, by_round[round_id].title)
        for code, ids in choice_targets.items():
            found_status = [statuses[t] for t in ids if t in statuses]
            if not found_status:
                continue
            order, status, title = min(found_status)
            facts[code] = core.LeafFacts(
                code,
                basis=core.Basis.STATUS,
                status=status,
                source=_("%(round)s, progress reported by the lead agency") % {"round": title},
            )
    if as_of is None and rounds:
        as_of = rounds[0].ends_on
    return as_of, facts


def _area_leads(plan: Plan, tree: CompiledTree, leads: dict[str, list[Organisation]]) -> None:
    """A leaf no target measures answers to the agencies that lead its domain's area of the
    plan, the one leading most of the area's targets first."""
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    orgs: dict[int, Organisation] = {}
    for assignment in TargetAgency.objects.filter(
        target__plan=plan, responsibility=Responsibility.LEAD, target__area__domain__isnull=False
    ).select_related("organisation", "target__area__domain"):
        area = assignment.target.area
        assert area is not None and area.domain is not None
        counts[area.domain.code][assignment.organisation_id] += 1
        orgs[assignment.organisation_id] = assignment.organisation
    for code in tree.leaves:
        if leads.get(code):
            continue
        by_count = counts.get(code.split(".", 1)[0])
        if by_count:
            ranked = sorted(by_count, key=lambda pk: (-by_count[pk], orgs[pk].name))
            leads[code] = [orgs[pk] for pk in ranked[:1]]


def _target_text(quantity: Quantity) -> str:
    sign = dict(Comparator.choices).get(quantity.comparator, quantity.comparator)
    unit = "%" if quantity.unit == QuantityUnit.PERCENT else ""
    value = _plain(quantity.value)
    if quantity.comparator == Comparator.BETWEEN and quantity.value_high is not None:
        return f"{value}–{_plain(quantity.value_high)}{unit}".replace(".", ",")
    return (
        f"{sign} {value}{unit}".replace(".", ",") if unit else f"{sign} {value}".replace(".", ",")
    )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# ---------------------------------------------------------------------------------------------
# Published results


def _published(province: Organisation, year: int) -> Published:
    ranked = provinces.for_organisation(province)
    history: list[ProvinceResult] = []
    if ranked is not None:
        history = list(
            ProvinceResult.objects.filter(province=ranked)
            .select_related("year", "source")
            .order_by("year__year")
        )
    last = next((r for r in reversed(history) if r.year.year < year and r.score is not None), None)
    table_year = (
        ResultYear.objects.filter(year__lt=year, results__score__isnull=False)
        .order_by("-year")
        .distinct()
        .first()
    )
    table = (
        list(
            table_year.results.filter(score__isnull=False)
            .select_related("province")
            .order_by("-score")
        )
        if table_year is not None
        else []
    )
    return Published(ranked, history, last, table_year, table)


def _others(published: Published, province: Organisation, year: int) -> core.Others | None:
    table_year = published.table_year
    if table_year is None:
        return None
    own = published.ranked.pk if published.ranked is not None else None
    rows = [
        Row(r.province.code, r.province.short_name, r.score, r.rank)
        for r in published.table
        if r.province_id != own
    ]
    # Each province's average change a year across its published scores.
    scores: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for province_id, result_year, value in ProvinceResult.objects.filter(
        score__isnull=False,
        year__year__lt=year,
        province_id__in=[r.province_id for r in published.table],
    ).values_list("province_id", "year__year", "score"):
        if value is not None:
            scores[province_id].append((result_year, value))
    trend: list[Row] = []
    for r in published.table:
        if r.province_id == own or r.score is None:
            continue
        points = sorted(scores.get(r.province_id, []))
        projected = r.score
        if len(points) >= 2 and points[-1][0] > points[0][0]:
            (y0, s0), (y1, s1) = points[0], points[-1]
            slope = (s1 - s0) / Decimal(y1 - y0)
            projected = s1 + slope * (year - y1)
        projected = min(Decimal(100), max(Decimal(0), projected)).quantize(Decimal("0.01"))
        trend.append(Row(r.province.code, r.province.short_name, projected, None))
    own_line = next((r for r in published.table if r.province_id == own), None)
    partial = table_year.partial or len(published.table) < table_year.province_count
    of = Province.objects.in_year(year).count() or table_year.province_count
    return core.Others(
        own=Row(own_line.province.code, own_line.province.short_name, own_line.score, own_line.rank)
        if own_line is not None
        else None,
        year=table_year.year,
        of=of,
        partial=partial,
        last=rows,
        # Where the others' trends take them ranks the year only when every score is known.
        trend=trend if not partial else [],
    )


def _goal(plan: Plan | None) -> core.Goal:
    if plan is None:
        return core.Goal()
    score: Decimal | None = None
    rank: int | None = None
    for goal in plan.goals.filter(~Q(unit=""), value__isnull=False).order_by("position"):
        assert goal.value is not None
        if goal.unit == QuantityUnit.POINTS and goal.comparator in (">=", ">") and score is None:
            score = goal.value
        elif goal.unit == QuantityUnit.RANK and goal.comparator in ("<=", "<") and rank is None:
            rank = int(goal.value)
    return core.Goal(score=score, rank=rank)
