"""What the database keeps about one-stop-shop dossiers; the dossiers themselves live in the
DuckDB store (`dossiers.store`), one per province.

Here: how each source system's exports map onto the dossier schema (`SourceMapping`), which
organisation each agency code of the records stands for (`AgencyCode`), the province's choices
where provinces count differently (`KpiSetting`), and every import run (`DossierImport`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import Organisation, User


class SourceMapping(models.Model):
    """How one source system's export names the dossier columns and writes its values.

    `columns`: file column → dossier column (`ma_ho_so`, `co_quan`, ...), or "" to leave the
    column out. `values`: per value field (`kenh_thuc_hien`, `muc_do`, `trang_thai`,
    `tra_kq_bcci`), source value → canonical value, e.g. {"trang_thai": {"7": "DA_GIAI_QUYET"}}.
    A source's mapping named `default` is used when an import names the source alone."""

    province = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="dossier_mappings"
    )
    source = models.SlugField(_("source system"), max_length=64)
    name = models.SlugField(_("name"), max_length=64, default="default")
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier column mapping")
        verbose_name_plural = _("dossier column mappings")
        ordering = ["province", "source", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "source", "name"], name="dossier_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.name}"


class AgencyCode(models.Model):
    """An agency code as the records give it (`co_quan`), and the organisation it stands for.
    A code without a row here matches the province's organisation of the same code, if any."""

    province = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="dossier_agency_codes"
    )
    code = models.CharField(_("agency code in the records"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_codes",
    )
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier agency code")
        verbose_name_plural = _("dossier agency codes")
        ordering = ["province", "code"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="dossier_agency_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class OnTimeRate(models.TextChoices):
    RESOLVED = "resolved", _("On time among resolved dossiers")
    DUE = "due", _("On time among resolved and overdue pending dossiers")


class KpiSetting(models.Model):
    """Where provinces count differently; the defaults are the reference definitions
    (docs/dossiers.md, "Settings")."""

    province = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="dossier_kpi_setting"
    )
    carried_over_from_start_day = models.BooleanField(
        _("a dossier finished on the period's first day is carried over"), default=True
    )
    on_time_rate = models.CharField(
        _("on-time rate that feeds the target"),
        max_length=16,
        choices=OnTimeRate.choices,
        default=OnTimeRate.RESOLVED,
    )
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier KPI setting")
        verbose_name_plural = _("dossier KPI settings")

    def __str__(self) -> str:
        return f"{self.province}: {self.on_time_rate}"


class ImportStatus(models.TextChoices):
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused")


class DossierImport(models.Model):
    """One import of a dossier file: who, when, what, and what was found in it.

    `problems` lists {code, refused, column, count, examples: [{row, value}]}; a refused
    import changed nothing in the store."""

    province = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source system"), max_length=64, blank=True)
    mapping = models.CharField(_("mapping"), max_length=64, blank=True)
    filename = models.CharField(_("file"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    message = models.TextField(_("message"), blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    accepted = models.PositiveIntegerField(_("dossiers accepted"), default=0)
    inserted = models.PositiveIntegerField(_("dossiers added"), default=0)
    updated = models.PositiveIntegerField(_("dossiers updated"), default=0)
    refused_rows = models.PositiveIntegerField(_("rows refused"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    skip_bad_rows = models.BooleanField(_("bad rows skipped"), default=False)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    partitions = models.JSONField(_("partitions written"), default=list, blank=True)
    generation = models.PositiveIntegerField(_("store generation"), default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("dossier import")
        verbose_name_plural = _("dossier imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"
