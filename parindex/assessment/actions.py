"""Every change in self-assessment and appraisal: permission check, input check, write, rescore,
history in the audit trail.

The workflow of an assessed unit:

    draft ──submit_unit──▶ submitted ──appraise_entry(request)──▶ returned
                              │  ▲                                   │ answer_entry (every request)
                              │  └──────── appraise_entry ◀── answered ◀┘
                              └──finish_unit_appraisal──▶ appraised

and of the assessment: open ──close_appraisal──▶ closed ──publish_results──▶ published.

Callers pass `by` (the signed-in person; None only for the system: demo loading, migrations).
Inputs are checked here, so the web, the API and the command line refuse the same things with
the same message; a save with any error saves nothing and returns the errors keyed
"<leaf code>-<field>". Every action that changes an input or an appraisal rescores its unit with
the engine (see `scoring.py`) and caches the points on the entries and the unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum, StrEnum
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.assessment import scoring
from parindex.assessment.models import (
    POINTS,
    VALUE,
    Appraisal,
    AssessedUnit,
    Assessment,
    AssessmentStatus,
    Document,
    Entry,
    Scope,
    UnitStatus,
    default_classes,
)
from parindex.lib.collation import vi_sorted
from parindex.lib.dates import format_date
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean_input, fold
from parindex.methodology.models import Framework
from parindex.methodology.store import spec_from_framework
from parindex.methodology.tree import FrameworkSpec, Method, NodeSpec, Scoring, Unit
from parindex.orgs import access, inputs
from parindex.orgs.audit import record
from parindex.orgs.dbstats import refresh_statistics
from parindex.orgs.inputs import clean_text
from parindex.orgs.models import Organisation, OrgKind, Role, RoleAssignment, User

# Characters a person may write in each free-text field; longer text is refused, never cut.
EXPLANATION_LIMIT = inputs.LONG_TEXT_LIMIT
COMMENT_LIMIT = inputs.COMMENT_LIMIT
TITLE_LIMIT = 200

SCOPE_KINDS = {
    Scope.DEPARTMENTS: OrgKind.DEPARTMENT,
    Scope.DISTRICTS: OrgKind.DISTRICT,
    Scope.COMMUNES: OrgKind.COMMUNE,
}


class StaleUnit(Exception):
    """The unit changed since the form was opened; `changes` says what the other saves did."""

    def __init__(self, message: str, changes: list[str]) -> None:
        super().__init__(message)
        self.changes = changes


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You are not allowed to make this change."))


# --- checks shared by every channel ---------------------------------------------------------


def decimal_error(value: Decimal, column: Mapping[str, int]) -> str | None:
    """Why a DecimalField of `column`'s digits (models.VALUE, models.POINTS) cannot hold
    `value`; None when it can."""
    return inputs.decimal_error(value, column["max_digits"], column["decimal_places"])


def read_number(text: Decimal | int | str | None) -> Decimal | None:
    """A number as typed ("95,5", "1.234", 12) or None for an empty field; ValueError if not."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_decimal(text)
    except (NumberFormatError, InvalidOperation) as error:
        raise ValueError(_("Enter a number, such as 95,5.")) from error


