"""lib.text.fill: message templates filled without crashing on parameters they do not get."""

from __future__ import annotations

import pytest

from parindex.lib.text import fill


@pytest.mark.parametrize(
    ("template", "params", "expected"),
    [
        ("%(where)s has no bands.", {"where": "1.3"}, "1.3 has no bands."),
        ("%(where)s: %(detail)s", {"where": "2"}, "2: "),
        ("Line %(line)s", {"line": 12}, "Line 12"),
        ("No parameters.", {}, "No parameters."),
    ],
)
def test_fill_leaves_a_missing_parameter_blank(
    template: str, params: dict[str, object], expected: str
) -> None:
    assert fill(template, params) == expected
