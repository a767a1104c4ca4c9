"""Measurable quantities in one sentence of a plan: "đạt từ 95% - 100%", "có ít nhất 03 sáng kiến".

Pure and table-tested (tests/plans/test_quantities.py). The reading rules, in order:

* A number with "%" is a percentage, with "điểm" points, with "đồng" an amount, "N bậc" a rank
  change, "tốp N"/"xếp thứ N/M" a rank; a number followed by a counted noun ("03 sáng kiến",
  "50 TTHC", "02 đơn vị") is a count. Other numbers (years, "mức độ 3", "ISO 9001:2015",
  document numbers, dates) are not quantities.
* The comparator comes from the words around the number: "từ", "tối thiểu", "ít nhất" or
  "... trở lên" give >=; "tối đa", "không quá", "... trở xuống" give <=; "trên"/"dưới" > and <;
  "từ 70% - 100%" is between; a bare number is = ("đạt 100%", "100% số TTHC"). For a rank
  position "trở lên" means better, so "xếp thứ 10 trở lên" and "tốp 10" are <= 10.
* In a sentence whose clauses share one construction ("Có từ 50 TTHC ...; 30 TTHC ..."), a bare
  number inherits the comparator of the clause before it (except 100 %).
* "không có X" / "không để xảy ra X" is X = 0 (a count); "không vượt quá X được giao" is an
  excess over the plan <= 0.
* "so với năm 2019" makes the quantity a change relative to that year (relative_to.kind "year";
  "baseline_year" when the year is more than one year before the plan year), "so năm trước"
  relative to the previous year, "so với Kế hoạch/chỉ tiêu được giao" or "vượt chỉ tiêu"
  relative to the plan; "tăng"/"vượt" or "giảm" nearby give the direction. "tăng cao hơn so với
  năm 2019" without a number is a change > 0.

What the reported figure is (`measure_for`): a rank position ("tốp 10") is a rank; a share of a
year's plan done ("hoàn thành 100% kế hoạch CCHC", "tỷ lệ giải ngân kế hoạch vốn") is progress
through the year; another quantity that is not a change, or a count or amount of change ("tăng thêm 02 đơn vị"), is the figure
itself; a rate named as the change ("tỷ lệ giảm biên chế ... so với năm 2015") is the figure
itself; "vượt chỉ tiêu/kế hoạch từ 4 %" is the result over the plan, which must exceed it by 4 %.
Any other percentage against a reference ("tỷ lệ doanh nghiệp thành lập mới tăng từ 20 % so với
năm 2019": a rate 20 points higher, or 20 % more firms?) is left for the reviewer (None).

Matching is done on an accent-folded copy of the text that keeps every character's position
(`fold_aligned`), so "tro len" typed without accents still reads and the original wording can be
cut out for the subject.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean
from parindex.plans.proposal import (
    Comparator,
    Direction,
    Measure,
    Quantity,
    RelativeTo,
    UnitKind,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\ufeff\u200c\u200d\u2060]")


def clean_line(text: str) -> str:
    """One line as the parser reads it: NFC, straight quotes, single spaces, no control chars."""
    return clean(_CONTROL.sub("", text))


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if low == "đ":
        return "d"
    base = unicodedata.normalize("NFD", low)[0]
    return low if unicodedata.combining(base) else base


class _FoldTable(dict[int, str]):
    """str.translate table that folds each character once, on first sight."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold_aligned(text: str) -> str:
    """Lower case without tone or vowel marks (đ → d), one output character per input character.

    Unlike `lib.text.fold` it keeps positions, so a match in the folded text slices the original.
    """
    return text.translate(_FOLD_TABLE)


# ---------------------------------------------------------------------------------------------
# Vocabulary (folded)

