"""Import problems worded for people, in the interface's language."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from parindex.lib.dates import format_date
from parindex.surveys.flat import Problem


def describe_problem(problem: Problem) -> str:
    """ "Row 4: …" for a row, the sentence alone for the file as a whole."""
    p = {k: format_date(v) if isinstance(v, date) else v for k, v in problem.params.items()}
    texts = {
        "unreadable_file": _("%(name)s cannot be read: give a CSV file or an XLSX workbook."),
        "file_too_large": _("%(name)s expands to more than %(mb)s MB: it is not a survey table."),
        "read_too_long": _("%(name)s took longer than %(seconds)s s to read."),
        "too_many_rows": _("The file has more than %(limit)s rows."),
        "no_rows": _("The file has no responses."),
        "unknown_columns": _(
            "Columns that are neither agency, submitted_at, dossier_code nor a "
            "question of the questionnaire: %(columns)s."
        ),
        "unknown_questions": _("Not questions of the questionnaire: %(questions)s."),
        "unknown_volume_columns": _(
            "Columns that are neither agency, period nor dossiers: %(columns)s."
        ),
        "period_outside": _("the period “%(period)s” is not a quarter of the survey (2020Q2)."),
        "bad_volume": _("dossiers “%(value)s” is not a whole number from 0."),
        "duplicate_volume": _("%(agency)s, %(period)s is already given on row %(first)s."),
        "missing_columns": _("Columns missing: %(columns)s."),
        "duplicate_columns": _("Columns given twice: %(columns)s."),
        "extra_cells": _("the row has more cells than the %(columns)s columns of the header."),
        "no_agency": _("no agency is given."),
        "unknown_agency": _("no agency of the province has the code “%(agency)s”."),
        "no_date": _("submitted_at is missing."),
        "bad_date": _("submitted_at “%(value)s” is not a date (2020-04-15 or 15/04/2020)."),
        "date_outside": _("submitted_at %(value)s is outside the survey (%(from)s to %(to)s)."),
        "dossier_too_long": _("the dossier code is longer than %(limit)s characters."),
        "duplicate_dossier": _("dossier %(dossier)s was already answered on row %(first)s."),
        "dossier_answered": _("dossier %(dossier)s already has a response in this survey."),
        "not_in_scale": _("%(question)s: “%(value)s” is not on the scale 1 to 5."),
        "not_a_choice": _("%(question)s: “%(value)s” is not one of the choices (%(choices)s)."),
        "not_a_number": _("%(question)s: “%(value)s” is not a number."),
        "number_range": _(
            "%(question)s: %(value)s is not a number from 0 with at most two decimal places."
        ),
        "not_yes_no": _("%(question)s: “%(value)s” is neither yes nor no."),
        "too_long": _("%(question)s: at most %(limit)s characters (this has %(n)s)."),
        "not_asked": _(
            "%(question)s is answered, but it is asked only when %(condition)s is %(value)s."
        ),
        "no_answers": _("the row answers no question."),
        "nothing_answered": _("Answer at least one question."),
        "dossier_conflict": _(
            "Another import saved responses for some of these dossiers meanwhile: import again."
        ),
    }
    text = texts.get(problem.code, problem.code) % p
    if problem.row:
        return _("Row %(n)s: %(text)s") % {"n": problem.row, "text": text}
    return text
