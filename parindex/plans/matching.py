"""Matching a plan's words to the province's agencies and to a criteria tree, without Django.

Plans abbreviate freely (UBND, Sở TT&TT, CCHC, TTHC, văn bản QPPL), so names and titles are
compared as sets of accent-free words after expanding the usual abbreviations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parindex.lib.text import fold

ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "vp": "van phong",
    "cchc": "cai cach hanh chinh",
    "tthc": "thu tuc hanh chinh",
    "qppl": "quy pham phap luat",
    "vbqppl": "van ban quy pham phap luat",
    "cntt": "cong nghe thong tin",
    "kt-xh": "kinh te xa hoi",
    "ktxh": "kinh te xa hoi",
    "tt&tt": "thong tin va truyen thong",
    "tttt": "thong tin va truyen thong",
    "kh&cn": "khoa hoc va cong nghe",
    "khcn": "khoa hoc va cong nghe",
    "kh&dt": "ke hoach va dau tu",
    "khdt": "ke hoach va dau tu",
    "ld-tb&xh": "lao dong thuong binh va xa hoi",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "nn&ptnt": "nong nghiep va phat trien nong thon",
    "tn&mt": "tai nguyen va moi truong",
    "gd&dt": "giao duc va dao tao",
    "gtvt": "giao thong van tai",
    "vh-tt&dl": "van hoa the thao va du lich",
    "cbccvc": "can bo cong chuc vien chuc",
    "ccvc": "cong chuc vien chuc",
    "dvc": "dich vu cong",
    "pakn": "phan anh kien nghi",
    "bcci": "buu chinh cong ich",
    "tp": "thanh pho",
    "tx": "thi xa",
}

# Words that say little about which agency or domain is meant.
STOPWORDS = frozenset(
    [
        "va",
        "cua",
        "cac",
        "cho",
        "trong",
        "tai",
        "ve",
        "theo",
        "voi",
        "nhung",
        "mot",
        "so",
        "cong",
        "tac",
        "chi",
        "nam",
        "tinh",
        "de",
        "duoc",
        "la",
        "co",
        "thuc",
        "hien",
        "bao",
        "dam",
        "dam",
        "bao",
        "nang",
        "cao",
    ]
)

_WORD = re.compile(r"[a-z0-9&-]+")


def words(text: str) -> list[str]:
    """Accent-free words of a text with abbreviations expanded."""
    out: list[str] = []
    for token in _WORD.findall(fold(text)):
        out.extend(ABBREVIATIONS.get(token, token.replace("&", " va ").replace("-", " ")).split())
    return out


def keywords(text: str) -> frozenset[str]:
    return frozenset(w for w in words(text) if w not in STOPWORDS and len(w) > 1)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' keywords (0 … 1)."""
    ka, kb = keywords(a), keywords(b)
    if not ka or not kb:
        return 0.0
    return len(ka & kb) / len(ka | kb)


def containment(text: str, name: str) -> float:
    """How much of `name`'s keywords occur in `text` (0 … 1): a long target mentions a short criterion."""
    kt, kn = keywords(text), keywords(name)
    if not kn:
        return 0.0
    return len(kt & kn) / len(kn)


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    short_name: str = ""
    kind: str = ""


@dataclass(frozen=True)
class AgencyMatch:
    text: str  # the name as written in the plan
    ids: tuple[int, ...]  # one agency, or every member of a group
    group: str = ""  # "department", "district", "commune", "all" for group phrases
    score: float = 0.0

    @property
    def resolved(self) -> bool:
        return bool(self.ids)


# Group phrases of Vietnamese plans and the kinds of agency they stand for.
_GROUPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bcac (so|co quan chuyen mon).*(ban|nganh)"), "department"),
    (re.compile(r"\bcac so\b"), "department"),
    (re.compile(r"(ubnd|uy ban nhan dan) (cap huyen|cac huyen)"), "district"),
    (re.compile(r"(ubnd|uy ban nhan dan) (cap xa|cac xa)"), "commune"),
    (re.compile(r"\bcac co quan,? don vi\b"), "all"),
)


_PROVINCE_TAIL = re.compile(r" tinh [a-z ]+$")


def resolve_agency(text: str, candidates: Sequence[Candidate]) -> AgencyMatch:
    """One agency name, or a group phrase, to candidate ids. Unresolved: empty `ids`."""
    key = " ".join(words(text))
    folded = fold(text)
    for pattern, group in _GROUPS:
        if pattern.search(folded) or pattern.search(key):
            kinds = {"department", "ppc"} if group == "department" else {group}
            ids = tuple(
                c.id
                for c in candidates
                if group == "all" or c.kind in kinds - {"ppc"} or c.kind == group
            )
            return AgencyMatch(text, ids, group, 1.0)
    # "Sở Nội vụ tỉnh Lào Cai": the province's own name adds nothing to an agency's name.
    short_key = _PROVINCE_TAIL.sub("", key)
    best: tuple[float, Candidate | None] = (0.0, None)
    for candidate in candidates:
        for name in filter(None, (candidate.name, candidate.short_name)):
            if " ".join(words(name)) in (key, short_key):
                return AgencyMatch(text, (candidate.id,), "", 1.0)
            score = similarity(text, name)
            if score > best[0]:
                best = (score, candidate)
    best_score, best_candidate = best
    if best_candidate is not None and best_score >= 0.75:
        return AgencyMatch(text, (best_candidate.id,), "", best_score)
    return AgencyMatch(text, (), "", best_score)


def best_match(
    text: str, options: Iterable[tuple[int, str]], threshold: float = 0.3
) -> tuple[int | None, float]:
    """The option whose name is most like `text` (Jaccard of keywords), if any reaches `threshold`."""
    best_id, best_score = None, 0.0
    for option_id, name in options:
        score = similarity(text, name)
        if score > best_score:
            best_id, best_score = option_id, score
    return (best_id, best_score) if best_score >= threshold else (None, best_score)


def propose_nodes(
    text: str, nodes: Iterable[tuple[int, str]], *, threshold: float = 0.5, limit: int = 3
) -> list[tuple[int, float]]:
    """Sub-criteria a target probably moves: those whose keywords the target mostly contains."""
    scored = [(node_id, containment(text, name)) for node_id, name in nodes]
    ranked = sorted((s for s in scored if s[1] >= threshold), key=lambda s: -s[1])
    return ranked[:limit]
