"""Dossier import problems worded for people, in the interface's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def problem_text(code: str) -> str:
    texts = {
        "missing_code": _("no dossier code (ma_ho_so)"),
        "missing_agency": _("no agency code (co_quan)"),
        "missing_procedure": _("no procedure code (ma_tthc)"),
        "too_long": _("longer than 100 characters"),
        "unknown_channel": _("not a known channel (1 in person, 2 online, 3 post)"),
        "unknown_status": _("not a known status; map the source's status codes"),
        "unknown_bcci": _("neither yes nor no"),
        "bad_date": _("not a date (2024-04-15 or 15/04/2024)"),
        "finished_before_received": _("finished before it was received"),
        "missing_due": _("no due date: kept, and counted as on time"),
        "due_before_received": _("due before it was received: kept"),
        "unknown_level": _("not a known level (2, 3, 4): kept without a level"),
        "finished_without_date": _(
            "a finished status without a finish date: kept, counted as pending"
        ),
        "date_without_finished": _(
            "a finish date with a status that is not finished: kept, counted as finished"
        ),
        "control_characters": _("control characters removed"),
        "duplicate_code": _("the dossier appears again further down: the last row is kept"),
    }
    return texts.get(code, code)


def describe(problem: dict[str, Any], filename: str = "") -> str:
    """One line per problem: what, where, how many, the first rows with their values."""
    examples = ", ".join(
        _("row %(row)s “%(value)s”") % {"row": e["row"], "value": e["value"]}
        for e in problem.get("examples", [])
    )
    kind = _("refused") if problem.get("refused") else _("warning")
    return _("%(file)s: %(kind)s, %(column)s %(text)s: %(count)s rows (%(examples)s)") % {
        "file": filename,
        "kind": kind,
        "column": problem.get("column", ""),
        "text": problem_text(str(problem.get("code", ""))),
        "count": problem.get("count", 0),
        "examples": examples,
    }
