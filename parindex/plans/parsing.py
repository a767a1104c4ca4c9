"""Plan documents (kế hoạch) → a structured `Proposal` for a reviewer to confirm. Pure: no Django.

    parse_text(text) -> Proposal
    parse_document(data, filename) -> Proposal     (.docx, .html, .txt; .pdf with a text layer)

How a Vietnamese administrative plan is read (docs/plan-import.md has the long version):

1. Lines are cleaned (NFC, straight quotes, single spaces). The header block is found by its
   anchors: the issuer lines ("ỦY BAN NHÂN DÂN / TỈNH ..."), the national motto, "Số: 165/KH-UBND",
   "<place>, ngày d tháng m năm y", the document type ("KẾ HOẠCH") and the title under it.
   Anything before the header (website metadata) or after the signature (website links) is
   skipped with an "ignored_lines" warning; "Số hiệu:/Người ký:/Ngày ban hành:" metadata only
   fills in what the header lacks.
2. The body (after the title, up to "Nơi nhận"/the signature) has hard line breaks joined, then
   each line is classified by its marker (A., I., 1., 1.1., a), (1), -, +, plain) and nested into
   an outline: numbered and lettered headings by rank, bullets by their order of appearance.
3. Sections are known by their heading words, not their numbering: objectives (Mục đích, Mục
   tiêu, Yêu cầu) give goals; tasks (Nhiệm vụ, Giải pháp, Nội dung) give areas; organisation
   (Tổ chức thực hiện, Trách nhiệm) gives reporting duties; a preamble or review section that
   states last year's score gives the baseline. Areas are the first heading level under the tasks
   section; inside an area "Nội dung/Mục tiêu" blocks hold targets and "Phân công trách nhiệm"
   blocks, or "Cơ quan chủ trì:/phối hợp:" lines anywhere, the agencies.
4. Tables with a task column and an agency or deadline column (appendices, "Phụ lục") give areas
   of their own: group rows start an area, other rows are targets with their own agencies.
5. Nothing raises: every problem is a warning with a line number, and a text without a plan's
   structure gives an empty proposal with a "not_a_plan" warning.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.plans.document import read_document
from parindex.plans.proposal import (
    Area,
    Baseline,
    BaselinePart,
    Duty,
    Goal,
    LeadPart,
    Proposal,
    Quantity,
    RankedDomain,
    Target,
    Warning,
    warning,
)
from parindex.plans.quantities import clean_line, extract_quantities, fold_aligned

__all__ = ["parse_document", "parse_text", "split_agencies"]


# =============================================================================================
# Lines


@dataclass
class _Line:
    """A cleaned line, its 1-based number in the input and its folded (accent-free) key."""

    no: int
    text: str
    fold: str


_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_TABLE_LINE = re.compile(r"\s\|\s|^\|.*\|$")


def _lines(text: str) -> list[_Line]:
    out = []
    for i, raw in enumerate(_BREAKS.split(text), start=1):
        cleaned = clean_line(raw)
        out.append(_Line(i, cleaned, fold_aligned(cleaned)))
    return out


def _is_upper(text: str) -> bool:
    """Mostly capital letters: headings and the header block."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _is_separator(text: str) -> bool:
    return bool(text) and not any(c.isalnum() for c in text)


def _is_table_line(text: str) -> bool:
    return bool(_TABLE_LINE.search(text))


def _blank(line: _Line) -> bool:
    return not line.text or _is_separator(line.text)


# =============================================================================================
# Agencies

# How agency names start. Case matters: "Ban Dân tộc" is an agency, the "ban" of "Các sở, ban,
# ngành" is not; "các"/"Các" starts a group ("các cơ quan, đơn vị liên quan").
_AGENCY_STARTS: tuple[str, ...] = (
    "Sở ", "Sở,", "Ban ", "BQL", "UBND", "Ủy ban", "Uỷ ban", "ỦY BAN", "Văn phòng", "Thanh tra",
    "Công an", "Bộ Chỉ huy", "Bộ ", "Bưu điện", "Đài ", "Báo ", "Hội ", "Mặt trận", "Kho bạc",
    "Cục ", "Chi cục", "Chi nhánh", "Trường", "Tòa án", "Toà án", "Viện ", "Liên đoàn",
    "Tỉnh đoàn", "Đoàn ", "Bảo hiểm", "Ngân hàng", "Trung tâm", "Hội đồng", "HĐND", "Tổng công ty",
    "Công ty", "Phòng ", "Các ", "các ", "Cổng ", "Thường trực", "Tỉnh ủy", "Tỉnh uỷ", "Huyện ủy",
    "Đảng ủy", "Cơ quan", "Chủ tịch", "Giám đốc", "Thủ trưởng", "Người đứng đầu", "Viettel", "VNPT",
)  # fmt: skip
_AGENCY_LEAD_IN = re.compile(r"^(?:giao|de nghi|doi voi|trach nhiem cua|nhiem vu cua|cho)\s+")
# Verbs that end an agency's name at the start of a sentence ("Sở Nội vụ chủ trì ...").
_VERBS = re.compile(
    r"\s(chu tri|phoi hop|tham muu|co trach nhiem|chiu trach nhiem|thuc hien|trien khai|"
    r"huong dan|to chuc|la co quan|la don vi|theo doi|dinh ky|bao cao|tong hop|xay dung|"
    r"kiem tra|chi dao|cung cap|dam bao|bao dam|tiep tuc|nghien cuu|de xuat|ra soat)\b"
)


def _starts_agency(text: str) -> bool:
    return text.startswith(_AGENCY_STARTS)


def _strip_notes(text: str) -> str:
    """Without parenthesised notes: "Sở Nội vụ (cơ quan thường trực)" → "Sở Nội vụ"."""
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return " ".join("".join(out).split())


def split_agencies(value: str) -> list[str]:
    """Agency names from "Các sở, ban, ngành; UBND cấp huyện; Sở Văn hóa, Thể thao và Du lịch".

    Split on ";" first; then on "," and " và " only where the next piece starts like an agency
    (Sở, Ban, UBND, Văn phòng, các, ...), so that names with commas or "và" stay whole. Group
    names ("Các sở, ban, ngành", "UBND cấp huyện") are kept for the caller to expand.
    """
    value = _strip_notes(value).strip(" .;:-–")
    names: list[str] = []
    for part in re.split(r"\s*;\s*", value):
        pieces = re.split(r"(,\s*|\s+và\s+)", part)
        current = pieces[0]
        for sep, piece in zip(pieces[1::2], pieces[2::2], strict=False):
            # "Văn phòng HĐND và UBND huyện" is one office serving both bodies.
            serves_both = sep.strip() == "và" and current.startswith("Văn phòng")
            if _starts_agency(piece.strip()) and not serves_both:
                names.append(current)
                current = piece
            else:
                current += sep + piece
        names.append(current)
    out: list[str] = []
    for name in names:
        name = name.strip(" .,;:-–")
        if name and name not in out and any(c.isalpha() for c in name):
            out.append(name)
    return out


def _leading_agency(text: str) -> tuple[str, str, str] | None:
    """("Sở Kế hoạch và Đầu tư", "chu tri", rest) from "Sở Kế hoạch và Đầu tư chủ trì ...".

    The name must keep two words, so "Sở Xây dựng chủ trì" is not cut at "xây dựng".
    """
    folded = fold_aligned(text)
    lead_in = _AGENCY_LEAD_IN.match(folded)
    start = lead_in.end() if lead_in else 0
    if not _starts_agency(text[start:]):
        return None
    for m in _VERBS.finditer(folded, start):
        name = _strip_notes(text[start : m.start()]).strip(" ,:")
        if len(name.split()) >= 2:
            return name, m.group(1), text[m.end() :].strip()
    return None


# =============================================================================================
# Labels: "Cơ quan chủ trì:", "Cơ quan phối hợp:", "Thời gian hoàn thành:"

_LABEL = re.compile(
    r"(?:^|(?<=[\s;.,(]))(?:(?:cac )?(?:co quan|don vi|cq|dv)(?:\s*,\s*don vi)?\s+)?"
    r"(chu tri|phoi hop|thuc hien)(?:\s+(?:thuc hien|chinh|thuc hien chinh))?\s*[:\-–]\s*"
)
_DEADLINE = re.compile(
    r"(?:^|(?<=[\s;.,(]))(?:thoi gian|thoi han|tien do)(?:\s+(?:thuc hien|hoan thanh))?"
    r"\s*[:\-–]\s*"
)
LabelKind = Literal["lead", "coordinating", "deadline"]


@dataclass
class _Label:
    kind: LabelKind
    value: str


def _labels(text: str) -> tuple[str, list[_Label]]:
    """Split "task ... Cơ quan chủ trì: X; Cơ quan phối hợp: Y" into the task and its labels.

    A label in mid-text needs "Cơ quan/Đơn vị" before it, and "thực hiện:" always does
    ("Thực hiện đầy đủ ...:" is a task, "Đơn vị thực hiện:" a label). Folding makes typos in
    tone marks ("Cơ quan chủ tri") harmless.
    """
    folded = fold_aligned(text)
    hits: list[tuple[int, int, LabelKind]] = []
    for m in _LABEL.finditer(folded):
        prefixed = m.group(0).lstrip().startswith(("co quan", "don vi", "cac", "cq", "dv"))
        if (m.group(1) == "thuc hien" or m.start() > 0) and not prefixed:
            continue
        hits.append((m.start(), m.end(), "coordinating" if m.group(1) == "phoi hop" else "lead"))
    hits.extend((m.start(), m.end(), "deadline") for m in _DEADLINE.finditer(folded))
    hits.sort()
    if not hits:
        return text, []
    labels = []
    for i, (a, b, kind) in enumerate(hits):
        if i and a < hits[i - 1][1]:
            continue
        end = hits[i + 1][0] if i + 1 < len(hits) else len(text)
        labels.append(_Label(kind, text[b:end].strip(" ;.,")))
    return text[: hits[0][0]].strip(" ;,-"), labels