# Nouns that make "N <noun>" a count. Prefixes of the folded word sequence.
COUNT_NOUNS: tuple[str, ...] = (
    "tthc",
    "thu tuc",
    "nhom tthc",
    "van ban",
    "vbqppl",
    "sang kien",
    "giai phap",
    "don vi",
    "co quan",
    "ho so",
    "nhiem vu",
    "cuoc",
    "lop",
    "hoi nghi",
    "hoi thi",
    "buoi",
    "dot",
    "dich vu",
    "chi tieu",
    "nguoi",
    "luot",
    "can bo",
    "cong chuc",
    "vien chuc",
    "bai",
    "tin",
    "lan",
    "doanh nghiep",
    "du an",
    "de an",
    "mo hinh",
    "y kien",
    "phan anh",
    "kien nghi",
    "vu viec",
    "vu",
    "quy trinh",
    "cong trinh",
    "chuong trinh",
    "ke hoach",
    "bao cao",
    "dia phuong",
    "phong",
    "truong hop",
    "xa",
    "huyen",
    "so,",
    "so ",
    "nganh",
    "bo phan",
    "diem cau",
    "trang",
    "phan mem",
    "he thong",
    "co so",
    "tai lieu",
    "san pham",
    "hop tac xa",
    "cum",
    "khu",
    "to chuc",
    "chuyen de",
    "phong su",
    "chuyen muc",
    "ban tin",
    "tieu chi",
    "chi so",
)
_DURATION_NOUNS: tuple[str, ...] = ("ngay", "gio", "phut", "tuan")
# Numbers right after these words are identifiers, dates or levels, not quantities.
_NOT_QUANTITY_BEFORE = re.compile(
    r"(?:\b(?:nam|thang|ngay|quy|so|muc do|muc|cap do|phien ban|version|iso|khoan|dieu|chuong|"
    r"giai doan|lan thu|nghi dinh|quyet dinh|thong tu|chi thi|ke hoach|cong van|nghi quyet|"
    r"thong bao|phu luc|bieu|mau|tieu chi|noi dung|linh vuc|chi so|tuoi|khoa|"
    r"nhiem ky|luat|lan|dot|tru so|tuyen|quoc lo|tinh lo|km)\s*)$"
)
_MEASURE_NOUNS = re.compile(
    r"\b(?:ty le|muc do|so luong|chi so|tong so|toc do|gia tri|thu hang|xep hang|muc hai long)\b"
)
_LEADING_FILLERS = re.compile(
    r"^(?:(?:va|de|phan dau|bao dam|dam bao|dat duoc|dat|phai dat|co|trong do|trong nam|"
    r"dong thoi|nham|cu the|xep|xep trong|xep vao)(?:\s+|,\s*|$))+"
)
_TRAILING_FILLERS = re.compile(
    r"(?:\s*(?:\b(?:dat|dat duoc|phai dat|la|bang|o muc|phai|toi thieu|it nhat|"
    r"toi da|khong qua|trong|vao|xep|thuoc|tang|tang them|giam|vuot)\b|[,:;\-–—(]))+\s*$"
)

