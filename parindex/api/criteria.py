from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from parindex.methodology import actions, store
from parindex.methodology.formats.xlsx import export_xlsx
from parindex.methodology.formats.yaml_format import dump_yaml
from parindex.methodology.importing import read_tree
from parindex.methodology.messages import describe
from parindex.methodology.models import Framework, Node
from parindex.methodology.tree import BandSpec, Problem
from parindex.orgs import access

router = Router(tags=["criteria trees"])


class ProblemOut(Schema):
    severity: str
    kind: str
    where: str
    line: int | None
    message: str


class BandOut(Schema):
    label: str
    points: Decimal
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool


class NodeOut(Schema):
    id: int
    code: str
    name: str
    max_points: Decimal
    method: str
    scoring: str
    unit: str
    note: str
    bands: list[BandOut]


class FrameworkOut(Schema):
    id: int
    province_id: int | None
    name: str
    code: str
    version: int
    decision_number: str
    decision_date: date | None
    issuer: str
    first_year: int | None
    last_year: int | None
    level: str
    declared_total: Decimal | None
    status: str


class FrameworkDetailOut(FrameworkOut):
    description: str
    source: str
    problems: list[ProblemOut]
    nodes: list[NodeOut]


class ImportRefusedOut(Schema):
    detail: str
    problems: list[ProblemOut]


class NodeIn(Schema):
    code: str
    name: str
    max_points: Decimal
    method: str = "self"
    scoring: str = ""
    unit: str = ""
    note: str = ""


class NodePatch(Schema):
    code: str | None = None
    name: str | None = None
    max_points: Decimal | None = None
    method: str | None = None
    scoring: str | None = None
    unit: str | None = None
    note: str | None = None


class BandIn(Schema):
    label: str
    points: Decimal
    lower: Decimal | None = None
    lower_inclusive: bool = True
    upper: Decimal | None = None
    upper_inclusive: bool = True


def _problem(p: Problem) -> dict[str, Any]:
    return {
        "severity": p.severity.value,
        "kind": p.kind,
        "where": p.where,
        "line": p.line,
        "message": describe(p),
    }


def _framework(request: HttpRequest, pk: int) -> Framework:
    return access.framework_for(request.user, pk)


def _node(request: HttpRequest, pk: int) -> Node:
    return access.node_for(request.user, pk)


def _detail(framework: Framework) -> dict[str, Any]:
    data = {name: getattr(framework, name) for name in FrameworkOut.model_fields}
    data["province_id"] = framework.province_id
    data["description"] = framework.description
    data["source"] = framework.source
    data["problems"] = [_problem(p) for p in actions.stored_problems(framework)]
    data["nodes"] = [
        {
            **{
                name: getattr(node, name)
                for name in (
                    "id",
                    "code",
                    "name",
                    "max_points",
                    "method",
                    "scoring",
                    "unit",
                    "note",
                )
            },
            "bands": list(
                node.bands.values(
                    "label", "points", "lower", "lower_inclusive", "upper", "upper_inclusive"
                )
            ),
        }
        for node in framework.nodes.prefetch_related("bands").order_by("position")
    ]
    return data


@router.get("", response=list[FrameworkOut])
def list_frameworks(
    request: HttpRequest, year: int | None = None, level: str | None = None
) -> list[Framework]:
    frameworks = access.frameworks_for(request.user)
    if level:
        frameworks = frameworks.filter(level=level)
    result = list(frameworks)
    return [f for f in result if year is None or f.applies_to(year)]


# {int:...}: without the converter this path would also match POST /import and answer 405.
@router.get("/{int:framework_id}", response=FrameworkDetailOut)
def get_framework(request: HttpRequest, framework_id: int) -> dict[str, Any]:
    return _detail(_framework(request, framework_id))


@router.post(
    "/import",
    response={201: FrameworkDetailOut, 422: ImportRefusedOut},
    summary="Import a tree from a file (YAML, XLSX, DOCX, PDF, text) or pasted text; nothing is saved on error",
)
def import_framework(
    request: HttpRequest,
    # File[... | None], not File[...] | None: the latter is taken for a query parameter.
    file: File[UploadedFile | None] = None,
    text: Form[str] = "",
    name: Form[str] = "",
    code: Form[str] = "",
    national: Form[bool] = False,
) -> Status[dict[str, Any]]:
    # Who may import is settled before the upload is read: reading is the costly part.
    who = access.access_for(request.user)
    province = None
    if not national:
        pid = min(who.coordinator_of) if who.coordinator_of else None
        province = access.province_for(request.user, pid) if pid else None
        if province is None and not who.superuser:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("only coordinators import criteria trees")
    elif not who.superuser:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("only administrators import national criteria trees")
    if file is not None:
        if file.size and file.size > settings.PARINDEX_MAX_IMPORT_BYTES:
            return Status(422, {"detail": "file too large", "problems": []})
        result = read_tree(file.read(), file.name or "")
    else:
        result = read_tree(text.encode(), "pasted.txt")
    try:
        framework = actions.import_framework(
            result,
            by=access.actor(request.user),
            province=province,
            overrides={"name": name, "code": code},
        )
    except actions.ImportRefused as refused:
        return Status(
            422,
            {
                "detail": "the input is malformed; nothing was saved",
                "problems": [_problem(p) for p in refused.problems],
            },
        )
    return Status(201, _detail(framework))


@router.get(
    "/{framework_id}/export", summary="Export as YAML (parindex format) or XLSX (decision layout)"
)
def export_framework(request: HttpRequest, framework_id: int, format: str = "yaml") -> HttpResponse:
    framework = _framework(request, framework_id)
    spec = store.spec_from_framework(framework)
    if format == "xlsx":
        response = HttpResponse(
            export_xlsx(spec),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif format == "yaml":
        response = HttpResponse(dump_yaml(spec), content_type="application/yaml; charset=utf-8")
    else:
        return HttpResponse("format must be yaml or xlsx", status=400)
    response["Content-Disposition"] = (
        f'attachment; filename="{framework.code}-v{framework.version}.{format}"'
    )
    return response


@router.post("/{framework_id}/nodes", response={201: NodeOut})
def add_node(request: HttpRequest, framework_id: int, payload: NodeIn) -> Status[Node]:
    node = actions.add_node(
        _framework(request, framework_id), by=access.actor(request.user), **payload.dict()
    )
    return Status(201, node)


@router.patch("/nodes/{node_id}", response=NodeOut)
def update_node(request: HttpRequest, node_id: int, payload: NodePatch) -> Node:
    return actions.update_node(
        _node(request, node_id), by=access.actor(request.user), **payload.dict(exclude_unset=True)
    )


@router.put("/nodes/{node_id}/bands", response=NodeOut)
def set_bands(request: HttpRequest, node_id: int, payload: list[BandIn]) -> Node:
    bands = [BandSpec(**band.dict()) for band in payload]
    return actions.set_bands(_node(request, node_id), by=access.actor(request.user), bands=bands)


@router.delete("/nodes/{node_id}", response={204: None})
def delete_node(request: HttpRequest, node_id: int) -> Status[None]:
    actions.delete_node(_node(request, node_id), by=access.actor(request.user))
    return Status(204, None)
