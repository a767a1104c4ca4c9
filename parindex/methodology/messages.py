"""Wording of import and validation findings, in the reader's language.

The pure core reports findings as stable kinds with parameters; this is the one place where
each kind gets its sentence, shared by the web UI, the API and the command line.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.lib.text import fill
from parindex.methodology.tree import Problem

TEMPLATES: dict[str, Promise] = {
    "duplicate_code": gettext_lazy("Code %(where)s appears more than once."),
    "bad_code": gettext_lazy("“%(where)s” is not a code like 1, 1.2 or 1.2.3."),
    "orphan": gettext_lazy("%(where)s has no parent criterion %(parent)s."),
    "negative_points": gettext_lazy("%(where)s has negative points."),
    "band_exceeds_max": gettext_lazy(
        "A band of %(where)s is worth %(points)s, more than its %(max)s points."
    ),
    "band_negative": gettext_lazy("A band of %(where)s has negative points."),
    "bad_range": gettext_lazy("A band of %(where)s has its lower bound above its upper bound."),
    "order": gettext_lazy("%(where)s is out of order."),
    "children_sum": gettext_lazy(
        "The parts of %(where)s add up to %(sum)s, not to its %(max)s points."
    ),
    "total_mismatch": gettext_lazy(
        "The domains add up to %(sum)s, not to the declared total %(total)s."
    ),
    "no_total": gettext_lazy("The tree has no declared total."),
    "leaf_without_bands": gettext_lazy("%(where)s has no scoring bands yet."),
    "bands_no_max": gettext_lazy("No band of %(where)s gives its full %(max)s points."),
    "ranges_gap": gettext_lazy("The ranges of %(where)s leave %(detail)s uncovered."),
    "ranges_overlap": gettext_lazy("The ranges of %(where)s overlap %(detail)s."),
    "mixed_bands": gettext_lazy("%(where)s mixes numeric ranges with categories."),
    "no_nodes": gettext_lazy("The tree has no criteria."),
    "parent_with_bands": gettext_lazy(
        "%(where)s has parts and also its own bands; a parent scores as the sum of its parts."
    ),
    "range_missing": gettext_lazy(
        "The band “%(label)s” of %(where)s has no numeric range, but the criterion is scored by ranges."
    ),
    "bad_format": gettext_lazy(
        "The file says format %(value)s; this version reads parindex-criteria/1."
    ),
    "bad_structure": gettext_lazy("%(field)s should be %(expected)s."),
    "yaml_syntax": gettext_lazy("The YAML cannot be read: %(detail)s"),
    "bad_points": gettext_lazy("“%(value)s” is not a number of points."),
    "missing_field": gettext_lazy("The field “%(field)s” is missing."),
    "unknown_key": gettext_lazy("The key “%(key)s” is not part of the format and was ignored."),
    "skipped_line": gettext_lazy("Not part of the table, skipped: “%(text)s”."),
    "bad_value": gettext_lazy("“%(value)s” is not a valid %(field)s."),
    "unreadable_file": gettext_lazy("The file %(name)s cannot be read."),
    "unsupported_file": gettext_lazy("%(name)s is neither YAML, XLSX, DOCX, PDF nor text."),
    "pdf_without_text": gettext_lazy(
        "The PDF has no text layer (it is a scanned image): copy the table's text from the "
        "decision and paste it instead."
    ),
    "not_storable": gettext_lazy("%(where)s, %(field)s: %(detail)s"),
    "file_too_large": gettext_lazy(
        "The file %(name)s expands to %(expanded)s MB when opened; at most %(limit)s MB is read."
    ),
    "read_too_long": gettext_lazy(
        "Reading the file %(name)s took longer than %(seconds)s seconds and was stopped."
    ),
    "no_table": gettext_lazy("No criteria table was found (expected STT | name | max points)."),
}


def describe(p: Problem) -> str:
    """One sentence, prefixed with the line (or row) it was found on."""
    params = {**dict(p.params), "where": p.where}
    template = TEMPLATES.get(p.kind)
    if template is not None:
        text = fill(str(template), params)
    else:
        from parindex.methodology.validation import KINDS

        text = KINDS.get(p.kind, p.kind).format_map(defaultdict(str, params, line=p.line or ""))
    if p.line:
        text = _("Line %(line)s: %(text)s") % {"line": p.line, "text": text}
    return text
