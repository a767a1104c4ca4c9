"""The audit trail in words: every action code as a sentence, every changed field by its name,
every stored code (statuses, kinds, roles) by its label, dates the Vietnamese way.

The audit log, an organisation's or a person's history and the history of reports and
assessments show entries through here, so that nobody reads `reporting.report.save`, `valid_to`
or `pending → returned`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.orgs.models import AuditEntry

# Every action code written by an action function (a test holds this against the code base).
ACTION_LABELS: dict[str, Promise] = {
    "orgs.province.create": gettext_lazy("Province created"),
    "orgs.organisation.create": gettext_lazy("Organisation created"),
    "orgs.organisation.update": gettext_lazy("Organisation changed"),
    "orgs.organisation.close": gettext_lazy("Organisation closed"),
    "orgs.person.create": gettext_lazy("Account created"),
    "orgs.person.update": gettext_lazy("Account changed"),
    "orgs.person.password": gettext_lazy("Password set"),
    "orgs.role.assign": gettext_lazy("Role given"),
    "orgs.role.remove": gettext_lazy("Role removed"),
    "orgs.token.create": gettext_lazy("API token created"),
    "orgs.token.revoke": gettext_lazy("API token revoked"),
    "methodology.framework.import": gettext_lazy("Criteria tree imported"),
    "methodology.framework.update": gettext_lazy("Criteria tree changed"),
    "methodology.framework.version": gettext_lazy("New version of the criteria tree"),
    "methodology.framework.delete": gettext_lazy("Criteria tree deleted"),
    "methodology.node.create": gettext_lazy("Criterion added"),
    "methodology.node.update": gettext_lazy("Criterion changed"),
    "methodology.node.delete": gettext_lazy("Criterion deleted"),
    "methodology.node.bands": gettext_lazy("Scoring bands changed"),
    "plans.import.stage": gettext_lazy("Plan document read for review"),
    "plans.import.review": gettext_lazy("Plan review saved"),
    "plans.import.discard": gettext_lazy("Plan import discarded"),
    "plans.plan.approve": gettext_lazy("Plan approved"),
    "reporting.round.open": gettext_lazy("Reporting round opened"),
    "reporting.report.save": gettext_lazy("Report saved"),
    "reporting.report.submit": gettext_lazy("Report submitted"),
    "reporting.report.return": gettext_lazy("Report returned for corrections"),
    "reporting.report.accept": gettext_lazy("Report accepted"),
    "reporting.item.review": gettext_lazy("Target reviewed"),
    "reporting.item.reopen": gettext_lazy("Accepted target reopened"),
    "reporting.evidence.add": gettext_lazy("Evidence added"),
    "reporting.evidence.remove": gettext_lazy("Evidence removed"),
    "assessment.open": gettext_lazy("Assessment opened"),
    "assessment.update": gettext_lazy("Assessment changed"),
    "assessment.close": gettext_lazy("Appraisal closed"),
    "assessment.publish": gettext_lazy("Results published"),
    "assessment.unit.save": gettext_lazy("Self-assessment saved"),
    "assessment.unit.appraiser": gettext_lazy("Appraiser changed"),
    "assessment.unit.submit": gettext_lazy("Self-assessment submitted"),
    "assessment.unit.appraise": gettext_lazy("Appraised"),
    "assessment.unit.answer": gettext_lazy("Request for evidence answered"),
    "assessment.unit.appraised": gettext_lazy("Appraisal finished"),
    "assessment.unit.survey": gettext_lazy("Survey results entered"),
    "assessment.unit.dossiers": gettext_lazy("Rates computed from dossiers entered"),
    "assessment.document.add": gettext_lazy("Evidence document recorded"),
    "assessment.document.attach": gettext_lazy("Evidence document cited"),
    "assessment.document.file": gettext_lazy("Evidence file stored"),
    "assessment.document.remove": gettext_lazy("Evidence document removed"),
    "results.provinces_loaded": gettext_lazy("Provinces of the national results loaded"),
    "results.loaded": gettext_lazy("Published results loaded"),
    "results.imported": gettext_lazy("Published results imported"),
    "exports.export.all": gettext_lazy("Everything exported at the command line"),
    "forecasting.scenario.create": gettext_lazy("What-if scenario saved"),
    "forecasting.scenario.update": gettext_lazy("What-if scenario changed"),
    "forecasting.scenario.delete": gettext_lazy("What-if scenario deleted"),
    "forecasting.action.create": gettext_lazy("Action to close the gap added"),
    "forecasting.action.update": gettext_lazy("Action to close the gap changed"),
    "reporting.action_line.save": gettext_lazy("Progress of an action to close the gap reported"),
    "surveys.questionnaire.load": gettext_lazy("Questionnaire loaded"),
    "surveys.survey.create": gettext_lazy("Survey created"),
    "surveys.response.add": gettext_lazy("Survey response entered"),
    "surveys.responses.import": gettext_lazy("Survey responses imported"),
    "surveys.volumes.import": gettext_lazy("Dossier volumes imported"),
    "surveys.volumes.set": gettext_lazy("Dossier volumes entered"),
    "surveys.mapping.save": gettext_lazy("Column mapping of a survey export saved"),
    "dossiers.import": gettext_lazy("Procedure dossiers imported"),
    "dossiers.import.refuse": gettext_lazy("Import of procedure dossiers refused"),
    "dossiers.mapping.save": gettext_lazy("Column mapping of a dossier export saved"),
    "dossiers.agency_code.set": gettext_lazy("Agency code of the dossiers matched"),
    "dossiers.settings.save": gettext_lazy("Dossier KPI settings saved"),
}

# The parts of the product, for choosing what the audit log shows (an action code starts so).
AREA_LABELS: dict[str, Promise] = {
    "orgs.": gettext_lazy("Organisations and people"),
    "methodology.": gettext_lazy("Criteria trees"),
    "plans.": gettext_lazy("Plans"),
    "reporting.": gettext_lazy("Periodic reporting"),
    "assessment.": gettext_lazy("Self-assessment and appraisal"),
    "results.": gettext_lazy("Published results"),
    "exports.": gettext_lazy("Exports"),
    "forecasting.": gettext_lazy("Forecasts and what-if scenarios"),
    "surveys.": gettext_lazy("Satisfaction surveys"),
    "dossiers.": gettext_lazy("Procedure dossiers"),
}


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(area, [(prefix or code, label)]) for the audit log's filter: a whole area, or one action."""
    groups = []
    for prefix, area in AREA_LABELS.items():
        actions = [
            (code, str(label)) for code, label in ACTION_LABELS.items() if code.startswith(prefix)
        ]
        groups.append((str(area), [(prefix, _("All of “%(area)s”") % {"area": area}), *actions]))
    return groups


