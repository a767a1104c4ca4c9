"""Self-assessment and appraisal through the API: the same actions, access rule and audit as
the screens.

A unit's own system can fill its self-assessment with a personal token of its reporter or head;
an appraiser's with theirs. Points are decimal strings, exact; rounding to two places is for
display (the `*_display` fields of the results are rounded half-up the way results are
published). Field errors come back with status 422 keyed "<leaf code>-<field>".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from parindex.api.errors import FieldErrorsOut, StaleOut
from parindex.assessment import actions, reading
from parindex.assessment import results as pure
from parindex.assessment.models import AssessedUnit, Assessment, Document
from parindex.assessment.proposals import proposals_for
from parindex.lib.collation import vi_sorted
from parindex.lib.numbers import round_half_up
from parindex.orgs import access
from parindex.orgs.models import User
from parindex.reporting.downloads import evidence_response

router = Router(tags=["assessment"])


# --- schemas -----------------------------------------------------------------------------------


class ClassOut(Schema):
    label: str
    min: Decimal  # percent of the tree's maximum total, inclusive


class AssessmentOut(Schema):
    id: int
    province_id: int
    framework_id: int
    framework: str
    year: int
    scope: str  # province, departments, districts or communes
    title: str
    deadline: date
    status: str  # open, closed, published
    classes: list[ClassOut]
    opened_at: datetime
    closed_at: datetime | None
    published_at: datetime | None


class AssessmentIn(Schema):
    framework_id: int
    year: int
    scope: str
    deadline: date
    title: str = ""
    # Organisation id → appraiser's person id (null: none); others get the default appraiser.
    appraisers: dict[int, int | None] = {}
    classes: list[ClassOut] | None = None


class AssessmentPatch(Schema):
    title: str | None = None
    deadline: date | None = None
    classes: list[ClassOut] | None = None  # best first


class UnitPatch(Schema):
    appraiser_id: int | None  # a person with the appraiser role in the province, or null


class UnitSummaryOut(Schema):
    id: int
    assessment_id: int
    organisation_id: int
    organisation: str
    appraiser_id: int | None
    status: str  # draft, submitted, returned, answered, appraised
    version: int
    self_total: Decimal
    appraised_total: Decimal | None
    final_total: Decimal
    submitted_at: datetime | None


class BandOut(Schema):
    label: str
    points: Decimal
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool


class DocumentOut(Schema):
    id: int
    number: str
    date: dt.date | None
    issuer: str
    title: str
    name: str
    content_type: str
    size: int


class ProposalOut(Schema):
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    source: str
    report_id: int


class EntryOut(Schema):
    band: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    source: str
    source_report_id: int | None
    self_points: Decimal | None
    self_band: str
    trace: str  # how the engine scored the input
    explanation: str
    evidence_partial: bool
    documents: list[int]
    appraisal: str  # "", accepted, scored, requested, answered
    appraised_points: Decimal | None
    appraisal_comment: str
    appraised_by: str | None
    appraised_at: datetime | None
    answer: str
    answered_at: datetime | None
    proposal: ProposalOut | None


class NodeOut(Schema):
    code: str
    name: str
    max_points: Decimal
    depth: int
    method: str  # self or survey
    scoring: str  # "" (sum of its parts), categorical, ranges, proportional
    unit: str  # "", percent, count
    self_points: Decimal | None
    appraised_points: Decimal | None
    final_points: Decimal | None
    bands: list[BandOut]
    entry: EntryOut | None  # leaves only


class UnitOut(UnitSummaryOut):
    assessment: AssessmentOut
    can_edit: bool
    can_submit: bool
    can_appraise: bool
    missing: list[str]
    nodes: list[NodeOut]
    documents: list[DocumentOut]


class EntryIn(Schema):
    code: str
    # Each field left out (null) stays as it is; "" clears a band or a number.
    band: str | None = None
    value: Decimal | str | None = None
    numerator: Decimal | str | None = None
    denominator: Decimal | str | None = None
    explanation: str | None = None
    evidence_partial: bool | None = None
    documents: list[int] | None = None
    use_proposal: bool = False


class UnitIn(Schema):
    version: int  # the unit's version when read; an older one is refused with 409
    entries: list[EntryIn]


class AppraiseIn(Schema):
    decision: str  # accept, score (with points and a reason in comment) or request
    points: Decimal | str | None = None
    comment: str = ""


class AnswerIn(Schema):
    answer: str


class DocumentIn(Schema):
    number: str = ""
    date: dt.date | None = None
    issuer: str = ""
    title: str = ""
    codes: list[str] = []  # leaves citing it


class SurveyResultIn(Schema):
    organisation_id: int
    code: str
    value: Decimal | str | None = None  # the rate in percent
    numerator: Decimal | str | None = None
    denominator: Decimal | str | None = None
    source: str = ""  # e.g. "Khảo sát SIPAS 2020"


class DomainOut(Schema):
    code: str
    name: str
    max_points: Decimal
    self_points: Decimal
    appraised_points: Decimal | None
    final_points: Decimal


class LostOut(Schema):
    code: str
    name: str
    max_points: Decimal
    final_points: Decimal
    lost: Decimal


class UnitResultOut(Schema):
    unit_id: int
    organisation_id: int
    name: str
    status: str
    rank: int
    self_total: Decimal
    appraised_total: Decimal | None
    final_total: Decimal
    final_display: str  # half-up to 2 places, as published
    percent: Decimal
    classification: str
    previous_total: Decimal | None  # last year's final total, same tree and unit
    change: Decimal | None
    domains: list[DomainOut]
    lost: list[LostOut]


class ResultsOut(Schema):
    assessment: AssessmentOut
    maximum: Decimal
    units: list[UnitResultOut]  # in rank order; ties share a rank (1, 2, 2, 4)


# --- helpers -----------------------------------------------------------------------------------


def _assessment_out(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "province_id": assessment.province_id,
        "framework_id": assessment.framework_id,
        "framework": str(assessment.framework),
        "year": assessment.year,
        "scope": assessment.scope,
        "title": assessment.title,
        "deadline": assessment.deadline,
        "status": assessment.status,
        "classes": [
            {"label": c["label"], "min": Decimal(str(c["min"]))} for c in assessment.classes
        ],
        "opened_at": assessment.opened_at,
        "closed_at": assessment.closed_at,
        "published_at": assessment.published_at,
    }


def _summary(unit: AssessedUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "assessment_id": unit.assessment_id,
        "organisation_id": unit.organisation_id,
        "organisation": unit.organisation.name,
        "appraiser_id": unit.appraiser_id,
        "status": unit.status,
        "version": unit.version,
        "self_total": unit.self_total,
        "appraised_total": unit.appraised_total,
        "final_total": unit.final_total,
        "submitted_at": unit.submitted_at,
    }


def _document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "number": document.number,
        "date": document.date,
        "issuer": document.issuer,
        "title": document.title,
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
    }


def _unit_out(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    unit = access.unit_for(request.user, unit_id)
    unit = AssessedUnit.objects.select_related("assessment__framework", "organisation").get(
        pk=unit.pk
    )
    can_edit = access.can_self_assess(request.user, unit)
    proposals = proposals_for(unit) if can_edit else {}
    traces = unit.scores.get("traces", {})
    nodes = []
    for row in reading.unit_tree(unit):
        node, entry = row.node, row.entry
        entry_out = None
        if entry is not None:
            proposal = proposals.get(node.code)
            entry_out = {
                "band": entry.band,
                "value": entry.value,
                "numerator": entry.numerator,
                "denominator": entry.denominator,
                "source": entry.source,
                "source_report_id": entry.source_report_id,
                "self_points": entry.self_points,
                "self_band": entry.self_band,
                "trace": traces.get(node.code, ""),
                "explanation": entry.explanation,
                "evidence_partial": entry.evidence_partial,
                "documents": [d.pk for d in row.documents],
                "appraisal": entry.appraisal,
                "appraised_points": entry.appraised_points,
                "appraisal_comment": entry.appraisal_comment,
                "appraised_by": str(entry.appraised_by) if entry.appraised_by else None,
                "appraised_at": entry.appraised_at,
                "answer": entry.answer,
                "answered_at": entry.answered_at,
                "proposal": None
                if proposal is None
                else {
                    "value": proposal.value,
                    "numerator": proposal.numerator,
                    "denominator": proposal.denominator,
                    "source": proposal.source,
                    "report_id": proposal.report_id,
                },
            }
        nodes.append(
            {
                "code": node.code,
                "name": node.name,
                "max_points": node.max_points,
                "depth": node.depth,
                "method": node.method,
                "scoring": node.scoring,
                "unit": node.unit,
                "self_points": row.self_points,
                "appraised_points": row.appraised_points,
                "final_points": row.final_points,
                "bands": [
                    {
                        "label": b.label,
                        "points": b.points,
                        "lower": b.lower,
                        "lower_inclusive": b.lower_inclusive,
                        "upper": b.upper,
                        "upper_inclusive": b.upper_inclusive,
                    }
                    for b in row.bands
                ],
                "entry": entry_out,
            }
        )
    return {
        **_summary(unit),
        "assessment": _assessment_out(unit.assessment),
        "can_edit": can_edit,
        "can_submit": access.can_submit_unit(request.user, unit),
        "can_appraise": access.can_appraise(request.user, unit),
        "missing": unit.scores.get("missing", []),
        "nodes": nodes,
        "documents": [_document_out(d) for d in unit.documents.all()],
    }


def _results_out(assessment: Assessment, computed: pure.Results) -> dict[str, Any]:
    return {
        "assessment": _assessment_out(assessment),
        "maximum": computed.maximum,
        "units": [
            {
                "unit_id": r.unit_id,
                "organisation_id": r.organisation_id,
                "name": r.name,
                "status": r.status,
                "rank": r.rank,
                "self_total": r.self_total,
                "appraised_total": r.appraised_total,
                "final_total": r.final_total,
                "final_display": format(round_half_up(r.final_total), "f"),
                "percent": r.percent,
                "classification": r.classification,
                "previous_total": r.previous_total,
                "change": r.change,
                "domains": [asdict(d) for d in r.domains],
                "lost": [asdict(p) for p in r.lost],
            }
            for r in computed.units
        ],
    }


def _keep(value: Any) -> Any:
    return actions.KEEP if value is None else value


# --- assessments -------------------------------------------------------------------------------


@router.get("/assessments", response=list[AssessmentOut], summary="Assessments the caller sees")
def list_assessments(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    found = access.assessments_for(request.user).select_related("framework")
    if year:
        found = found.filter(year=year)
    return [_assessment_out(a) for a in found.order_by("-year", "title", "-pk")]


@router.post(
    "/assessments",
    response={201: AssessmentOut},
    summary="Open an assessment (coordinators): a unit per organisation of the scope that year",
)
def open_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[dict[str, Any]]:
    by = access.actor(request.user)
    framework = access.framework_for(request.user, payload.framework_id)
    provinces = sorted(access.access_for(by).coordinator_of)
    if framework.province_id is not None:
        province_id = framework.province_id
    elif len(provinces) == 1:
        province_id = provinces[0]
    else:
        raise PermissionDenied(_("You are not allowed to make this change."))
    province = access.province_for(request.user, province_id)
    wanted = [v for v in payload.appraisers.values() if v is not None]
    people = {p.pk: p for p in access.people_for(request.user).filter(pk__in=wanted)}
    appraisers: dict[int, User | None] = {}
    for org_id, person_id in payload.appraisers.items():
        if person_id is not None and person_id not in people:
            raise ValidationError({"appraisers": _("Person %(id)s not found.") % {"id": person_id}})
        appraisers[org_id] = people.get(person_id) if person_id is not None else None
    assessment = actions.open_assessment(
        province,
        by=by,
        framework=framework,
        year=payload.year,
        scope=payload.scope,
        deadline=payload.deadline,
        title=payload.title,
        appraisers=appraisers,
        classes=None if payload.classes is None else [c.dict() for c in payload.classes],
    )
    return Status(201, _assessment_out(assessment))


@router.get("/assessments/{int:assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return _assessment_out(access.assessment_for(request.user, assessment_id))


@router.patch(
    "/assessments/{int:assessment_id}",
    response=AssessmentOut,
    summary="Change the title, the deadline or the classification (coordinators)",
)
def update_assessment(
    request: HttpRequest, assessment_id: int, payload: AssessmentPatch
) -> dict[str, Any]:
    assessment = access.assessment_for(request.user, assessment_id)
    updated = actions.update_assessment(
        assessment,
        by=access.actor(request.user),
        title=payload.title,
        deadline=payload.deadline,
        classes=None if payload.classes is None else [c.dict() for c in payload.classes],
    )
    return _assessment_out(updated)


@router.get(
    "/assessments/{int:assessment_id}/units",
    response=list[UnitSummaryOut],
    summary="The assessment's units the caller may see",
)
def list_units(request: HttpRequest, assessment_id: int) -> list[dict[str, Any]]:
    assessment = access.assessment_for(request.user, assessment_id)
    units = access.units_for(request.user).filter(assessment=assessment)
    return [
        _summary(u)
        for u in vi_sorted(
            units.select_related("organisation").order_by("pk"), key=lambda u: u.organisation.name
        )
    ]


@router.get(
    "/assessments/{int:assessment_id}/results",
    response=ResultsOut,
    summary="Totals, domains, points lost, ranking, classes, change on last year",
)
def assessment_results(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    assessment = access.assessment_for(request.user, assessment_id)
    if not access.can_read_results(request.user, assessment):
        raise PermissionDenied(_("The results are not published yet."))
    return _results_out(assessment, reading.results_of(assessment))


@router.post(
    "/assessments/{int:assessment_id}/survey-results",
    response=list[UnitSummaryOut],
    summary="Enter survey results of survey-based leaves per unit (coordinators); all or none",
)
def enter_survey_results(
    request: HttpRequest, assessment_id: int, payload: list[SurveyResultIn]
) -> list[dict[str, Any]]:
    assessment = access.assessment_for(request.user, assessment_id)
    rows = []
    for number, given in enumerate(payload, start=1):
        try:
            figures = [
                actions.read_number(v) for v in (given.value, given.numerator, given.denominator)
            ]
        except ValueError as error:
            raise ValidationError({f"row-{number}": str(error)}) from error
        rows.append(
            actions.SurveyResult(
                organisation_id=given.organisation_id,
                code=given.code,
                value=figures[0],
                numerator=figures[1],
                denominator=figures[2],
                source=given.source,
            )
        )
    actions.enter_survey_results(assessment, by=access.actor(request.user), results=rows)
    units = access.units_for(request.user).filter(assessment=assessment)
    return [
        _summary(u)
        for u in vi_sorted(
            units.select_related("organisation").order_by("pk"), key=lambda u: u.organisation.name
        )
    ]


@router.post("/assessments/{int:assessment_id}/close", response=AssessmentOut)
def close_appraisal(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    assessment = access.assessment_for(request.user, assessment_id)
    return _assessment_out(actions.close_appraisal(assessment, by=access.actor(request.user)))


@router.post("/assessments/{int:assessment_id}/publish", response=AssessmentOut)
def publish_results(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    assessment = access.assessment_for(request.user, assessment_id)
    return _assessment_out(actions.publish_results(assessment, by=access.actor(request.user)))


# --- a unit ------------------------------------------------------------------------------------


@router.get(
    "/units/{int:unit_id}",
    response=UnitOut,
    summary="A unit's tree with its entries, proposals, documents and scores",
)
def get_unit(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    return _unit_out(request, unit_id)


@router.patch(
    "/units/{int:unit_id}",
    response=UnitSummaryOut,
    summary="Change the unit's appraiser (coordinators)",
)
def set_appraiser(request: HttpRequest, unit_id: int, payload: UnitPatch) -> dict[str, Any]:
    unit = access.unit_for(request.user, unit_id)
    person = None
    if payload.appraiser_id is not None:
        person = access.person_for(request.user, payload.appraiser_id)
    return _summary(actions.set_appraiser(unit, by=access.actor(request.user), appraiser=person))


@router.put(
    "/units/{int:unit_id}",
    response={200: UnitOut, 409: StaleOut, 422: FieldErrorsOut},
    summary="Save entries and rescore the unit; carries the version read (409 when stale)",
)
def save_entries(request: HttpRequest, unit_id: int, payload: UnitIn) -> Status[dict[str, Any]]:
    unit = access.unit_for(request.user, unit_id)
    entries: dict[str, actions.EntryInput] = {}
    for given in payload.entries:
        entries[given.code] = actions.EntryInput(
            band=_keep(given.band),
            value=_keep(given.value),
            numerator=_keep(given.numerator),
            denominator=_keep(given.denominator),
            explanation=_keep(given.explanation),
            evidence_partial=_keep(given.evidence_partial),
            documents=_keep(given.documents),
            use_proposal=given.use_proposal,
        )
    try:
        _saved, errors = actions.save_entries(
            unit, by=access.actor(request.user), version=payload.version, entries=entries
        )
    except actions.StaleUnit as stale:
        unit.refresh_from_db(fields=["version"])
        return Status(
            409, {"detail": str(stale), "changes": stale.changes, "version": unit.version}
        )
    if errors:
        return Status(
            422, {"detail": "invalid input", "errors": {k: [m] for k, m in errors.items()}}
        )
    return Status(200, _unit_out(request, unit_id))


@router.post(
    "/units/{int:unit_id}/documents",
    response={201: DocumentOut},
    summary="Record an evidence document (number, date, issuer) cited by the given leaves",
)
def add_document(request: HttpRequest, unit_id: int, payload: DocumentIn) -> Status[dict[str, Any]]:
    unit = access.unit_for(request.user, unit_id)
    document = actions.add_document(
        unit,
        by=access.actor(request.user),
        number=payload.number,
        date_=payload.date,
        issuer=payload.issuer,
        title=payload.title,
        codes=payload.codes,
    )
    return Status(201, _document_out(document))


@router.post(
    "/documents/{int:document_id}/file",
    response=DocumentOut,
    summary="Upload a document's file (PDF, DOCX, XLSX, PNG, JPEG; the type is judged by content)",
)
def upload_document_file(
    request: HttpRequest, document_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    document = access.document_for(request.user, document_id)
    stored = actions.store_document_file(document, by=access.actor(request.user), upload=file)
    return _document_out(stored)


@router.get("/documents/{int:document_id}/file", summary="Download a document's file")
def download_document_file(request: HttpRequest, document_id: int) -> FileResponse:
    document = access.document_for(request.user, document_id)
    if not document.file:
        raise Http404("no file")
    return evidence_response(document)


@router.post(
    "/units/{int:unit_id}/submit",
    response=UnitOut,
    summary="The unit's head submits; refused naming every leaf without a value or explanation",
)
def submit_unit(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    actions.submit_unit(access.unit_for(request.user, unit_id), by=access.actor(request.user))
    return _unit_out(request, unit_id)


@router.post(
    "/units/{int:unit_id}/entries/{code}/appraise",
    response=UnitOut,
    summary="Accept the self-score, set the score with a reason, or request more evidence",
)
def appraise_entry(
    request: HttpRequest, unit_id: int, code: str, payload: AppraiseIn
) -> dict[str, Any]:
    actions.appraise_entry(
        access.unit_for(request.user, unit_id),
        code,
        by=access.actor(request.user),
        decision=payload.decision,
        points=payload.points,
        comment=payload.comment,
    )
    return _unit_out(request, unit_id)


@router.post(
    "/units/{int:unit_id}/entries/{code}/answer",
    response=UnitOut,
    summary="The unit answers a request for more evidence",
)
def answer_entry(
    request: HttpRequest, unit_id: int, code: str, payload: AnswerIn
) -> dict[str, Any]:
    actions.answer_entry(
        access.unit_for(request.user, unit_id),
        code,
        by=access.actor(request.user),
        answer=payload.answer,
    )
    return _unit_out(request, unit_id)


@router.post(
    "/units/{int:unit_id}/finish-appraisal",
    response=UnitOut,
    summary="Close the unit's appraisal: leaves not appraised keep their self-score",
)
def finish_appraisal(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    actions.finish_unit_appraisal(
        access.unit_for(request.user, unit_id), by=access.actor(request.user)
    )
    return _unit_out(request, unit_id)