_NUMBER = re.compile(r"(?<![\w.,/:\-–])[0-9]+(?:[.,][0-9]+)*(?![0-9]|[.,:/][0-9]|[a-z]\w)")
_PERCENT = re.compile(r"\s*(?:%|phan tram)")
_POINTS = re.compile(r"\s*diem\b")
_MONEY = re.compile(r"\s*(?:(?:ty|trieu|nghin|ngan)\s*)?(?:dong|vnd|usd)\b")
_RANK_STEPS = re.compile(r"\s*(?:bac|hang|vi tri|bac xep hang)\b")
_RANGE = re.compile(r"\s*(?:-|–|—|den|toi)\s*([0-9]+(?:[.,][0-9]+)*)(?![0-9]|[.,/][0-9])")
_SUFFIX = re.compile(r"[^0-9;%]{0,60}?\b(tro len|tro xuong|tro lai|tro ve truoc)\b")
_PREFIX = re.compile(
    r"(?:^|(?<=[\s(:,;]))(toi thieu(?: la)?(?: tu)?|it nhat(?: la)?(?: tu)?|khong it hon|"
    r"khong thap hon|khong duoi|tu|tren|hon|vuot|toi da(?: la)?|khong qua|khong vuot qua|"
    r"khong cao hon|khong nhieu hon|khong lon hon|duoi|it hon|tang them|tang|giam|"
    r"trong top|vao top|top|trong nhom|thuoc nhom|nhom|xep thu|xep hang|thu hang|vi tri|"
    r">=|≥|<=|≤|>|<)\s*(?:dau\s*)?(?:tu\s+)?$"
)
_RANK_OF = re.compile(
    r"\b(?:xep|dung|o)?\s*(?:thu|hang|vi tri|thu hang|xep hang)?\s*(?:thu\s*)?"
    r"([0-9]{1,3})\s*/\s*([0-9]{1,3})(?![0-9/])"
)
# "không có X", "không để xảy ra X", "không còn X": X = 0 (X must follow).
_ZERO = re.compile(
    r"\bkhong\s+(?:co|de xay ra|de phat sinh|de(?! xay ra| phat sinh)|con|phat sinh|xay ra)\s+"
    r"(?!qua\b|vuot\b)(?=\w)"
)
_NOT_EXCEED = re.compile(r"\bkhong\s+(?:vuot qua|vuot|qua)\s+(?![0-9])")
_PLAN_WORDS = re.compile(r"\b(?:duoc giao|ke hoach|chi tieu|du toan|quy dinh)\b")
_REL_PREVIOUS = re.compile(
    r"\bso(?: voi)?(?: cung ky)?(?: (?:nam|ky|thoi diem|cung ky))? (?:truoc|ngoai|lien ke)\b"
    r"|\bso voi cung ky\b"
)
_REL_YEAR = re.compile(
    r"\bso(?: voi)?(?: cung ky)?(?: (?:nam|thoi diem|cuoi nam|dau nam|ket qua nam))?\s*"
    r"([12][0-9]{3})\b"
)
_REL_PLAN = re.compile(
    r"\bso(?: voi)? (?:ke hoach|chi tieu|du toan|muc tieu|nghi quyet|muc)\b"
    r"|\bvuot (?:muc )?(?:chi tieu|ke hoach|du toan)\b(?!.*\bso(?: voi)? (?:ke hoach|chi tieu))"
)
_DIRECTION = re.compile(
    r"\b(tang them|tang|vuot|cao hon|nhieu hon|lon hon|giam|thap hon|it hon|rut ngan|cat giam|"
    r"tinh gian)\b(?! cuong)"
)
_QUALITATIVE = re.compile(r"\b(tang|giam|cao hon|thap hon)\b(?! cuong)(?:\s*(?:cao hon|hon|them))?")

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'(]?[A-ZĐÀ-Ỹ0-9])")


@dataclass
class _Found:
    start: int
    end: int
    comparator: Comparator
    value: Decimal
    unit: UnitKind | None  # None only while a number is being read
    value_high: Decimal | None = None
    bare: bool = False
    unit_label: str | None = None
    gap: tuple[int, int] | None = None  # words between the number and "trở lên", kept in subject
    direction: Direction | None = None
    relative: RelativeTo | None = None
    subject: str = ""
    rank_position: bool = False


def _decimal(text: str) -> Decimal | None:
    try:
        value = parse_decimal(text)
    except (NumberFormatError, InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _starts_with(folded: str, words: tuple[str, ...]) -> str | None:
    for word in words:
        if folded.startswith(word) and (
            len(folded) == len(word) or not folded[len(word)].isalnum() or word.endswith(" ")
        ):
            return word
    return None


def _original_is(s: str, start: int, words: tuple[str, ...]) -> bool:
    """True when the original (accented) text at start is one of words (case-insensitive).

    The folded "tu" is both "từ" (from) and "tư" (as in "đầu tư"); only "từ" is a comparator.
    """
    chunk = s[start:].lower()
    return any(chunk.startswith(w) for w in words)


def _split_spans(s: str) -> list[tuple[int, int]]:
    """Sentences, then clauses split on ";" outside parentheses, as (start, end) spans."""
    spans: list[tuple[int, int]] = []
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(s)]
    ends = [m.start() for m in _SENTENCE_END.finditer(s)] + [len(s)]
    for a, b in zip(starts, ends, strict=True):
        depth = 0
        clause_start = a
        for i in range(a, b):
            ch = s[i]
            if ch == "(":
                depth += 1
            elif ch == ")" and depth:
                depth -= 1
            elif ch == ";" and depth == 0:
                spans.append((clause_start, i))
                clause_start = i + 1
        spans.append((clause_start, b))
        spans.append((-1, -1))  # sentence boundary marker
    return spans


