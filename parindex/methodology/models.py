"""Versioned criteria trees: framework → domain → criterion → sub-criterion, with scoring bands."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parindex.methodology.tree import Level, Method, Scoring, Unit
from parindex.orgs.models import Organisation


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALID = "valid", _("Valid")


class Framework(models.Model):
    # Empty for national frameworks (the Ministry's PAR INDEX); set for a province's own index.
    province = models.ForeignKey(
        Organisation,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
        limit_choices_to={"kind": "province"},
    )
    name = models.CharField(_("name"), max_length=255)
    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    decision_number = models.CharField(_("issuing decision"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    first_year = models.PositiveIntegerField(_("first year applied"), null=True, blank=True)
    last_year = models.PositiveIntegerField(_("last year applied"), null=True, blank=True)
    level = models.CharField(
        _("level assessed"),
        max_length=16,
        choices=[
            (v.value, label)
            for v, label in zip(
                Level, [_("Province"), _("Department"), _("District"), _("Commune")], strict=True
            )
        ],
    )
    declared_total = models.DecimalField(
        _("declared total"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    # The findings of the last validation, as stored Problem dicts, shown until fixed.
    problems = models.JSONField(default=list, blank=True)
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derivatives"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("criteria tree")
        verbose_name_plural = _("criteria trees")
        ordering = ["-first_year", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "code", "version"], name="framework_version_unique"
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(province__isnull=True),
                name="national_framework_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_valid(self) -> bool:
        return self.status == FrameworkStatus.VALID

    def applies_to(self, year: int) -> bool:
        if self.first_year is not None and year < self.first_year:
            return False
        return self.last_year is None or year <= self.last_year


class Node(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.TextField(_("name"))
    max_points = models.DecimalField(_("max points"), max_digits=7, decimal_places=2)
    method = models.CharField(
        _("method"),
        max_length=8,
        choices=[
            (Method.SELF.value, _("Self-assessed and appraised")),
            (Method.SURVEY.value, _("Survey")),
        ],
        default=Method.SELF.value,
    )
    scoring = models.CharField(
        _("scoring"),
        max_length=16,
        blank=True,
        choices=[
            (Scoring.NONE.value, _("Sum of children")),
            (Scoring.CATEGORICAL.value, _("Categorical bands")),
            (Scoring.RANGES.value, _("Numeric ranges")),
            (Scoring.PROPORTIONAL.value, _("Proportional to a rate")),
        ],
    )
    unit = models.CharField(
        _("unit"),
        max_length=8,
        blank=True,
        choices=[
            (Unit.NONE.value, "—"),
            (Unit.PERCENT.value, _("percent")),
            (Unit.COUNT.value, _("count")),
        ],
    )
    note = models.TextField(_("note"), blank=True)
    # Sort key in reading order; codes like 1.10 sort after 1.9 through this, not the text.
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


class Band(models.Model):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="bands")
    label = models.TextField(_("label"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    lower = models.DecimalField(_("from"), max_digits=14, decimal_places=4, null=True, blank=True)
    lower_inclusive = models.BooleanField(_("from inclusive"), default=True)
    upper = models.DecimalField(_("to"), max_digits=14, decimal_places=4, null=True, blank=True)
    upper_inclusive = models.BooleanField(_("to inclusive"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["node", "position"]

    def __str__(self) -> str:
        return f"{self.label}: {self.points}"
