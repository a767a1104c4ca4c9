"""The project's YAML format: shipped trees, line numbers in problems, YAML's traps."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from parindex.methodology.formats.yaml_format import load_yaml
from parindex.methodology.tree import Level, Method, Scoring, Severity, Unit
from tests.methodology.support import (
    DATA,
    REFERENCE,
    essentials,
    kinds,
    node_of,
    spec_of,
    without_lines,
)


def load(text: str):
    return load_yaml(text.strip() + "\n")


MINIMAL = """
format: parindex-criteria/1
name: "Thử"
total: 1
nodes:
  - code: "1"
    name: "Ban hành kế hoạch"
    max_points: 1
    bands:
      - {label: "Kịp thời", points: 1}
      - {label: "Không kịp thời", points: 0}
"""


def test_a_complete_minimal_file_loads_without_problems():
    result = load(MINIMAL)
    assert result.ok and result.problems == []
    assert spec_of(result).nodes[0].scoring == Scoring.CATEGORICAL
    assert spec_of(result).nodes[0].line == 5


def test_the_shipped_2017_provincial_index_loads_as_a_draft_of_eight_domains():
    result = load_yaml((DATA / "par-index-2017-province.yaml").read_bytes())
    spec = spec_of(result)
    assert result.ok
    assert kinds(result) == [("leaf_without_bands", str(i)) for i in range(1, 9)]
    assert [n.max_points for n in spec.nodes] == [
        Decimal(v) for v in ("10", "10", "14.5", "11", "16", "7", "16", "15.5")
    ]
    assert spec.declared_total == Decimal(100)
    assert (spec.decision_number, spec.decision_date, spec.issuer) == (
        "2948/QĐ-BNV",
        date(2017, 12, 28),
        "Bộ Nội vụ",
    )
    assert (spec.first_year, spec.last_year, spec.level) == (2017, 2017, Level.PROVINCE)
    assert "6 tiêu chí" in spec.nodes[0].note and "18 tiêu chí thành phần" in spec.nodes[6].note
    assert "cchccantho.gov.vn" in spec.source


def test_the_shipped_ca_mau_fragment_loads_as_a_draft_with_its_known_gaps():
    result = load_yaml((DATA / "camau-1880-2013.yaml").read_bytes())
    assert result.ok
    assert kinds(result) == [("children_sum", "1"), ("leaf_without_bands", "1.3"), ("no_total", "")]
    spec = spec_of(result)
    assert spec.level == Level.DISTRICT and spec.declared_total is None
    rates = node_of(spec, "1.1.4")
    assert (rates.scoring, rates.unit) == (Scoring.RANGES, Unit.PERCENT)
    assert node_of(spec, "1.1.1").bands[1].points == Decimal("0.5")


def test_the_reference_copy_of_ca_mau_loads_with_its_extra_keys_as_warnings():
    result = load_yaml((REFERENCE / "tables" / "camau-1880-2013.yaml").read_bytes())
    warnings = [(p.where, p.param("key")) for p in result.warnings]
    assert warnings == [
        ("", "table_columns"),
        ("", "method_note"),
        ("", "coverage"),
        ("decision", "year"),
    ]
    # Its `level` is a sentence, not one of the four levels: that alone stops it loading.
    assert [(p.kind, p.param("field"), p.line) for p in result.errors] == [
        ("bad_value", "level", 10)
    ]
    shipped = spec_of(load_yaml((DATA / "camau-1880-2013.yaml").read_bytes()))
    assert essentials(spec_of(result)) == essentials(shipped)


def test_the_demo_tree_shipped_by_the_product_is_complete():
    for path in DATA.glob("demo-*.yaml"):
        result = load_yaml(path.read_bytes())
        assert result.ok and not result.errors, path.name


def test_a_syntax_error_names_its_line():
    result = load('name: "Thử"\nnodes:\n  - code: "1"\n    name: [unclosed\n')
    (error,) = result.problems
    assert (error.kind, error.severity, error.line) == ("yaml_syntax", Severity.ERROR, 5)
    assert result.spec is None


def test_points_that_are_not_a_number_are_an_error_naming_the_line():
    result = load(MINIMAL.replace("points: 0}", "points: nửa}"))
    (error,) = result.errors
    assert (error.kind, error.where, error.line, error.param("value")) == (
        "bad_points",
        "1",
        10,
        "nửa",
    )
    assert not result.ok and result.spec is not None


def test_a_node_without_a_name_is_an_error_naming_code_and_line():
    result = load(MINIMAL.replace('    name: "Ban hành kế hoạch"\n', ""))
    assert [(p.kind, p.where, p.line, p.param("field")) for p in result.errors] == [
        ("missing_field", "1", 5, "name")
    ]


def test_a_node_without_code_or_max_points_is_an_error():
    result = load(
        MINIMAL.replace('  - code: "1"\n    name', "  - name").replace("    max_points: 1\n", "")
    )
    assert {(p.kind, p.param("field")) for p in result.errors} == {
        ("missing_field", "code"),
        ("missing_field", "max_points"),
    }


def test_unknown_keys_are_warnings_with_their_line():
    result = load(
        MINIMAL.replace("total: 1", "total: 1\ncoverage: partial").replace(
            "    max_points: 1\n", "    max_points: 1\n    weight: 2\n"
        )
    )
    assert result.ok
    assert [(p.kind, p.where, p.line, p.param("key")) for p in result.warnings] == [
        ("unknown_key", "", 4, "coverage"),
        ("unknown_key", "1", 9, "weight"),
    ]


def test_codes_keep_their_written_form_even_unquoted():
    text = """
