"""Every change to criteria trees: permission check, write, re-validation, audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from parindex.lib.text import clean
from parindex.methodology import store
from parindex.methodology.models import Band, Framework, FrameworkStatus, Node
from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    ImportResult,
    Method,
    Problem,
    Scoring,
    Severity,
    Unit,
)
from parindex.methodology.validation import normalise, validate
from parindex.orgs import access, inputs
from parindex.orgs.audit import diff, record, snapshot
from parindex.orgs.models import Organisation, User

FRAMEWORK_FIELDS = [
    "name",
    "code",
    "version",
    "decision_number",
    "decision_date",
    "issuer",
    "first_year",
    "last_year",
    "level",
    "declared_total",
    "description",
    "source",
    "status",
]
NODE_FIELDS = ["code", "name", "max_points", "method", "scoring", "unit", "note"]


class ImportRefused(Exception):
    """The input is malformed; nothing was saved. `problems` says what and where."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


def problem_dict(p: Problem) -> dict[str, Any]:
    return {
        "severity": p.severity.value,
        "kind": p.kind,
        "where": p.where,
        "line": p.line,
        "params": dict(p.params),
    }


def problem_from_dict(d: dict[str, Any]) -> Problem:
    return Problem(
        Severity(d["severity"]),
        d["kind"],
        d.get("where", ""),
        d.get("line"),
        tuple(sorted((d.get("params") or {}).items())),
    )


def stored_problems(framework: Framework) -> list[Problem]:
    return [problem_from_dict(d) for d in framework.problems]


def _require_manage(by: User | None, province_id: int | None) -> None:
    if by is not None and not access.can_manage_frameworks(by, province_id):
        raise PermissionDenied(_("You are not allowed to change this criteria tree."))


def _revalidate(framework: Framework) -> list[Problem]:
    """Re-check the stored tree; a tree with any error or gap stays a draft."""
    spec = store.spec_from_framework(framework)
    problems = validate(normalise(spec))
    framework.problems = [problem_dict(p) for p in problems if p.severity != Severity.WARNING]
    blocking = any(p.severity in (Severity.ERROR, Severity.GAP) for p in problems)
    framework.status = FrameworkStatus.DRAFT if blocking else FrameworkStatus.VALID
    framework.save(update_fields=["problems", "status", "updated_at"])
    return problems


@transaction.atomic
def import_framework(
    result: ImportResult,
    *,
    by: User | None,
    province: Organisation | None,
    overrides: dict[str, Any] | None = None,
) -> Framework:
    """Create a framework from an import. Malformed input raises ImportRefused, saving nothing.

    A well-formed but incomplete tree is saved as a draft with its gaps listed. A code that is
    already taken gets the next version number, so earlier versions stay as they were.
    """
    _require_manage(by, province.pk if province else None)
    if result.spec is None or result.errors:
        raise ImportRefused(result.errors or result.problems)
    spec = normalise(result.spec)
    for key, value in (overrides or {}).items():
        if value not in (None, ""):
            setattr(spec, key, value)
    if not spec.name:
        raise ImportRefused(
            [Problem(Severity.ERROR, "missing_field", "", None, (("field", "name"),))]
        )
    spec.code = spec.code or _slug(spec.name)
    problems = validate(spec) + storable_problems(spec)
    errors = [p for p in problems if p.severity == Severity.ERROR]
    if errors:
        raise ImportRefused(errors)
    existing = Framework.objects.filter(province=province, code=spec.code)
    latest = existing.aggregate(v=Max("version"))["v"]
    framework = Framework.objects.create(
        province=province,
        name=clean(spec.name),
        code=spec.code,
        version=(latest or 0) + 1 if latest is not None else max(spec.version, 1),
        decision_number=clean(spec.decision_number),
        decision_date=spec.decision_date,
        issuer=clean(spec.issuer),
        first_year=spec.first_year,
        last_year=spec.last_year,
        level=spec.level.value,
        declared_total=spec.declared_total,
        description=spec.description,
        source=spec.source,
    )
    store.write_nodes(framework, spec)
    _revalidate(framework)
    record(
        by,
        "methodology.framework.import",
        framework,
        province=province,
        changes={
            "nodes": [None, len(spec.nodes)],
            "status": [None, framework.status],
            "warnings": [None, len(result.warnings)],
        },
    )
    return framework


def _not_storable(where: str, line: int | None, field: str, detail: str) -> Problem:
    return Problem(
        Severity.ERROR, "not_storable", where, line, (("field", field), ("detail", detail))
    )


