"""Criteria trees: list, import, view with validation findings, complete and correct, export."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.lib.collation import sort_key
from parindex.methodology import actions, store
from parindex.methodology.bands import infer_ranges, parse_band_line
from parindex.methodology.formats.xlsx import export_xlsx
from parindex.methodology.formats.yaml_format import dump_yaml
from parindex.methodology.importing import read_tree
from parindex.methodology.messages import describe
from parindex.methodology.models import Framework, Node
from parindex.methodology.tree import BandSpec, Level, Scoring
from parindex.orgs import access
from parindex.web.forms import BandsForm, FrameworkForm, FrameworkImportForm, NodeForm
from parindex.web.views.common import add_action_errors, current_province


def _framework(request: HttpRequest, pk: int) -> Framework:
    return access.framework_for(request.user, pk)


def _require_manage(request: HttpRequest, framework: Framework) -> None:
    if not access.can_manage_frameworks(request.user, framework.province_id):
        raise PermissionDenied


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    province = current_province(request)
    # Latest years first, names in Vietnamese alphabetical order, latest version first.
    frameworks = sorted(
        access.frameworks_for(request.user)
        .select_related("province")
        .annotate(node_count=Count("nodes")),
        key=lambda f: (-(f.first_year or 0), sort_key(f.name), -f.version),
    )
    return render(
        request,
        "web/criteria/list.html",
        {
            "frameworks": frameworks,
            "can_import": province is not None
            and access.can_manage_frameworks(request.user, province.pk),
        },
    )


@login_required
def framework_import(request: HttpRequest) -> HttpResponse:
    province = current_province(request)
    who = access.access_for(request.user)
    if not (
        who.superuser or (province and access.can_manage_frameworks(request.user, province.pk))
    ):
        raise PermissionDenied
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        if upload is not None and upload.size > settings.PARINDEX_MAX_IMPORT_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.PARINDEX_MAX_IMPORT_BYTES // 1_000_000},
            )
        else:
            result = (
                read_tree(upload.read(), upload.name)
                if upload is not None
                else read_tree(data["text"].encode(), "pasted.txt")
            )
            overrides: dict[str, Any] = {
                "name": data["name"],
                "code": data["code"],
                "declared_total": data["declared_total"],
                "decision_number": data["decision_number"],
                "first_year": data["first_year"],
                "last_year": data["last_year"],
            }
            if data["level"]:
                overrides["level"] = Level(data["level"])
            target = None if data["national"] else province
            try:
                framework = actions.import_framework(
                    result, by=access.actor(request.user), province=target, overrides=overrides
                )
            except actions.ImportRefused as refused:
                problems = [describe(p) for p in refused.problems]
            except PermissionDenied:
                form.add_error(
                    "national", _("Only an administrator may import a national framework.")
                )
            else:
                for warning in result.warnings[:20]:
                    messages.warning(request, describe(warning))
                if framework.is_valid:
                    messages.success(request, _("The criteria tree was imported and is valid."))
                else:
                    messages.info(
                        request,
                        _(
                            "The criteria tree was imported as a draft: complete it below before it can be used for scoring."
                        ),
                    )
                return redirect("framework_detail", pk=framework.pk)
    return render(request, "web/criteria/import.html", {"form": form, "problems": problems})


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    nodes = list(framework.nodes.prefetch_related("bands").order_by("position"))
    problems = actions.stored_problems(framework)
    by_code: dict[str, list[str]] = {}
    for p in problems:
        by_code.setdefault(p.where, []).append(describe(p))
    items: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for node in nodes:
        item = {"node": node, "problems": by_code.get(node.code, []), "children": []}
        items[node.code] = item
        parent = items.get(node.code.rsplit(".", 1)[0]) if "." in node.code else None
        (parent["children"] if parent else roots).append(item)
    context = {
        "framework": framework,
        "tree": roots,
        "node_count": len(nodes),
        "framework_problems": by_code.get("", []),
        "problem_count": len(problems),
        "problems": [(p.where, describe(p)) for p in problems],
        "can_manage": access.can_manage_frameworks(request.user, framework.province_id),
        "versions": access.frameworks_for(request.user)
        .filter(province=framework.province, code=framework.code)
        .order_by("version"),
        "node_form": NodeForm(),
    }
    return render(request, "web/criteria/detail.html", context)


@login_required
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    _require_manage(request, framework)
    initial = {name: getattr(framework, name) for name in FrameworkForm.base_fields}
    form = FrameworkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_framework(framework, by=access.actor(request.user), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("framework_detail", pk=framework.pk)
    return render(request, "web/criteria/edit.html", {"form": form, "framework": framework})


@login_required
def framework_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    framework = _framework(request, pk)
    if fmt not in ("yaml", "xlsx"):
        raise Http404(fmt)
    spec = store.spec_from_framework(framework)
    name = f"{framework.code}-v{framework.version}"
    if fmt == "yaml":
        response = HttpResponse(dump_yaml(spec), content_type="application/yaml; charset=utf-8")
    else:
        response = HttpResponse(
            export_xlsx(spec),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _after_edit(request: HttpRequest, framework: Framework, anchor: str = "") -> HttpResponse:
    url = reverse("framework_detail", args=[framework.pk]) + (f"#node-{anchor}" if anchor else "")
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        # The URL is usually this very page with another #anchor, which a browser only scrolls
        # to: HX-Refresh makes htmx reload it, so the changed tree and its status are shown.
        response["HX-Refresh"] = "true"
        return response
    return redirect(url)


def _node_form_response(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(request, f"web/criteria/_{template}.html", context)
    return render(
        request,
        "web/criteria/node_page.html",
        {**context, "partial": f"web/criteria/_{template}.html"},
    )


@login_required
def node_add(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    _require_manage(request, framework)
    parent_code = request.GET.get("parent", "")
    suggestion = _next_code(framework, parent_code)
    form = NodeForm(request.POST or None, initial={"code": suggestion, "method": "self"})
    if request.method == "POST" and form.is_valid():
        try:
            node = actions.add_node(framework, by=access.actor(request.user), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Criterion %(code)s added.") % {"code": node.code})
            return _after_edit(request, framework, node.code)
    return _node_form_response(
        request,
        "node_form",
        {"form": form, "framework": framework, "action": reverse("node_add", args=[framework.pk])},
    )


def _next_code(framework: Framework, parent_code: str) -> str:
    prefix = f"{parent_code}." if parent_code else ""
    depth = parent_code.count(".") + 2 if parent_code else 1
    used = [
        int(code.rsplit(".", 1)[-1])
        for code in framework.nodes.filter(code__startswith=prefix).values_list("code", flat=True)
        if code.count(".") + 1 == depth and code.rsplit(".", 1)[-1].isdigit()
    ]
    return f"{prefix}{max(used, default=0) + 1}"


@login_required
def node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = access.node_for(request.user, pk)
    _require_manage(request, node.framework)
    initial = {name: getattr(node, name) for name in NodeForm.base_fields}
    form = NodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_node(node, by=access.actor(request.user), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_edit(request, node.framework, node.code)
    return _node_form_response(
        request,
        "node_form",
        {
            "form": form,
            "framework": node.framework,
            "node": node,
            "action": reverse("node_edit", args=[node.pk]),
        },
    )


def bands_text(node: Node) -> str:
    from parindex.lib.numbers import format_decimal

    return "\n".join(
        f"{band.label}: {format_decimal(band.points, places=None)}" for band in node.bands.all()
    )


@login_required
def node_bands(request: HttpRequest, pk: int) -> HttpResponse:
    node = access.node_for(request.user, pk)
    _require_manage(request, node.framework)
    form = BandsForm(request.POST or None, initial={"bands": bands_text(node)})
    if request.method == "POST" and form.is_valid():
        bands: list[BandSpec] = []
        for number, line in enumerate(form.cleaned_data["bands"].splitlines(), start=1):
            if not line.strip():
                continue
            band = parse_band_line(line)
            if band is None:
                form.add_error(
                    "bands",
                    _("Line %(n)s: write “label: points”, e.g. “Ban hành kịp thời: 1”.")
                    % {"n": number},
                )
                break
            bands.append(band)
        if form.is_valid():
            # "trên 90%: 2" is a range band, as in an imported table, unless the criterion is
            # explicitly categorical.
            if node.scoring in (Scoring.NONE.value, Scoring.RANGES.value):
                bands = infer_ranges(bands)
            try:
                actions.set_bands(node, by=access.actor(request.user), bands=bands)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                return _after_edit(request, node.framework, node.code)
    return _node_form_response(
        request, "bands_form", {"form": form, "framework": node.framework, "node": node}
    )


@login_required
@require_POST
def node_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = access.node_for(request.user, pk)
    framework = node.framework
    _require_manage(request, framework)
    actions.delete_node(node, by=access.actor(request.user))
    messages.success(
        request, _("Criterion %(code)s and its sub-criteria were deleted.") % {"code": node.code}
    )
    return _after_edit(request, framework)


@login_required
@require_POST
def framework_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    _require_manage(request, framework)
    copy = actions.new_version(framework, by=access.actor(request.user))
    messages.success(
        request,
        _("Version %(v)s was created from version %(old)s.")
        % {"v": copy.version, "old": framework.version},
    )
    return redirect("framework_detail", pk=copy.pk)


@login_required
@require_POST
def framework_delete(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    _require_manage(request, framework)
    actions.delete_framework(framework, by=access.actor(request.user))
    messages.success(request, _("The criteria tree was deleted."))
    return redirect("framework_list")
