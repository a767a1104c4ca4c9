"""Free-text answers grouped by the keywords they share. Pure: no Django.

Vietnamese words are mostly two syllables ("thái độ", "thủ tục", "thời gian"), so keywords are
pairs of neighbouring syllables, matched without tone marks (`lib.text.fold`), leaving out
pairs with a function word ("của", "và", "rất"...) and single syllables. Each answer goes to
the most frequent keyword it contains (ties by first appearance), so every answer is in one
group; answers with no keyword shared by at least `min_count` answers are left in a group with
the keyword "" (other).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parindex.lib.text import fold, nfc

# Function words, with their marks (folded, "do" would also stop "độ" of "thái độ").
_STOP_TEXT = """
    và với của cho là thì mà những như các một nhiều rất quá hơn đã đang sẽ được bị có không
    chưa vẫn cũng nên cần phải để tại ở từ đến trong ngoài trên dưới về theo khi nếu vì do này
    kia ấy tôi chúng ta mình bạn anh chị em ông bà người dân hay hoặc lại ra vào làm thấy
"""
STOP = frozenset(_STOP_TEXT.split())
_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)
OTHER = ""


@dataclass(frozen=True)
class Group:
    keyword: str  # as first written, lower case, with its marks; "" for the answers left over
    count: int
    answers: tuple[str, ...]


def _keywords(text: str) -> list[tuple[str, str]]:
    """(folded key, shown form) of each pair of neighbouring syllables that makes a keyword."""
    syllables = [(fold(s), s.lower()) for s in _SYLLABLE.findall(nfc(text))]
    found: list[tuple[str, str]] = []
    for (a, shown_a), (b, shown_b) in itertools.pairwise(syllables):
        if shown_a in STOP or shown_b in STOP or len(a) < 2 or len(b) < 2:
            continue
        pair = (f"{a} {b}", f"{shown_a} {shown_b}")
        if pair[0] not in (k for k, _shown in found):
            found.append(pair)
    return found


def group(answers: Iterable[str], *, min_count: int = 2) -> list[Group]:
    """The answers grouped by keyword, largest group first, the leftovers last."""
    texts = [t.strip() for t in answers if t and t.strip()]
    keys = [_keywords(t) for t in texts]
    counts: Counter[str] = Counter(k for found in keys for k, _shown in found)
    shown: dict[str, str] = {}
    for found in keys:
        for key, form in found:
            shown.setdefault(key, form)
    groups: dict[str, list[str]] = {}
    for text, found in zip(texts, keys, strict=True):
        usable = [k for k, _shown in found if counts[k] >= min_count]
        best = max(usable, key=lambda k: counts[k]) if usable else OTHER
        groups.setdefault(best, []).append(text)
    ordered = sorted((k for k in groups if k != OTHER), key=lambda k: (-len(groups[k]), shown[k]))
    result = [Group(shown[k], len(groups[k]), tuple(groups[k])) for k in ordered]
    if OTHER in groups:
        result.append(Group(OTHER, len(groups[OTHER]), tuple(groups[OTHER])))
    return result


def by_agency(rows: Sequence[tuple[str, str]], *, min_count: int = 2) -> dict[str, list[Group]]:
    """(agency, text) rows grouped per agency, agencies in code order."""
    texts: dict[str, list[str]] = {}
    for agency, text in rows:
        texts.setdefault(agency, []).append(text)
    return {a: group(texts[a], min_count=min_count) for a in sorted(texts)}