def _comparator(prefix: str | None, suffix: str | None) -> tuple[Comparator, bool]:
    """(comparator, bare) from the words before and after a number."""
    if suffix in ("tro xuong", "tro lai", "tro ve truoc"):
        return "<=", False
    if suffix == "tro len":
        return ">=", False
    if prefix is None:
        return "=", True
    p = prefix.strip()
    if p.startswith(("toi thieu", "it nhat", "khong it hon", "khong thap hon", "khong duoi")):
        return ">=", False
    if p in ("tu", "tang them", "tang", "giam"):
        return (">=", False) if p == "tu" else ("=", True)
    if p in ("tren", "hon", "vuot", ">"):
        return ">", False
    if p.startswith(("toi da", "khong qua", "khong vuot qua", "khong cao hon", "khong nhieu hon")):
        return "<=", False
    if p.startswith("khong lon hon"):
        return "<=", False
    if p in ("duoi", "it hon", "<"):
        return "<", False
    if p in (">=", "≥"):
        return ">=", False
    if p in ("<=", "≤"):
        return "<=", False
    if p.startswith(("trong top", "vao top", "top", "trong nhom", "thuoc nhom", "nhom")):
        return "<=", False
    return "=", True


def _noun_after(s: str, f: str, pos: int, end: int) -> tuple[str, str] | None:
    """(folded noun, original words) when a counted noun follows position pos."""
    window = f[pos : min(end, pos + 80)]  # a noun follows closely; never scan the whole clause
    rest = window.lstrip()
    offset = pos + (len(window) - len(rest))
    noun = _starts_with(rest, COUNT_NOUNS)
    kind = "count"
    if noun is None:
        noun = _starts_with(rest, _DURATION_NOUNS)
        kind = "duration"
    if noun is None:
        return None
    # "sáng kiến/giải pháp": keep the alternative after a slash with the noun.
    words = s[offset : offset + len(noun.rstrip(" ,"))]
    alt = re.match(r"/\s*[^\s,;.()/]+(?:\s+[^\s,;.()/]+)?", s[offset + len(words) : end])
    if alt:
        words += alt.group(0)
    return kind, words.strip()


def _relative(f: str, a: int, b: int, plan_year: int | None) -> tuple[RelativeTo, int, int] | None:
    chunk = f[a:b]
    m = _REL_PREVIOUS.search(chunk)
    if m:
        return RelativeTo("previous_year"), a + m.start(), a + m.end()
    m = _REL_YEAR.search(chunk)
    if m:
        year = int(m.group(1))
        kind: RelativeTo
        if plan_year is not None and year < plan_year - 1:
            kind = RelativeTo("baseline_year", year)
        else:
            kind = RelativeTo("year", year)
        return kind, a + m.start(), a + m.end()
    m = _REL_PLAN.search(chunk)
    if m:
        # "vượt chỉ tiêu" names the plan without "so với": the verb stays in the subject.
        named = chunk[m.start() :].startswith("so")
        return RelativeTo("plan"), (a + m.start() if named else b), (a + m.end() if named else b)
    return None


_DECREASE_WORDS = ("giam", "thap hon", "it hon", "rut ngan", "cat giam", "tinh gian")
_CHANGE_BEFORE = re.compile(
    r"\b(tang them|tang|giam|vuot|cat giam|tinh gian)\b(?:\s+(?:them|thieu))?"
    r"\s*(?:tu|toi thieu|it nhat)?\s*$"
)


def _real_direction_word(s: str, m: re.Match[str]) -> bool:
    """Folded "tang"/"giam" are also "tầng", "giám (sát)": trust only the real words."""
    word = m.group(1)
    if word.startswith("tang"):
        return _original_is(s, m.start(1), ("tăng", "tang "))
    if word == "giam":
        return _original_is(s, m.start(1), ("giảm", "giam "))
    return True


def _direction(s: str, f: str, a: int, pos: int) -> Direction | None:
    """The direction of a change: the last direction word in the clause before pos."""
    last: re.Match[str] | None = None
    for m in _DIRECTION.finditer(f, max(a, pos - 200), pos):
        if _real_direction_word(s, m):
            last = m
    if last is None:
        return None
    return "decrease" if last.group(1) in _DECREASE_WORDS else "increase"


def _direct_change(s: str, f: str, a: int, pos: int) -> Direction | None:
    """ "giảm 10%", "tăng thêm từ 02": a change even without "so với"."""
    m = _CHANGE_BEFORE.search(f, max(a, pos - 40), pos)
    if m is None or not _real_direction_word(s, m):
        return None
    return "decrease" if m.group(1) in _DECREASE_WORDS else "increase"


