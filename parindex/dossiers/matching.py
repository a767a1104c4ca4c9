"""Which of the dossier rates a plan's quantity is, read from its wording (pure, no Django).

The seed plan words its one-stop-shop targets as, for example, "tỷ lệ hồ sơ TTHC ... được giải
quyết đúng hạn đạt từ 95 %", "tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ ... từ 20 %",
"tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI ... 10 %", "tỷ lệ kết quả giải quyết TTHC được
trả qua dịch vụ BCCI ... 10 %" and "từ 50 % số TTHC ... trực tuyến mức độ 3, 4 có phát sinh hồ
sơ" or "TTHC ... có phát sinh hồ sơ tiếp nhận/trả kết quả qua dịch vụ BCCI ... 50 %". Each is one
rate of the reference definitions (docs/dossiers.md). Only shares are matched: a count of
procedures ("50 TTHC liên thông") is not a dossier rate.
"""

from __future__ import annotations

import re

from parindex.lib.text import fold

# The rates a target can be fed by, in the reference definitions' names.
ON_TIME = "ty_le_dung_han"
ONLINE = "ty_le_truc_tuyen"
RECEIVED_BY_POST = "ty_le_nhan_bcci"
RETURNED_BY_POST = "ty_le_tra_bcci"
PROCEDURES_ONLINE_OR_POST = "ty_le_tthc_tt34_bcci"
MATCHED_RATES = (ON_TIME, ONLINE, RECEIVED_BY_POST, RETURNED_BY_POST, PROCEDURES_ONLINE_OR_POST)

_POST = re.compile(r"\b(?:bcci|buu chinh)\b")
_DOSSIER = re.compile(r"\bho so\b")
_PROCEDURES_WITH_DOSSIERS = re.compile(r"\b(?:tthc|thu tuc hanh chinh)\b.*\bphat sinh ho so\b")
_LEVEL_3_4 = re.compile(r"\bmuc do 3\b|\bmot phan\b|\btoan trinh\b")
_ON_TIME = re.compile(r"\b(?:dung han|truoc han)\b")
_ONLINE = re.compile(r"\btruc tuyen\b")
_RETURNED = re.compile(r"\btra\b[^;]*\bket qua\b|\bket qua\b[^;]*\btra\b")
_RECEIVED = re.compile(r"\b(?:tiep nhan|nhan|nop)\b")


def whole_subject(subject: str, context: str) -> str:
    """A subject the plan reader shortened ("… được giải quyết đúng …") completed from its
    target's text, up to the figure or the clause's end."""
    if not subject.endswith("…") or not context:
        return subject
    head = subject[:-1].rstrip()
    at = fold(context).find(fold(head))
    if at < 0:
        return subject
    rest = re.match(r"[^0-9.;:]*", fold(context)[at + len(fold(head)) :])
    return head + (rest.group(0) if rest else "")


def rate_for(subject: str, unit: str, context: str = "") -> str | None:
    """The dossier rate a quantity's wording names, or None when it names none; `context`, the
    target's text, completes a shortened subject."""
    if unit != "percent":
        return None
    text = fold(whole_subject(subject, context))
    if _PROCEDURES_WITH_DOSSIERS.search(text) and (_LEVEL_3_4.search(text) or _POST.search(text)):
        return PROCEDURES_ONLINE_OR_POST
    if not _DOSSIER.search(text) and not _POST.search(text):
        return None
    if _ON_TIME.search(text):
        return ON_TIME
    if _POST.search(text):
        if _RETURNED.search(text):
            return RETURNED_BY_POST
        if _RECEIVED.search(text):
            return RECEIVED_BY_POST
        return None
    if _ONLINE.search(text) and not _LEVEL_3_4.search(text):
        return ONLINE
    return None