def storable_problems(spec: FrameworkSpec) -> list[Problem]:
    """Numbers the columns cannot hold and texts past their limits, each naming where: a
    table may say anything, the database takes only what fits."""
    found: list[Problem] = []
    for field_name in ("first_year", "last_year", "declared_total"):
        message = inputs.field_number_error(Framework, field_name, getattr(spec, field_name))
        if message:
            found.append(_not_storable("", None, field_name, message))
    for field_name in ("name", "decision_number", "issuer", "description", "source"):
        field = Framework._meta.get_field(field_name)
        assert isinstance(field, models.Field)
        message = inputs.text_error(str(getattr(spec, field_name) or ""), inputs.text_limit(field))
        if message:
            found.append(_not_storable("", None, field_name, message))
    for node in spec.nodes:
        checks: list[tuple[type[models.Model], str, Decimal | None]] = [
            (Node, "max_points", node.max_points)
        ]
        for band in node.bands:
            checks += [(Band, "points", band.points), (Band, "lower", band.lower)]
            checks += [(Band, "upper", band.upper)]
        for model, field_name, number in checks:
            message = inputs.field_number_error(model, field_name, number)
            if message:
                found.append(_not_storable(node.code, node.line, field_name, message))
        for model, field_name, text in [(Node, "name", node.name), (Node, "note", node.note)]:
            field = model._meta.get_field(field_name)
            assert isinstance(field, models.Field)
            message = inputs.text_error(text or "", inputs.text_limit(field))
            if message:
                found.append(_not_storable(node.code, node.line, field_name, message))
    return found


def _slug(name: str) -> str:
    from django.utils.text import slugify

    from parindex.lib.text import fold

    return slugify(fold(name))[:60] or "criteria"