# =============================================================================================
# Outline

_FIXED_RANK = {"part": 0, "roman": 1, "num1": 2, "num2": 3, "num3": 4, "num4": 5}
_HEADING_STYLES = {*_FIXED_RANK, "lower", "paren"}
_BULLET_STYLES = {"dash", "plus", "star", "sym"}

_PHAN_RE = re.compile(
    r"^(?:Phần|PHẦN)\s+(?P<m>thứ\s+\w+|THỨ\s+\w+|[IVXL]+|[A-Z]|[0-9]+)\s*[.:\-–]?\s*(?P<b>.*)$"
)
_ROMAN_RE = re.compile(r"^(?P<m>[IVX]{1,7})\s*[.)/\-–]\s*(?P<b>\S.*)$")
_PART_RE = re.compile(r"^(?P<m>[A-HĐ])\s*[.)]\s+(?P<b>\S.*)$")
_NUM_RE = re.compile(r"^(?P<m>[0-9]{1,2}(?:\.[0-9]{1,2}){0,3})(?P<d>[.)])?(?P<s>\s*)(?P<b>\S.*)$")
_PAREN_RE = re.compile(r"^\(\s*(?P<m>[0-9]{1,2}|[a-zđ])\s*\)\s*(?P<b>\S.*)$")
_LOWER_RE = re.compile(r"^(?P<m>[a-zđ])(?:\s*\)\s*|\.\s+)(?P<b>\S.*)$")
_BULLET_RE = re.compile(r"^(?P<m>[-–—‐‑−•·∙●◦○▪▫■□➢➤►▶✓✔❖♦*+])\s*(?P<b>.*\w.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _roman_value(text: str) -> int | None:
    total = prev = 0
    for ch in reversed(text):
        v = _ROMAN_VALUES.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total if 0 < total < 40 else None


@dataclass
class _Node:
    style: str
    marker: str
    body: str
    line: int
    children: list[_Node] = field(default_factory=list)

    def walk(self) -> Iterator[_Node]:
        for child in self.children:
            yield child
            yield from child.walk()


def _classify(text: str) -> tuple[str, str, str]:
    """(style, marker, body) of one line: its list or heading marker and the text after it."""
    m = _PHAN_RE.match(text)
    if m:
        return "part", m.group("m"), m.group("b") or text
    m = _ROMAN_RE.match(text)
    if m and _roman_value(m.group("m")):
        return "roman", m.group("m"), m.group("b")
    m = _PART_RE.match(text)
    if m:
        return "part", m.group("m"), m.group("b")
    m = _NUM_RE.match(text)
    if m:
        marker, delimiter, body = m.group("m"), m.group("d"), m.group("b")
        depth = marker.count(".") + 1
        if depth == 1 and delimiter == ".":
            return "num1", marker, body
        if depth == 1 and delimiter == ")":
            return "paren", marker, body
        if depth > 1 and (delimiter or m.group("s")):
            return f"num{min(depth, 4)}", marker, body
    for pattern, style in ((_PAREN_RE, "paren"), (_LOWER_RE, "lower")):
        m = pattern.match(text)
        if m:
            return style, m.group("m"), m.group("b")
    m = _BULLET_RE.match(text)
    if m:
        ch = m.group("m")
        style = "plus" if ch == "+" else "star" if ch in "*❖" else "dash"
        return ("sym" if ch in "◦○▪▫■□➢➤►▶✓✔♦" else style), ch, m.group("b").strip()
    return "para", "", text


# A line ending like this stops mid-sentence, even when it starts like a heading ("1.5. ...").
_FRAGMENT_END = re.compile(
    r"(?:,|\b(?:cua|va|ve|cac|cho|voi|tai|theo|trong|de|bao cao|tong hop|gui|la|tu|den|nhung|"
    r"duoc|hoac|nham|tren|doi voi|so|thuc hien))$"
)


def _unbalanced(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("(") > text.count(")")


def _continues(prev: _Line, cur: _Line, blank_between: bool, *, blank_separated: bool) -> bool:
    """Is cur the rest of prev's sentence, cut by a hard line break?

    Never a marked line, a table row or a "Cơ quan chủ trì:" line. A line starting in lower
    case continues (even after a blank line); so does any line under a heading left with an
    open quote or parenthesis. In a text that puts blank lines between paragraphs, an unmarked
    line right under a non-heading line continues it. Otherwise only a long line without
    closing punctuation continues, and capitals continue capitals (a wrapped heading).
    """
    if _is_table_line(prev.text) or _is_table_line(cur.text):
        return False
    style, marker, _body = _classify(cur.text)
    if style != "para":
        return not blank_between and _marked_but_continues(prev, cur, style, marker)
    text, labels = _labels(cur.text)
    if labels and not text:
        return False
    prev_style = _classify(prev.text)[0]
    heading = (
        prev_style in _HEADING_STYLES
        and (len(prev.text.split()) <= 12 or _is_upper(prev.text))
        and not _FRAGMENT_END.search(prev.fold)
    )
    if _unbalanced(prev.text) and not blank_between:
        return True
    if cur.text[0].islower() and not prev.text.endswith((".", ";", "!", "?", ":")):
        return True
    if blank_between or heading:
        return False
    if _is_upper(prev.text):
        return _is_upper(cur.text) and len(prev.text) < 120
    if blank_separated:
        return True
    if _is_upper(cur.text) or prev.text.endswith((".", ";", "!", "?", ":", '."', ".)", "./.")):
        return False
    return len(prev.text) >= 50


def _marked_but_continues(prev: _Line, cur: _Line, style: str, marker: str) -> bool:
    """A wrapped line that only looks like an item: the rest of an inline run "(1) ... (2) ..."
    or the upper end of a range ("đạt từ 70%" + "- 100% số văn bản")."""
    if style == "paren" and marker.isdigit():
        if marker == "1":
            return re.search(r"\S\s*\(2\)\s", cur.text) is not None
        return re.search(rf"\S\s*\({int(marker) - 1}\)\s", prev.text) is not None
    if style == "dash" and re.match(r"[-–]\s*[0-9]", cur.text):
        return re.search(r"\btu\s+[0-9]+(?:[.,][0-9]+)?\s*%?$", prev.fold) is not None
    return False


def _blank_separated(lines: list[_Line]) -> bool:
    """Does this text put blank lines between its paragraphs? Judged on the lines that start
    an item (a marker), since wrapped lines inside a paragraph never follow a blank."""
    after_blank = after_text = 0
    for prev, cur in pairwise(lines):
        if not _blank(cur) and _classify(cur.text)[0] != "para":
            if _blank(prev):
                after_blank += 1
            else:
                after_text += 1
    return after_blank > 0 and after_blank >= after_text


def _logical_lines(lines: list[_Line]) -> list[_Line]:
    separated = _blank_separated(lines)
    out: list[_Line] = []
    blank = True
    for line in lines:
        if _blank(line):
            blank = True
            continue
        if out and _continues(out[-1], line, blank, blank_separated=separated):
            # "KT-" + "XH": a word broken at its own hyphen joins without a space.
            glue = "" if re.search(r"\w-$", out[-1].text) else " "
            joined = out[-1].text + glue + line.text
            out[-1] = _Line(out[-1].no, joined, fold_aligned(joined))
        else:
            out.append(line)
        blank = False
    return out


def _outline(lines: list[_Line]) -> _Node:
    """Nest lines by marker: fixed ranks for A./I./1./1.1., order of appearance for the rest."""
    root = _Node("root", "", "", 0)
    stack = [root]
    for line in lines:
        style, marker, body = _classify(line.text)
        node = _Node(style, marker, body, line.no)
        if style == "para":
            top = stack[-1]
            if top.style not in _FIXED_RANK and top.style != "root" and not top.body.endswith(":"):
                # A plain paragraph after a bullet is the bullet's sibling, not its child.
                while len(stack) > 1 and stack[-1].style not in _FIXED_RANK:
                    stack.pop()
            stack[-1].children.append(node)
            continue
        if style in _FIXED_RANK:
            rank = _FIXED_RANK[style]
            while len(stack) > 1 and (
                stack[-1].style not in _FIXED_RANK or _FIXED_RANK[stack[-1].style] >= rank
            ):
                stack.pop()
        else:
            for i in range(len(stack) - 1, 0, -1):
                if stack[i].style == style:
                    del stack[i:]
                    break
                if stack[i].style in _FIXED_RANK:
                    break
        stack[-1].children.append(node)
        stack.append(node)
    return root


# =============================================================================================
# What a heading says it is

Role = Literal[
    "objectives", "tasks", "implementation", "funding", "review", "basis", "appendix"
]  # fmt: skip
_SECTION_ROLES: tuple[tuple[str, Role], ...] = (
    ("muc dich", "objectives"),
    ("muc tieu", "objectives"),
    ("yeu cau", "objectives"),
    ("quan diem", "objectives"),
    ("chi tieu", "objectives"),
    ("nhiem vu", "tasks"),
    ("giai phap", "tasks"),
    ("noi dung", "tasks"),
    ("to chuc thuc hien", "implementation"),
    ("trach nhiem", "implementation"),
    ("phan cong", "implementation"),
    ("che do bao cao", "implementation"),
    ("dieu khoan thi hanh", "implementation"),
    ("kinh phi", "funding"),
    ("ket qua", "review"),
    ("danh gia", "review"),
    ("tinh hinh", "review"),
    ("thuc trang", "review"),
    ("can cu", "basis"),
    ("phu luc", "appendix"),
)
_ROLE_SKIP = re.compile(r"^(?:cac|nhung|mot so|ve|doi voi)\s+")
_BLOCK_TARGETS = ("noi dung", "muc tieu", "chi tieu", "nhiem vu", "giai phap", "yeu cau")
_BLOCK_RESPONSIBILITY = (
    "phan cong", "trach nhiem", "to chuc thuc hien", "co quan thuc hien", "don vi thuc hien",
    "phoi hop thuc hien",
)  # fmt: skip


def _role(body: str) -> Role | None:
    """A section's role from the words its heading starts with ("II. NHIỆM VỤ, GIẢI PHÁP")."""
    folded = _ROLE_SKIP.sub("", fold_aligned(body).strip(" :.-"))
    for prefix, role in _SECTION_ROLES:
        if folded.startswith(prefix):
            return role
    return None


def _block_role(node: _Node) -> tuple[Literal["targets", "responsibility"] | None, str]:
    """An area's sub-block ("1.1. Nội dung và mục tiêu:", "1.2. Phân công trách nhiệm:") and the
    text after its colon. A bullet counts only when short and ending with ":"."""
    head, colon, rest = node.body.partition(":")
    key = _ROLE_SKIP.sub("", fold_aligned(head).strip(" .-"))
    bullet_like = node.style in _BULLET_STYLES or node.style == "para"
    if len(key.split()) > (6 if bullet_like else 10) or (bullet_like and not colon):
        return None, ""
    if key.startswith(_BLOCK_RESPONSIBILITY):
        return "responsibility", rest.strip()
    if key.startswith(_BLOCK_TARGETS):
        return "targets", rest.strip()
    return None, ""


def _is_reference(node: _Node) -> bool:
    """ "(Chi tiết tại Phụ lục kèm theo)": a pointer elsewhere, not a task."""
    body = node.body.strip()
    if node.children:
        return False
    if body.startswith("(") and body.endswith((")", ").")):
        return True
    return len(body.split()) < 15 and "phu luc" in fold_aligned(body)


# =============================================================================================
# Identity: number, date, issuer, title, signer

_DOC_TYPES: dict[str, Literal["plan", "other"]] = {
    "ke hoach": "plan",
    "ke hoach hanh dong": "plan",
    "chuong trinh": "plan",
    "chuong trinh hanh dong": "plan",
    "de an": "plan",
    "phuong an": "plan",
    "quyet dinh": "other",
    "bao cao": "other",
    "cong van": "other",
    "thong bao": "other",
    "chi thi": "other",
    "nghi quyet": "other",
    "to trinh": "other",
    "huong dan": "other",
}
_NUMBER_RE = re.compile(r"(?:^|\s)so(?: hieu)?\s*:\s*([0-9]+)\s*/\s*([a-z0-9\-]+(?:/[a-z0-9\-]+)*)")
_DATE_RE = re.compile(r"(?:^|,|\s)ngay\s+([0-9]{1,2})\s+thang\s+([0-9]{1,2})\s+nam\s+([0-9]{4})")
_MOTTO = "cong hoa xa hoi chu nghia viet nam"
_META_LABELS = (
    "so hieu", "loai van ban", "noi ban hanh", "co quan ban hanh", "nguoi ky", "ngay ban hanh",
    "ngay hieu luc", "ngay cong bao", "so cong bao", "linh vuc", "tinh trang", "ngay het hieu luc",
)  # fmt: skip
_META_RE = re.compile(r"\b(" + "|".join(_META_LABELS) + r")\s*:\s*")
_SIGN_START = re.compile(r"^(?:tm|kt|tl|ttl)\s*\.\s*\S")
_ROLE_WORDS = frozenset(
    (
        "chu tich", "pho chu tich", "giam doc", "pho giam doc", "truong ban", "pho truong ban",
        "chanh van phong", "bi thu", "thu truong", "uy vien", "nguoi ky",
    )
)  # fmt: skip
_TITLE_STOP = re.compile(r"(?:can cu|thuc hien|ngay [0-9]|de |nham |nam [0-9])")
# Kept in capitals when an all-capitals title is put in sentence case.
_ACRONYMS = frozenset(
    (
        "ubnd", "hdnd", "cchc", "tthc", "par", "index", "ict", "sipas", "papi", "pci", "ddci",
        "qppl", "cntt", "kt-xh", "ubmttq", "mttq", "cbccvc", "iso", "dti",
    )
)  # fmt: skip
_PLACE_WORDS = frozenset(("tinh", "thanh pho", "huyen", "quan", "thi xa"))
_PLACE_STOP = frozenset(("nam", "giai", "cua", "ve", "den", "va", "trong", "tren", "tai", "dot"))
_INDEXES: tuple[tuple[str, str], ...] = (
    ("par index", "PAR INDEX"),
    ("chi so cai cach hanh chinh", "PAR INDEX"),
    ("papi", "PAPI"),
    ("hieu qua quan tri va hanh chinh cong", "PAPI"),
    ("pci", "PCI"),
    ("nang luc canh tranh", "PCI"),
    ("sipas", "SIPAS"),
    ("hai long", "SIPAS"),
    ("ict index", "ICT INDEX"),
    ("ddci", "DDCI"),
)


@dataclass
class _Identity:
    number: str | None = None
    date: date | None = None
    issuer: str | None = None
    title: str | None = None
    doc_type: Literal["plan", "other"] | None = None
    header_start: int | None = None  # index of the header's first line, None without a header
    body_start: int = 0  # index of the first line after the title


def _first(lines: list[_Line], limit: int, test: re.Pattern[str], skip: str) -> int | None:
    return next(
        (i for i in range(limit) if test.search(lines[i].fold) and skip not in lines[i].fold),
        None,
    )


def _doc_type_line(
    lines: list[_Line], start: int, stop: int
) -> tuple[int, Literal["plan", "other"], str] | None:
    """(index, kind, text after the type) of the "KẾ HOẠCH" line, in capitals."""
    for i in range(start, min(stop, len(lines))):
        line = lines[i]
        key = line.fold.strip(" .:")
        if key in _DOC_TYPES and _is_upper(line.text):
            return i, _DOC_TYPES[key], ""
        for word, kind in _DOC_TYPES.items():
            if kind == "plan" and key.startswith(word + " ") and line.text[: len(word)].isupper():
                return i, kind, line.text[len(word) :].strip(" :")
    return None


def _issuer_lines(
    lines: list[_Line], motto: int | None, number_at: int | None
) -> tuple[list[str], int | None]:
    """The issuer block's lines and the index of its first line.

    Either the capital lines just above the motto (or the number), or the text before the motto
    on the same lines when the two header columns were pasted side by side.
    """
    anchor = motto if motto is not None else number_at
    if anchor is None:
        return [], None
    pos = lines[anchor].fold.find(_MOTTO) if motto is not None else -1
    if pos > 0:
        parts = [lines[anchor].text[:pos]]
        if anchor + 1 < len(lines):
            cut = lines[anchor + 1].fold.find("doc lap")
            if cut > 0:
                parts.append(lines[anchor + 1].text[:cut])
        return parts, anchor
    i = anchor - 1
    while i >= 0 and _blank(lines[i]):
        i -= 1
    block: list[str] = []
    first = None
    while i >= 0 and len(block) < 3:
        line = lines[i]
        if line.text and _is_upper(line.text) and _MOTTO not in line.fold:
            block.insert(0, line.text)
            first = i
            i -= 1
        elif block and not line.text and i > 0 and lines[i - 1].fold.startswith(("uy ban", "ubnd")):
            i -= 1  # "ỦY BAN NHÂN DÂN" and "TỈNH ..." as two Word paragraphs
        else:
            break
    return block, first


_TYPE_WORDS = ("SỞ ", "BAN ", "VĂN PHÒNG ", "THANH TRA ", "BỘ ", "CÔNG AN ", "CỤC ")


def _issuer_name(parts: list[str]) -> str | None:
    """ "UBND tỉnh Lào Cai" from "ỦY BAN NHÂN DÂN" + "TỈNH LÀO CAI"; "Sở Nội vụ" from a
    department's block ("UBND TỈNH LÀO CAI" + "SỞ NỘI VỤ")."""
    parts = [p.strip(" -") for p in parts if p.strip(" -")]
    if not parts:
        return None
    if len(parts) > 1 and parts[-1].startswith(_TYPE_WORDS):
        parts = parts[-1:]
    text = " ".join(parts)
    m = re.match(
        r"(?:uy ban nhan dan|ubnd)\s+(tinh|thanh pho|huyen|quan|thi xa|xa|phuong|thi tran)\s+(.+)$",
        fold_aligned(text),
    )
    if m:
        place = text[m.start(2) :].strip()
        level = text[m.start(1) : m.end(1)].lower()
        return f"UBND {level} {place.title() if _is_upper(place) else place}"
    if _is_upper(text):
        for word in _TYPE_WORDS:
            if text.startswith(word):
                rest = text[len(word) :].strip()
                return f"{word.strip().capitalize()} {rest[:1]}{rest[1:].lower()}"
        return text[:1] + text[1:].lower()
    return text


def _case_restored(title: str, lines: list[_Line], skip: set[int]) -> str:
    """An all-capitals title in the case the document writes it elsewhere (often the preamble)."""
    key = fold_aligned(title)
    if not _is_upper(title) or len(key) < 10:
        return title
    for line in lines:
        pos = line.fold.find(key) if line.no not in skip else -1
        if pos >= 0 and not _is_upper(line.text[pos : pos + len(key)]):
            return line.text[pos : pos + len(key)]
    return _sentence_case(title)


def _sentence_case(title: str) -> str:
    """ "NÂNG CAO CHỈ SỐ HÀI LÒNG (SIPAS) CỦA TỈNH LAI CHÂU NĂM 2023" → "Nâng cao chỉ số hài
    lòng (SIPAS) của tỉnh Lai Châu năm 2023": acronyms and parentheses stay in capitals, the
    words after tỉnh/thành phố/huyện are a place name."""
    words = title.split()
    out: list[str] = []
    depth = 0
    place = False
    for i, word in enumerate(words):
        folded = fold_aligned(word).strip("(),.:;")
        depth += word.count("(")
        if depth > 0 or folded in _ACRONYMS or any(ch.isdigit() for ch in word):
            out.append(word)
            place = False
        elif place and folded not in _PLACE_STOP:
            out.append(word[:1] + word[1:].lower())
        else:
            out.append(word.lower())
            pair = " ".join(fold_aligned(w) for w in words[max(0, i - 1) : i + 1])
            place = folded in _PLACE_WORDS or pair in _PLACE_WORDS
        depth = max(0, depth - word.count(")"))
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def _title_continues(previous: str, line: str) -> bool:
    """Does a title run on over a blank line (Word paragraphs)? Capitals after capitals, or a
    line starting in lower case."""
    if _classify(line)[0] != "para" or line.endswith((".", ":")) or len(line) > 200:
        return False
    return (_is_upper(previous) and _is_upper(line)) or line[0].islower()


def _title(lines: list[_Line], type_at: int, rest: str) -> tuple[str | None, int]:
    """The title under the document type, up to a blank line; and the index after it."""
    if rest:
        return rest, type_at + 1
    i = type_at + 1
    while i < len(lines) and _blank(lines[i]):
        i += 1
    taken: list[_Line] = []
    while i < len(lines) and len(taken) < 5:
        line = lines[i]
        if _blank(line):
            following = lines[i + 1].text if i + 1 < len(lines) else ""
            if taken and following and _title_continues(taken[-1].text, following):
                i += 1
                continue
            break
        if _classify(line.text)[0] != "para" or _TITLE_STOP.match(line.fold):
            break
        if len(line.text) > 300 or (taken and taken[-1].text.endswith((".", ":", ";"))):
            break
        taken.append(line)
        i += 1
    if not taken:
        return None, i
    title = " ".join(t.text for t in taken).strip(" .")
    title = _case_restored(title, lines, {t.no for t in taken})
    return title[:1].upper() + title[1:], i


def _identity(lines: list[_Line], warnings: list[Warning]) -> _Identity:
    ident = _Identity()
    limit = min(len(lines), 200)
    motto = next((i for i in range(limit) if _MOTTO in lines[i].fold), None)
    number_at = _first(lines, limit, _NUMBER_RE, "so hieu:")
    date_at = _first(lines, limit, _DATE_RE, "ban hanh:")
    anchors = [i for i in (motto, number_at, date_at) if i is not None]
    start = min(anchors) if anchors else 0
    found = _doc_type_line(lines, start, (max(anchors) + 12) if anchors else limit)
    if found is not None:
        anchors.append(found[0])
        ident.doc_type = found[1]
    if not anchors:
        return ident
    issuer, issuer_at = _issuer_lines(lines, motto, number_at)
    ident.issuer = _issuer_name(issuer)
    ident.header_start = min([*anchors, *([issuer_at] if issuer_at is not None else [])])
    if number_at is not None:
        m = _NUMBER_RE.search(lines[number_at].fold)
        if m:
            suffix = lines[number_at].text[m.start(2) : m.end(2)].strip("-/")
            ident.number = f"{m.group(1)}/{suffix.upper()}"
    if date_at is not None:
        m = _DATE_RE.search(lines[date_at].fold)
        if m:
            try:
                ident.date = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                warnings.append(warning(lines[date_at].no, "bad_date", text=lines[date_at].text))
    ident.body_start = max(anchors) + 1
    if found is not None:
        ident.title, after = _title(lines, found[0], found[2])
        ident.body_start = max(ident.body_start, after)
    return ident


def _meta(lines: list[_Line], end: int) -> dict[str, tuple[str, int]]:
    """Website metadata ("Số hiệu: ... Người ký: ...") before the header, by folded label."""
    out: dict[str, tuple[str, int]] = {}
    for line in lines[:end]:
        hits = list(_META_RE.finditer(line.fold))
        for i, m in enumerate(hits):
            stop = hits[i + 1].start() if i + 1 < len(hits) else len(line.text)
            value = line.text[m.end() : stop].strip(" ,;")
            if value and m.group(1) not in out:
                out[m.group(1)] = (value, line.no)
    return out


def _index_of(title: str | None) -> str | None:
    folded = fold_aligned(title or "")
    return next((name for key, name in _INDEXES if re.search(rf"\b{key}\b", folded)), None)


def _signer(lines: list[_Line], start: int) -> tuple[str | None, int | None, int]:
    """(name, its index, index of the signature block's first line) after the body."""
    sign_at = None
    for i in range(start, len(lines)):
        f = lines[i].fold
        if _SIGN_START.match(f) or (f.strip(" .") in _ROLE_WORDS and _is_upper(lines[i].text)):
            sign_at = i
            break
        if f.startswith("phu luc") and _is_upper(lines[i].text):
            break
    if sign_at is None:
        return None, None, start
    seen = 0
    for i in range(sign_at + 1, len(lines)):
        text = lines[i].text
        if _blank(lines[i]):
            continue
        seen += 1
        key = lines[i].fold.strip(" .:()[]")
        if seen > 8 or len(text.split()) > 8:
            break
        if key in _ROLE_WORDS or _SIGN_START.match(lines[i].fold) or "da ky" in key:
            continue
        words = text.split()
        if 2 <= len(words) <= 6 and all(
            w[0].isupper() and w.replace("-", "").isalpha() for w in words
        ):
            return (text.title() if _is_upper(text) else text), i, sign_at
    return None, None, sign_at


# =============================================================================================
# Tables

_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no", ("stt", "tt", "so tt", "so thu tu")),
    ("lead", ("co quan chu tri", "don vi chu tri", "chu tri", "co quan thuc hien",
              "don vi thuc hien", "co quan, don vi chu tri")),
    ("coordinating", ("co quan phoi hop", "don vi phoi hop", "phoi hop")),
    ("deadline", ("thoi gian", "thoi han", "tien do")),
    ("goal", ("chi tieu", "muc tieu", "ket qua can dat", "yeu cau")),
    ("product", ("san pham", "hinh thuc van ban", "ket qua")),
    ("note", ("ghi chu",)),
    ("task", ("nhiem vu", "noi dung", "giai phap", "ten nhiem vu", "hoat dong", "tieu chi",
              "cong viec", "linh vuc")),
)  # fmt: skip
# Website footers that look like table rows: "Ban hành: 14/05/2015 | Cập nhật: 04/06/2015".
_CLUTTER = re.compile(r"\bban hanh\s*:\s*[0-9]|\bcap nhat\s*:\s*[0-9]")
_AREA_PREFIX = re.compile(
    r"(?:chi so noi dung|chi so thanh phan|noi dung thanh phan|chi so|linh vuc|noi dung|tieu chi|"
    r"ve|doi voi)(?:\s+(?:so\s+)?[0-9]+)?\s*[:.\-–]?\s*"
)


def _cells(text: str) -> list[str]:
    cells = [c.strip() for c in text.split("|")]
    if text.strip().startswith("|"):
        cells = cells[1:]
    if text.strip().endswith("|"):
        cells = cells[:-1]
    return cells


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    """Column positions when this row is a task table's header, else None."""
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = fold_aligned(cell).strip(" .:")
        for name, words in _COLUMNS:
            if name not in columns and (
                key in words or any(key.startswith((w + " ", w + ",")) for w in words if len(w) > 3)
            ):
                columns[name] = i
                break
    if "task" not in columns and "goal" in columns:
        columns["task"] = columns.pop("goal")
    if "task" in columns and ({"lead", "coordinating", "deadline"} & columns.keys()):
        return columns
    return None


def _is_group_row(values: dict[str, str]) -> bool:
    """A row that names an area ("I | CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH | | |") rather than a task."""
    task = values.get("task", "")
    if not task or any(v for k, v in values.items() if k not in ("no", "task")):
        return False
    number = values.get("no", "").strip(". ")
    return bool(
        not number
        or _roman_value(number)
        or re.fullmatch(r"[A-HĐ]", number)
        or _is_upper(task)
        or fold_aligned(task).startswith(("chi so", "linh vuc", "noi dung"))
    )


def _area_title(text: str) -> tuple[str, str]:
    """(title, inline text) of an area heading: the quoted name if any, else the words after
    "Chỉ số nội dung"/"Lĩnh vực"/"Nội dung 1:" up to a colon."""
    quoted = re.search(r'"([^"]{2,})"', text)
    if quoted:
        return quoted.group(1), text[quoted.end() :].strip(" :.-")
    m = _AREA_PREFIX.match(fold_aligned(text))
    rest = text[m.end() :] if m and m.end() < len(text) else text
    title, _, inline = rest.partition(":")
    if len(title.split()) > 25:
        return rest, ""
    return title, inline


def _title_case(text: str) -> str:
    text = text.strip(" :.")
    if _is_upper(text):
        text = text[:1] + text[1:].lower()
    return text[:1].upper() + text[1:]


# =============================================================================================
# Matching the parts of a multi-lead area to its targets

_OVERLAP_STOP = frozenset(
    (
        "cac", "cua", "va", "voi", "trong", "theo", "ve", "nhung", "duoc", "cho", "tai", "tren",
        "nam", "noi", "dung", "thuc", "hien", "quy", "dinh", "de", "la", "co", "mot", "so",
    )
)  # fmt: skip
_ABBREVIATIONS = {
    "cntt": "cong nghe thong tin",
    "ktxh": "kinh te xa hoi",
    "tthc": "thu tuc hanh chinh",
    "cchc": "cai cach hanh chinh",
    "qppl": "quy pham phap luat",
    "vbqppl": "van ban quy pham phap luat",
    "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen",
    "bcci": "buu chinh cong ich",
    "cbccvc": "can bo cong chuc vien chuc",
    "hcnn": "hanh chinh nha nuoc",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "dvsncl": "don vi su nghiep cong lap",
    "pakn": "phan anh kien nghi",
}


def _bigrams(text: str) -> set[str]:
    """Word pairs with abbreviations expanded ("CNTT" = "công nghệ thông tin")."""
    folded = re.sub(r"\bkt\s*-\s*xh\b", "ktxh", fold_aligned(text))
    words: list[str] = []
    for token in re.findall(r"[a-z0-9]+", folded):
        words.extend(w for w in _ABBREVIATIONS.get(token, token).split() if w not in _OVERLAP_STOP)
    return {f"{a} {b}" for a, b in pairwise(words)}


# =============================================================================================
# Baseline: last year's result as the preamble states it

_SCORE = re.compile(r"\bdat(?: duoc)?(?: tong so)?(?: diem)?\s*([0-9]+(?:,[0-9]+)?)\s*diem")
_SCORE_CHANGE = re.compile(
    r"\((tang|giam)\s+([0-9]+(?:,[0-9]+)?)\s*diem(?:\s+so voi (?:nam )?([0-9]{4}))?"
)
_RANK = re.compile(
    r"\b(?:xep|dung)\s+(?:thu|hang|vi tri)?\s*(?:thu\s*)?([0-9]{1,3})\s*/\s*([0-9]{1,3})"
)
_RANK_CHANGE = re.compile(r"\((tang|giam|tut)\s+([0-9]{1,3})\s*(?:bac|hang|vi tri)")
_PART_VALUE = re.compile(r"(?::|\bdat)\s*([0-9]+(?:,[0-9]+)?)\s*diem")
_SOURCE = re.compile(r"\b(?:quyet dinh|qd)\s+(?:so\s+)?([0-9]+/[a-z0-9\-]+)")
_PART_KEYS: tuple[tuple[str, str], ...] = (
    ("sipas", "sipas"),
    ("hai long", "sipas"),
    ("lanh dao", "leader_survey"),
    ("kinh te", "socio_economic"),
    ("tham dinh", "appraisal"),
    ("tu danh gia", "appraisal"),
    ("tac dong", "impact"),
    ("dieu tra xa hoi hoc", "impact"),
)


def _dec(text: str) -> Decimal | None:
    try:
        return parse_decimal(text)
    except (NumberFormatError, ArithmeticError, ValueError):
        return None


def _part_key(name: str) -> str | None:
    folded = fold_aligned(name)
    return next((key for word, key in _PART_KEYS if word in folded), None)


def _name_before(text: str, pos: int) -> str:
    """The phrase ending at pos, back to what opens it (";", ":", an open "(" or the start);
    at most 200 characters back: names are never longer."""
    depth = 0
    i = pos - 1
    while i >= max(0, pos - 200):
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                break
            depth -= 1
        elif ch in ";:" and depth == 0:
            break
        i -= 1
    return text[i + 1 : pos].strip(" ,.")


def _read_baseline(text: str, line: int) -> Baseline | None:
    """Points, their parts, rank and weak domains from a paragraph like the seed's:

    "... đạt được 82,85 điểm (tăng 4,38 điểm so với năm 2018), gồm: Điểm thẩm định ...: 52,90
    điểm; điểm đánh giá tác động ...: 29,95 điểm (Chỉ số SIPAS: 8,30 điểm; ...), xếp thứ 15/63
    ... (tăng 06 bậc ...). ... như: Xây dựng ... xếp thứ 52/63 tỉnh, thành phố; ..."
    """
    folded = fold_aligned(text)
    score = _SCORE.search(folded)
    rank = _RANK.search(folded)
    if score is None and rank is None:
        return None
    baseline = Baseline(line=line)
    year = re.search(r"\bchi so[^.;]{0,80}?\bnam ([12][0-9]{3})", folded)
    if year is None and score is not None:
        year = re.search(r"\bnam ([12][0-9]{3})\b", folded[: score.start()])  # "Năm 2023, ..."
    if year:
        baseline.year = int(year.group(1))
    source = _SOURCE.search(folded)
    if source:
        baseline.source = text[source.start(1) : source.end(1)].upper()
    if score:
        baseline.points = _dec(score.group(1))
        change = _SCORE_CHANGE.search(folded, score.end(), score.end() + 40)
        if change:
            value = _dec(change.group(2))
            if value is not None:
                baseline.points_change = value if change.group(1) == "tang" else -value
            if baseline.year is None and change.group(3):
                baseline.year = int(change.group(3)) + 1
        parts_end = rank.start() if rank and rank.start() > score.end() else len(text)
        depth, counted = 0, 0
        for m in _PART_VALUE.finditer(folded, change.end() if change else score.end(), parts_end):
            depth += text.count("(", counted, m.start()) - text.count(")", counted, m.start())
            counted = m.start()
            points = _dec(m.group(1))
            name = _name_before(text[:parts_end], m.start())
            name = re.sub(r"^(?:gồm|bao gồm|trong đó)\s*[,:]?\s*", "", name, flags=re.IGNORECASE)
            if points is None or not name:
                continue
            part = BaselinePart(name=name, points=points, key=_part_key(name))
            # Inside parentheses: a part of the previous part ("29,95 điểm (Chỉ số SIPAS: ...)").
            if depth > 0 and baseline.parts:
                baseline.parts[-1].parts.append(part)
            else:
                baseline.parts.append(part)
    if rank:
        baseline.rank, baseline.rank_of = int(rank.group(1)), int(rank.group(2))
        change = _RANK_CHANGE.search(folded, rank.end(), rank.end() + 120)
        if change:
            steps = int(change.group(2))
            baseline.rank_change = steps if change.group(1) == "tang" else -steps
        for m in _RANK.finditer(folded, rank.end()):
            name = re.sub(r"^(?:như|là|gồm)\s*:?\s*", "", _name_before(text, m.start()))
            name = re.sub(r"\s*(?:tỉnh,? thành phố|tỉnh)\s*$", "", name)
            if name:
                baseline.weak_domains.append(
                    RankedDomain(name[:1].upper() + name[1:], int(m.group(1)), int(m.group(2)))
                )
    return baseline


# =============================================================================================
# Reporting duties

_PERIOD_WORDS: tuple[tuple[str, str], ...] = (
    (r"(?:6|06|sau) thang", "half_year"),
    (r"(?:9|09|chin) thang", "nine_months"),
    (r"(?:hang |moi )?quy", "quarter"),
    (r"(?:hang |moi )?thang", "month"),
    (r"(?:hang |moi )?tuan", "week"),
    (r"(?:hang |moi |ca |cuoi )?nam(?! [0-9])", "year"),
    (r"dot xuat", "ad_hoc"),
)
_PERIOD_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<p{i}>{w})" for i, (w, _) in enumerate(_PERIOD_WORDS)) + r")\b"
)
_PERIOD_ORDER = ("week", "month", "quarter", "half_year", "nine_months", "year", "ad_hoc")