def check_classes(classes: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Classification bands, best first, each {"label": text, "min": percent 0–100}."""
    result: list[dict[str, str]] = []
    previous: Decimal | None = None
    for index, row in enumerate(classes, start=1):
        label = clean_text(str(row.get("label", "")), 64, field="classes")
        try:
            minimum = read_number(row.get("min"))
        except ValueError as error:
            raise ValidationError({"classes": f"{index}: {error}"}) from error
        if not label or minimum is None:
            raise ValidationError(
                {"classes": _("Class %(n)s needs a name and a lower bound.") % {"n": index}}
            )
        if not Decimal(0) <= minimum <= Decimal(100):
            raise ValidationError(
                {
                    "classes": _("The lower bound of %(label)s is not between 0 and 100.")
                    % {"label": label}
                }
            )
        if previous is not None and minimum >= previous:
            raise ValidationError(
                {
                    "classes": _(
                        "List the classes best first, each lower bound below the one before."
                    )
                }
            )
        previous = minimum
        result.append({"label": label, "min": format(minimum.normalize(), "f")})
    if not result:
        raise ValidationError({"classes": _("Give at least one class.")})
    return result


# --- opening -----------------------------------------------------------------------------------


def units_in_scope(province: Organisation, scope: str, on: date) -> list[Organisation]:
    """The organisations an assessment of `scope` covers, as they existed on `on`."""
    if scope == Scope.PROVINCE:
        return [province]
    kind = SCOPE_KINDS.get(Scope(scope))
    return vi_sorted(
        Organisation.objects.filter(province=province, kind=kind).as_of(on).order_by("pk"),
        key=lambda o: o.name,
    )


def default_appraisers(
    province: Organisation, organisations: Iterable[Organisation]
) -> dict[int, User]:
    """Each unit's appraiser when exactly one of the province's appraisers is assigned to it."""
    wanted = {o.pk for o in organisations}
    found: dict[int, set[int]] = {}
    people: dict[int, User] = {}
    assignments = RoleAssignment.objects.filter(
        role=Role.APPRAISER, organisation=province, user__is_active=True
    ).select_related("user")
    for assignment in assignments.prefetch_related("agencies"):
        people[assignment.user_id] = assignment.user
        for agency in assignment.agencies.all():
            if agency.pk in wanted:
                found.setdefault(agency.pk, set()).add(assignment.user_id)
    return {org: people[next(iter(ids))] for org, ids in found.items() if len(ids) == 1}


def _is_appraiser(user: User, province: Organisation) -> bool:
    return RoleAssignment.objects.filter(
        user=user, role=Role.APPRAISER, organisation=province
    ).exists()


@transaction.atomic
def open_assessment(
    province: Organisation,
    *,
    by: User | None,
    framework: Framework,
    year: int,
    scope: str,
    deadline: date,
    title: str = "",
    as_of: date | None = None,
    appraisers: Mapping[int, User | None] | None = None,
    classes: Sequence[Mapping[str, Any]] | None = None,
) -> Assessment:
    """Open an assessment of `scope`'s units as they existed on `as_of` (default: the last day of
    `year`), each with one entry per leaf of `framework` and an appraiser (`appraisers` maps an
    organisation id to a person with the appraiser role; by default the one appraiser assigned
    to the agency, if there is exactly one)."""
    if by is not None and not access.can_manage_assessment(by, province.pk):
        raise _deny()
    if province.kind != OrgKind.PROVINCE:
        raise ValidationError({"province": _("Choose a province.")})
    if framework.province_id not in (None, province.pk):
        raise ValidationError({"framework": _("This criteria tree belongs to another province.")})
    if not framework.is_valid:
        raise ValidationError(
            {"framework": _("This criteria tree is a draft: complete it before assessing with it.")}
        )
    if not 1990 <= year <= 2200:
        raise ValidationError({"year": _("Enter a year such as 2020.")})
    if not framework.applies_to(year):
        raise ValidationError(
            {"year": _("This criteria tree does not apply to %(year)s.") % {"year": year}}
        )
    if scope not in Scope.values:
        raise ValidationError(
            {"scope": _("Use one of: %(kinds)s.") % {"kinds": ", ".join(Scope.values)}}
        )
    day = as_of or date(year, 12, 31)
    organisations = units_in_scope(province, scope, day)
    if not organisations:
        raise ValidationError(
            {
                "scope": _("No unit of the kind “%(scope)s” existed in %(province)s on %(day)s.")
                % {
                    "scope": str(Scope(scope).label),
                    "province": province.name,
                    "day": format_date(day),
                }
            }
        )
    if Assessment.objects.filter(
        province=province, framework=framework, year=year, scope=scope
    ).exists():
        raise ValidationError({"year": _("This assessment is already open.")})
    chosen = default_appraisers(province, organisations)
    for org_id, person in (appraisers or {}).items():
        if person is not None and not _is_appraiser(person, province):
            raise ValidationError(
                {
                    "appraisers": _("%(name)s is not an appraiser of this province.")
                    % {"name": person}
                }
            )
        if person is None:
            chosen.pop(org_id, None)
        else:
            chosen[org_id] = person
    assessment = Assessment.objects.create(
        province=province,
        framework=framework,
        year=year,
        scope=scope,
        title=clean_text(title, TITLE_LIMIT, field="title")
        or _("%(tree)s assessment %(year)s") % {"tree": framework.name[:150], "year": year},
        deadline=deadline,
        classes=check_classes(classes) if classes is not None else default_classes(),
        opened_by=by,
    )
    tree = _tree(framework)
    leaves = scoring.leaves(tree.spec)
    nodes = {n.code: n.pk for n in framework.nodes.filter(code__in=[leaf.code for leaf in leaves])}
    empty = _scores(scoring.score_unit(tree, {}, {}))
    units = AssessedUnit.objects.bulk_create(
        AssessedUnit(
            assessment=assessment,
            organisation=org,
            appraiser=chosen.get(org.pk),
            scores=empty,
            self_total=Decimal(empty["total"]["self"]),
            final_total=Decimal(empty["total"]["final"]),
        )
        for org in organisations
    )
    entries = Entry.objects.bulk_create(
        Entry(unit=unit, node_id=nodes[leaf.code], position=position, self_points=Decimal(0))
        for unit in units
        for position, leaf in enumerate(leaves, start=1)
    )
    refresh_statistics({AssessedUnit: len(units), Entry: len(entries)})
    record(
        by,
        "assessment.open",
        assessment,
        province=province,
        changes={
            "units": [None, len(units)],
            "tree": [None, str(framework)],
            "year": [None, year],
            "deadline": [None, deadline.isoformat()],
        },
    )
    return assessment


@transaction.atomic
def update_assessment(
    assessment: Assessment,
    *,
    by: User | None,
    title: str | None = None,
    deadline: date | None = None,
    classes: Sequence[Mapping[str, Any]] | None = None,
) -> Assessment:
    """Change the title, the deadline or the classification bands (coordinators)."""
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise _deny()
    changes: dict[str, list[Any]] = {}
    if title is not None:
        new_title = clean_text(title, TITLE_LIMIT, field="title")
        if not new_title:
            raise ValidationError({"title": _("Give the assessment a title.")})
        if new_title != assessment.title:
            changes["title"] = [assessment.title, new_title]
            assessment.title = new_title
    if deadline is not None and deadline != assessment.deadline:
        changes["deadline"] = [assessment.deadline.isoformat(), deadline.isoformat()]
        assessment.deadline = deadline
    if classes is not None:
        checked = check_classes(classes)
        if checked != assessment.classes:
            changes["classes"] = [assessment.classes, checked]
            assessment.classes = checked
    if changes:
        assessment.save()
        record(
            by, "assessment.update", assessment, province=assessment.province_id, changes=changes
        )
    return assessment


@transaction.atomic
def set_appraiser(unit: AssessedUnit, *, by: User | None, appraiser: User | None) -> AssessedUnit:
    assessment = unit.assessment
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise _deny()
    if appraiser is not None and not _is_appraiser(appraiser, assessment.province):
        raise ValidationError(
            {"appraiser": _("%(name)s is not an appraiser of this province.") % {"name": appraiser}}
        )
    old = str(unit.appraiser) if unit.appraiser_id else None
    unit.appraiser = appraiser
    unit.save(update_fields=["appraiser", "updated_at"])
    record(
        by,
        "assessment.unit.appraiser",
        unit,
        province=assessment.province_id,
        changes={"appraiser": [old, str(appraiser) if appraiser else None]},
    )
    return unit


# --- scores ------------------------------------------------------------------------------------


def leaf_input(entry: Entry, node_unit: str) -> scoring.LeafInput | None:
    """What the engine takes for this entry's input, or None when nothing was entered."""
    if entry.band:
        return scoring.LeafInput.choice(entry.band)
    if entry.numerator is not None:
        if node_unit == Unit.COUNT:
            return scoring.LeafInput.number(entry.numerator)
        return scoring.LeafInput.ratio(entry.numerator, entry.denominator or Decimal(0))
    if entry.value is not None:
        return scoring.LeafInput.number(entry.value)
    return None


# The cached columns keep six places (see models.POINTS); the JSON cache keeps the exact value.
_SIX_PLACES = Decimal("0.000001")


