"""Vietnamese text: normalisation and accent-insensitive matching keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})


def nfc(text: str) -> str:
    """NFC form, the one Vietnamese text is stored and compared in."""
    return unicodedata.normalize("NFC", text)


# What XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF;
# lone surrogates): DOCX and XLSX files are XML, so such a character makes them unwritable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text without the characters XML forbids; everything else is kept as it is."""
    return _XML_FORBIDDEN.sub("", text)


def clean_input(text: str) -> str:
    """Free text as it is stored: NFC, without the characters XML forbids. Line breaks, tabs
    and spacing are the writer's own and stay."""
    return xml_safe(nfc(text))


def clean(text: str) -> str:
    """NFC, straight quotes, runs of any kind of space folded to one plain space, and none of
    the characters XML forbids (a one-line name or label as stored)."""
    # Spaces first: a form feed or vertical tab between two words is a space, not nothing.
    spaced = _SPACES.sub(" ", nfc(text).translate(_QUOTES))
    return _SPACES.sub(" ", xml_safe(spaced)).strip()


def fold(text: str) -> str:
    """A matching key: lower case, no tone or vowel marks, đ as d, single spaces.

    "Sở Nội vụ" and "SO NOI VU" fold to the same key, so typed or OCR-ed names still match.
    """
    decomposed = unicodedata.normalize("NFD", clean(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, params: Mapping[str, object]) -> str:
    """`template % params`, with a parameter the message does not get left blank, not a crash.

    Findings stored by one version can be worded by a later one whose sentence names more.
    """
    return template % _Lenient(params)