# Changed "fields" that are not a model's field, or whose verbose name would mislead.
FIELD_LABELS: dict[str, Promise] = {
    "status": gettext_lazy("Status"),
    "late": gettext_lazy("Late"),
    "evidence": gettext_lazy("Evidence"),
    "narrative": gettext_lazy("Summary of the period"),
    "revision": gettext_lazy("Revision"),
    "areas": gettext_lazy("Content areas"),
    "targets": gettext_lazy("Targets"),
    "reports": gettext_lazy("Reports"),
    "deadline": gettext_lazy("Deadline"),
    "nodes": gettext_lazy("Criteria"),
    "warnings": gettext_lazy("Warnings"),
    "codes": gettext_lazy("Codes"),
    "bands": gettext_lazy("Scoring bands"),
    "derived_from": gettext_lazy("Derived from"),
    "units": gettext_lazy("Assessed units"),
    "tree": gettext_lazy("Criteria tree"),
    "year": gettext_lazy("Year"),
    "appraiser": gettext_lazy("Appraiser"),
    "document": gettext_lazy("Evidence document"),
    "accepted as self-assessed": gettext_lazy("Accepted as self-assessed"),
    "final": gettext_lazy("Final score"),
    "role": gettext_lazy("Role"),
    "organisation": gettext_lazy("Organisation"),
    "agencies": gettext_lazy("Agencies to appraise"),
    "revoked_at": gettext_lazy("Revoked at"),
    "reason": gettext_lazy("Reason"),
    "created": gettext_lazy("Created"),
    "total": gettext_lazy("Total"),
    "years": gettext_lazy("Years"),
    "rows": gettext_lazy("Rows"),
    "skipped": gettext_lazy("Skipped"),
    "source": gettext_lazy("Source"),
    "replaced": gettext_lazy("Replaced"),
    "successors": gettext_lazy("Successor(s)"),
    "password": gettext_lazy("Password"),
    "export": gettext_lazy("Export"),
    "format": gettext_lazy("Format"),
    "params": gettext_lazy("Parameters"),
    "inserted": gettext_lazy("Dossiers added"),
    "updated": gettext_lazy("Dossiers updated"),
    "refused": gettext_lazy("Rows refused"),
    "message": gettext_lazy("Message"),
    "columns": gettext_lazy("Columns"),
    "values": gettext_lazy("Values"),
    "new": gettext_lazy("New"),
    "code": gettext_lazy("Code"),
    "changes": gettext_lazy("Changes"),
}