def _cached(value: Decimal) -> Decimal:
    return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _scores(result: scoring.UnitScores) -> dict[str, Any]:
    """The unit's cached scores as JSON: self, appraised and final points of every node as
    exact decimal text, the band and the engine's trace of each leaf, the missing leaves."""
    return {
        "self": {code: _text(p) for code, p in result.self_points.items()},
        "appraised": {code: _text(p) for code, p in result.appraised_points.items()},
        "final": {code: _text(p) for code, p in result.final_points.items()},
        "bands": result.bands,
        "traces": result.traces,
        "missing": result.missing,
        "total": {
            "self": _text(result.self_total),
            "appraised": _text(result.appraised_total),
            "final": _text(result.final_total),
        },
    }


def _rescore(
    unit: AssessedUnit, tree: scoring.CompiledTree, entries: Sequence[Entry]
) -> tuple[list[Entry], scoring.UnitScores]:
    """Score the unit's entries with the engine; set the cached points on the unit and on the
    entries. Returns the entries whose self-score changed (for the caller's bulk update) and
    the scores, whose `problems` name inputs the engine could not use."""
    units_of = {n.code: n.unit for n in tree.spec.nodes}
    inputs: dict[str, scoring.LeafInput] = {}
    appraised: dict[str, Decimal] = {}
    for entry in entries:
        code = entry.node.code
        given = leaf_input(entry, units_of.get(code, ""))
        if given is not None:
            inputs[code] = given
        if entry.appraised_points is not None:
            appraised[code] = entry.appraised_points
    result = scoring.score_unit(tree, inputs, appraised)
    changed: list[Entry] = []
    for entry in entries:
        code = entry.node.code
        points = _cached(result.self_points.get(code, Decimal(0)))
        band = result.bands.get(code, "")
        if entry.self_points != points or entry.self_band != band:
            entry.self_points, entry.self_band = points, band
            changed.append(entry)
    unit.scores = _scores(result)
    unit.self_total = _cached(result.self_total)
    unit.appraised_total = (
        None if result.appraised_total is None else _cached(result.appraised_total)
    )
    unit.final_total = _cached(result.final_total)
    return changed, result


def _tree(framework: Framework) -> scoring.CompiledTree:
    return scoring.compile_tree(spec_from_framework(framework))


def _locked(unit: AssessedUnit) -> AssessedUnit:
    return (
        AssessedUnit.objects.select_for_update(of=("self",))
        .select_related("assessment__framework", "organisation")
        .get(pk=unit.pk)
    )


def _entries(unit: AssessedUnit) -> list[Entry]:
    return list(unit.entries.select_related("node").order_by("position", "pk"))


def rescore_unit(unit: AssessedUnit) -> AssessedUnit:
    """Recompute a unit's cached scores from its entries (after a tree fix, for instance)."""
    with transaction.atomic():
        locked = _locked(unit)
        entries = _entries(locked)
        changed, _result = _rescore(locked, _tree(locked.assessment.framework), entries)
        Entry.objects.bulk_update(changed, ["self_points", "self_band"])
        locked.save()
    return locked


# --- self-assessment ---------------------------------------------------------------------------


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP
"""An EntryInput field left at KEEP is not changed by the save."""


@dataclass
class EntryInput:
    """What a unit enters for one leaf. Numbers may be given as typed ("95,5"); "" or None
    clears a field; fields left at KEEP stay as they are."""

    band: str | _Keep = KEEP
    value: Decimal | str | _Keep | None = KEEP
    numerator: Decimal | str | _Keep | None = KEEP
    denominator: Decimal | str | _Keep | None = KEEP
    explanation: str | _Keep = KEEP
    evidence_partial: bool | _Keep = KEEP
    # The ids of the unit's documents this entry cites (replaces the entry's list).
    documents: list[int] | _Keep = KEEP
    # Take the value proposed from the reporting rounds (see `proposals.proposals_for`).
    use_proposal: bool = False


def _number_field(
    given: Decimal | str | _Keep | None, key: str, errors: dict[str, str]
) -> Decimal | _Keep | None:
    if given is KEEP:
        return KEEP
    assert not isinstance(given, _Keep)
    try:
        number = read_number(given)
    except ValueError as error:
        errors[key] = str(error)
        return None
    if number is not None:
        problem = decimal_error(number, VALUE)
        if problem:
            errors[key] = problem
            return None
        if number < 0:
            errors[key] = _("A count cannot be negative.")
            return None
    return number


def _apply(
    entry: Entry,
    data: EntryInput,
    errors: dict[str, str],
    changes: dict[str, list[Any]],
) -> bool:
    """Copy `data` onto `entry`; True when anything changed."""
    code = entry.node.code
    before = _describe(entry)
    input_before = _input_of(entry)
    if data.band is not KEEP:
        assert isinstance(data.band, str)
        entry.band = clean_text(data.band, inputs.LONG_TEXT_LIMIT, field=f"{code}-band")
    numbers = {
        name: _number_field(getattr(data, name), f"{code}-{name}", errors)
        for name in ("value", "numerator", "denominator")
    }
    for name, number in numbers.items():
        if number is not KEEP:
            setattr(entry, name, number)
    if data.band is not KEEP and entry.band:
        entry.value = entry.numerator = entry.denominator = None
    elif any(n is not KEEP and n is not None for n in numbers.values()):
        entry.band = ""
        if numbers["value"] is not KEEP and numbers["value"] is not None:
            entry.numerator = entry.denominator = None
        elif numbers["numerator"] is not KEEP and numbers["numerator"] is not None:
            entry.value = None
    if data.explanation is not KEEP:
        assert isinstance(data.explanation, str)
        try:
            entry.explanation = clean_text(
                data.explanation, EXPLANATION_LIMIT, field=f"{code}-explanation"
            )
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if data.evidence_partial is not KEEP:
        entry.evidence_partial = bool(data.evidence_partial)
    after = _describe(entry)
    if after != before:
        changes[code] = [before, after]
        # A typed value replaces a proposed one, and says so.
        if not data.use_proposal and _input_of(entry) != input_before:
            entry.source, entry.source_report = "", None
        return True
    return False


def _input_of(entry: Entry) -> tuple[str, Decimal | None, Decimal | None, Decimal | None]:
    return (entry.band, entry.value, entry.numerator, entry.denominator)