@transaction.atomic
def update_framework(framework: Framework, *, by: User | None, **changes: Any) -> Framework:
    _require_manage(by, framework.province_id)
    allowed = set(FRAMEWORK_FIELDS) - {"status", "version"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    before = snapshot(framework, FRAMEWORK_FIELDS)
    for name, value in changes.items():
        setattr(
            framework,
            name,
            clean(value)
            if isinstance(value, str) and name not in ("description", "source")
            else value,
        )
    framework.full_clean()
    framework.save()
    _revalidate(framework)
    record(
        by,
        "methodology.framework.update",
        framework,
        province=framework.province_id,
        changes=diff(before, snapshot(framework, FRAMEWORK_FIELDS)),
    )
    return framework


def _check_code(framework: Framework, code: str, exclude: Node | None = None) -> None:
    parts = code.split(".")
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise ValidationError(
            {"code": _("A code is made of positive numbers separated by dots, like 1.2.3.")}
        )
    siblings = framework.nodes.filter(code=code)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.exists():
        raise ValidationError(
            {"code": _("Code %(code)s is already used in this tree.") % {"code": code}}
        )
    if len(parts) > 1 and not framework.nodes.filter(code=".".join(parts[:-1])).exists():
        raise ValidationError(
            {
                "code": _("There is no parent %(code)s for this code.")
                % {"code": ".".join(parts[:-1])}
            }
        )


@transaction.atomic
def add_node(
    framework: Framework,
    *,
    by: User | None,
    code: str,
    name: str,
    max_points: Decimal,
    method: str = Method.SELF.value,
    scoring: str = Scoring.NONE.value,
    unit: str = Unit.NONE.value,
    note: str = "",
) -> Node:
    _require_manage(by, framework.province_id)
    code = code.strip()
    _check_code(framework, code)
    if max_points < 0:
        raise ValidationError({"max_points": _("Points cannot be negative.")})
    node = Node.objects.create(
        framework=framework,
        code=code,
        name=clean(name),
        max_points=max_points,
        method=method,
        scoring=scoring,
        unit=unit,
        note=clean(note),
    )
    store.renumber(framework)
    _revalidate(framework)
    record(
        by,
        "methodology.node.create",
        node,
        province=framework.province_id,
        changes=diff({}, snapshot(node, NODE_FIELDS)),
    )
    return node


@transaction.atomic
def update_node(node: Node, *, by: User | None, **changes: Any) -> Node:
    framework = node.framework
    _require_manage(by, framework.province_id)
    unknown = set(changes) - set(NODE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    if "code" in changes and changes["code"] != node.code:
        if node.children.exists():
            raise ValidationError(
                {"code": _("Renumber the children first: this criterion has sub-criteria.")}
            )
        _check_code(framework, changes["code"].strip(), exclude=node)
    if changes.get("max_points") is not None and changes["max_points"] < 0:
        raise ValidationError({"max_points": _("Points cannot be negative.")})
    before = snapshot(node, NODE_FIELDS)
    for name, value in changes.items():
        setattr(
            node,
            name,
            clean(value)
            if isinstance(value, str) and name not in ("method", "scoring", "unit")
            else value,
        )
    node.save()
    store.renumber(framework)
    _revalidate(framework)
    record(
        by,
        "methodology.node.update",
        node,
        province=framework.province_id,
        changes=diff(before, snapshot(node, NODE_FIELDS)),
    )
    return node


@transaction.atomic
def delete_node(node: Node, *, by: User | None) -> None:
    framework = node.framework
    _require_manage(by, framework.province_id)
    removed = [
        node.code,
        *framework.nodes.filter(code__startswith=node.code + ".").values_list("code", flat=True),
    ]
    record(
        by,
        "methodology.node.delete",
        node,
        province=framework.province_id,
        changes={"codes": [removed, None]},
    )
    framework.nodes.filter(code__in=removed).delete()
    store.renumber(framework)
    _revalidate(framework)


@transaction.atomic
def set_bands(node: Node, *, by: User | None, bands: Sequence[BandSpec]) -> Node:
    """Replace a node's bands. A band worth more than the node is refused."""
    framework = node.framework
    _require_manage(by, framework.province_id)
    for band in bands:
        for field_name in ("points", "lower", "upper"):
            message = inputs.field_number_error(Band, field_name, getattr(band, field_name))
            if message:
                raise ValidationError({"bands": f"{band.label}: {message}"})
        if band.points < 0:
            raise ValidationError({"bands": _("Band points cannot be negative.")})
        if band.points > node.max_points:
            raise ValidationError(
                {
                    "bands": _(
                        "The band “%(label)s” is worth more than the criterion's %(max)s points."
                    )
                    % {"label": band.label, "max": node.max_points}
                }
            )
        if band.lower is not None and band.upper is not None and band.lower > band.upper:
            raise ValidationError(
                {
                    "bands": _("In “%(label)s” the lower bound is above the upper bound.")
                    % {"label": band.label}
                }
            )
    before = [f"{b.label}: {b.points}" for b in node.bands.all()]
    node.bands.all().delete()
    for position, band in enumerate(bands, start=1):
        node.bands.create(position=position, **{**asdict(band), "label": clean(band.label)})
    if bands and node.scoring == Scoring.NONE.value:
        node.scoring = (
            Scoring.RANGES if all(b.is_range for b in bands) else Scoring.CATEGORICAL
        ).value
        node.save(update_fields=["scoring"])
    _revalidate(framework)
    record(
        by,
        "methodology.node.bands",
        node,
        province=framework.province_id,
        changes={"bands": [before, [f"{b.label}: {b.points}" for b in bands]]},
    )
    return node


@transaction.atomic
def new_version(
    framework: Framework,
    *,
    by: User | None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> Framework:
    """Copy a tree into the next version (e.g. for the next year), leaving the old one intact."""
    _require_manage(by, framework.province_id)
    spec = store.spec_from_framework(framework)
    latest = (
        Framework.objects.filter(province=framework.province, code=framework.code).aggregate(
            v=Max("version")
        )["v"]
        or 0
    )
    copy = Framework.objects.create(
        province=framework.province,
        name=framework.name,
        code=framework.code,
        version=latest + 1,
        decision_number=framework.decision_number,
        decision_date=framework.decision_date,
        issuer=framework.issuer,
        first_year=first_year if first_year is not None else framework.first_year,
        last_year=last_year if last_year is not None else framework.last_year,
        level=framework.level,
        declared_total=framework.declared_total,
        description=framework.description,
        source=framework.source,
        derived_from=framework,
    )
    store.write_nodes(copy, spec)
    _revalidate(copy)
    record(
        by,
        "methodology.framework.version",
        copy,
        province=framework.province_id,
        changes={"derived_from": [None, str(framework)]},
    )
    return copy


@transaction.atomic
def delete_framework(framework: Framework, *, by: User | None) -> None:
    _require_manage(by, framework.province_id)
    record(
        by,
        "methodology.framework.delete",
        framework,
        province=framework.province_id,
        changes={"name": [framework.name, None]},
    )
    framework.delete()
