"""The criteria-tree actions: importing (all or nothing), completing a draft, versions, permission."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.methodology import actions, store
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Band, Framework, FrameworkStatus, Node
from parindex.methodology.tree import BandSpec, ImportResult
from parindex.orgs.models import AuditEntry, Organisation, User

DATA = Path(__file__).resolve().parent / "data"
CA_MAU = (DATA / "reference" / "raw" / "camau-1880-01.txt").read_bytes()


def counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Node.objects.count(),
        Band.objects.count(),
        AuditEntry.objects.filter(action__startswith="methodology.").count(),
    )


def ca_mau() -> ImportResult:
    return read_tree(CA_MAU, "camau-1880-01.txt")


def import_ca_mau(
    province: Organisation | None, by: User | None = None, **overrides: object
) -> Framework:
    return actions.import_framework(
        ca_mau(), by=by, province=province, overrides={"name": "Cà Mau 1880", **overrides}
    )


def node(framework: Framework, code: str) -> Node:
    return framework.nodes.get(code=code)


def kinds(framework: Framework) -> list[tuple[str, str]]:
    return [(p.kind, p.where) for p in actions.stored_problems(framework)]


# --- import ------------------------------------------------------------------------------------


def test_the_ca_mau_table_is_saved_as_a_draft_with_its_gaps(
    province: Organisation,
) -> None:
    framework = import_ca_mau(province)
    assert (framework.status, framework.code, framework.version) == (
        FrameworkStatus.DRAFT,
        "ca-mau-1880",
        1,
    )
    assert kinds(framework) == [
        ("children_sum", "1"),
        ("leaf_without_bands", "1.3"),
        ("no_total", ""),
    ]
    children_sum = actions.stored_problems(framework)[0]
    assert (children_sum.param("sum"), children_sum.param("max")) == ("10", "20")
    assert list(framework.nodes.order_by("position").values_list("code", flat=True)) == [
        "1",
        "1.1",
        "1.1.1",
        "1.1.2",
        "1.1.3",
        "1.1.4",
        "1.2",
        "1.2.1",
        "1.2.2",
        "1.3",
    ]
    # Range bands are stored with their bounds, read from the wording.
    bands = node(framework, "1.1.4").bands.order_by("position")
    assert [(b.lower, b.lower_inclusive, b.upper, b.points) for b in bands] == [
        (Decimal(90), False, None, Decimal(2)),
        (Decimal(70), True, Decimal(90), Decimal(1)),
        (None, True, Decimal(70), Decimal(0)),
    ]
    entry = AuditEntry.objects.get(action="methodology.framework.import")
    assert (entry.channel, entry.actor, entry.province_id) == ("system", None, province.pk)
    assert entry.changes["status"] == [None, "draft"]
    assert entry.changes["warnings"] == [None, 4]


def test_a_declared_total_given_at_import_removes_only_that_gap(province: Organisation) -> None:
    framework = import_ca_mau(province, declared_total=Decimal(20))
    assert framework.declared_total == Decimal(20)
    assert kinds(framework) == [("children_sum", "1"), ("leaf_without_bands", "1.3")]


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        (b"1 | A | 2\n1.1 | B | hai\n  \xc4\x90\xe1\xba\xa1t: 2\n", "bad_points", 2),
        (b"1 | A | 4\n1.1 | B | 2\n  Dat: 2\n1.1 | C | 2\n  Dat: 2\n", "duplicate_code", 4),
        (b"1 | A | 2\n1.1 | B | 2\n  Dat: 5\n  Khong dat: 0\n", "band_exceeds_max", 2),
        (b"1 | A | 2\n1.1 | B | -2\n  Dat: 0\n", "negative_points", 2),
    ],
)
def test_malformed_input_is_refused_with_the_problem_and_its_line_and_nothing_is_saved(
    text: bytes, kind: str, line: int, province: Organisation
) -> None:
    before = counts()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_framework(
            read_tree(text, "pasted.txt"), by=None, province=province, overrides={"name": "Hỏng"}
        )
    assert (kind, line) in [(p.kind, p.line) for p in refused.value.problems]
    assert all(p.severity == "error" for p in refused.value.problems)
    assert counts() == before


def test_a_tree_without_a_name_is_refused(province: Organisation) -> None:
    before = counts()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_framework(ca_mau(), by=None, province=province)
    assert [(p.kind, p.param("field")) for p in refused.value.problems] == [
        ("missing_field", "name")
    ]
    assert counts() == before


def test_importing_the_same_code_again_makes_a_new_version_and_keeps_the_first(
    province: Organisation,
) -> None:
    first = import_ca_mau(province)
    spec = store.spec_from_framework(first)
    second = import_ca_mau(province, declared_total=Decimal(20))
    assert (first.code, second.code, second.version) == ("ca-mau-1880", "ca-mau-1880", 2)
    first.refresh_from_db()
    assert (first.version, first.declared_total) == (1, None)
    assert store.spec_from_framework(first) == spec


def test_the_same_code_in_two_provinces_are_two_trees(
    province: Organisation, other_province: Organisation
) -> None:
    assert import_ca_mau(province).version == import_ca_mau(other_province).version == 1


@pytest.mark.parametrize("who", ["reporter", "head", "leader", "appraiser", "outsider"])
def test_only_the_provinces_coordinator_imports_a_tree_for_it(
    who: str, request: pytest.FixtureRequest, province: Organisation
) -> None:
    by = request.getfixturevalue(who)
    before = counts()
    with pytest.raises(PermissionDenied):
        import_ca_mau(province, by=by)
    assert counts() == before


def test_a_coordinator_imports_for_their_province_but_not_a_national_tree(
    coordinator: User, province: Organisation
) -> None:
    framework = import_ca_mau(province, by=coordinator)
    assert AuditEntry.objects.get(action="methodology.framework.import").actor == coordinator
    before = counts()
    with pytest.raises(PermissionDenied):
        import_ca_mau(None, by=coordinator)
    assert counts() == before
    assert framework.province == province


# --- completing a draft ---------------------------------------------------------------------


def test_completing_the_draft_through_the_actions_makes_it_valid_and_breaking_it_makes_it_a_draft(
    coordinator: User, province: Organisation
) -> None:
    framework = import_ca_mau(province)
    for code, points in (("1.3.1", "3"), ("1.4", "10")):
        added = actions.add_node(
            framework,
            by=coordinator,
            code=code,
            name=f"Tiêu chí {code}",
            max_points=Decimal(points),
        )
        actions.set_bands(
            added,
            by=coordinator,
            bands=[BandSpec("Đạt", Decimal(points)), BandSpec("Không đạt", Decimal(0))],
        )
    assert kinds(framework) == [("no_total", "")]
    actions.update_framework(framework, by=coordinator, declared_total=Decimal(20))
    framework.refresh_from_db()
    assert (framework.status, framework.problems) == (FrameworkStatus.VALID, [])

    actions.delete_node(node(framework, "1.4"), by=coordinator)
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.DRAFT
    assert kinds(framework) == [("children_sum", "1")]
    actions_done = AuditEntry.objects.filter(actor=coordinator).values_list("action", flat=True)
    assert sorted(set(actions_done)) == [
        "methodology.framework.update",
        "methodology.node.bands",
        "methodology.node.create",
        "methodology.node.delete",
    ]


def test_a_band_worth_more_than_its_criterion_is_refused_and_the_bands_stay(
    coordinator: User, province: Organisation
) -> None:
    framework = import_ca_mau(province)
    target = node(framework, "1.1.1")
    before = list(target.bands.values_list("label", "points"))
    with pytest.raises(ValidationError):
        actions.set_bands(target, by=coordinator, bands=[BandSpec("Xuất sắc", Decimal(2))])
    assert list(target.bands.values_list("label", "points")) == before


def test_a_criterion_with_sub_criteria_cannot_be_renumbered(
    coordinator: User, province: Organisation
) -> None:
    framework = import_ca_mau(province)
    with pytest.raises(ValidationError):
        actions.update_node(node(framework, "1.1"), by=coordinator, code="1.9")
    assert framework.nodes.filter(code="1.1").exists()


def test_a_reporter_cannot_change_a_tree(reporter: User, province: Organisation) -> None:
    framework = import_ca_mau(province)
    spec = store.spec_from_framework(framework)
    attempts: list[Callable[[], object]] = [
        lambda: actions.update_framework(framework, by=reporter, name="Đổi"),
        lambda: actions.add_node(framework, by=reporter, code="2", name="A", max_points=Decimal(1)),
        lambda: actions.update_node(node(framework, "1"), by=reporter, name="Đổi"),
        lambda: actions.set_bands(node(framework, "1.3"), by=reporter, bands=[]),
        lambda: actions.delete_node(node(framework, "1.1"), by=reporter),
        lambda: actions.new_version(framework, by=reporter),
        lambda: actions.delete_framework(framework, by=reporter),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert store.spec_from_framework(framework) == spec
    assert Framework.objects.count() == 1


# --- versions -----------------------------------------------------------------------------------


def test_a_new_version_is_a_copy_whose_changes_leave_the_old_one_intact(
    coordinator: User, province: Organisation
) -> None:
    old = import_ca_mau(province)
    spec = store.spec_from_framework(old)
    new = actions.new_version(old, by=coordinator, first_year=2014)
    assert (new.version, new.derived_from, new.first_year, new.status) == (2, old, 2014, old.status)
    copied = store.spec_from_framework(new)
    assert (copied.nodes, copied.name) == (spec.nodes, spec.name)

    actions.update_node(node(new, "1.1.1"), by=coordinator, name="Đã đổi trong bản mới")
    actions.set_bands(node(new, "1.3"), by=coordinator, bands=[BandSpec("Đạt", Decimal(3))])
    assert store.spec_from_framework(old) == spec
    assert node(old, "1.1.1").name == "Ban hành kế hoạch CCHC năm"
    assert AuditEntry.objects.get(action="methodology.framework.version").changes == {
        "derived_from": [None, str(old)]
    }
