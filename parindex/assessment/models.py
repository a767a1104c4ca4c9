"""Self-assessment and appraisal of a criteria tree for a year's assessed units.

An `Assessment` applies one valid criteria tree to a year and a set of assessed units (the
province itself, or its departments, districts or communes as they existed that year). Each
`AssessedUnit` gets one `Entry` per leaf of the tree when the assessment is opened: the unit's
input (a band label, a value, or numerator and denominator), the self-assessed points the engine
gives it, the unit's explanation, the appraisal, and the evidence `Document`s it cites. A
document belongs to the unit and may be cited by several entries, so it is uploaded once.

Scores are cached: `Entry.self_points` per leaf and `AssessedUnit.scores` per node (self,
appraised, final), both rewritten by the action that changes an input or an appraisal, so lists,
rankings and exports read them without rescoring. Every change is in the audit trail against the
unit (`assessment.assessedunit`) or the assessment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parindex.methodology.models import Framework, Node
from parindex.orgs.models import Organisation, User


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Appraisal closed")
    PUBLISHED = "published", _("Results published")


class Scope(models.TextChoices):
    """Which units an assessment covers, as they existed in its year."""

    PROVINCE = "province", _("The province itself")
    DEPARTMENTS = "departments", _("All departments")
    DISTRICTS = "districts", _("All districts")
    COMMUNES = "communes", _("All communes")


# Classification of results, best first: a unit gets the first class whose `min` (percent of the
# tree's maximum total, inclusive) its final total reaches. Stored per assessment, editable.
DEFAULT_CLASSES: list[dict[str, Any]] = [
    {"label": "Xuất sắc", "min": "90"},
    {"label": "Tốt", "min": "80"},
    {"label": "Khá", "min": "70"},
    {"label": "Trung bình", "min": "50"},
    {"label": "Yếu", "min": "0"},
]


def default_classes() -> list[dict[str, Any]]:
    return [dict(c) for c in DEFAULT_CLASSES]


# Points are cached with this many places: bands carry two, a proportional leaf (max × rate)
# can carry more; display and export round half-up to two.
POINTS: dict[str, int] = {"max_digits": 14, "decimal_places": 6}
# Entered values, the same columns as reporting values hold.
VALUE: dict[str, int] = {"max_digits": 16, "decimal_places": 4}


class Assessment(models.Model):
    province = models.ForeignKey(
        Organisation,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="assessments",
        limit_choices_to={"kind": "province"},
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("criteria tree"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    scope = models.CharField(_("assessed units"), max_length=12, choices=Scope.choices)
    title = models.CharField(_("title"), max_length=200)
    deadline = models.DateField(_("self-assessment deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.OPEN,
    )
    classes = models.JSONField(_("classification"), default=default_classes)
    opened_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "title", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "framework", "year", "scope"], name="assessment_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class UnitStatus(models.TextChoices):
    DRAFT = "draft", _("Self-assessing")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("More evidence requested")
    ANSWERED = "answered", _("Answered")
    APPRAISED = "appraised", _("Appraised")


class AssessedUnit(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="units")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessed_as"
    )
    appraiser = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="appraised_units"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.DRAFT
    )
    # Cached totals of the whole tree; `scores` holds every node: {"self": {code: "8.5"},
    # "appraised": {code: "8"}, "final": {code: "8"}, "missing": [codes]} as decimal strings.
    self_total = models.DecimalField(
        _("self-assessed"), default=Decimal(0), max_digits=14, decimal_places=6
    )
    appraised_total = models.DecimalField(
        _("appraised"), null=True, blank=True, max_digits=14, decimal_places=6
    )
    final_total = models.DecimalField(
        _("final"), default=Decimal(0), max_digits=14, decimal_places=6
    )
    scores = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)
    # Optimistic lock: a save carrying an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessed unit")
        verbose_name_plural = _("assessed units")
        ordering = ["assessment", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "organisation"], name="assessed_unit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.organisation}"


def document_path(instance: Document, filename: str) -> str:
    return f"assessment/{instance.unit.assessment_id}/{instance.unit_id}/{filename}"


class Document(models.Model):
    """An evidence document of a unit, cited by as many entries as it proves."""

    unit = models.ForeignKey(AssessedUnit, on_delete=models.CASCADE, related_name="documents")
    number = models.CharField(_("document number"), max_length=64, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    file = models.FileField(upload_to=document_path, max_length=300, blank=True)
    name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        ordering = ["unit", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.number or self.title or self.name or f"#{self.pk}"


class Appraisal(models.TextChoices):
    PENDING = "", _("Not appraised")
    ACCEPTED = "accepted", _("Self-score accepted")
    SCORED = "scored", _("Score set by the appraiser")
    REQUESTED = "requested", _("More evidence requested")
    ANSWERED = "answered", _("Answered by the unit")


class Entry(models.Model):
    """One leaf of the tree for one unit: input, self-score, explanation, appraisal, evidence."""

    unit = models.ForeignKey(AssessedUnit, on_delete=models.CASCADE, related_name="entries")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    # The input: a categorical band's label, or a value (a count, or a rate in percent), or the
    # numerator and denominator of a rate. Survey leaves are filled by the coordinator.
    band = models.TextField(_("band chosen"), blank=True)
    value = models.DecimalField(_("value"), null=True, blank=True, max_digits=16, decimal_places=4)
    numerator = models.DecimalField(
        _("numerator"), null=True, blank=True, max_digits=16, decimal_places=4
    )
    denominator = models.DecimalField(
        _("denominator"), null=True, blank=True, max_digits=16, decimal_places=4
    )
    # Where a proposed value came from ("Báo cáo quý IV/2020, đã chấp nhận"); empty if typed.
    source = models.CharField(_("source"), max_length=255, blank=True)
    source_report = models.ForeignKey(
        "reporting.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_points = models.DecimalField(
        _("self-assessed points"), null=True, blank=True, max_digits=14, decimal_places=6
    )
    self_band = models.TextField(blank=True)  # the band the engine matched, for the trace
    explanation = models.TextField(_("explanation"), blank=True)
    evidence_partial = models.BooleanField(_("evidence is partial"), default=False)
    documents = models.ManyToManyField(Document, blank=True, related_name="entries")
    appraisal = models.CharField(
        _("appraisal"), max_length=10, choices=Appraisal.choices, blank=True, default=""
    )
    appraised_points = models.DecimalField(
        _("appraised points"), null=True, blank=True, max_digits=14, decimal_places=6
    )
    appraisal_comment = models.TextField(_("appraiser's reason or request"), blank=True)
    appraised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("unit's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("assessment entry")
        verbose_name_plural = _("assessment entries")
        ordering = ["unit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "node"], name="entry_unique"),
            models.CheckConstraint(
                condition=Q(appraised_points__isnull=True) | Q(appraised_points__gte=0),
                name="entry_appraised_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.node.code}"

    @property
    def has_input(self) -> bool:
        return bool(self.band) or self.value is not None or self.numerator is not None

    @property
    def final_points(self) -> Decimal | None:
        return self.appraised_points if self.appraised_points is not None else self.self_points