def _tidy_subject(text: str) -> str:
    text = text.strip(" ,;:-–—.")
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:-–—")
    if text.count("(") > text.count(")"):
        text = text.rsplit("(", 1)[0].strip(" ,;:-")
    if len(text) > 120:
        cut = text[:120].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:-") + " …"
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _cut(text: str, spans: list[tuple[int, int]], offset: int) -> str:
    """text (which starts at offset in the sentence) without the given sentence spans."""
    out = []
    pos = 0
    for a, b in sorted(spans):
        a, b = a - offset, b - offset
        if b <= 0 or a >= len(text):
            continue
        out.append(text[pos : max(pos, a)])
        pos = max(pos, b)
    out.append(text[pos:])
    return "".join(out)


def _first_measure(f: str) -> re.Match[str] | None:
    """The first measuring noun ("tỷ lệ", "mức độ", ...) outside parentheses."""
    depth, counted = 0, 0
    for m in _MEASURE_NOUNS.finditer(f):
        depth += f.count("(", counted, m.start()) - f.count(")", counted, m.start())
        counted = m.start()
        if depth <= 0:
            return m
    return None


def _strip_fillers(text: str, *, leading: bool) -> str:
    folded = fold_aligned(text)
    # Fillers trail within a few words: search only the tail, never the whole text.
    t = _TRAILING_FILLERS.search(folded, max(0, len(folded) - 80))
    if t:
        text, folded = text[: t.start()], folded[: t.start()]
    if leading:
        lead = _LEADING_FILLERS.match(folded.lstrip(" ,;:-–—"))
        if lead:
            skip = len(folded) - len(folded.lstrip(" ,;:-–—"))
            text = text[skip + lead.end() :]
    return text.strip(" ,;:-–—")


def _measured(text: str) -> str | None:
    """text from its first measuring noun, cut before "đạt" ("Chỉ số X đạt tổng số điểm")."""
    folded = fold_aligned(text)
    m = _first_measure(folded)
    if m is None:
        return None
    text, folded = text[m.start() :], folded[m.start() :]
    cut = folded.rfind(" dat ")
    if cut > 0:
        text = text[:cut]
    return _strip_fillers(text, leading=False)


def _subject(
    s: str,
    found: _Found,
    lo: int,
    hi: int,
    drop: list[tuple[int, int]],
) -> str:
    """A short phrase of what is measured.

    The words before the number from a measuring noun ("tỷ lệ hồ sơ ... đúng hạn") when there is
    one; otherwise the verb before it and the noun phrase after it ("hoàn thành" + "kế hoạch
    CCHC"). A label before ":" stands in when the clause after it is only "Đạt 100%".
    """
    before = _cut(s[lo : found.start], drop, lo)
    if found.gap:
        after = _cut(s[found.gap[0] : found.gap[1]], drop, found.gap[0])
        after += " " + _cut(s[found.end : hi], drop, found.end)
    else:
        after = _cut(s[found.end : hi], drop, found.end)
    after = re.sub(r"^\s*(?:số|các)\s+", "", after.strip(" ,;:-–—"), flags=re.IGNORECASE)
    after = after.strip(" ,;:-–—.")
    label = ""
    colon = before.rfind(":")
    if colon >= 0:
        post = _strip_fillers(before[colon + 1 :], leading=True)
        if len(post.split()) >= 2:
            before = before[colon + 1 :]
        else:
            label = before[:colon]
            before = before[colon + 1 :]
    if found.unit == "rank" and found.rank_position:
        subject = _strip_fillers(before, leading=True)
        return _tidy_subject(subject) if len(subject.split()) >= 2 else ""
    measured = _measured(before)
    if measured and len(measured.split()) >= 2:
        return _tidy_subject(measured)
    label_measured = _measured(label) if label else None
    if label_measured and len(label_measured.split()) >= 2:
        return _tidy_subject(label_measured)
    head = _strip_fillers(before, leading=True)
    subject = f"{head} {after}".strip()
    if len(subject.split()) < 2 and label:
        subject = _strip_fillers(label, leading=True)
    return _tidy_subject(subject)


