"""Published national PAR INDEX results of all provinces, year by year, with their sources.

The provinces ranked here are the national list (63 until 30/06/2025, 34 since), not the
organisations of this installation: `orgs.Organisation` holds the one province parindex runs
with its agencies and people, while `Province` below is the reference list every year's table
is matched against. The two meet by name and validity (see `provinces.for_organisation`), so
`lao-cai-1991`, the demo's organisation code, finds the Lào Cai of the national tables.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import SuccessionKind, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The four published parts of a province's total (2019 onwards), and the sum of the last three.
PART_FIELDS = ("appraisal", "sipas", "leader_survey", "socio_economic_impact")
IMPACT_FIELD = "impact"


def score_field(label: StrOrPromise) -> models.DecimalField[Decimal | None, Decimal | None]:
    """A published figure: up to 100, two decimal places, as the tables print them."""
    return models.DecimalField(label, max_digits=5, decimal_places=2, null=True, blank=True)


class ProvinceQuerySet(models.QuerySet["Province"]):
    def as_of(self, day: date) -> ProvinceQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def in_year(self, year: int) -> ProvinceQuerySet:
        """The provinces ranked in `year`'s table: those that existed at its end."""
        return self.as_of(date(year, 12, 31))


class Province(models.Model):
    """A province or centrally governed city as the national tables name it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=64)
    official_code = models.CharField(_("official code"), max_length=8, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    # A merger (Nghị quyết 202/2025/QH15) or a rename: where the province went.
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    succession_kind = models.CharField(
        _("succession"), max_length=16, choices=SuccessionKind.choices, blank=True
    )
    succession_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranked province")
        verbose_name_plural = _("ranked provinces")
        ordering = ["short_name", "code"]

    def __str__(self) -> str:
        return self.short_name

    def is_valid_on(self, day: date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or day < self.valid_to)

    def existed_in(self, year: int) -> bool:
        return self.is_valid_on(date(year, 12, 31))


class Source(models.Model):
    """Where published figures were read: a web page, a decision, an imported table."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title or self.url or self.key


class Origin(models.TextChoices):
    SHIPPED = "shipped", _("Shipped with parindex")
    IMPORTED = "imported", _("Imported official table")


class ResultYear(models.Model):
    """One year's national results, as far as they are known."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    methodology = models.CharField(_("methodology decision"), max_length=255, blank=True)
    publication = models.CharField(_("published by"), max_length=255, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    national_average = score_field(_("national average"))
    average_derived = models.BooleanField(_("average derived"), default=False)
    # Fewer provinces are known than were ranked: ranks cannot all be recomputed from scores.
    partial = models.BooleanField(_("partial"), default=True)
    province_count = models.PositiveSmallIntegerField(_("provinces ranked"))
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.SET_NULL
    )
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    note = models.TextField(_("note"), blank=True)
    # Other published facts of the year (groups, regional averages, survey sizes).
    facts = models.JSONField(_("other facts"), default=dict, blank=True)
    imported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("year of results")
        verbose_name_plural = _("years of results")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"PAR INDEX {self.year}"


class ProvinceResult(models.Model):
    """A province's published figures for one year; every figure of the row has its source."""

    year = models.ForeignKey(ResultYear, on_delete=models.CASCADE, related_name="results")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="results")
    score = score_field(_("score"))
    rank = models.PositiveSmallIntegerField(_("published rank"), null=True, blank=True)
    appraisal = score_field(_("appraisal"))
    sipas = score_field(_("SIPAS"))
    leader_survey = score_field(_("leaders' survey"))
    socio_economic_impact = score_field(_("socio-economic impact"))
    impact = score_field(_("impact (total)"))
    # Computed from a published change ("+4.38 vs 2018"), not itself read in a source.
    derived = models.BooleanField(_("derived"), default=False)
    rank_derived = models.BooleanField(_("rank derived"), default=False)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(_("note"), blank=True)
    conflict = models.TextField(_("sources disagree"), blank=True)
    # Line of the imported table, or order in the shipped file.
    line = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("province result")
        verbose_name_plural = _("province results")
        ordering = ["year", "rank", "province__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "province"], name="result_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year.year}"

    @property
    def parts(self) -> dict[str, Decimal]:
        return {
            name: getattr(self, name) for name in PART_FIELDS if getattr(self, name) is not None
        }


class DomainResult(models.Model):
    """A published figure of one domain (lĩnh vực) of a province's index."""

    result = models.ForeignKey(ProvinceResult, on_delete=models.CASCADE, related_name="domains")
    # "1".."8" for the index's domains; "?" when the source does not say which.
    domain = models.CharField(_("domain"), max_length=8)
    label = models.CharField(_("label"), max_length=255, blank=True)
    score = score_field(_("score"))
    maximum = score_field(_("maximum"))
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("domain result")
        verbose_name_plural = _("domain results")
        ordering = ["result", "domain"]

    def __str__(self) -> str:
        return f"{self.result} · {self.domain}"
