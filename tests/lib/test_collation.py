"""Lists people read are in Vietnamese alphabetical order."""

from __future__ import annotations

import pytest

from parindex.lib.collation import sort_key, vi_sorted


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Bảo Thắng", "Bát Xát"),  # letters first, tone marks only after
        ("Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"),  # ê before h
        ("Dương", "Đà Nẵng"),  # đ is a letter after d
        ("Anh", "Ăn"),  # a, ă, â
        ("Ăn", "Ân"),
        ("Ông", "Ơn"),  # o, ô, ơ
        ("Uông Bí", "Ưng Hòa"),  # u, ư
        ("Phường 2", "Phường 10"),  # numbers by value
        ("bảo yên", "Bảo Yên"),  # lower case first, then the same letters in capitals
    ],
)
def test_names_sort_as_in_a_vietnamese_dictionary(first: str, second: str) -> None:
    assert sort_key(first) < sort_key(second)
    assert vi_sorted([second, first], key=lambda s: s) == [first, second]


def test_decomposed_and_composed_text_sort_the_same() -> None:
    assert sort_key("Ba\u0309o Tha\u0306\u0301ng") == sort_key("Bảo Thắng")


def test_ties_keep_their_given_order() -> None:
    rows = [("Sở Nội vụ", 2), ("Sở Nội vụ", 1), ("Bát Xát", 3)]
    assert vi_sorted(rows, key=lambda r: r[0]) == [
        ("Bát Xát", 3),
        ("Sở Nội vụ", 2),
        ("Sở Nội vụ", 1),
    ]