_RANK_PREFIXES = ("trong top", "vao top", "top", "trong nhom", "thuoc nhom", "nhom")
_POSITION_PREFIXES = ("xep thu", "xep hang", "thu hang", "vi tri")


def _rank_positions(f: str, a: int, b: int) -> list[_Found]:
    """ "xếp thứ 15/63": a rank position (15), not the numbers 15 and 63."""
    found = []
    for m in _RANK_OF.finditer(f, a, b):
        context = f[max(a, m.start() - 25) : m.start(1)]
        if not re.search(r"\b(?:thu|hang|vi tri|xep)\b", context):
            continue
        suffix = _SUFFIX.match(f, m.end(), b)
        better = suffix is not None and suffix.group(1) == "tro len"
        found.append(
            _Found(
                m.start(1),
                suffix.end() if better and suffix else m.end(),
                "<=" if better else "=",
                Decimal(int(m.group(1))),
                "rank",
                bare=not better,
                rank_position=True,
            )
        )
    return found


def _unit_after(s: str, f: str, pos: int, b: int) -> tuple[UnitKind | None, str | None, int]:
    """(unit, unit label, end) of an explicit unit right after a number: %, điểm, đồng."""
    units: tuple[tuple[re.Pattern[str], UnitKind], ...] = (
        (_PERCENT, "percent"),
        (_POINTS, "points"),
        (_MONEY, "amount"),
    )
    for pattern, kind in units:
        um = pattern.match(f, pos, b)
        if um:
            label = s[pos : um.end()].strip() if kind == "amount" else None
            return kind, label, um.end()
    return None, None, pos


def _range_after(
    s: str, f: str, found: _Found, pos: int, b: int, prefix: str | None
) -> tuple[Decimal, int] | None:
    """The upper bound of "từ 70% - 100%", "70 đến 100 điểm", "từ 5 đến 10 sáng kiến"."""
    rng = _RANGE.match(f, pos, b)
    if rng is None:
        return None
    high = _decimal(s[rng.start(1) : rng.end(1)])
    end = rng.end()
    high_unit, _label, end = _unit_after(s, f, end, b)
    noun = _noun_after(s, f, end, b)
    if high is None or high < found.value:
        return None
    if found.unit is None:
        if high_unit in ("percent", "points"):
            found.unit = high_unit
        elif prefix == "tu" and noun and noun[0] == "count":
            found.unit, found.unit_label = "count", noun[1]
        else:
            return None
    elif high_unit not in (None, found.unit):
        return None
    return high, end


def _context_unit(
    s: str, f: str, found: _Found, a: int, pos: int, b: int, prefix: str | None
) -> bool:
    """Give a number without a unit one from its words; False when it is not a quantity."""
    before = f[max(a, found.start - 40) : found.start]
    if prefix and prefix.startswith(_RANK_PREFIXES + _POSITION_PREFIXES):
        found.unit, found.rank_position = "rank", True
        return True
    if _NOT_QUANTITY_BEFORE.search(before):
        return False
    noun = _noun_after(s, f, pos, b)
    if noun and noun[0] == "count":
        found.unit, found.unit_label = "count", noun[1]
    elif noun and prefix:
        found.unit, found.unit_label = "amount", noun[1]
    elif re.search(r"\bdiem\b[^0-9;]{0,25}$", before):
        found.unit = "points"  # "tổng số điểm từ 90 trở lên"
    elif re.search(r"\b(?:top|nhom)\s*(?:dau\s*)?$", before):
        found.unit, found.rank_position = "rank", True
    else:
        return False
    # A year is never a count ("từ 2015"), unless a comparator says so.
    return not (found.unit == "count" and 1900 <= found.value <= 2100 and prefix is None)