def _periods(folded: str) -> list[str]:
    """ "Định kỳ hàng quý, 6 tháng, năm" → ["quarter", "half_year", "year"]."""
    m = re.search(r"\bdinh ky\b", folded)
    if m:
        stop = re.search(
            r"\b(?:tong hop|bao cao|gui|cap nhat|danh gia|so ket|tong ket)\b", folded[m.end() :]
        )
        region = folded[m.end() : m.end() + (stop.start() if stop else 60)]
    else:
        found = re.search(
            r"\b(?:hang|hang|moi)\s+(?:quy|thang|nam|tuan)\b|\b(?:6|06|sau) thang\b", folded
        )
        if not found:
            return []
        region = folded[max(0, found.start() - 5) : found.end() + 40]
        region = re.split(r"\b(?:bao cao|gui|tong hop)\b", region)[0] or region
    out: list[str] = []
    for pm in _PERIOD_RE.finditer(region):
        name = next(n for i, (_, n) in enumerate(_PERIOD_WORDS) if pm.group(f"p{i}"))
        if name not in out:
            out.append(name)
    return sorted(out, key=_PERIOD_ORDER.index)


def _agency_at(text: str, start: int) -> str | None:
    """The agency named at text[start:], up to "về", "để", a comma, ... (None if none is)."""
    rest = text[start : start + 200].strip()
    if not _starts_agency(rest):
        return None
    stop = re.search(
        r"\s(?:ve|de|truoc|ket qua|tinh hinh|viec|theo|dinh ky|va cac|xem xet|chi dao)\b|[,.;(]",
        fold_aligned(rest),
    )
    name = rest[: stop.start()] if stop else rest
    return " ".join(name.split()[:8]).strip(" .,;") or None