def _plain(value: Decimal | None) -> str | None:
    """A value as people read it, the same stored ("95.5000") or typed ("95,5"): 95.5."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _describe(entry: Entry) -> str:
    """One line for the history: input · explanation. Compared before and after a save, so a
    value typed again as it is stored is no change."""
    if entry.band:
        shown = entry.band
    elif entry.numerator is not None:
        shown = f"{_plain(entry.numerator)}/{_plain(entry.denominator)}"
    else:
        shown = _plain(entry.value) or "—"
    parts = [shown]
    if entry.explanation:
        parts.append(entry.explanation[:120])
    if entry.evidence_partial:
        parts.append("partial evidence")
    return " · ".join(parts)


def _stale(unit: AssessedUnit) -> StaleUnit:
    from parindex.orgs.models import AuditEntry

    later = AuditEntry.objects.filter(
        object_type="assessment.assessedunit", object_id=str(unit.pk)
    ).order_by("-at", "-id")[:5]
    return StaleUnit(
        _(
            "Someone saved this self-assessment after you opened it; reload to see their changes before saving yours."
        ),
        [f"{e.actor_name}: {', '.join(sorted(e.changes))}" for e in later],
    )


@transaction.atomic
def save_entries(
    unit: AssessedUnit,
    *,
    by: User | None,
    version: int,
    entries: Mapping[str, EntryInput],
) -> tuple[AssessedUnit, dict[str, str]]:
    """Save what the unit entered, keyed by leaf code, and rescore the unit.

    Returns the unit and the field errors ("1.1.2-numerator": message); nothing is saved when
    there is any. A save carrying an older `version` than the stored one raises StaleUnit. While
    the unit is returned for more evidence, only the entries asked about can change. The number
    of queries does not grow with the number of entries saved.
    """
    locked = _locked(unit)
    if by is not None and not access.can_self_assess(by, locked):
        raise _deny()
    if locked.version != version:
        raise _stale(locked)
    tree = _tree(locked.assessment.framework)
    spec = tree.spec
    rows = _entries(locked)
    by_code = {e.node.code: e for e in rows}
    method = {n.code: n.method for n in spec.nodes}
    errors: dict[str, str] = {}
    changes: dict[str, list[Any]] = {}
    dirty: list[Entry] = []
    proposed: dict[str, Any] = {}
    if any(d.use_proposal for d in entries.values()):
        from parindex.assessment.proposals import proposals_for

        proposed = proposals_for(locked, [c for c, d in entries.items() if d.use_proposal])
    links: dict[int, list[int]] = {}
    for code, data in entries.items():
        entry = by_code.get(code)
        if entry is None:
            raise ValidationError(
                _("%(code)s is not a sub-criterion of this assessment.") % {"code": code}
            )
        if method.get(code) == Method.SURVEY:
            errors[f"{code}-value"] = _(
                "%(code)s is scored from the survey results Home Affairs enters."
            ) % {"code": code}
            continue
        if locked.status == UnitStatus.RETURNED and entry.appraisal != Appraisal.REQUESTED:
            errors[f"{code}-value"] = _(
                "%(code)s was not returned to the unit: only returned items can change now."
            ) % {"code": code}
            continue
        if data.use_proposal:
            proposal = proposed.get(code)
            if proposal is None:
                errors[f"{code}-value"] = _("No reported value to propose for %(code)s.") % {
                    "code": code
                }
                continue
            data = _with_proposal(data, proposal)
            entry.source, entry.source_report_id = proposal.source[:255], proposal.report_id
        try:
            changed = _apply(entry, data, errors, changes)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
            continue
        if not any(k.startswith(f"{code}-") for k in errors):
            _check_spec_input(spec, entry, errors)
        if data.documents is not KEEP:
            assert isinstance(data.documents, list)
            links[entry.pk] = sorted(set(data.documents))
        if changed:
            dirty.append(entry)
    if links:
        _check_documents(locked, links, errors)
    changed_scores, result = _rescore(locked, tree, rows)
    for problem in result.problems:
        if problem.code in entries:
            errors.setdefault(f"{problem.code}-value", problem.message)
    if errors:
        transaction.set_rollback(True)
        return unit, errors
    if links:
        _link_documents(links, rows, changes)
    Entry.objects.bulk_update(
        {e.pk: e for e in [*dirty, *changed_scores]}.values(),
        [
            "band",
            "value",
            "numerator",
            "denominator",
            "explanation",
            "evidence_partial",
            "source",
            "source_report",
            "self_points",
            "self_band",
        ],
    )
    locked.version += 1
    locked.save()
    if changes:
        record(
            by,
            "assessment.unit.save",
            locked,
            province=locked.assessment.province_id,
            changes=changes,
        )
    return locked, {}


def _with_proposal(data: EntryInput, proposal: Any) -> EntryInput:
    if proposal.numerator is not None and proposal.denominator is not None:
        return replace(
            data, value=None, numerator=proposal.numerator, denominator=proposal.denominator
        )
    return replace(data, value=proposal.value, numerator=None, denominator=None)


def _check_spec_input(spec: FrameworkSpec, entry: Entry, errors: dict[str, str]) -> None:
    """`_check_input` against the tree as read once for the save (no query per entry)."""
    node_spec = spec.node(entry.node.code)
    assert node_spec is not None
    key = node_spec.code
    if entry.band:
        if node_spec.scoring != Scoring.CATEGORICAL:
            errors[f"{key}-band"] = _("%(code)s is scored from a value, not a band.") % {
                "code": key
            }
        elif (label := _band_label(node_spec, entry.band)) is not None:
            entry.band = label
        else:
            errors[f"{key}-band"] = _("%(code)s has no band “%(band)s”.") % {
                "code": key,
                "band": entry.band[:80],
            }
        return
    if node_spec.scoring == Scoring.CATEGORICAL and (
        entry.value is not None or entry.numerator is not None
    ):
        errors[f"{key}-value"] = _("%(code)s is scored by choosing a band.") % {"code": key}
        return
    numerator, denominator = entry.numerator, entry.denominator
    if numerator is None and denominator is not None:
        errors[f"{key}-numerator"] = _("Enter the count as well as its total.")
    if numerator is not None and node_spec.unit == Unit.PERCENT:
        if denominator is None:
            errors[f"{key}-denominator"] = _("A rate needs the total it is a share of.")
        elif denominator == 0:
            errors[f"{key}-denominator"] = _("The total cannot be 0.")
        elif numerator > denominator:
            errors[f"{key}-numerator"] = _(
                "The count (%(num)s) is larger than its total (%(den)s)."
            ) % {"num": _text(numerator), "den": _text(denominator)}
    if entry.value is not None and node_spec.unit == Unit.PERCENT and entry.value > 100:
        errors[f"{key}-value"] = _("A rate is at most 100%.")


def _band_label(node: NodeSpec, given: str) -> str | None:
    """The leaf's band label `given` names, compared without case or tone marks."""
    key = fold(given)
    found = [b.label for b in node.bands if b.label == given or fold(b.label) == key]
    return found[0] if len(found) == 1 or (found and found[0] == given) else None


