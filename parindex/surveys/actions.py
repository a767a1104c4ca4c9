"""Every write to surveys: questionnaires, surveys, imported responses. Each checks permission,
checks its input like every other channel, writes in one transaction and is audited."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.lib import archives
from parindex.lib.text import clean
from parindex.orgs import access
from parindex.orgs.audit import record
from parindex.orgs.inputs import field_text
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.surveys import collection, flat, shipped, stats, xlsform
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import (
    Answer,
    ColumnMapping,
    Question,
    Questionnaire,
    Response,
    ResponseChannel,
    Section,
    Survey,
    Volume,
)
from parindex.surveys.questions import QuestionnaireError, QuestionnaireSpec
from parindex.surveys.reading import spec_of

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class ImportRefused(ValueError):
    """Nothing was saved; `problems` name every bad row."""

    def __init__(self, problems: Sequence[flat.Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass
class ImportOutcome:
    saved: int
    skipped: list[flat.Problem] = field(default_factory=list)


# --- questionnaires ------------------------------------------------------------------------------


@transaction.atomic
def load_questionnaire(spec: QuestionnaireSpec, *, by: User | None) -> Questionnaire:
    """Store a questionnaire version. A version, once stored, is never changed: loading the
    same code and version again returns the stored one; changed wording needs a new version."""
    if by is not None and not access.can_manage_questionnaires(by):
        raise PermissionDenied(_("You may not add questionnaires."))
    existing = Questionnaire.objects.filter(code=spec.code, version=spec.version).first()
    if existing is not None:
        if spec_of(existing) != spec:
            raise ValidationError(
                {
                    "version": _(
                        "Version %(version)s of %(code)s is already stored with other "
                        "content: give the changed questionnaire a new version."
                    )
                    % {"version": spec.version, "code": spec.code}
                }
            )
        return existing
    for name in ("title_vi", "title_en", "source"):
        field_text(Questionnaire, name, getattr(spec, name))
    for question in spec.questions:
        field_text(Question, "text_vi", question.text_vi)
        field_text(Question, "text_en", question.text_en)
    created: Questionnaire = shipped.write_questionnaire(
        spec, questionnaire=Questionnaire, section=Section, question=Question
    )
    record(
        by,
        "surveys.questionnaire.load",
        created,
        changes={"code": spec.code, "version": spec.version, "questions": len(spec.questions)},
    )
    return created


def import_xlsform(data: bytes, *, by: User | None) -> Questionnaire:
    """Store the questionnaire of an XLSForm workbook (KoboToolbox, ODK); QuestionnaireError
    names the sheet and row of a problem, and nothing is stored."""
    if by is not None and not access.can_manage_questionnaires(by):
        raise PermissionDenied(_("You may not add questionnaires."))
    try:
        with archives.time_limit():
            spec = xlsform.read_xlsform(data)
    except archives.ReadTooLong:
        raise QuestionnaireError("the workbook took too long to read") from None
    return load_questionnaire(spec, by=by)


def load_default_questionnaire(*, by: User | None = None) -> Questionnaire:
    """The shipped `sipas-default` questionnaire, stored if it is not yet."""
    return load_questionnaire(shipped.default_questionnaire(), by=by)


def latest_questionnaire(code: str) -> Questionnaire | None:
    """The newest version of a questionnaire; the shipped default is stored on first use."""
    found = Questionnaire.objects.filter(code=code).order_by("-version").first()
    if found is None and code == shipped.DEFAULT_CODE:
        return load_default_questionnaire()
    return found


# --- surveys ---------------------------------------------------------------------------------


@transaction.atomic
def create_survey(
    *,
    by: User | None,
    code: str,
    questionnaire: Questionnaire,
    province: Organisation,
    starts_on: date,
    ends_on: date,
    title: str = "",
) -> Survey:
    """A questionnaire run for a province from `starts_on` to `ends_on` (both included)."""
    if by is not None and not access.can_manage_surveys(by, province.pk):
        raise PermissionDenied(_("You may not create surveys for this province."))
    problems: dict[str, list[str]] = {}
    try:
        code = field_text(Survey, "code", code)
    except ValidationError as error:
        problems["code"] = error.messages
    else:
        if not _SLUG.match(code):
            problems["code"] = [
                _("A code is lower-case letters and digits joined by - or _, such as sipas-2020.")
            ]
        elif Survey.objects.filter(code=code).exists():
            problems["code"] = [_("A survey with the code %(code)s exists.") % {"code": code}]
    try:
        title = field_text(Survey, "title", title)
    except ValidationError as error:
        problems["title"] = error.messages
    if province.kind != OrgKind.PROVINCE:
        problems["province"] = [_("Choose a province.")]
    if ends_on < starts_on:
        problems["ends_on"] = [_("The survey ends before it starts.")]
    if problems:
        raise ValidationError(problems)
    survey = Survey.objects.create(
        code=code,
        title=title,
        questionnaire=questionnaire,
        province=province,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    record(
        by,
        "surveys.survey.create",
        survey,
        province=province,
        changes={
            "code": [None, code],
            "questionnaire": [None, str(questionnaire)],
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
        },
    )
    return survey


# --- responses -------------------------------------------------------------------------------


def add_response(
    survey: Survey,
    *,
    by: User | None,
    agency: Organisation,
    submitted_at: datetime,
    answers: Mapping[str, str],
    dossier_code: str = "",
    channel: str = ResponseChannel.PAPER,
) -> Response:
    """One response, as entered from a paper form (and, later, sent by the public form): the
    same checks as an import, refused as a ValidationError keyed by the field or question."""
    if by is not None and not access.can_manage_surveys(by, survey.province_id):
        raise PermissionDenied(_("You may not enter responses to this survey."))
    problems: dict[str, list[str]] = {}

    def refuse(key: str, code: str, **params: object) -> None:
        problems.setdefault(key, []).append(describe_problem(flat.Problem(0, code, params)))

    if agency.province_id != survey.province_id or agency.kind == OrgKind.PROVINCE:
        refuse("agency", "unknown_agency", agency=agency.code)
    local = timezone.localtime(submitted_at) if timezone.is_aware(submitted_at) else submitted_at
    if not survey.starts_on <= local.date() <= survey.ends_on:
        refuse(
            "submitted_at",
            "date_outside",
            value=local.date().isoformat(),
            **{"from": survey.starts_on, "to": survey.ends_on},
        )
    dossier_code = clean(dossier_code)
    if len(dossier_code) > flat.DOSSIER_MAX:
        refuse("dossier_code", "dossier_too_long", limit=flat.DOSSIER_MAX)
    elif dossier_code and survey.responses.filter(dossier_code=dossier_code).exists():
        refuse("dossier_code", "dossier_answered", dossier=dossier_code)
    if channel not in ResponseChannel.values:
        problems["channel"] = [_("Choose how the response came in.")]
    spec = spec_of(survey.questionnaire)
    unknown = sorted(set(answers) - {q.code for q in spec.questions})
    if unknown:
        refuse("__all__", "unknown_questions", questions=", ".join(unknown))
    checked, refusals = flat.check_answers(spec.questions, answers)
    for refusal in refusals:
        refuse(str(refusal.params["question"]), refusal.code, **refusal.params)
    if not checked and not refusals:
        refuse("__all__", "nothing_answered")
    if problems:
        raise ValidationError(problems)
    questions = {q.code: q for q in survey.questionnaire.questions.all()}
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                agency=agency,
                submitted_at=submitted_at
                if timezone.is_aware(submitted_at)
                else timezone.make_aware(submitted_at),
                dossier_code=dossier_code,
                channel=channel,
                created_by=by,
            )
            Answer.objects.bulk_create(
                Answer(response=response, question=questions[code], number=v.number, text=v.text)
                for code, v in checked.items()
            )
            record(
                by,
                "surveys.response.add",
                response,
                province=survey.province_id,
                changes={"agency": agency.code, "channel": channel, "answers": len(checked)},
            )
    except IntegrityError:
        # The same dossier answered meanwhile, through another channel.
        raise ValidationError(
            {
                "dossier_code": describe_problem(
                    flat.Problem(0, "dossier_answered", {"dossier": dossier_code})
                )
            }
        ) from None
    return response


class RateLimited(Exception):
    """Too many submissions from one address in the window; nothing was checked or saved."""


class SurveyClosed(Exception):
    """The survey does not run today: its form takes no responses."""


def survey_is_open(survey: Survey) -> bool:
    return survey.starts_on <= timezone.localdate() <= survey.ends_on


def submit_public_response(
    survey: Survey,
    *,
    token: str,
    answers: Mapping[str, str],
    client: str,
    agency: Organisation | None = None,
    drop_skipped: bool = False,
) -> Response:
    """A response sent by the public form or the API, by nobody signed in: within the client's
    rate limit (RateLimited), with a form token this server signed for this survey (and
    `agency`, when the form's address names one) that has not expired (collection.BadToken),
    while the survey runs (SurveyClosed); then `add_response` checks it like any other, on the
    token's agency and dossier code. Every attempt counts towards the limit, refused or not.
    With `drop_skipped`, answers to questions a skip condition hides are left out rather than
    refused (a form sent without its script)."""
    if collection.over_limit(client):
        raise RateLimited()
    collection.count_attempt(client)
    found = collection.read_token(token, survey=survey)
    if agency is not None and found.agency_id != agency.pk:
        raise collection.BadToken()
    if not survey_is_open(survey):
        raise SurveyClosed()
    target = next((a for a in survey_agencies(survey).values() if a.pk == found.agency_id), None)
    if target is None:
        raise collection.BadToken()
    if drop_skipped:
        answers = collection.drop_skipped(spec_of(survey.questionnaire).questions, answers)
    return add_response(
        survey,
        by=None,
        agency=target,
        submitted_at=timezone.now(),
        answers=answers,
        dossier_code=found.dossier_code,
        channel=ResponseChannel.WEB,
    )


def survey_quarters(survey: Survey) -> list[str]:
    """The quarters the survey's dates touch: 2020Q1 … 2020Q4."""
    quarters: list[str] = []
    year, month = survey.starts_on.year, survey.starts_on.month
    while date(year, month, 1) <= survey.ends_on:
        label = stats.quarter(date(year, month, 1))
        if label not in quarters:
            quarters.append(label)
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    last = stats.quarter(survey.ends_on)
    if last not in quarters:
        quarters.append(last)
    return quarters


def import_volumes(data: bytes, filename: str, *, survey: Survey, by: User | None) -> int:
    """Set agencies' dossier volumes from a table of agency, period and dossiers; a volume
    given again replaces the earlier one. Nothing is saved when a row is bad."""
    if by is not None and not access.can_manage_surveys(by, survey.province_id):
        raise PermissionDenied(_("You may not change this survey."))
    try:
        with archives.time_limit():
            cells, problems = flat.read_cells(data, filename)
    except archives.ReadTooLong:
        seconds = f"{archives.READ_SECONDS:g}"
        raise ImportRefused(
            [flat.Problem(0, "read_too_long", {"name": filename, "seconds": seconds})]
        ) from None
    if problems:
        raise ImportRefused(problems)
    agencies = survey_agencies(survey)
    rows, problems = flat.check_volumes(cells, agencies=agencies, quarters=survey_quarters(survey))
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        for row in rows:
            Volume.objects.update_or_create(
                survey=survey,
                agency=agencies[row.agency],
                period=row.period,
                defaults={"dossiers": row.dossiers},
            )
        record(
            by,
            "surveys.volumes.import",
            survey,
            province=survey.province_id,
            changes={"file": filename[:255], "rows": len(rows)},
        )
    return len(rows)


def set_volumes(survey: Survey, *, by: User | None, entries: Mapping[tuple[str, str], str]) -> int:
    """Set agencies' dossier volumes as entered on screen, one per (agency code, period): a
    whole number sets it, a blank removes it. The same checks as a volumes table, refused as a
    ValidationError keyed `agency:period`; nothing is saved when one entry is bad."""
    if by is not None and not access.can_manage_surveys(by, survey.province_id):
        raise PermissionDenied(_("You may not change this survey."))
    given = [(key, clean(text)) for key, text in entries.items()]
    keyed: dict[int, str] = {}
    cells: list[tuple[int, tuple[str, ...]]] = [(1, ("agency", "period", "dossiers"))]
    for number, ((agency, period), text) in enumerate(((k, t) for k, t in given if t), start=2):
        keyed[number] = f"{agency}:{period}"
        cells.append((number, (agency, period, text)))
    agencies = survey_agencies(survey)
    rows, problems = (
        flat.check_volumes(cells, agencies=agencies, quarters=survey_quarters(survey))
        if len(cells) > 1
        else ([], [])
    )
    if problems:
        refused: dict[str, list[str]] = {}
        for problem in problems:
            text = describe_problem(flat.Problem(0, problem.code, problem.params))
            refused.setdefault(keyed.get(problem.row, "__all__"), []).append(text)
        raise ValidationError(refused)
    cleared = [
        (agency, period) for (agency, period), text in given if not text and agency in agencies
    ]
    with transaction.atomic():
        for row in rows:
            Volume.objects.update_or_create(
                survey=survey,
                agency=agencies[row.agency],
                period=row.period,
                defaults={"dossiers": row.dossiers},
            )
        removed = 0
        for agency, period in cleared:
            removed += Volume.objects.filter(
                survey=survey, agency=agencies[agency], period=period
            ).delete()[0]
        record(
            by,
            "surveys.volumes.set",
            survey,
            province=survey.province_id,
            changes={
                "volumes": {f"{r.agency}:{r.period}": r.dossiers for r in rows},
                "removed": removed,
            },
        )
    return len(rows)


def survey_agencies(survey: Survey) -> dict[str, Organisation]:
    """The agencies a response may name: the survey province's, by code."""
    return {
        a.code: a
        for a in Organisation.objects.filter(province_id=survey.province_id).exclude(
            kind=OrgKind.PROVINCE
        )
    }


@transaction.atomic
def save_mapping(
    survey: Survey, *, by: User | None, name: str, columns: Mapping[str, str]
) -> ColumnMapping:
    """Keep (or replace) a named column mapping for the survey's imports."""
    if by is not None and not access.can_manage_surveys(by, survey.province_id):
        raise PermissionDenied(_("You may not change this survey."))
    problems: dict[str, list[str]] = {}
    name = clean(name)
    if not _SLUG.match(name) or len(name) > 64:
        problems["name"] = [
            _("A code is lower-case letters and digits joined by - or _, such as sipas-2020.")
        ]
    targets = {*flat.FIXED, *(q.code for q in survey.questionnaire.questions.all()), ""}
    wrong = sorted(str(v) for v in columns.values() if v not in targets)
    if wrong:
        problems["columns"] = [
            describe_problem(flat.Problem(0, "unknown_questions", {"questions": ", ".join(wrong)}))
        ]
    cleaned = {clean(str(k)): str(v) for k, v in columns.items() if clean(str(k))}
    if not cleaned or len(cleaned) > 500:
        problems.setdefault("columns", []).append(_("Map from 1 to 500 columns."))
    elif any(len(k) > 255 for k in cleaned):
        problems.setdefault("columns", []).append(_("A column name is at most 255 characters."))
    if problems:
        raise ValidationError(problems)
    mapping, created = ColumnMapping.objects.update_or_create(
        survey=survey, name=name, defaults={"columns": cleaned, "created_by": by}
    )
    record(
        by,
        "surveys.mapping.save",
        survey,
        province=survey.province_id,
        changes={"name": name, "columns": cleaned, "created": created},
    )
    return mapping


def check_upload(
    data: bytes, filename: str, survey: Survey, mapping: ColumnMapping | None = None
) -> flat.Checked:
    """Read and check a flat table of responses against the survey (its columns renamed by
    `mapping` first); nothing is written."""
    try:
        with archives.time_limit():
            cells, problems = flat.read_cells(data, filename)
    except archives.ReadTooLong:
        seconds = f"{archives.READ_SECONDS:g}"
        return flat.Checked(
            problems=[flat.Problem(0, "read_too_long", {"name": filename, "seconds": seconds})]
        )
    if problems:
        return flat.Checked(problems=problems)
    spec = spec_of(survey.questionnaire)
    if mapping is not None:
        cells = flat.apply_mapping(cells, mapping.columns, (q.code for q in spec.questions))
    taken = Response.objects.filter(survey=survey).exclude(dossier_code="")
    return flat.check_rows(
        cells,
        spec,
        agencies=survey_agencies(survey),
        starts_on=survey.starts_on,
        ends_on=survey.ends_on,
        taken=taken.values_list("dossier_code", flat=True),
    )


def import_responses(
    data: bytes,
    filename: str,
    *,
    survey: Survey,
    by: User | None,
    skip_bad_rows: bool = False,
    mapping: ColumnMapping | None = None,
) -> ImportOutcome:
    """Add the responses of a flat table to the survey.

    Every bad row is reported and nothing is saved, unless `skip_bad_rows` is chosen: then the
    good rows are saved and the bad ones returned in `skipped`. A file that cannot be read, or
    has no good row, is refused either way."""
    if by is not None and not access.can_manage_surveys(by, survey.province_id):
        raise PermissionDenied(_("You may not import responses to this survey."))
    if mapping is not None and mapping.survey_id != survey.pk:
        raise ValidationError({"mapping": _("The mapping belongs to another survey.")})
    checked = check_upload(data, filename, survey, mapping)
    if checked.fatal or (checked.problems and not skip_bad_rows) or not checked.rows:
        raise ImportRefused(checked.problems or [flat.Problem(0, "no_rows")])
    agencies = survey_agencies(survey)
    questions = {q.code: q for q in survey.questionnaire.questions.all()}
    try:
        with transaction.atomic():
            responses = Response.objects.bulk_create(
                Response(
                    survey=survey,
                    agency=agencies[row.agency],
                    submitted_at=timezone.make_aware(row.submitted_at),
                    dossier_code=row.dossier_code,
                    channel=ResponseChannel.IMPORT,
                    created_by=by,
                )
                for row in checked.rows
            )
            Answer.objects.bulk_create(
                (
                    Answer(
                        response=response,
                        question=questions[code],
                        number=value.number,
                        text=value.text,
                    )
                    for response, row in zip(responses, checked.rows, strict=True)
                    for code, value in row.answers.items()
                ),
                batch_size=2_000,
            )
            record(
                by,
                "surveys.responses.import",
                survey,
                province=survey.province_id,
                changes={
                    "file": filename[:255],
                    "mapping": mapping.name if mapping is not None else "",
                    "saved": len(responses),
                    "skipped_rows": sorted(checked.bad_rows),
                },
            )
    except IntegrityError:
        # Another import took one of these dossier codes meanwhile.
        raise ImportRefused([flat.Problem(0, "dossier_conflict")]) from None
    return ImportOutcome(len(responses), checked.problems)
