"""The criteria-tree screens: import, gaps, completing a draft, export and re-import, versions."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from parindex.methodology import actions, store
from parindex.methodology.importing import read_tree
from parindex.methodology.messages import describe
from parindex.methodology.models import Band, Framework, FrameworkStatus, Node
from parindex.methodology.tree import FrameworkSpec
from parindex.orgs.models import AuditEntry, Organisation, User
from tests.conftest import LaoCai
from tests.plans.test_pdf_plans import one_page_pdf
from tests.web.pages import Element, alerts, field_errors, heading, page, parse, vi

ClientFor = Callable[[User], Client]

HERE = Path(__file__).resolve().parent
CA_MAU = (
    HERE.parent / "methodology" / "data" / "reference" / "raw" / "camau-1880-01.txt"
).read_text(encoding="utf-8")
SHIPPED = HERE.parents[1] / "parindex" / "methodology" / "data"
CA_MAU_CELLS = (HERE.parent / "methodology" / "data" / "tables" / "camau-1880-cells.txt").read_text(
    encoding="utf-8"
)
HX = {"HX-Request": "true"}


def criteria_snapshot() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Node.objects.count(),
        Band.objects.count(),
        AuditEntry.objects.filter(action__startswith="methodology.").count(),
    )


def import_text(client: Client, text: str, **fields: object) -> object:
    return client.post("/criteria/import/", {"text": text, "name": "Cà Mau 1880", **fields})


def shipped(filename: str, province: Organisation | None) -> Framework:
    path = SHIPPED / filename
    return actions.import_framework(
        read_tree(path.read_bytes(), path.name), by=None, province=province
    )


def problems_listed(doc: Element) -> list[str]:
    return [li.text for li in doc.one(data_gaps=True).select("li")]


def described(framework: Framework) -> list[str]:
    with translation.override("vi"):
        return [describe(p) for p in actions.stored_problems(framework)]


def same_tree(spec: FrameworkSpec) -> FrameworkSpec:
    """A spec as compared across an export and re-import: the version number is the store's."""
    return replace(spec, version=1)


@pytest.fixture
def as_coordinator(coordinator: User, client_for: ClientFor) -> Client:
    """One browser session of the coordinator's (flash messages live in it)."""
    return client_for(coordinator)


@pytest.fixture
def draft(as_coordinator: Client) -> Framework:
    """The Cà Mau fragment pasted into the import form by the coordinator."""
    response = import_text(as_coordinator, CA_MAU)
    framework = Framework.objects.get()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == f"/criteria/{framework.pk}/"  # type: ignore[index]
    return framework


# --- importing ----------------------------------------------------------------------------------


def test_the_ca_mau_paste_becomes_a_draft_with_its_gaps_listed_on_its_page(
    draft: Framework, coordinator: User, lao_cai: LaoCai, as_coordinator: Client
) -> None:
    assert (draft.name, draft.status, draft.province) == (
        "Cà Mau 1880",
        FrameworkStatus.DRAFT,
        lao_cai.province,
    )
    assert draft.nodes.count() == 10
    assert [(p.kind, p.where) for p in actions.stored_problems(draft)] == [
        ("children_sum", "1"),
        ("leaf_without_bands", "1.3"),
        ("no_total", ""),
    ]
    entry = AuditEntry.objects.get(action="methodology.framework.import")
    assert (entry.channel, entry.actor) == ("web", coordinator)

    doc = page(as_coordinator.get(f"/criteria/{draft.pk}/"))
    assert doc.one(data_status=True).attrs["data-status"] == "draft"
    assert problems_listed(doc) == described(draft)
    # Each gap is also shown on its row of the tree.
    assert doc.one("li", id="node-1").has(data_problem=True)
    assert doc.one("li", id="node-1.3").has(data_problem=True)
    assert not doc.one("li", id="node-1.1").select("div", data_problem=True)
    # The import's message says it is a draft.
    assert vi(
        "The criteria tree was imported as a draft: complete it below before it can be used for scoring."
    ) in alerts(doc)