def _check_documents(
    unit: AssessedUnit, links: Mapping[int, list[int]], errors: dict[str, str]
) -> None:
    wanted = {d for ids in links.values() for d in ids}
    own = set(Document.objects.filter(unit=unit, pk__in=wanted).values_list("pk", flat=True))
    for missing in sorted(wanted - own):
        errors[f"document-{missing}"] = _(
            "Document %(id)s is not one of this unit's documents."
        ) % {"id": missing}


def _link_documents(
    links: Mapping[int, list[int]], rows: Sequence[Entry], changes: dict[str, list[Any]]
) -> None:
    """Set each entry's cited documents with three queries, however many entries change."""
    through = Entry.documents.through
    current: dict[int, set[int]] = {pk: set() for pk in links}
    for entry_id, document_id in through.objects.filter(entry_id__in=list(links)).values_list(
        "entry_id", "document_id"
    ):
        current[entry_id].add(document_id)
    codes = {e.pk: e.node.code for e in rows}
    removed = [(e, d) for e, ids in current.items() for d in ids - set(links[e])]
    added = [(e, d) for e, ids in links.items() for d in set(ids) - current[e]]
    if removed:
        from django.db.models import Q

        condition = Q()
        for entry_id, document_id in removed:
            condition |= Q(entry_id=entry_id, document_id=document_id)
        through.objects.filter(condition).delete()
    if added:
        through.objects.bulk_create(through(entry_id=e, document_id=d) for e, d in added)
    for entry_id, ids in links.items():
        if set(ids) != current[entry_id]:
            changes[f"{codes[entry_id]}: documents"] = [
                sorted(current[entry_id]),
                sorted(ids),
            ]


# --- evidence documents ------------------------------------------------------------------------


@transaction.atomic
def add_document(
    unit: AssessedUnit,
    *,
    by: User | None,
    number: str = "",
    date_: date | None = None,
    issuer: str = "",
    title: str = "",
    upload: UploadedFile | None = None,
    codes: Sequence[str] = (),
) -> Document:
    """Record an evidence document of the unit (number, date, issuer, optional file) and cite it
    from the entries of `codes`. Cite it from more entries later with `attach_document`."""
    if by is not None and not access.can_self_assess(by, unit):
        raise _deny()
    document = Document(
        unit=unit,
        number=clean_text(number, 64, field="number"),
        date=date_,
        issuer=clean_text(issuer, 255, field="issuer"),
        title=clean_text(title, 500, field="title"),
        uploaded_by=by,
    )
    if not (document.number or document.title or upload is not None):
        raise ValidationError({"number": _("Give the document's number, its title or its file.")})
    if upload is not None:
        _store_file(document, upload)
    document.save()
    record(
        by,
        "assessment.document.add",
        unit,
        province=unit.assessment.province_id,
        changes={"document": [None, str(document)]},
    )
    if codes:
        attach_document(document, by=by, codes=codes)
    return document


def _store_file(document: Document, upload: UploadedFile) -> None:
    from django.core.files.base import ContentFile
    from django.utils.crypto import get_random_string

    from parindex.reporting.actions import sniff

    limit = settings.PARINDEX_MAX_EVIDENCE_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is larger than %(mb)s MB.")
                % {"name": upload.name, "mb": limit // 1_000_000}
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is larger than %(mb)s MB.")
                % {"name": upload.name, "mb": limit // 1_000_000}
            }
        )
    kind = sniff(data[:16], data)
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is not a PDF, Word, Excel or image file (judged by its content)."
                )
                % {"name": upload.name}
            }
        )
    content_type, extension = kind
    name = clean_input((upload.name or "evidence").rsplit("/", 1)[-1])[:200]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    document.name, document.content_type, document.size = name, content_type, len(data)
    document.file.save(
        f"{get_random_string(12)}-{stem[:60]}{extension}", ContentFile(data), save=False
    )


@transaction.atomic
def store_document_file(document: Document, *, by: User | None, upload: UploadedFile) -> Document:
    """Store (or replace) the file of a recorded document."""
    unit = document.unit
    if by is not None and not access.can_self_assess(by, unit):
        raise _deny()
    old = document.file.name if document.file else None
    _store_file(document, upload)
    document.save()
    if old:
        document.file.storage.delete(old)
    record(
        by,
        "assessment.document.file",
        unit,
        province=unit.assessment.province_id,
        changes={f"{document}: file": [old and old.rsplit("/", 1)[-1], document.name]},
    )
    return document


@transaction.atomic
def attach_document(document: Document, *, by: User | None, codes: Sequence[str]) -> Document:
    """Cite an already recorded document from more entries of its unit (no second upload)."""
    unit = document.unit
    if by is not None and not access.can_self_assess(by, unit):
        raise _deny()
    entries = {
        e.node.code: e for e in unit.entries.select_related("node").filter(node__code__in=codes)
    }
    unknown = [c for c in codes if c not in entries]
    if unknown:
        raise ValidationError(
            _("%(code)s is not a sub-criterion of this assessment.") % {"code": ", ".join(unknown)}
        )
    through = Entry.documents.through
    already = set(
        through.objects.filter(document=document, entry__in=entries.values()).values_list(
            "entry_id", flat=True
        )
    )
    new = [e for e in entries.values() if e.pk not in already]
    through.objects.bulk_create(through(entry_id=e.pk, document_id=document.pk) for e in new)
    if new:
        record(
            by,
            "assessment.document.attach",
            unit,
            province=unit.assessment.province_id,
            changes={f"{e.node.code}: documents": [None, str(document)] for e in new},
        )
    return document