def _who(body: str) -> str | None:
    """The agency a block heading is about: "Trách nhiệm của Sở Nội vụ (...):" → "Sở Nội vụ"."""
    head = _strip_notes(body.split(":")[0])
    lead_in = _AGENCY_LEAD_IN.match(fold_aligned(head))
    head = head[lead_in.end() :] if lead_in else head
    head = head.strip(" .")
    if _starts_agency(head) and len(head.split()) <= 14:
        led = _leading_agency(head)
        return led[0] if led else head
    return None


def _reporting_duty(text: str, who: str | None, line: int) -> Duty | None:
    """A recurring report in one item: who (the item's own subject, else its heading's), what,
    to whom ("gửi X" first, else "báo cáo X"), how often. None for anything else."""
    folded = fold_aligned(text)
    periods = _periods(folded) if "bao cao" in folded else []
    led = _leading_agency(text)
    who = led[0] if led else who
    if not periods or who is None:
        return None
    to = None
    what = ""
    send = re.search(r"\bgui\s+(?:ve\s+)?", folded)
    if send:
        to = _agency_at(text, send.end())
    for m in re.finditer(r"\bbao cao\s+", folded):
        agency = _agency_at(text, m.end())
        if agency:
            to = to or agency
            after = m.end() + len(text[m.end() :]) - len(text[m.end() :].lstrip()) + len(agency)
            about = re.match(r"\s*(?:ve\s+)?", folded[after:])
            what = what or text[after + (about.end() if about else 0) :]
            continue
        if not what and not folded[m.end() :].startswith(("dinh ky", "ket qua cua")):
            what = text[m.end() :]
            break
    cut = re.search(
        r"\s(?:gui|theo chuc nang|long ghep|de tong hop|truoc ngay|cho|dinh ky)\b|;",
        fold_aligned(what),
    )
    what = (what[: cut.start()] if cut else what).strip(" .,;") or text.strip(" .")
    return Duty(who=who, what=what, to=to, periods=periods, text=text, line=line)