def _read_number(s: str, f: str, a: int, b: int, m: re.Match[str]) -> _Found | None:
    """The quantity around one number in clause [a, b), or None when it is not one."""
    value = _decimal(s[m.start() : m.end()])
    if value is None:
        return None
    pre = _PREFIX.search(f, max(a, m.start() - 40), m.start())
    prefix = pre.group(1) if pre else None
    if pre and prefix == "tu" and not _original_is(s, pre.start(1), ("từ", "tu ")):
        prefix = None  # "đầu tư 100 tỷ": tư, not từ
    found = _Found(pre.start(1) if pre and prefix else m.start(), m.end(), "=", value, None)
    found.unit, found.unit_label, pos = _unit_after(s, f, m.end(), b)
    if found.unit is None:
        steps = _RANK_STEPS.match(f, pos, b)
        before = f[max(a, m.start() - 40) : m.start()]
        if steps and re.search(r"\b(?:tang|giam|tut|len|xuong)\b[^0-9]{0,20}$", before):
            found.unit, found.unit_label, pos = "rank", s[pos : steps.end()].strip(), steps.end()
    rng = _range_after(s, f, found, pos, b, prefix)
    if rng is not None:
        found.value_high, pos = rng
    if found.unit is None and not _context_unit(s, f, found, a, pos, b, prefix):
        return None
    suffix = _SUFFIX.match(f, pos, b)
    found.end = pos
    if suffix:
        found.gap, found.end = (pos, suffix.start(1)), suffix.end()
    if found.value_high is not None:
        found.comparator, found.bare = "between", False
    else:
        found.comparator, found.bare = _comparator(prefix, suffix.group(1) if suffix else None)
    if found.rank_position and found.comparator == ">=":
        found.comparator = "<="  # "xếp thứ 10 trở lên" is 10th place or better
    if prefix in ("tang", "tang them", "vuot"):
        found.direction = "increase"
    elif prefix == "giam":
        found.direction = "decrease"
    return found


def _numbers_in_clause(s: str, f: str, a: int, b: int) -> list[_Found]:
    found = _rank_positions(f, a, b)
    taken = [(x.start, x.end) for x in found]
    consumed_until = a
    for m in _NUMBER.finditer(f, a, b):
        if m.start() < consumed_until or any(x <= m.start() < y for x, y in taken):
            continue
        item = _read_number(s, f, a, b, m)
        if item is not None:
            found.append(item)
            consumed_until = item.end
    found.sort(key=lambda x: x.start)
    return found


def _zero_and_limits(s: str, f: str, a: int, b: int, numeric: list[_Found]) -> list[_Found]:
    """ "không có X" (X = 0) and "không vượt quá X được giao" (excess over the plan <= 0), when
    no number follows them in the clause (then the number is the quantity)."""
    last_number = max((x.start for x in numeric), default=-1)
    out: list[_Found] = []
    zeros = [m for m in _ZERO.finditer(f, a, b) if m.start() > last_number]
    for i, m in enumerate(zeros):
        stop = min(zeros[i + 1].start() if i + 1 < len(zeros) else b, m.end() + 200)
        subject = re.split(r"\s+(?:và|nhằm|để)\s+", s[m.end() : stop], maxsplit=1)[0]
        if _strip_fillers(subject, leading=True):
            out.append(
                _Found(m.start(), stop, "=", Decimal(0), "count", subject=_tidy_subject(subject))
            )
    for m in _NOT_EXCEED.finditer(f, a, b):
        if m.start() < last_number or not _PLAN_WORDS.search(f, m.end(), min(b, m.end() + 200)):
            continue
        stop = min(b, m.end() + 200)
        out.append(
            _Found(
                m.start(),
                stop,
                "<=",
                Decimal(0),
                "count",
                relative=RelativeTo("plan"),
                direction="increase",
                subject=_tidy_subject(s[m.end() : stop]),
            )
        )
        break  # one limit per clause
    return out


def _qualitative(s: str, f: str, a: int, b: int, plan_year: int | None) -> list[_Found]:
    """ "tăng cao hơn so với năm 2019": a change > 0 in a direction, without a size."""
    rel = _relative(f, a, b, plan_year)
    if rel is None:
        return []
    relative, ra, _rb = rel
    last: re.Match[str] | None = None
    for m in _QUALITATIVE.finditer(f, a, ra):
        word = m.group(1)
        if word in ("tang", "giam") and not _original_is(
            s, m.start(), ("tăng", "giảm", "tang ", "giam ")
        ):
            continue
        last = m
    if last is None or ra - last.end() > 20:
        return []
    direction: Direction = "decrease" if last.group(1) in ("giam", "thap hon") else "increase"
    subject = s[a : last.start()]
    ms = _MEASURE_NOUNS.search(f, a, last.start())
    if ms:
        subject = s[ms.start() : last.start()]
    return [
        _Found(
            last.start(),
            b,
            ">",
            Decimal(0),
            "amount",
            direction=direction,
            relative=relative,
            subject=_tidy_subject(subject),
        )
    ]


