"""Wording of the plan reader's warnings, in the reader's language (one place for every channel)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.lib.text import fill

TEMPLATES: dict[str, Promise] = {
    "empty_document": gettext_lazy("The document is empty."),
    "not_a_plan": gettext_lazy(
        "This does not read as a plan: no plan number, no content areas or targets were found."
    ),
    "no_areas": gettext_lazy(
        "No content areas (“Chỉ số nội dung …”, numbered parts with targets) were found."
    ),
    "missing": gettext_lazy("The %(field)s of the plan was not found."),
    "bad_date": gettext_lazy("“%(text)s” is not a date."),
    "number_mismatch": gettext_lazy(
        "The document says number %(document)s, the page's details say %(metadata)s."
    ),
    "baseline_sum_mismatch": gettext_lazy(
        "The parts of %(part)s add up to %(sum)s, not %(total)s."
    ),
    "no_lead": gettext_lazy("Area %(area)s names no lead agency."),
    "no_targets": gettext_lazy("Area %(area)s has no targets."),
    "lead_part_unmatched": gettext_lazy(
        "In area %(area)s, a part with its own lead agency could not be matched to its targets."
    ),
    "unread_responsibility": gettext_lazy(
        "In area %(area)s, this assignment of responsibility was not understood: “%(text)s”."
    ),
    "table_row_skipped": gettext_lazy("A table row was skipped: “%(text)s”."),
    "decoded_as": gettext_lazy("The text was read as %(encoding)s."),
    "pdf_needs_text_layer": gettext_lazy("The PDF cannot be read: %(detail)s."),
    "unreadable_file": gettext_lazy("The %(format)s file cannot be read (%(detail)s)."),
    "unsupported_format": gettext_lazy("%(format)s files are not supported: %(detail)s."),
    "ignored_lines": gettext_lazy(
        "%(count)s lines around the document (page menus, related documents) were left out."
    ),
    "signer_mismatch": gettext_lazy(
        "The signature block says %(document)s, the page's details say %(metadata)s."
    ),
    "file_too_large": gettext_lazy(
        "The file expands to %(expanded)s MB when opened; at most %(limit)s MB is read."
    ),
    "read_too_long": gettext_lazy(
        "Reading the file took longer than %(seconds)s seconds and was stopped."
    ),
    "internal_error": gettext_lazy("Part of the document could not be read (%(detail)s)."),
}


def describe_warning(warning: dict[str, Any]) -> str:
    """ "Line 12: …" for a stored warning ({"line", "kind", "params"})."""
    params = warning.get("params") or {}
    template = TEMPLATES.get(warning.get("kind", ""))
    text = (
        fill(str(template), params) if template is not None else f"{warning.get('kind')}: {params}"
    )
    line = warning.get("line")
    if line and line > 1:
        return _("Line %(line)s: %(text)s") % {"line": line, "text": text}
    return text