@transaction.atomic
def remove_document(document: Document, *, by: User | None) -> None:
    unit = document.unit
    if by is not None and not access.can_self_assess(by, unit):
        raise _deny()
    record(
        by,
        "assessment.document.remove",
        unit,
        province=unit.assessment.province_id,
        changes={"document": [str(document), None]},
    )
    if document.file:
        document.file.delete(save=False)
    document.delete()


# --- survey results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyResult:
    """A survey-based leaf's result for one unit: a rate in percent, or its counts."""

    organisation_id: int
    code: str
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    source: str = ""


def _results_frame(
    assessment: Assessment, by: User | None
) -> tuple[scoring.CompiledTree, dict[int, AssessedUnit]]:
    """What entering measured results needs first: the right to, an open appraisal, the tree,
    and the assessment's units, locked (by organisation)."""
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise _deny()
    if assessment.status != AssessmentStatus.OPEN:
        raise ValidationError(_("The appraisal of this assessment is closed."))
    tree = _tree(assessment.framework)
    return tree, {u.organisation_id: u for u in assessment.units.select_for_update(of=("self",))}


class _Coded(Protocol):
    """A measured result for one sub-criterion (SurveyResult, DossierResult)."""

    @property
    def code(self) -> str: ...


_Measured = TypeVar("_Measured", bound=_Coded)


def _write_results(
    assessment: Assessment,
    by: User | None,
    tree: scoring.CompiledTree,
    rows_by_unit: dict[AssessedUnit, list[_Measured]],
    put: Callable[[Entry, _Measured], bool],
    fields: Sequence[str],
    audit_code: str,
    *,
    new_version: bool,
) -> int:
    """Write checked results unit by unit: `put` sets an entry from its result (False leaves
    the entry as it is), the unit is rescored, only the rows entered or rescored are written
    (rewriting every entry of every unit made an import for a province's communes take
    minutes), and what changed is audited under `audit_code`. Returns the entries written."""
    written = 0
    for unit, rows in rows_by_unit.items():
        entries = _entries(unit)
        by_code = {e.node.code: e for e in entries}
        changes: dict[str, list[Any]] = {}
        entered: list[Entry] = []
        for result in rows:
            entry = by_code[result.code]
            before = _describe(entry)
            if not put(entry, result):
                continue
            entered.append(entry)
            after = _describe(entry)
            if after != before:
                changes[result.code] = [before, after]
        if not entered:
            continue
        written += len(entered)
        rescored, scores = _rescore(unit, tree, entries)
        refused = [p.message for p in scores.problems]
        if refused:
            raise ValidationError(refused)
        Entry.objects.bulk_update(
            {e.pk: e for e in [*entered, *rescored]}.values(),
            [*fields, "self_points", "self_band"],
        )
        if new_version:
            unit.version += 1
        unit.save()
        if changes:
            record(by, audit_code, unit, province=assessment.province_id, changes=changes)
    return written


@transaction.atomic
def enter_survey_results(
    assessment: Assessment, *, by: User | None, results: Sequence[SurveyResult]
) -> int:
    """Home Affairs enters or imports the survey results of survey-based leaves, per unit; the
    units are rescored. All or nothing: any bad row refuses the whole set, naming it."""
    tree, units = _results_frame(assessment, by)
    problems: list[str] = []
    by_unit: dict[AssessedUnit, list[SurveyResult]] = {}
    for row_number, result in enumerate(results, start=1):
        node = tree.spec.node(result.code)
        if node is None or node.method != Method.SURVEY:
            problems.append(
                _("Row %(n)s: %(code)s is not a survey-based sub-criterion.")
                % {"n": row_number, "code": result.code}
            )
        elif result.organisation_id not in units:
            problems.append(_("Row %(n)s: the unit is not assessed here.") % {"n": row_number})
        else:
            for number in (result.value, result.numerator, result.denominator):
                if number is not None and (decimal_error(number, VALUE) or number < 0):
                    problems.append(
                        _("Row %(n)s: %(value)s is not a value this column can hold.")
                        % {"n": row_number, "value": number}
                    )
            by_unit.setdefault(units[result.organisation_id], []).append(result)
    if problems:
        raise ValidationError(problems)

    def put(entry: Entry, result: SurveyResult) -> bool:
        entry.band = ""
        entry.value, entry.numerator, entry.denominator = (
            result.value,
            result.numerator,
            result.denominator,
        )
        entry.source = clean_text(result.source, 255, field="source") or _("Survey results")
        return True

    _write_results(
        assessment,
        by,
        tree,
        by_unit,
        put,
        ["band", "value", "numerator", "denominator", "source"],
        "assessment.unit.survey",
        new_version=False,
    )
    return len(results)


# --- results computed from dossiers ------------------------------------------------------------


@dataclass(frozen=True)
class DossierResult:
    """A rate computed from the one-stop-shop dossiers for one unit's sub-criterion."""

    organisation_id: int
    code: str
    numerator: Decimal
    denominator: Decimal
    source: str = ""