# "<target>…: progress", "<code>: documents", "<document>: file", as the actions key them.
_SUFFIXES: dict[str, Promise] = {
    "progress": gettext_lazy("progress"),
    "documents": gettext_lazy("evidence documents"),
    "file": gettext_lazy("file"),
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@cache
def _codes_by_type() -> dict[str, dict[str, Any]]:
    """Per object type, the stored codes its changes hold (statuses, kinds, roles) and their
    labels; a value may also start with one (`returned Thiếu số liệu`)."""
    from parindex.assessment.models import Appraisal, AssessmentStatus, UnitStatus
    from parindex.methodology.models import FrameworkStatus
    from parindex.orgs.models import OrgKind, Role, SuccessionKind
    from parindex.plans.models import ImportStatus
    from parindex.reporting.models import ReportStatus, ReviewStatus, TargetStatus

    def merged(*enums: type[models.TextChoices]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for enum in enums:
            for value, label in enum.choices:
                if value:
                    found.setdefault(value, label)
        return found

    return {
        "reporting.report": merged(ReportStatus, ReviewStatus, TargetStatus),
        "reporting.item": merged(ReviewStatus, TargetStatus),
        "assessment.assessedunit": merged(UnitStatus, Appraisal),
        "assessment.assessment": merged(AssessmentStatus),
        "plans.planimport": merged(ImportStatus),
        "methodology.framework": merged(FrameworkStatus),
        "orgs.organisation": merged(SuccessionKind, OrgKind),
        "orgs.user": merged(Role),
        "orgs.roleassignment": merged(Role),
    }


def _model_field(object_type: str, name: str) -> models.Field[Any, Any] | None:
    try:
        model = apps.get_model(object_type)
        field = model._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return field if isinstance(field, models.Field) else None


def action_label(code: str) -> str:
    """The action as people read it; an unknown code (from an older version) as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def field_label(object_type: str, name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    field = _model_field(object_type, name)
    if field is not None:
        return str(field.verbose_name).capitalize()
    head, sep, tail = name.rpartition(": ")
    if sep and tail in _SUFFIXES:
        return f"{head}: {_SUFFIXES[tail]}"
    if head == "" and name.endswith(" progress"):
        return f"{name.removesuffix('progress')}{_SUFFIXES['progress']}"
    return name


def value_text(object_type: str, name: str, value: Any) -> str:
    """A stored value for people: codes by their label, dates as dd/mm/yyyy, yes or no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(object_type, name, v) for v in value) or "—"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {value_text(object_type, name, v)}" for k, v in value.items())
    text = str(value)
    field = _model_field(object_type, name)
    if field is not None and field.choices:
        choices = {str(k): v for k, v in field.flatchoices}
        if text in choices:
            return str(choices[text])
    if _DATE.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    if _DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    codes = _codes_by_type().get(object_type, {})
    head, sep, rest = text.partition(" ")
    colon_head, colon, colon_rest = text.partition(": ")
    if head in codes:
        return f"{codes[head]} {rest}".strip() if sep else str(codes[head])
    if colon and colon_head in codes:
        return f"{codes[colon_head]}: {colon_rest}"
    return text


def describe(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) of the entry, each in words; a value recorded alone (not as a
    before/after pair) is shown as what it became."""
    rows = []
    for name, change in sorted(entry.changes.items()):
        if isinstance(change, list) and len(change) == 2:
            before, after = change
        else:
            before, after = None, change
        rows.append(
            (
                field_label(entry.object_type, name),
                value_text(entry.object_type, name, before),
                value_text(entry.object_type, name, after),
            )
        )
    return rows
