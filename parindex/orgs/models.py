"""Provinces, their agencies, people and roles, with the history Vietnam's reorganisations need.

An organisation is valid from `valid_from` (inclusive) to `valid_to` (exclusive). A merger or
a rename closes the old row and links it to its successor(s), so what was reported under the
old name stays under the old name and "as of" queries see the province as it then was.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    PPC = "ppc", _("Provincial People's Committee")
    DEPARTMENT = "department", _("Department or agency")
    DISTRICT = "district", _("District People's Committee")
    COMMUNE = "commune", _("Commune People's Committee")
    OTHER = "other", _("Other unit")


# Kinds whose people report on targets and are scored by internal indices.
AGENCY_KINDS = (OrgKind.PPC, OrgKind.DEPARTMENT, OrgKind.DISTRICT, OrgKind.COMMUNE, OrgKind.OTHER)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def as_of(self, day: date) -> OrganisationQuerySet:
        """Organisations that existed on `day`."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def current(self) -> OrganisationQuerySet:
        return self.as_of(timezone.localdate())

    def provinces(self) -> OrganisationQuerySet:
        return self.filter(kind=OrgKind.PROVINCE)

    def agencies(self) -> OrganisationQuerySet:
        return self.exclude(kind=OrgKind.PROVINCE)


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    code = models.SlugField(
        _("code"),
        max_length=64,
        help_text=_("Stable identifier used in imports and the API, unique within the province."),
    )
    # The province this agency belongs to; empty for a province itself.
    province = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": OrgKind.PROVINCE},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_(
            "First day on which the organisation no longer exists; empty if it still does."
        ),
    )
    email = models.EmailField(_("email"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "code"], name="org_code_unique_in_province"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(province__isnull=True),
                name="province_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="org_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def province_id_or_self(self) -> int:
        return self.province_id if self.province_id is not None else self.pk

    def is_valid_on(self, day: date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or day < self.valid_to)


class SuccessionKind(models.TextChoices):
    MERGED = "merged", _("Merged into")
    RENAMED = "renamed", _("Renamed to")
    SPLIT = "split", _("Split into")
    TRANSFERRED = "transferred", _("Duties transferred to")


class Succession(models.Model):
    predecessor = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="successions_in"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SuccessionKind.choices)
    on = models.DateField(_("effective on"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("works at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator (Home Affairs)")
    REPORTER = "reporter", _("Agency reporter")
    HEAD = "head", _("Agency head")
    LEADER = "leader", _("Leader")
    APPRAISER = "appraiser", _("Appraiser")


# Roles held for a whole province; the others are held for one agency.
PROVINCE_ROLES = (Role.COORDINATOR, Role.LEADER, Role.APPRAISER)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # The province for province-wide roles, the agency for reporters and heads.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("for"), on_delete=models.PROTECT, related_name="role_holders"
    )
    # An appraiser reviews only these agencies.
    agencies = models.ManyToManyField(
        Organisation, verbose_name=_("assigned agencies"), blank=True, related_name="appraisers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organisation"], name="role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiToken(models.Model):
    """A per-user API key. Only a digest is stored; the key is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "pi_" + secrets.token_urlsafe(32)


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


class AuditEntry(models.Model):
    """One write to domain data: who, when, through which channel, and what changed."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255)
    province = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def describe_changes(self) -> list[tuple[str, Any, Any]]:
        return [(field, pair[0], pair[1]) for field, pair in sorted(self.changes.items())]
