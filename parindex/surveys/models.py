"""Citizen satisfaction surveys: versioned questionnaires, surveys run for a province over a
date range, and the responses to them, one row per answered question.

A questionnaire is never edited once used: a changed wording is a new version. The indices are
not stored; they are computed from the answers each time (`surveys.indices`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import Organisation, User


class Factor(models.TextChoices):
    """The five SIPAS factors (2640/QĐ-BNV) and overall satisfaction."""

    ACCESS = "access", _("Access to the service")
    PROCEDURE = "procedure", _("The administrative procedure")
    STAFF = "staff", _("The civil servant")
    RESULT = "result", _("The result")
    FEEDBACK = "feedback", _("Handling of feedback")
    OVERALL = "overall", _("Overall satisfaction")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1–5")
    NUMBER = "number", _("Number")
    YES_NO = "yes_no", _("Yes or no")
    TEXT = "text", _("Free text")


class Questionnaire(models.Model):
    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=64)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_code_unique")
        ]

    def __str__(self) -> str:
        return self.title_vi


class Question(models.Model):
    """One question. `choices` lists {"value", "label_vi", "label_en"}; a question with
    `show_if_question` is asked only when that question's answer is (or, for a multiple choice,
    includes) `show_if_value`: "show if q3 = yes"."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text_vi = models.CharField(_("question (Vietnamese)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    factor = models.CharField(_("factor"), max_length=16, choices=Factor.choices, blank=True)
    # assessment, satisfaction or expectation: the three things SIPAS asks of each factor.
    dimension = models.CharField(_("dimension"), max_length=16, blank=True)
    required = models.BooleanField(_("required"), default=False)
    show_if_question = models.SlugField(_("shown if question"), max_length=64, blank=True)
    show_if_value = models.CharField(_("has the answer"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Survey(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    province = models.ForeignKey(
        Organisation,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="surveys",
        limit_choices_to={"kind": "province"},
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="survey_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.code


class ResponseChannel(models.TextChoices):
    WEB = "web", _("Web form")
    PAPER = "paper", _("Paper form")
    IMPORT = "import", _("Import")


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    agency = models.ForeignKey(
        Organisation, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    dossier_code = models.CharField(_("dossier code"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=ResponseChannel.choices)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "submitted_at", "id"]
        constraints = [
            # One response per dossier: a citizen answers once for each file they handed in.
            models.UniqueConstraint(
                fields=["survey", "dossier_code"],
                condition=~Q(dossier_code=""),
                name="response_dossier_unique",
            )
        ]
        indexes = [models.Index(fields=["survey", "agency"])]

    def __str__(self) -> str:
        return f"{self.survey.code} #{self.pk}"


class Answer(models.Model):
    """One question's answer in a response: a number (scales, numbers) or text (choice values,
    separated by spaces for a multiple choice; yes/no; free text)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.text or self.number}"


class Volume(models.Model):
    """An agency's dossiers in a period of the survey (`2020Q2`, or `all` for the whole survey):
    what sizes its minimum sample and weighs it in the province's figure."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="volumes")
    agency = models.ForeignKey(
        Organisation, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=8)
    dossiers = models.PositiveIntegerField(_("dossiers"))

    class Meta:
        verbose_name = _("dossier volume")
        verbose_name_plural = _("dossier volumes")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "agency", "period"], name="volume_unique_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.period}: {self.dossiers}"


class ColumnMapping(models.Model):
    """How another tool's export (KoboToolbox, ODK) names the flat layout's columns, saved
    under a name to import its files again: `columns` maps a column of the file to `agency`,
    `submitted_at`, `dossier_code`, a question code, or "" to leave it out."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="mappings")
    name = models.SlugField(_("name"), max_length=64)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["survey", "name"], name="mapping_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionAttempt(models.Model):
    """One submission of the public form or the API, kept for the rate limit: in the database,
    so every server process counts the same attempts. `address` is a keyed hash of the client's
    address, never the address itself."""

    address = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("submission attempt")
        verbose_name_plural = _("submission attempts")
        indexes = [models.Index(fields=["address", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.address[:8]} {self.at:%Y-%m-%d %H:%M}"