name: Thử
total: 2
nodes:
  - {code: 1, name: Lĩnh vực, max_points: 2}
  - {code: 1.9, name: Chín, max_points: 1, bands: [{label: Đạt, points: 1}]}
  - {code: 1.10, name: Mười, max_points: 1, bands: [{label: Đạt, points: 1}]}
"""
    result = load(text)
    assert [n.code for n in spec_of(result).nodes] == ["1", "1.9", "1.10"]
    assert result.problems == []


def test_yaml_guesses_do_not_change_text_or_numbers():
    text = """
name: 2017
decision: {number: 1880, date: 28/12/2017}
total: 0.3
nodes:
  - code: "1"
    name: No
    max_points: 0.3
    bands:
      - {label: No, points: 0.1}
      - {label: Yes, points: 0.3}
      - {label: "Đạt", points: "0,2"}
      - {label: "Gần đạt", points: "0.05 điểm"}
"""
    spec = spec_of(load(text))
    assert (spec.name, spec.decision_number, spec.decision_date) == (
        "2017",
        "1880",
        date(2017, 12, 28),
    )
    assert spec.nodes[0].name == "No"
    assert [(b.label, b.points) for b in spec.nodes[0].bands] == [
        ("No", Decimal("0.1")),
        ("Yes", Decimal("0.3")),
        ("Đạt", Decimal("0.2")),
        ("Gần đạt", Decimal("0.05")),
    ]
    assert spec.declared_total == Decimal("0.3")


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ("years: [2017, 2019]", (2017, 2019)),
        ("years: 2017", (2017, 2017)),
        ("years: [2020]", (2020, 2020)),
        ("first_year: 2022", (2022, None)),
        ("first_year: 2018\nlast_year: 2019", (2018, 2019)),
        ("", (None, None)),
    ],
)
def test_years_may_be_a_pair_a_single_year_or_separate_keys(years, expected):
    spec = spec_of(load(MINIMAL.replace("total: 1", "total: 1\n" + years)))
    assert (spec.first_year, spec.last_year) == expected


@pytest.mark.parametrize("years", ["years: [2017, 2018, 2019]", "years: soon"])
def test_unreadable_years_are_an_error(years):
    result = load(MINIMAL.replace("total: 1", "total: 1\n" + years))
    assert kinds(result.errors) == [("bad_value", "")]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("province", Level.PROVINCE),
        ("commune", Level.COMMUNE),
        ("Cấp huyện", Level.DISTRICT),
        ("sở", Level.DEPARTMENT),
    ],
)
def test_level_is_one_of_the_four_values_or_their_vietnamese_names(level, expected):
    assert spec_of(load(MINIMAL + f"level: {level}")).level == expected


def test_an_unknown_level_or_method_or_scoring_is_an_error():
    result = load(
        MINIMAL.replace("total: 1", "total: 1\nlevel: ward").replace(
            "    max_points: 1\n", "    max_points: 1\n    method: guess\n    scoring: vote\n"
        )
    )
    assert sorted(p.param("field") for p in result.errors) == ["level", "method", "scoring"]


def test_another_format_version_is_an_error():
    result = load(MINIMAL.replace("parindex-criteria/1", "parindex-criteria/2"))
    assert kinds(result.errors) == [("bad_format", "")]


def test_a_file_without_the_format_line_is_read_as_version_one():
    assert load(MINIMAL.replace("format: parindex-criteria/1\n", "")).ok


def test_a_source_mapping_is_kept_as_text():
    spec = spec_of(load(MINIMAL + 'source:\n  url: "https://example.vn/a"\n  note: "trang 3"\n'))
    assert spec.source == "url: https://example.vn/a\nnote: trang 3"


def test_text_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Ban hành kế hoạch")
    spec = spec_of(load(MINIMAL.replace("Ban hành kế hoạch", decomposed)))
    assert spec.nodes[0].name == "Ban hành kế hoạch"


def test_explicit_range_keys_are_read_exactly():
    text = MINIMAL.replace(
        '      - {label: "Kịp thời", points: 1}\n      - {label: "Không kịp thời", points: 0}',
        '      - {label: "A", min_exclusive: 90, points: 1}\n'
        '      - {label: "B", min: 70, max: 90, points: 0.5}\n'
        '      - {label: "C", max_exclusive: 70, points: 0}',
    )
    spec = spec_of(load(text + "\n"))
    bands = spec.nodes[0].bands
    assert [(b.lower, b.lower_inclusive, b.upper, b.upper_inclusive) for b in bands] == [
        (Decimal(90), False, None, True),
        (Decimal(70), True, Decimal(90), True),
        (None, True, Decimal(70), False),
    ]
    assert spec.nodes[0].scoring == Scoring.RANGES
    assert spec.nodes[0].unit == Unit.COUNT  # no "%" in the labels


def test_ranges_are_inferred_from_labels_unless_the_node_says_categorical():
    labels = (
        '      - {label: "Trên 90%", points: 1}\n'
        '      - {label: "Từ 70% đến 90%", points: 0.5}\n'
        '      - {label: "Dưới 70%", points: 0}'
    )
    text = MINIMAL.replace(
        '      - {label: "Kịp thời", points: 1}\n      - {label: "Không kịp thời", points: 0}',
        labels,
    )
    inferred = spec_of(load(text)).nodes[0]
    assert (inferred.scoring, inferred.unit, inferred.bands[0].lower) == (
        Scoring.RANGES,
        Unit.PERCENT,
        Decimal(90),
    )
    kept = spec_of(load(text.replace("    bands:", "    scoring: categorical\n    bands:"))).nodes[
        0
    ]
    assert kept.scoring == Scoring.CATEGORICAL and not any(b.is_range for b in kept.bands)


def test_min_and_min_exclusive_together_are_an_error():
    text = MINIMAL.replace(
        '{label: "Kịp thời", points: 1}', '{label: "A", min: 1, min_exclusive: 1, points: 1}'
    )
    assert [(p.kind, p.param("field")) for p in load(text).errors] == [("bad_value", "range")]


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n", "nodes: 3\n"])
def test_a_document_that_is_not_a_tree_is_an_error(text):
    result = load_yaml(text)
    assert result.errors and not result.ok


def test_bytes_with_a_byte_order_mark_are_read():
    result = load_yaml(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert result.ok


def test_bytes_that_are_not_utf8_are_an_error():
    (error,) = load_yaml(b"name: \xff\xfe").problems
    assert error.kind == "unreadable_file"


def test_methods_default_to_self_and_survey_is_kept():
    spec = spec_of(
        load(MINIMAL.replace("    max_points: 1\n", "    max_points: 1\n    method: survey\n"))
    )
    assert spec.nodes[0].method == Method.SURVEY
    assert spec_of(load(MINIMAL)).nodes[0].method == Method.SELF


def test_loaded_trees_compare_equal_ignoring_lines():
    a = spec_of(load(MINIMAL))
    b = spec_of(load("# comment\n\n" + MINIMAL))
    assert a != b and without_lines(a) == without_lines(b)


def test_a_null_total_or_version_means_unknown():
    spec = spec_of(load(MINIMAL.replace("total: 1", "total: null\nversion: ~")))
    assert (spec.declared_total, spec.version) == (None, 1)
