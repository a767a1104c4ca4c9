"""Findings and import problems worded for people, in the interface's language."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parindex.benchmark import ranks, table
from parindex.lib.numbers import format_decimal
from parindex.lib.text import fill


def _column(name: object) -> str:
    labels = {
        "province": _("province"),
        "score": _("score"),
        "rank": _("rank"),
        "appraisal": _("appraisal"),
        "sipas": _("SIPAS"),
        "leader_survey": _("leaders' survey"),
        "socio_economic_impact": _("socio-economic impact"),
        "impact": _("impact"),
    }
    return labels.get(str(name), str(name))


def _where(where: str) -> str:
    """ "line 4" / "Sheet, row 4" in the interface's language."""
    if where.startswith("line "):
        return _("line %(n)s") % {"n": where[5:]}
    sheet, sep, row = where.rpartition(", row ")
    if sep:
        return _("sheet %(sheet)s, row %(n)s") % {"sheet": sheet, "n": row}
    return where


def describe_problem(problem: table.Problem) -> str:
    p = dict(problem.params)
    if "column" in p:
        p["column"] = _column(p["column"])
    texts = {
        "unreadable_file": _("%(name)s cannot be read: give an XLSX workbook, a CSV file or text."),
        "unsupported_file": _("%(name)s is not an XLSX workbook."),
        "file_too_large": _("%(name)s expands to more than %(mb)s MB: it is not a results table."),
        "read_too_long": _(
            "%(name)s took longer than %(seconds)s s to read: it is not a results table."
        ),
        "no_rows": _("The table has no rows."),
        "no_province": _("no province is named."),
        "unknown_province": _("no province is called “%(name)s”."),
        "duplicate_province": _("%(name)s is already listed on %(first)s."),
        "no_score": _("the score is missing."),
        "not_a_number": _("the %(column)s “%(value)s” is not a number."),
        "score_range": _("the %(column)s %(value)s is not between 0 and 100."),
        "score_places": _("the %(column)s %(value)s has more than two decimal places."),
        "rank_whole": _("the rank %(value)s is not a whole number."),
        "rank_range": _("the rank %(value)s is not between 1 and %(of)s."),
        "extra_cells": _(
            "the line has %(cells)s cells for %(columns)s columns: separate the columns with tabs or semicolons, or quote decimal commas."
        ),
        "year_range": _("%(year)s is not a year of the index."),
        "source_too_long": _("The source is longer than %(limit)s characters."),
    }
    text = fill(texts.get(problem.code, problem.code), p)
    if problem.code == "unknown_province" and p.get("suggestions"):
        text += " " + _("Did you mean %(names)s?") % {"names": p["suggestions"]}
    if problem.where:
        return f"{_where(problem.where)}: {text}"
    return text


def _n(value: object) -> str:
    if isinstance(value, Decimal):
        lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
        return format_decimal(value, lang=lang)
    return str(value)


def describe_finding(finding: ranks.Finding) -> str:
    p = {k: _n(v) for k, v in finding.params.items()}
    p["name"] = finding.name
    texts = {
        "rank_mismatch": _(
            "%(name)s: published rank %(published)s, but its score ranks %(computed)s."
        ),
        "rank_out_of_bounds": _(
            "%(name)s: published rank %(published)s, but the known scores place it between %(low)s and %(high)s."
        ),
        "rank_order": _(
            "%(name)s scored %(score)s, more than %(other)s (%(other_score)s), yet ranks %(rank)s against %(other_rank)s."
        ),
        "tie_split": _(
            "%(name)s and %(other)s both scored %(score)s but rank %(rank)s and %(other_rank)s: equal scores share a rank."
        ),
        "rank_too_large": _("%(name)s: rank %(rank)s, but only %(of)s provinces were ranked."),
        "parts_sum": _(
            "%(name)s: the parts add up to %(sum)s, not the total %(total)s (difference %(difference)s)."
        ),
        "impact_sum": _(
            "%(name)s: SIPAS, the leaders' survey and the socio-economic impact add up to %(sum)s, not the impact %(total)s."
        ),
    }
    return fill(texts.get(finding.code, finding.code), p)
