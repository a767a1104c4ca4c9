"""Plans and their assigned, measurable targets.

A plan document is first read into a proposal, kept as a `PlanImport` while the coordinator
reviews and corrects it; approving it creates the `Plan`, its areas, targets, quantities and
reporting duties in one transaction. Nothing of the plan exists before approval.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.methodology.models import Framework, Node
from parindex.orgs.models import Organisation, User


class Period(models.TextChoices):
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Six-monthly")
    YEAR = "year", _("Yearly")


class Comparator(models.TextChoices):
    GE = ">=", "≥"
    LE = "<=", "≤"
    EQ = "=", "="
    GT = ">", ">"
    LT = "<", "<"
    BETWEEN = "between", _("between")


class QuantityUnit(models.TextChoices):
    PERCENT = "percent", "%"
    COUNT = "count", _("count")
    POINTS = "points", _("points")
    RANK = "rank", _("rank")
    AMOUNT = "amount", _("amount")


class Measure(models.TextChoices):
    """What the figure reported for a quantity is (see plans.quantities.measure_for)."""

    LEVEL = "level", _("The figure itself (a share achieved, a count, points)")
    YEAR_PROGRESS = (
        "year_progress",
        _("The share of the year's plan done so far (it grows through the year)"),
    )
    ABOVE_REFERENCE = (
        "above_reference",
        _("The result over its reference, to exceed it by the value in %"),
    )
    BELOW_REFERENCE = (
        "below_reference",
        _("The result over its reference, to fall below it by the value in %"),
    )
    RANK = "rank", _("A rank (1 is best)")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    DISCARDED = "discarded", _("Discarded")


class PlanImport(models.Model):
    """A plan document read by the parser, awaiting the coordinator's review."""

    province = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plan_imports"
    )
    filename = models.CharField(_("file"), max_length=255)
    source_text = models.TextField(_("document text"))
    # The parser's proposal (the documented JSON shape), edited in place during review.
    proposal = models.JSONField(default=dict)
    warnings = models.JSONField(default=list, blank=True)
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: a save from a stale review form is refused.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.proposal.get("number") or self.filename


class Plan(models.Model):
    province = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plans")
    number = models.CharField(_("number"), max_length=64)
    date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    signer = models.CharField(_("signer"), max_length=255, blank=True)
    title = models.TextField(_("title"))
    year = models.PositiveIntegerField(_("year"))
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("criteria tree"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    # Last year's result as the plan states it: score, its parts, rank, weak domains.
    baseline = models.JSONField(_("baseline"), default=dict, blank=True)
    source = models.OneToOneField(
        PlanImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["province", "number", "year"], name="plan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.year})"


class Area(models.Model):
    """A content area of the plan ("Chỉ số nội dung ..."), linked to a domain of the tree."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    number = models.CharField(_("number"), max_length=16)
    title = models.TextField(_("title"))
    domain = models.ForeignKey(
        Node,
        verbose_name=_("domain"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_areas",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("content area")
        verbose_name_plural = _("content areas")
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="targets", null=True, blank=True
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    text = models.TextField(_("target"))
    # Where it stood in the document, so the original wording can be shown beside it.
    source_line = models.PositiveIntegerField(null=True, blank=True)
    periods = models.JSONField(_("reported"), default=list, blank=True)
    nodes: models.ManyToManyField[Node, TargetNode] = models.ManyToManyField(
        Node, through="TargetNode", related_name="targets", blank=True
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class Responsibility(models.TextChoices):
    LEAD = "lead", _("Lead")
    COORDINATING = "coordinating", _("Coordinating")


class TargetAgency(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="agencies")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="target_assignments"
    )
    responsibility = models.CharField(max_length=16, choices=Responsibility.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "organisation", "responsibility"], name="target_agency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.responsibility})"


class TargetNode(models.Model):
    """A sub-criterion the target moves: proposed by word matching, confirmed by the coordinator."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE)
    node = models.ForeignKey(Node, on_delete=models.CASCADE)
    confirmed = models.BooleanField(default=False)
    score = models.DecimalField(max_digits=5, decimal_places=3, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "node"], name="target_node_unique")
        ]

    def __str__(self) -> str:
        return f"{self.target} → {self.node.code}"


class Quantity(models.Model):
    """One measurable quantity of a target: what, comparator, value(s), unit, reference."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="quantities")
    subject = models.TextField(_("what is measured"))
    comparator = models.CharField(_("comparator"), max_length=8, choices=Comparator.choices)
    # As wide as a reported value (reporting.Value): a target may be an amount in đồng.
    value = models.DecimalField(_("value"), max_digits=22, decimal_places=4)
    value_high = models.DecimalField(
        _("upper value"), max_digits=22, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=8, choices=QuantityUnit.choices)
    # A change relative to something: "year" (relative_year), "previous_year", "plan", or empty.
    relative_kind = models.CharField(_("relative to"), max_length=16, blank=True)
    relative_year = models.PositiveIntegerField(null=True, blank=True)
    # What the reported figure is; the lights judge it accordingly (reporting.progress).
    measure = models.CharField(
        _("what the figure is"), max_length=16, choices=Measure.choices, default=Measure.LEVEL
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("quantity")
        verbose_name_plural = _("quantities")
        ordering = ["target", "position"]

    def __str__(self) -> str:
        high = f"–{self.value_high}" if self.value_high is not None else ""
        return f"{self.subject} {self.comparator} {self.value}{high} {self.unit}"


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("goal"))
    subject = models.TextField(blank=True)
    comparator = models.CharField(max_length=8, choices=Comparator.choices, blank=True)
    value = models.DecimalField(max_digits=22, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=8, choices=QuantityUnit.choices, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class ReportingDuty(models.Model):
    """A recurring reporting obligation from the plan's organisation section."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="duties")
    text = models.TextField(_("duty"))
    # Who reports: one agency, or every responsible agency when empty and `all_agencies` is set.
    reporter = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    all_agencies = models.BooleanField(default=False)
    recipient = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    periods = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.text[:80]