def extract_quantities(text: str, *, plan_year: int | None = None) -> list[Quantity]:
    """Every measurable quantity in a sentence (or a paragraph of sentences), in reading order.

    plan_year tells "so với năm 2019" (the year before a 2020 plan: kind "year") from "so với năm
    2015" (an older reference year: kind "baseline_year").
    """
    s = clean_line(text)
    f = fold_aligned(s)
    result: list[Quantity] = []
    previous: _Found | None = None
    for a, b in _split_spans(s):
        if a < 0:
            previous = None  # inheritance stays inside one sentence
            continue
        numeric = _numbers_in_clause(s, f, a, b)
        items = numeric + _zero_and_limits(s, f, a, b, numeric)
        if not items:
            items = _qualitative(s, f, a, b, plan_year)
        items.sort(key=lambda x: x.start)
        lo = a
        for i, item in enumerate(items):
            hi = items[i + 1].start if i + 1 < len(items) else b
            result.append(_finish(s, f, item, (a, lo, hi), previous, plan_year))
            previous = item
            lo = item.end
    return result


_CHANGE_NAMED = re.compile(r"\b(?:ty le|muc|toc do)\s+(?:tang|giam|cat giam|tinh gian)\b")
_YEAR_PLAN_DONE = re.compile(r"\b(?:hoan thanh|giai ngan)\b[^;]*\bke hoach\b")


def measure_for(
    unit: str,
    relative_kind: str | None,
    direction: str | None,
    subject: str,
    unit_label: str | None = None,
) -> Measure | None:
    """What the figure reported for a quantity is, or None when its wording does not tell."""
    if unit == "rank" and not unit_label:
        return "rank"  # a position; "tăng 05 bậc" (unit_label "bậc") is a number of places
    if unit == "percent" and not relative_kind and _YEAR_PLAN_DONE.search(fold_aligned(subject)):
        return "year_progress"  # "hoàn thành 100% kế hoạch", "giải ngân kế hoạch vốn"
    if not relative_kind or unit != "percent":
        return "level"
    if _CHANGE_NAMED.search(fold_aligned(subject)):
        return "level"
    if relative_kind == "plan" and direction == "increase":
        return "above_reference"
    return None


def _finish(
    s: str,
    f: str,
    item: _Found,
    bounds: tuple[int, int, int],
    previous: _Found | None,
    plan_year: int | None,
) -> Quantity:
    """Reference, direction, subject and inherited comparator of one found quantity.

    bounds: the clause start, and the span [lo, hi) between the neighbouring quantities.
    """
    a, lo, hi = bounds
    drop: list[tuple[int, int]] = []
    if item.relative is None:
        rel = _relative(f, lo, hi, plan_year)
        if rel:
            item.relative = rel[0]
            drop.append((rel[1], rel[2]))
    if item.direction is None:
        if item.relative is not None:
            item.direction = _direction(s, f, a, item.start)
        elif item.unit != "rank":
            item.direction = _direct_change(s, f, a, item.start)
    if not item.subject:
        item.subject = _subject(s, item, lo, hi, drop)
        if len(item.subject.split()) < 2 and previous is not None:
            item.subject = previous.subject
        if not item.subject:
            item.subject = "xếp hạng" if item.unit == "rank" else _tidy_subject(s[a:hi])
    if (
        item.bare
        and previous is not None
        and previous.unit == item.unit
        and previous.comparator in (">=", ">", "<=", "<")
        and not (item.unit == "percent" and item.value == 100)
    ):
        item.comparator = previous.comparator  # "Có từ 50 TTHC ...; 30 TTHC ..."
    return Quantity(
        subject=item.subject,
        comparator=item.comparator,
        value=item.value,
        unit=item.unit or "amount",
        value_high=item.value_high,
        relative_to=item.relative,
        direction=item.direction,
        unit_label=item.unit_label,
        measure=measure_for(
            item.unit or "amount",
            item.relative.kind if item.relative else None,
            item.direction,
            item.subject,
            item.unit_label,
        ),
    )