# =============================================================================================
# Small helpers for targets and goals

_INLINE_NUMBERED = re.compile(r"(?:^|(?<=[\s:;,.]))\(([0-9]{1,2})\)\s*")
_INLINE_LETTERED = re.compile(r"(?:^|(?<=[:;,.]\s)|(?<=[:;]))([a-zđ])\)\s+")
_LETTERS = "abcdđeghiklmnopqrstuvxy"


def _next_marker(marker: str) -> str:
    if marker.isdigit():
        return str(int(marker) + 1)
    pos = _LETTERS.find(marker)
    return _LETTERS[pos + 1] if 0 <= pos < len(_LETTERS) - 1 else ""


def _inline_items(text: str) -> tuple[str, list[str], str]:
    """Split "bao gồm: (1) x (2) y (3) z. Rest" into ("bao gồm:", [x, y, z], "Rest").

    Needs a run counting up from (1) or a); the last item ends with its sentence.
    """
    for pattern, first in ((_INLINE_NUMBERED, "1"), (_INLINE_LETTERED, "a")):
        run: list[re.Match[str]] = []
        for m in pattern.finditer(text):
            if m.group(1) == (_next_marker(run[-1].group(1)) if run else first):
                run.append(m)
            elif m.group(1) == first:
                run = [m]
        if len(run) < 2:
            continue
        items = [
            text[m.end() : run[i + 1].start() if i + 1 < len(run) else len(text)]
            for i, m in enumerate(run)
        ]
        stop = re.search(r"[.!?]\s+(?=[A-ZĐÀ-Ỹ])", items[-1])
        suffix = ""
        if stop:
            suffix = items[-1][stop.end() :]
            items[-1] = items[-1][: stop.start() + 1]
        cleaned = [item.strip(" ;,.") for item in items]
        if all(cleaned):
            return text[: run[0].start()].strip(), cleaned, suffix.strip()
    return text, [], ""