@transaction.atomic
def enter_dossier_results(
    assessment: Assessment, *, by: User | None, results: Sequence[DossierResult]
) -> int:
    """Home Affairs enters rates computed from the dossier records into self-assessed rate
    sub-criteria, per unit, as numerator and denominator; the units are rescored and their
    version moves on (a form opened before is stale). An entry already appraised (accepted or
    scored) is left as it is: the appraisal settled it. All or nothing: any bad row refuses the
    whole set, naming it. Returns the entries written."""
    tree, units = _results_frame(assessment, by)
    problems: list[str] = []
    by_unit: dict[AssessedUnit, list[DossierResult]] = {}
    for row_number, result in enumerate(results, start=1):
        node = tree.spec.node(result.code)
        if (
            node is None
            or result.code not in tree.leaves
            or node.method == Method.SURVEY
            or node.unit != Unit.PERCENT
        ):
            problems.append(
                _("Row %(n)s: %(code)s is not a self-assessed rate sub-criterion.")
                % {"n": row_number, "code": result.code}
            )
        elif result.organisation_id not in units:
            problems.append(_("Row %(n)s: the unit is not assessed here.") % {"n": row_number})
        elif result.denominator <= 0 or not 0 <= result.numerator <= result.denominator:
            problems.append(
                _("Row %(n)s: %(num)s of %(den)s is not a rate.")
                % {"n": row_number, "num": result.numerator, "den": result.denominator}
            )
        else:
            for number in (result.numerator, result.denominator):
                if decimal_error(number, VALUE):
                    problems.append(
                        _("Row %(n)s: %(value)s is not a value this column can hold.")
                        % {"n": row_number, "value": number}
                    )
            by_unit.setdefault(units[result.organisation_id], []).append(result)
    if problems:
        raise ValidationError(problems)

    def put(entry: Entry, result: DossierResult) -> bool:
        if entry.appraisal in (Appraisal.ACCEPTED, Appraisal.SCORED):
            return False
        entry.band = ""
        entry.value = None
        entry.numerator, entry.denominator = result.numerator, result.denominator
        entry.source = clean_text(result.source, 255, field="source") or _("Computed from dossiers")
        entry.source_report = None
        return True

    return _write_results(
        assessment,
        by,
        tree,
        by_unit,
        put,
        ["band", "value", "numerator", "denominator", "source", "source_report"],
        "assessment.unit.dossiers",
        new_version=True,
    )


# --- submitting --------------------------------------------------------------------------------


def submit_problems(unit: AssessedUnit) -> list[str]:
    """Why the unit cannot be submitted yet: each self-assessed leaf needs an input or an
    explanation, and an explanation wherever its evidence is missing or partial."""
    from django.db.models import Count

    problems: list[str] = []
    entries = (
        unit.entries.select_related("node")
        .annotate(document_count=Count("documents"))
        .order_by("position", "pk")
    )
    for entry in entries:
        node = entry.node
        if node.method == Method.SURVEY or entry.explanation:
            continue
        if not entry.has_input:
            problems.append(
                _("%(code)s %(name)s: enter a value or explain why there is none.")
                % {"code": node.code, "name": node.name[:80]}
            )
        elif entry.evidence_partial:
            problems.append(
                _("%(code)s %(name)s: the evidence is partial; explain what is missing.")
                % {"code": node.code, "name": node.name[:80]}
            )
        elif not getattr(entry, "document_count", 0) and not entry.source_report_id:
            problems.append(
                _("%(code)s %(name)s: attach evidence or explain why there is none.")
                % {"code": node.code, "name": node.name[:80]}
            )
    return problems


@transaction.atomic
def submit_unit(unit: AssessedUnit, *, by: User | None, at: datetime | None = None) -> AssessedUnit:
    """The unit's head submits its self-assessment for appraisal; refused, naming every leaf,
    while a leaf lacks both an input and an explanation or its missing evidence is unexplained."""
    locked = _locked(unit)
    if by is not None and not access.can_submit_unit(by, locked):
        raise _deny()
    if locked.status != UnitStatus.DRAFT:
        raise ValidationError(_("This self-assessment is already submitted."))
    problems = submit_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.submitted_at = at or timezone.now()
    locked.submitted_by = by
    _transition(locked, by, UnitStatus.SUBMITTED, "assessment.unit.submit")
    return locked


def _transition(
    unit: AssessedUnit, by: User | None, new: str, action: str, extra: dict[str, Any] | None = None
) -> None:
    old = unit.status
    unit.status = new
    unit.version += 1
    unit.save()
    record(
        by,
        action,
        unit,
        province=unit.assessment.province_id,
        changes={"status": [old, new], **(extra or {})},
    )


# --- appraisal ---------------------------------------------------------------------------------


class Decision(StrEnum):
    ACCEPT = "accept"  # the self-score stands as the appraised score
    SCORE = "score"  # the appraiser sets the score, with a reason
    REQUEST = "request"  # more evidence: the item returns to the unit


APPRAISABLE = (UnitStatus.SUBMITTED, UnitStatus.RETURNED, UnitStatus.ANSWERED)


def _settle(unit: AssessedUnit, entries: Sequence[Entry]) -> str:
    """The unit's status from its entries: returned while any request is open, answered when
    the last one was answered."""
    if any(e.appraisal == Appraisal.REQUESTED for e in entries):
        return UnitStatus.RETURNED
    if unit.status == UnitStatus.RETURNED:
        return UnitStatus.ANSWERED
    return unit.status