def test_the_gap_texts_name_the_numbers_the_vietnamese_way(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    doc = page(client_for(coordinator).get(f"/criteria/{draft.pk}/"))
    row = doc.one("li", id="node-1.1.1")
    assert [band.text for band in row.select("span", cls="tree-points")][1:] == ["1", "0,5", "0"]


@pytest.mark.parametrize(
    ("text", "line", "kind"),
    [
        ("1 | Lĩnh vực A | mười\n1.1 | Tiêu chí | 2\n  Đạt: 2\n", 1, "bad_points"),
        (
            "1 | Lĩnh vực A | 4\n1.1 | Tiêu chí | 2\n  Đạt: 2\n1.1 | Lặp mã | 2\n  Đạt: 2\n",
            4,
            "duplicate_code",
        ),
        (
            "1 | Lĩnh vực A | 2\n1.1 | Tiêu chí | 2\n  Đạt: 5\n  Không đạt: 0\n",
            2,
            "band_exceeds_max",
        ),
    ],
    ids=["unreadable points", "duplicate code", "band worth more than its row"],
)
def test_a_malformed_paste_is_refused_naming_the_line_and_nothing_is_saved(
    text: str, line: int, kind: str, coordinator: User, client_for: ClientFor
) -> None:
    before = criteria_snapshot()
    doc = page(import_text(client_for(coordinator), text))  # type: ignore[arg-type]
    refused = [p for p in read_tree(text.encode()).errors if p.kind == kind]
    assert [p.line for p in refused] == [line]
    with translation.override("vi"):
        expected = describe(refused[0])
    shown = [li.text for li in doc.one(data_import_problems=True).select("li")]
    assert shown == [expected]
    assert vi("Line %(line)s: %(text)s", line=line, text="").strip() in shown[0]
    assert criteria_snapshot() == before
    # The pasted text is kept in the form, to be corrected.
    assert doc.one("textarea", name="text").text.startswith("1 | Lĩnh vực A")


def test_the_import_form_needs_a_file_or_a_paste(coordinator: User, client_for: ClientFor) -> None:
    before = criteria_snapshot()
    doc = page(client_for(coordinator).post("/criteria/import/", {"name": "Trống"}))
    assert vi("Choose a file or paste the table.") in [li.text for li in doc.select("li")]
    assert criteria_snapshot() == before


def test_a_yaml_file_uploaded_through_the_form_is_imported_valid(
    as_coordinator: Client, lao_cai: LaoCai
) -> None:
    path = SHIPPED / "demo-lao-cai-2020-illustrative.yaml"
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/yaml")
    response = as_coordinator.post("/criteria/import/", {"file": upload})
    framework = Framework.objects.get()
    assert response.status_code == 302
    assert (framework.status, framework.declared_total, framework.code) == (
        FrameworkStatus.VALID,
        Decimal(100),
        "demo-lao-cai-2020-illustrative",
    )
    doc = page(as_coordinator.get(f"/criteria/{framework.pk}/"))
    assert doc.has(data_valid=True) and not doc.has(data_gaps=True)
    assert vi("The criteria tree was imported and is valid.") in alerts(doc)


def test_a_table_copied_cell_by_cell_is_pasted_and_imported_as_its_clean_layout(
    as_coordinator: Client, lao_cai: LaoCai
) -> None:
    response = import_text(as_coordinator, CA_MAU_CELLS.replace("\n", "\r\n"))
    assert response.status_code == 302  # type: ignore[attr-defined]
    framework = Framework.objects.get()
    expected = read_tree(CA_MAU.encode(), "camau.txt").spec
    assert expected is not None
    assert list(Node.objects.filter(framework=framework).values_list("code", "name")) == [
        (n.code, n.name) for n in expected.nodes
    ]
    assert list(
        Band.objects.filter(node__framework=framework)
        .order_by("node__position", "position")
        .values_list("node__code", "label")
    ) == [(n.code, b.label) for n in expected.nodes for b in n.bands]


def test_a_scanned_pdf_is_refused_with_a_message_saying_to_paste_its_text(
    coordinator: User, client_for: ClientFor
) -> None:
    before = criteria_snapshot()
    scan = SimpleUploadedFile("quyet-dinh.pdf", one_page_pdf([]), content_type="application/pdf")
    doc = page(client_for(coordinator).post("/criteria/import/", {"file": scan, "name": "QĐ"}))
    shown = [li.text for li in doc.one(data_import_problems=True).select("li")]
    assert shown == [
        vi(
            "The PDF has no text layer (it is a scanned image): copy the table's text from the "
            "decision and paste it instead."
        )
    ]
    assert criteria_snapshot() == before


# --- completing a draft --------------------------------------------------------------------------


def node_of(framework: Framework, code: str) -> Node:
    return Node.objects.get(framework=framework, code=code)


def node_form(code: str, name: str, points: str, **fields: str) -> dict[str, str]:
    return {
        "code": code,
        "name": name,
        "max_points": points,
        "method": "self",
        "scoring": "",
        "unit": "",
        "note": "",
        **fields,
    }


def test_completing_the_draft_on_its_screens_makes_it_valid(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    steps = [
        (
            f"/criteria/{draft.pk}/nodes/new/?parent=1.3",
            node_form("1.3.1", "Ban hành kế hoạch kiểm tra CCHC", "1,5", scoring="categorical"),
        ),
        (
            f"/criteria/{draft.pk}/nodes/new/?parent=1.3",
            # Scoring left to the bands: their wording makes them ranges.
            node_form("1.3.2", "Thực hiện kế hoạch kiểm tra", "1,5"),
        ),
        (
            f"/criteria/{draft.pk}/nodes/new/?parent=1",
            node_form("1.4", "Tuyên truyền CCHC", "10", scoring="categorical"),
        ),
    ]
    for url, form in steps:
        response = client.post(url, form)
        assert response.status_code == 302, page(response).text
    bands = {
        "1.3.1": "Ban hành kịp thời: 1,5\nKhông ban hành: 0",
        "1.3.2": "Thực hiện trên 90% kế hoạch: 1,5\nThực hiện từ 70% - 90% kế hoạch: 1\nDưới 70% kế hoạch: 0",
        "1.4": "Đạt yêu cầu: 10\nKhông đạt yêu cầu: 0",
    }
    for code, text in bands.items():
        response = client.post(f"/criteria/nodes/{node_of(draft, code).pk}/bands/", {"bands": text})
        assert response.status_code == 302
        assert response["Location"] == f"/criteria/{draft.pk}/#node-{code}"
    draft.refresh_from_db()
    assert [p.kind for p in actions.stored_problems(draft)] == ["no_total"]

    details = {
        "name": "Chỉ số CCHC Cà Mau (bổ sung)",
        "level": "district",
        "declared_total": "20",
        "first_year": "2013",
    }
    assert client.post(f"/criteria/{draft.pk}/edit/", details).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.declared_total, draft.problems) == (
        FrameworkStatus.VALID,
        Decimal(20),
        [],
    )
    assert node_of(draft, "1.3.1").scoring == "categorical"
    assert node_of(draft, "1.3.2").scoring == "ranges"
    ranges = node_of(draft, "1.3.2").bands.order_by("position")
    assert [(b.lower, b.upper, b.points) for b in ranges] == [
        (Decimal(90), None, Decimal("1.5")),
        (Decimal(70), Decimal(90), Decimal(1)),
        (None, Decimal(70), Decimal(0)),
    ]
    doc = page(client.get(f"/criteria/{draft.pk}/"))
    assert doc.one(data_status=True).attrs["data-status"] == "valid"
    assert doc.has(data_valid=True) and not doc.has(data_gaps=True)
    assert AuditEntry.objects.filter(action="methodology.node.create", channel="web").count() == 3
    assert AuditEntry.objects.filter(action="methodology.node.bands", channel="web").count() == 3


def test_the_add_form_suggests_the_next_free_code_under_the_parent(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    suggest = page(client.get(f"/criteria/{draft.pk}/nodes/new/?parent=1.1"))
    assert suggest.one("input", name="code").attrs["value"] == "1.1.5"
    domain = page(client.get(f"/criteria/{draft.pk}/nodes/new/"))
    assert domain.one("input", name="code").attrs["value"] == "2"


def test_a_band_worth_more_than_its_criterion_is_refused_beside_the_bands(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    node = node_of(draft, "1.1.1")
    before = list(node.bands.values_list("label", "points"))
    doc = page(
        client_for(coordinator).post(
            f"/criteria/nodes/{node.pk}/bands/", {"bands": "Ban hành kịp thời: 2\nKhông: 0"}
        )
    )
    assert field_errors(doc, "bands") == [
        vi(
            "The band “%(label)s” is worth more than the criterion's %(max)s points.",
            label="Ban hành kịp thời",
            max=node.max_points,
        )
    ]
    assert list(node.bands.values_list("label", "points")) == before


def test_a_band_line_without_points_is_refused_naming_the_line(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    node = node_of(draft, "1.3")
    doc = page(
        client_for(coordinator).post(
            f"/criteria/nodes/{node.pk}/bands/", {"bands": "Đạt: 3\n\nKhông đạt"}
        )
    )
    errors = field_errors(doc, "bands")
    assert len(errors) == 1 and "3" in errors[0]
    assert not node.bands.exists()


def test_a_code_without_its_parent_is_refused_beside_the_code(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    before = criteria_snapshot()
    doc = page(
        client_for(coordinator).post(
            f"/criteria/{draft.pk}/nodes/new/", node_form("4.1", "Không có cha", "1")
        )
    )
    assert field_errors(doc, "code") == [vi("There is no parent %(code)s for this code.", code="4")]
    assert criteria_snapshot() == before


# --- htmx ---------------------------------------------------------------------------------------


def test_the_node_editor_comes_as_a_partial_for_htmx_and_redirects_with_a_header(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    node = node_of(draft, "1.2")
    url = f"/criteria/nodes/{node.pk}/edit/"

    partial = client.get(url, headers=HX)
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text and "<nav" not in text
    form = parse(text).one("form", hx_post=url)
    assert form.one("input", name="code").attrs["value"] == "1.2"
    # Without htmx the same form comes inside a whole page.
    full = client.get(url).content.decode()
    assert "<html" in full and f'hx-post="{url}"' in full

    saved = client.post(url, node_form("1.2", "Báo cáo định kỳ về CCHC", "2"), headers=HX)
    assert saved.status_code == 204
    assert saved["HX-Redirect"] == f"/criteria/{draft.pk}/#node-1.2"
    # The redirect only changes the #anchor of the page already shown: it must reload.
    assert saved["HX-Refresh"] == "true"
    node.refresh_from_db()
    assert node.name == "Báo cáo định kỳ về CCHC"

    refused = client.post(url, node_form("1.2", "", "hai"), headers=HX)
    assert refused.status_code == 200
    doc = parse(refused.content)
    assert "<html" not in refused.content.decode()
    assert field_errors(doc, "max_points") == [vi("Enter a number, such as 14,5.")]
    assert field_errors(doc, "name") == [vi("This field is required.")]


def test_the_bands_editor_for_htmx_shows_the_current_bands_in_vietnamese_numbers(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    node = node_of(draft, "1.1.1")
    partial = client_for(coordinator).get(f"/criteria/nodes/{node.pk}/bands/", headers=HX)
    assert "<html" not in partial.content.decode()
    assert parse(partial.content).one("textarea", name="bands").text == (
        "Ban hành kịp thời: 1 Ban hành không kịp thời: 0,5 Không ban hành: 0"
    )


def test_deleting_a_criterion_through_htmx_removes_its_sub_criteria(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    node = node_of(draft, "1.1")
    response = client_for(coordinator).post(f"/criteria/nodes/{node.pk}/delete/", headers=HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/criteria/{draft.pk}/"
    assert sorted(draft.nodes.values_list("code", flat=True)) == [
        "1",
        "1.2",
        "1.2.1",
        "1.2.2",
        "1.3",
    ]


# --- export and re-import ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename", ["demo-lao-cai-2020-illustrative.yaml", "camau-1880-2013.yaml"]
)
@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_a_tree_exported_and_imported_again_is_the_same_tree(
    filename: str, fmt: str, coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    original = shipped(filename, lao_cai.province)
    client = client_for(coordinator)
    exported = client.get(f"/criteria/{original.pk}/export.{fmt}")
    assert exported.status_code == 200
    assert f"{original.code}-v1.{fmt}" in exported["Content-Disposition"]

    upload = SimpleUploadedFile(f"{original.code}.{fmt}", exported.content)
    response = client.post("/criteria/import/", {"file": upload})
    copy = Framework.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert (copy.code, copy.version, copy.status) == (original.code, 2, original.status)
    assert same_tree(store.spec_from_framework(copy)) == same_tree(
        store.spec_from_framework(original)
    )


def test_the_xlsx_export_has_the_decisions_columns_and_every_criterion(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    framework = shipped("demo-lao-cai-2020-illustrative.yaml", lao_cai.province)
    content = client_for(coordinator).get(f"/criteria/{framework.pk}/export.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    codes = {str(row[0]) for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert set(framework.nodes.values_list("code", flat=True)) <= codes


def test_an_unknown_export_format_is_404(
    coordinator: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    framework = shipped("camau-1880-2013.yaml", None)
    assert client_for(coordinator).get(f"/criteria/{framework.pk}/export.pdf").status_code == 404


# --- who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reporter", "leader", "appraiser"])
def test_only_the_coordinator_imports_or_edits_others_view_and_export(
    who: str, request: pytest.FixtureRequest, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    framework = shipped("camau-1880-2013.yaml", lao_cai.province)
    node = node_of(framework, "1.1.1")
    spec = store.spec_from_framework(framework)
    client = client_for(request.getfixturevalue(who))
    before = criteria_snapshot()

    doc = page(client.get(f"/criteria/{framework.pk}/"))
    assert heading(doc).startswith(framework.name)
    assert not doc.has("button", hx_get=f"/criteria/nodes/{node.pk}/edit/")
    assert not doc.has("a", href=f"/criteria/{framework.pk}/edit/")
    assert not page(client.get("/criteria/")).has("a", href="/criteria/import/")
    assert client.get(f"/criteria/{framework.pk}/export.yaml").status_code == 200

    refused = [
        client.get("/criteria/import/"),
        import_text(client, CA_MAU),
        client.get(f"/criteria/{framework.pk}/edit/"),
        client.post(f"/criteria/{framework.pk}/edit/", {"name": "Đổi", "level": "province"}),
        client.get(f"/criteria/{framework.pk}/nodes/new/"),
        client.post(f"/criteria/{framework.pk}/nodes/new/", node_form("2", "Mới", "5")),
        client.get(f"/criteria/nodes/{node.pk}/edit/", headers=HX),
        client.post(f"/criteria/nodes/{node.pk}/edit/", node_form("1.1.1", "Đổi", "1")),
        client.post(f"/criteria/nodes/{node.pk}/bands/", {"bands": "Đạt: 1"}),
        client.post(f"/criteria/nodes/{node.pk}/delete/"),
        client.post(f"/criteria/{framework.pk}/version/"),
        client.post(f"/criteria/{framework.pk}/delete/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)  # type: ignore[attr-defined]
    assert criteria_snapshot() == before
    assert store.spec_from_framework(framework) == spec


def test_another_provinces_tree_does_not_exist_for_the_outsider_but_national_ones_do(
    outsider: User, lao_cai: LaoCai, client_for: ClientFor
) -> None:
    own = shipped("camau-1880-2013.yaml", lao_cai.province)
    national = shipped("par-index-2017-province.yaml", None)
    client = client_for(outsider)
    assert client.get(f"/criteria/{own.pk}/").status_code == 404
    assert client.get(f"/criteria/{own.pk}/export.yaml").status_code == 404
    assert client.get(f"/criteria/nodes/{node_of(own, '1').pk}/edit/").status_code == 404
    assert client.get(f"/criteria/{national.pk}/").status_code == 200
    listed = page(client.get("/criteria/"))
    assert [tr.attrs["data-code"] for tr in listed.select("tr", data_code=True)] == [national.code]


def test_a_coordinator_cannot_change_a_national_tree(
    coordinator: User, client_for: ClientFor
) -> None:
    national = shipped("par-index-2017-province.yaml", None)
    client = client_for(coordinator)
    assert client.get(f"/criteria/{national.pk}/edit/").status_code == 403
    assert client.post(f"/criteria/{national.pk}/version/").status_code == 403
    assert Framework.objects.count() == 1


# --- versions ----------------------------------------------------------------------------------


def test_a_new_version_can_be_changed_while_the_old_one_stays_as_it_was(
    draft: Framework, coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    old_spec = store.spec_from_framework(draft)
    response = client.post(f"/criteria/{draft.pk}/version/")
    copy = Framework.objects.exclude(pk=draft.pk).get()
    assert response["Location"] == f"/criteria/{copy.pk}/"
    assert (copy.version, copy.derived_from, copy.code) == (2, draft, draft.code)

    node = node_of(copy, "1")
    client.post(f"/criteria/nodes/{node.pk}/edit/", node_form("1", "Lĩnh vực đã sửa", "10"))
    client.post(f"/criteria/{copy.pk}/nodes/new/?parent=1.3", node_form("1.3.1", "Mới", "3"))

    assert store.spec_from_framework(draft) == old_spec
    assert node_of(copy, "1").name == "Lĩnh vực đã sửa"
    assert not Node.objects.filter(framework=draft, code="1.3.1").exists()
    doc = page(client.get(f"/criteria/{copy.pk}/"))
    assert doc.has("a", href=f"/criteria/{draft.pk}/")  # the version list links the old one