def _goal_kind(q: Quantity) -> Literal["points", "rank", "satisfaction", "other"]:
    subject = fold_aligned(q.subject)
    if q.unit == "rank":
        return "rank"
    if "hai long" in subject or "sipas" in subject:
        return "satisfaction"
    return "points" if q.unit == "points" else "other"


def _add(names: list[str], more: list[str]) -> None:
    names.extend(n for n in more if n not in names)


# =============================================================================================
# The parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = _lines(text)
        self.warnings: list[Warning] = []
        self.proposal = Proposal(source_text=text)
        self.plan_year: int | None = None

    # -- the document --------------------------------------------------------------------------

    def run(self) -> Proposal:
        p = self.proposal
        if not any(line.text for line in self.lines):
            p.warnings = [warning(1, "empty_document"), warning(1, "not_a_plan")]
            return p
        ident = _identity(self.lines, self.warnings)
        p.number, p.date, p.issuer, p.title = ident.number, ident.date, ident.issuer, ident.title
        if ident.header_start is not None:
            self._metadata(_meta(self.lines, ident.header_start), ident)
            self._ignored(0, ident.header_start, "before_header")
        p.year = self.plan_year = self._year()
        p.index = _index_of(p.title)

        body_end = self._body_end(ident.body_start)
        signed = self._signature(body_end)
        appendix_at = self._appendix_start(body_end if signed is None else signed)
        if signed is not None:  # website links after the signature, up to any appendix
            self._ignored(signed, appendix_at or len(self.lines), "after_signature")

        body = self.lines[ident.body_start : body_end]
        self._read_body(
            _outline(_logical_lines([ln for ln in body if not _is_table_line(ln.text)]))
        )
        self._read_tables(body, "body")
        if appendix_at is not None:
            appendix = self.lines[appendix_at:]
            self._read_tables(appendix, "appendix")
            if not p.areas:
                text_lines = [ln for ln in appendix[1:] if not _is_table_line(ln.text)]
                self._areas_from_section(_outline(_logical_lines(text_lines)), None)
        self._finish_areas()
        self._promote_satisfaction()
        self._check_plan(ident)
        self.proposal.warnings = self.warnings
        return self.proposal

    def _year(self) -> int | None:
        p = self.proposal
        title = fold_aligned(p.title or "")
        years = re.findall(r"\bnam ([12][0-9]{3})\b", title)
        if years:
            return int(years[-1])
        span = re.search(r"\b(?:giai doan|nhiem ky)\s*([12][0-9]{3})", title)
        if span:
            return int(span.group(1))
        return p.date.year if p.date else None

    def _metadata(self, meta: dict[str, tuple[str, int]], ident: _Identity) -> None:
        """Website metadata fills what the header lacks and is checked against it."""
        p = self.proposal
        if "so hieu" in meta:
            value, no = meta["so hieu"]
            number = (value.split() or [""])[0].strip(" .,;")
            if not p.number:
                p.number = number or None
            elif number and fold_aligned(number) != fold_aligned(p.number):
                self.warnings.append(
                    warning(no, "number_mismatch", document=p.number, metadata=number)
                )
        if "nguoi ky" in meta:
            p.signer = meta["nguoi ky"][0]
        if not p.date and "ngay ban hanh" in meta:
            value, no = meta["ngay ban hanh"]
            m = re.search(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", value)
            if m:
                try:
                    p.date = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                except ValueError:
                    self.warnings.append(warning(no, "bad_date", text=value))
        place = meta.get("noi ban hanh") or meta.get("co quan ban hanh")
        if not p.issuer and place:
            value = place[0]
            province = re.match(r"(?:tinh|thanh pho)\s", fold_aligned(value))
            by_committee = province and p.number and "UBND" in p.number
            p.issuer = f"UBND {value[:1].lower()}{value[1:]}" if by_committee else value
        first = self.lines[0]
        m = re.match(r"(?:ke hoach|chuong trinh)\s+(?:so\s+)?[0-9]+/\S+\s+(?:ve\s+)?", first.fold)
        if not p.title and m and ident.header_start:
            rest = first.text[m.end() :].strip(" .")
            p.title = rest[:1].upper() + rest[1:]

    def _ignored(self, start: int, end: int, where: str) -> None:
        kept = [ln for ln in self.lines[start:end] if not _blank(ln)]
        if kept:
            self.warnings.append(
                warning(
                    kept[0].no,
                    "ignored_lines",
                    where=where,
                    first=kept[0].no,
                    last=kept[-1].no,
                    count=len(kept),
                )
            )

    def _body_end(self, start: int) -> int:
        """Where the body stops: "Nơi nhận", the signature block, or a capitals "PHỤ LỤC"."""
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if line.fold.startswith(("noi nhan", "- noi nhan")) or _SIGN_START.match(line.fold):
                return i
            if i > start and line.fold.strip(" .") in _ROLE_WORDS and _is_upper(line.text):
                return i
        for i in range(start, len(self.lines)):
            if self.lines[i].fold.startswith("phu luc") and _is_upper(self.lines[i].text):
                return i
        return len(self.lines)

    def _signature(self, body_end: int) -> int | None:
        """Read the signer; return the index after the signer's name (None without one)."""
        p = self.proposal
        signer, signer_at, _sign_at = _signer(self.lines, body_end)
        if signer is None or signer_at is None:
            return None
        if p.signer and fold_aligned(p.signer) != fold_aligned(signer):
            self.warnings.append(
                warning(
                    self.lines[signer_at].no, "signer_mismatch", document=signer, metadata=p.signer
                )
            )
        p.signer = signer
        return signer_at + 1

    def _appendix_start(self, start: int) -> int | None:
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if line.fold.startswith("phu luc") and (_is_upper(line.text) or len(line.text) < 40):
                return i
        return None

    # -- body sections -------------------------------------------------------------------------

    def _read_body(self, root: _Node) -> None:
        sections = self._sections(root)
        first = sections[0][1].line if sections else None
        preamble = [n for n in root.children if first is None or n.line < first]
        reviews = [n for role, s in sections if role == "review" for n in (s, *s.walk())]
        self._baseline([*preamble, *reviews])
        for role, section in sections:
            if role == "objectives":
                self._goals(section)
            elif role == "implementation":
                self._duties(section)
            elif role == "tasks":
                self._areas_from_section(section, section)
        if not sections and self._looks_like_areas(root):
            self._areas_from_section(root, None)

    @staticmethod
    def _sections(root: _Node) -> list[tuple[Role, _Node]]:
        """Role-bearing headings at the top level, looking inside role-less parts and romans
        ("B. KẾ HOẠCH NĂM 2021" holding "I. MỤC TIÊU", "II. NHIỆM VỤ")."""
        found: list[tuple[Role, _Node]] = []

        def visit(node: _Node) -> None:
            for child in node.children:
                if child.style not in ("part", "roman", "num1"):
                    continue
                role = _role(child.body)
                if role:
                    found.append((role, child))
                elif child.style in ("part", "roman"):
                    visit(child)

        visit(root)
        return found

    @staticmethod
    def _looks_like_areas(root: _Node) -> bool:
        """No sections, but headings that name index domains: read them as areas."""
        names = ("chi so noi dung", "chi so thanh phan", "linh vuc")
        heads = [n for n in root.children if n.style in _HEADING_STYLES]
        return sum(fold_aligned(n.body).startswith(names) for n in heads) >= 2

    # -- areas ---------------------------------------------------------------------------------

    def _areas_from_section(self, section: _Node, heading: _Node | None) -> None:
        """The tasks section's first heading level are its areas; text before the first area
        (or a section without headings) becomes an area named after the section."""
        kids = [c for c in section.children if not _is_reference(c)]
        area_style = next(
            (
                c.style
                for c in kids
                if c.style in _HEADING_STYLES and (heading is None or c.style != heading.style)
            ),
            None,
        )
        title = _title_case(heading.body) if heading else "Nhiệm vụ"
        if area_style is None:
            if kids:
                area = Area(number="", title=title, line=heading.line if heading else kids[0].line)
                for child in kids:
                    self._area_child(area, child)
                self.proposal.areas.append(area)
            return
        general = Area(number="", title=title, line=kids[0].line)
        position = len(self.proposal.areas)
        last: Area | None = None
        for child in kids:
            if child.style == area_style:
                if self._is_grouping(child):
                    self._areas_from_section(child, child)
                    last = None
                    continue
                last = self._area(child)
                self.proposal.areas.append(last)
            elif last is not None:
                self._area_child(last, child)
            elif child.style != "para" or len(child.body.split()) > 3:
                self._area_child(general, child)
        if general.targets:
            self.proposal.areas.insert(position, general)

    @staticmethod
    def _is_grouping(node: _Node) -> bool:
        """ "2. Nhiệm vụ cụ thể", whose own headings are the areas."""
        key = fold_aligned(node.body).strip(" :.")
        grouping = re.match(
            r"(?:cac )?(?:nhiem vu|giai phap)(?:,? (?:giai phap|nhiem vu))? "
            r"(?:cu the|trong tam|theo (?:tung )?(?:linh vuc|chi so))",
            key,
        )
        return bool(grouping) and any(c.style in _HEADING_STYLES for c in node.children)

    def _area(self, node: _Node) -> Area:
        title, inline = _area_title(node.body)
        area = Area(number=node.marker, title=_title_case(title), line=node.line)
        if len(inline.split()) >= 2:
            area.targets.extend(self._targets_from_text(inline, node.line))
        for child in node.children:
            self._area_child(area, child)
        return area

    def _area_child(self, area: Area, node: _Node, *, in_block: bool = False) -> None:
        if _is_reference(node):
            return
        text, labels = _labels(node.body)
        if labels and not text:
            self._apply_labels(area, None, labels, node)
            return
        if not in_block:
            role, inline = _block_role(node)
            if role == "responsibility":
                self._responsibility(area, node, inline)
                return
            if role == "targets":
                if inline:
                    area.targets.extend(self._targets_from_text(inline, node.line))
                for child in node.children:
                    self._area_child(area, child, in_block=True)
                return
            led = _leading_agency(node.body)
            if led and led[1] in ("chu tri", "phoi hop") and node.style not in _FIXED_RANK:
                self._responsibility_line(area, node)
                return
        if (
            node.style == "para"
            and not node.children
            and not labels
            and len(re.findall(r";\s", node.body)) >= 2
        ):
            area.targets.extend(self._targets_from_text(node.body, node.line))  # "a; b; c."
            return
        area.targets.append(self._target(node))

    def _target(self, node: _Node) -> Target:
        text, labels = _labels(node.body)
        target = Target(text=text or node.body, line=node.line)
        for child in node.children:
            child_text, child_labels = _labels(child.body)
            if child_labels and not child_text:
                self._apply_labels(None, target, child_labels, child)
            else:
                target.children.append(self._target(child))
        if labels:
            self._apply_labels(None, target, labels, node)
        measured = target.text
        if not target.children:
            prefix, items, suffix = _inline_items(target.text)
            if len(items) >= 2:
                target.children = [
                    Target(text=item, line=node.line, quantities=self._quantities(item))
                    for item in items
                ]
                measured = f"{prefix} {suffix}".strip()
        target.quantities = self._quantities(measured)
        return target

    def _targets_from_text(self, text: str, line: int) -> list[Target]:
        """Targets written inline: "(1) ...; (2) ..." or "a; b; c" after a heading's colon."""
        _prefix, items, _suffix = _inline_items(text)
        if len(items) < 2:
            items = [p for p in re.split(r";\s+", text) if p.strip()]
        return [
            self._target(_Node("para", "", item.strip(" ;."), line))
            for item in items
            if len(item.split()) >= 2
        ]

    def _quantities(self, text: str) -> list[Quantity]:
        return extract_quantities(text, plan_year=self.plan_year)

    def _apply_labels(
        self, area: Area | None, target: Target | None, labels: list[_Label], node: _Node
    ) -> None:
        """Agencies and deadlines of "Cơ quan chủ trì:"-style lines, for a target or an area."""
        for label in labels:
            names = split_agencies(label.value)
            if label.kind == "deadline":
                if target is not None and label.value:
                    target.deadline = label.value
            elif label.kind == "lead":
                if not names and area is not None:
                    # "- Cơ quan chủ trì:" over "+ Sở X chủ trì các nội dung: ..." lines.
                    for child in node.children:
                        self._responsibility_line(area, child, under_lead=True)
                elif target is not None:
                    _add(target.lead, names)
                elif area is not None:
                    _add(area.lead, names)
            else:
                names += [n for child in node.children for n in split_agencies(child.body)]
                _add(
                    target.coordinating
                    if target is not None
                    else area.coordinating
                    if area
                    else [],
                    names,
                )

    def _responsibility(self, area: Area, node: _Node, inline: str) -> None:
        if inline:
            text, labels = _labels(inline)
            if labels:
                self._apply_labels(area, None, labels, node)
            for piece in re.split(r";\s*", text if labels else inline):
                if piece.strip():
                    self._responsibility_line(area, _Node("para", "", piece, node.line))
        for child in node.children:
            self._responsibility_line(area, child)

    def _responsibility_line(self, area: Area, node: _Node, *, under_lead: bool = False) -> None:
        """One line of "Phân công trách nhiệm": a label, or "<agency> chủ trì/phối hợp ..."
        (a lead part; "Các sở ... phối hợp" without "với" makes them coordinating)."""
        text, labels = _labels(node.body)
        if labels and not text:
            self._apply_labels(area, None, labels, node)
            return
        led = _leading_agency(node.body)
        if led:
            agency, verb, rest = led
            if verb == "phoi hop" and not under_lead and not fold_aligned(rest).startswith("voi"):
                _add(area.coordinating, split_agencies(agency))
                return
            topics_text = rest.split(":", 1)[1] if ":" in rest else rest
            topics = [t.strip(" .;") for t in re.split(r";\s*", topics_text) if t.strip(" .;")]
            lead = split_agencies(agency) or [agency]
            area.lead_parts.append(LeadPart(lead=lead, topics=topics, line=node.line))
            return
        if under_lead and _starts_agency(node.body):
            _add(area.lead, split_agencies(node.body))
            return
        self.warnings.append(
            warning(node.line, "unread_responsibility", area=area.number, text=node.body[:80])
        )

    def _finish_areas(self) -> None:
        """Resolve each target's lead (the area's, or its part's) and warn about gaps."""
        for area in self.proposal.areas:
            agencies: list[str] = []
            for part in area.lead_parts:
                _add(agencies, part.lead)
            if len(agencies) >= 2:
                self._assign_parts(area)
            else:
                area.lead_parts = []
            _add(area.lead, agencies)
            if not area.lead:  # leads given per target (table rows, labels under each task)
                for target in area.targets:
                    _add(area.lead, target.lead)
            for target in area.targets:
                target.lead = target.lead or list(area.lead)
                for child in target.walk()[1:]:
                    child.lead = child.lead or list(target.lead)
            if not area.lead:
                self.warnings.append(warning(area.line, "no_lead", area=area.number or area.title))
            if not area.targets:
                self.warnings.append(
                    warning(area.line, "no_targets", area=area.number or area.title)
                )

    def _assign_parts(self, area: Area) -> None:
        """Each target to the lead part whose topics share the most word pairs with it."""
        grams = [_bigrams(" ".join(p.topics) or " ".join(p.lead)) for p in area.lead_parts]
        for index, target in enumerate(area.targets):
            best = _best(grams, _bigrams(target.text))
            if best is None:
                best = _best(grams, _bigrams(" ".join(t.text for t in target.walk())))
            if best is None:
                target.lead = []
                for part in area.lead_parts:
                    _add(target.lead, part.lead)
                self.warnings.append(warning(target.line, "lead_part_unmatched", area=area.number))
                continue
            area.lead_parts[best].targets.append(index)
            target.lead = list(area.lead_parts[best].lead)

    # -- tables --------------------------------------------------------------------------------

    def _read_tables(self, lines: list[_Line], where: str) -> None:
        i = 0
        while i < len(lines):
            columns = (
                _header_columns(_cells(lines[i].text)) if _is_table_line(lines[i].text) else None
            )
            i = self._table(lines, i, columns, where) if columns else i + 1

    def _table(self, lines: list[_Line], start: int, columns: dict[str, int], where: str) -> int:
        """Rows after a header: group rows open areas, task rows are targets. Returns the index
        after the table (its first line that is not a row)."""
        width = max(columns.values()) + 1
        current: Area | None = None
        i = start + 1
        while i < len(lines) and (not lines[i].text or _is_table_line(lines[i].text)):
            line = lines[i]
            i += 1
            if not line.text:
                continue
            cells = _cells(line.text)
            if _CLUTTER.search(line.fold) or len(cells) < min(width, 3) - 1:
                self.warnings.append(warning(line.no, "table_row_skipped", text=line.text[:80]))
                if _CLUTTER.search(line.fold):
                    break
                continue
            cells += [""] * (width - len(cells))
            if _header_columns(cells) or all(
                re.fullmatch(r"\(?[0-9]+\)?", c or "0") for c in cells
            ):
                continue  # a repeated header, or the "(1) | (2) | (3)" column-number row
            values = {name: cells[idx].strip() for name, idx in columns.items()}
            if _is_group_row(values):
                title, _inline = _area_title(values["task"])
                current = Area(
                    number=values.get("no", "").strip(". "),
                    title=_title_case(title),
                    line=line.no,
                    source="table",
                )
                self.proposal.areas.append(current)
                continue
            task = values.get("task", "")
            if not task:
                self.warnings.append(warning(line.no, "table_row_skipped", text=line.text[:80]))
                continue
            if current is None:
                title = "Phụ lục" if where == "appendix" else "Nhiệm vụ"
                current = Area(number="", title=title, line=lines[start].no, source="table")
                self.proposal.areas.append(current)
            goal = values.get("goal", "")
            target = self._target(_Node("para", "", f"{task}: {goal}" if goal else task, line.no))
            target.lead = split_agencies(values.get("lead", ""))
            target.coordinating = split_agencies(values.get("coordinating", ""))
            target.deadline = values.get("deadline") or None
            current.targets.append(target)
            _add(current.coordinating, target.coordinating)
        return i

    # -- goals, baseline, duties ---------------------------------------------------------------

    def _goals(self, section: _Node) -> None:
        for node in section.walk():
            for q in self._quantities(node.body):
                self.proposal.goals.append(Goal(_goal_kind(q), node.body, node.line, q))

    def _promote_satisfaction(self) -> None:
        """Citizens' satisfaction is an overall goal; plans often state it only as a target
        (the one mentioning SIPAS preferred)."""
        if any(g.kind == "satisfaction" for g in self.proposal.goals):
            return
        best: tuple[int, Target, Quantity] | None = None
        for target in self.proposal.targets():
            percents = [q for q in target.quantities if q.unit == "percent"]
            folded = fold_aligned(target.text) if percents else ""
            score = 2 if "sipas" in folded else 1
            for q in percents:
                satisfaction = "hai long" in folded or "hai long" in fold_aligned(q.subject)
                if satisfaction and (best is None or score > best[0]):
                    best = (score, target, q)
        if best is not None:
            _score, target, q = best
            self.proposal.goals.append(
                Goal("satisfaction", target.text, target.line, q, source="target")
            )

    def _baseline(self, nodes: list[_Node]) -> None:
        for node in nodes:
            baseline = _read_baseline(node.body, node.line)
            if baseline is None:
                continue
            if baseline.year is None and self.plan_year:
                baseline.year = self.plan_year - 1
            self.proposal.baseline = baseline
            self._check_sum(baseline, baseline.points, baseline.parts, "total")
            for part in baseline.parts:
                self._check_sum(baseline, part.points, part.parts, part.key or part.name)
            return

    def _check_sum(
        self, baseline: Baseline, total: Decimal | None, parts: list[BaselinePart], name: str
    ) -> None:
        if total is None or len(parts) < 2:
            return
        added = sum((p.points for p in parts), Decimal(0))
        if added != total:
            self.warnings.append(
                warning(baseline.line, "baseline_sum_mismatch", part=name, total=total, sum=added)
            )

    def _duties(self, section: _Node) -> None:
        def visit(node: _Node, who: str | None) -> None:
            for child in node.children:
                heading = child.children or child.body.rstrip().endswith(":")
                here = (_who(child.body) if heading else None) or who
                duty = _reporting_duty(child.body, here, child.line)
                if duty is not None:
                    self.proposal.duties.append(duty)
                visit(child, here)

        visit(section, _who(section.body))

    # -- plan or not ---------------------------------------------------------------------------

    def _check_plan(self, ident: _Identity) -> None:
        """A plan has areas or goals, or at least a plan's header; anything else is not one."""
        p = self.proposal
        plan_number = bool(p.number and re.search(r"/(?:KH|CTR|CTHĐ|ĐA)\b", p.number.upper()))
        if p.areas or p.goals:
            for name in ("number", "date", "issuer", "title", "signer"):
                if getattr(p, name) is None:
                    self.warnings.append(warning(1, "missing", field=name))
            return
        if ident.doc_type == "plan" or plan_number:
            self.warnings.append(warning(1, "no_areas"))
            return
        kept = [w for w in self.warnings if w.kind in ("unreadable_file", "empty_document")]
        self.proposal = Proposal(source_text=p.source_text)
        self.warnings = [*kept, warning(1, "not_a_plan")]


def _best(part_grams: list[set[str]], grams: set[str]) -> int | None:
    scores = [len(g & grams) for g in part_grams]
    top = max(scores, default=0)
    return scores.index(top) if top > 0 else None


# =============================================================================================
# Public API


def parse_text(text: str) -> Proposal:
    """Read a plan from its text. Never raises: problems come back as warnings with lines."""
    try:
        return _Parser(text if isinstance(text, str) else str(text)).run()
    except Exception as exc:  # an import must never crash on a document; report it instead
        proposal = Proposal(source_text=text if isinstance(text, str) else "")
        proposal.warnings.append(warning(1, "internal_error", detail=_describe(exc)))
        return proposal


def parse_document(data: bytes, filename: str) -> Proposal:
    """Read a plan from a file's bytes: .docx, .html/.htm, .txt, .pdf (with a text layer reader
    installed); other names are recognised by their content. Line numbers in the proposal refer
    to the text read from the file, kept in `proposal.source_text`."""
    try:
        text, read_warnings = read_document(data, filename)
    except Exception as exc:  # same promise as parse_text
        text, read_warnings = "", [warning(1, "internal_error", detail=_describe(exc))]
    proposal = parse_text(text)
    unreadable = any(
        w.kind in ("unreadable_file", "pdf_needs_text_layer", "unsupported_format")
        for w in read_warnings
    )
    if unreadable:
        proposal.warnings = [w for w in proposal.warnings if w.kind != "empty_document"]
    proposal.warnings[:0] = read_warnings
    return proposal


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"[:300]
