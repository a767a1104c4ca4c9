"""Text as it is stored: NFC, and never a character an XML file cannot hold."""

from __future__ import annotations

import pytest

from parindex.lib.text import clean, clean_input, xml_safe


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Sở Nội vụ", "Sở Nội vụ"),
        ("bell\x07 here", "bell here"),
        ("nul\x00 and escape\x1b", "nul and escape"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
        ("\ufffe\uffff", ""),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("\u202eRTL override stays", "\u202eRTL override stays"),
    ],
)
def test_xml_safe_removes_only_what_xml_forbids(raw: str, stored: str) -> None:
    assert xml_safe(raw) == stored


def test_clean_input_composes_vietnamese_to_nfc() -> None:
    decomposed = "Sơ\u0309 Nô\u0323i vu\u0323\x07"
    assert clean_input(decomposed) == "Sở Nội vụ"


def test_clean_folds_spaces_and_drops_what_xml_forbids() -> None:
    assert clean("Sở\x07  Nội\u00a0vụ\x00 ") == "Sở Nội vụ"
    assert clean("trang 1\x0ctrang 2") == "trang 1 trang 2"  # a page break is a space