@transaction.atomic
def appraise_entry(
    unit: AssessedUnit,
    code: str,
    *,
    by: User | None,
    decision: Decision | str,
    points: Decimal | str | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> Entry:
    """The unit's appraiser (or a coordinator) accepts a leaf's self-score, sets its score with a
    reason, or asks for more evidence (the item returns to the unit, which answers)."""
    locked = _locked(unit)
    if by is not None and not access.can_appraise(by, locked):
        raise _deny()
    if locked.status not in APPRAISABLE:
        raise ValidationError(_("Only a submitted self-assessment can be appraised."))
    try:
        decision = Decision(decision)
    except ValueError as error:
        raise ValidationError(
            {"decision": _("Use one of: %(kinds)s.") % {"kinds": "accept, score, request"}}
        ) from error
    comment = clean_text(comment, COMMENT_LIMIT, field="comment")
    tree = _tree(locked.assessment.framework)
    entries = _entries(locked)
    entry = next((e for e in entries if e.node.code == code), None)
    if entry is None:
        raise ValidationError(
            _("%(code)s is not a sub-criterion of this assessment.") % {"code": code}
        )
    before = f"{entry.appraisal} {_text(entry.appraised_points) or ''} {entry.appraisal_comment[:80]}".strip()
    if decision == Decision.ACCEPT:
        entry.appraisal = Appraisal.ACCEPTED
        entry.appraised_points = entry.self_points or Decimal(0)
        entry.appraisal_comment = comment
    elif decision == Decision.SCORE:
        try:
            number = read_number(points)
        except ValueError as error:
            raise ValidationError({"points": str(error)}) from error
        if number is None:
            raise ValidationError({"points": _("Enter the appraised points.")})
        problem = decimal_error(number, POINTS)
        if problem:
            raise ValidationError({"points": problem})
        if not Decimal(0) <= number <= entry.node.max_points:
            raise ValidationError(
                {
                    "points": _("The points of %(code)s are between 0 and %(max)s.")
                    % {"code": code, "max": _text(entry.node.max_points.normalize())}
                }
            )
        if not comment:
            raise ValidationError({"comment": _("Give the reason for the appraised score.")})
        entry.appraisal = Appraisal.SCORED
        entry.appraised_points = number
        entry.appraisal_comment = comment
    else:
        if not comment:
            raise ValidationError({"comment": _("Say what evidence is needed.")})
        entry.appraisal = Appraisal.REQUESTED
        entry.appraised_points = None
        entry.appraisal_comment = comment
        entry.answer, entry.answered_at = "", None
    entry.appraised_by = by
    entry.appraised_at = at or timezone.now()
    entry.save()
    _rescore(locked, tree, entries)
    new_status = _settle(locked, entries)
    after = f"{entry.appraisal} {_text(entry.appraised_points) or ''} {entry.appraisal_comment[:80]}".strip()
    extra = {code: [before, after]}
    if new_status != locked.status:
        _transition(locked, by, new_status, "assessment.unit.appraise", extra)
    else:
        locked.version += 1
        locked.save()
        record(
            by,
            "assessment.unit.appraise",
            locked,
            province=locked.assessment.province_id,
            changes=extra,
        )
    return entry


@transaction.atomic
def answer_entry(
    unit: AssessedUnit, code: str, *, by: User | None, answer: str, at: datetime | None = None
) -> Entry:
    """The unit answers a request for more evidence (after adding documents or changing the
    input with `save_entries`); when the last request is answered the unit is `answered`."""
    locked = _locked(unit)
    if by is not None and not access.can_self_assess(by, locked):
        raise _deny()
    entries = _entries(locked)
    entry = next((e for e in entries if e.node.code == code), None)
    if entry is None:
        raise ValidationError(
            _("%(code)s is not a sub-criterion of this assessment.") % {"code": code}
        )
    if entry.appraisal != Appraisal.REQUESTED:
        raise ValidationError(_("No evidence was requested for %(code)s.") % {"code": code})
    text = clean_text(answer, EXPLANATION_LIMIT, field="answer")
    if not text:
        raise ValidationError({"answer": _("Write the answer to the appraiser's request.")})
    entry.answer, entry.answered_at = text, at or timezone.now()
    entry.appraisal = Appraisal.ANSWERED
    entry.save(update_fields=["answer", "answered_at", "appraisal"])
    new_status = _settle(locked, entries)
    extra = {code: [Appraisal.REQUESTED.value, f"{Appraisal.ANSWERED.value} {text[:80]}"]}
    if new_status != locked.status:
        _transition(locked, by, new_status, "assessment.unit.answer", extra)
    else:
        locked.version += 1
        locked.save()
        record(
            by,
            "assessment.unit.answer",
            locked,
            province=locked.assessment.province_id,
            changes=extra,
        )
    return entry


@transaction.atomic
def finish_unit_appraisal(
    unit: AssessedUnit, *, by: User | None, at: datetime | None = None
) -> AssessedUnit:
    """Close a unit's appraisal: every leaf not appraised yet (or answered and not appraised
    again) keeps its self-score as the appraised score. Refused while a request is open."""
    locked = _locked(unit)
    if by is not None and not access.can_appraise(by, locked):
        raise _deny()
    if locked.status == UnitStatus.RETURNED:
        raise ValidationError(_("Wait for the unit's answers before closing its appraisal."))
    if locked.status not in (UnitStatus.SUBMITTED, UnitStatus.ANSWERED):
        raise ValidationError(_("Only a submitted self-assessment can be appraised."))
    tree = _tree(locked.assessment.framework)
    entries = _entries(locked)
    now = at or timezone.now()
    accepted = []
    for entry in entries:
        if entry.appraisal in (Appraisal.PENDING, Appraisal.ANSWERED):
            entry.appraisal = Appraisal.ACCEPTED
            entry.appraised_points = entry.self_points or Decimal(0)
            entry.appraised_by, entry.appraised_at = by, now
            accepted.append(entry)
    Entry.objects.bulk_update(
        accepted, ["appraisal", "appraised_points", "appraised_by", "appraised_at"]
    )
    _rescore(locked, tree, entries)
    locked.appraised_at = now
    _transition(
        locked,
        by,
        UnitStatus.APPRAISED,
        "assessment.unit.appraised",
        {
            "accepted as self-assessed": [None, len(accepted)],
            "final": [None, _text(locked.final_total)],
        },
    )
    return locked


@transaction.atomic
def close_appraisal(
    assessment: Assessment, *, by: User | None, at: datetime | None = None
) -> Assessment:
    """Close the assessment's appraisal (coordinators); refused, naming them, while a unit's
    appraisal is not finished."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise _deny()
    if assessment.status != AssessmentStatus.OPEN:
        raise ValidationError(_("The appraisal of this assessment is already closed."))
    pending = vi_sorted(
        assessment.units.exclude(status=UnitStatus.APPRAISED)
        .select_related("organisation")
        .order_by("pk"),
        key=lambda u: u.organisation.name,
    )
    if pending:
        raise ValidationError(
            [
                _("%(unit)s is not appraised yet (%(status)s).")
                % {"unit": u.organisation.name, "status": u.get_status_display()}
                for u in pending[:20]
            ]
        )
    assessment.status = AssessmentStatus.CLOSED
    assessment.closed_at = at or timezone.now()
    assessment.save()
    record(
        by,
        "assessment.close",
        assessment,
        province=assessment.province_id,
        changes={"status": [AssessmentStatus.OPEN.value, AssessmentStatus.CLOSED.value]},
    )
    return assessment


@transaction.atomic
def publish_results(
    assessment: Assessment, *, by: User | None, at: datetime | None = None
) -> Assessment:
    """Publish the results (coordinators): every unit then sees the ranking and the results."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if by is not None and not access.can_manage_assessment(by, assessment.province_id):
        raise _deny()
    if assessment.status != AssessmentStatus.CLOSED:
        raise ValidationError(_("Close the appraisal before publishing the results."))
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_at = at or timezone.now()
    assessment.save()
    record(
        by,
        "assessment.publish",
        assessment,
        province=assessment.province_id,
        changes={"status": [AssessmentStatus.CLOSED.value, AssessmentStatus.PUBLISHED.value]},
    )
    return assessment
