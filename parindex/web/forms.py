"""Forms for the everyday screens. They validate input; the actions decide and write."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.methodology.tree import Level, Method, Scoring, Unit
from parindex.orgs import admin_units
from parindex.orgs.hierarchy import in_reading_order
from parindex.orgs.models import AGENCY_KINDS, Organisation, OrgKind, Role, SuccessionKind, User

_ASCII_WHOLE = re.compile(r"^[+-]?[0-9]{1,18}$")
DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)


class _OrganisationOrder(ModelChoiceIterator):
    """Organisations offered by kind, then in Vietnamese alphabetical order (one query, as
    Django's own iterator)."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for org in in_reading_order(self.queryset):
            yield self.choice(org)


def offer_organisations(field: forms.Field, organisations: QuerySet[Organisation]) -> None:
    """Let a (multiple) choice field offer `organisations` in reading order."""
    field.iterator = _OrganisationOrder  # type: ignore[attr-defined]
    field.queryset = organisations  # type: ignore[attr-defined]


class VnDecimalField(forms.CharField):
    """Accepts 14,5 as well as 14.5; returns a Decimal."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_decimal(text)
        except (NumberFormatError, InvalidOperation):
            raise forms.ValidationError(_("Enter a number, such as 14,5.")) from None


class WholeNumberField(forms.IntegerField):
    """A whole number in ASCII digits: Django's IntegerField also reads ١٢ or １２, which the
    API (and any person) does not mean as a number."""

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if text and not _ASCII_WHOLE.match(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrgKind.choices]
    )


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in AGENCY_KINDS])
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE_WIDGET)
    valid_to = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("First day on which it no longer exists. Use “Close” for a merger or rename."),
    )

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "short_name",
            "code",
            "parent",
            "valid_from",
            "valid_to",
            "email",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, province: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.province = province
        parents: QuerySet[Organisation] = Organisation.objects.filter(
            pk=province.pk
        ) | Organisation.objects.filter(province=province)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        offer_organisations(self.fields["parent"], parents)
        self.fields["parent"].required = False
        if self.instance.pk and self.instance.kind == OrgKind.PROVINCE:
            self.fields["kind"].choices = OrgKind.choices  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        # The province is set by the action, so uniqueness is checked there; report it nicely here.
        code = self.cleaned_data.get("code")
        province = self.instance.province if self.instance.pk else self.province
        if code and province is not None:
            clash = Organisation.objects.filter(province=province, code=code).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("code", _("This code is already used in the province."))


class CloseForm(forms.Form):
    on = forms.DateField(
        label=_("Closing date"),
        widget=DATE_WIDGET,
        help_text=_("The first day on which it no longer exists."),
    )
    kind = forms.ChoiceField(
        label=_("What happened"), choices=SuccessionKind.choices, required=False
    )
    successors = forms.ModelMultipleChoiceField(
        label=_("Successor(s)"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty when the organisation was abolished without a successor."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, candidates: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organisations(self.fields["successors"], candidates)


class LoadProvinceForm(forms.Form):
    """A province of the national list since 1 July 2025, by its official code."""

    province = forms.ChoiceField(label=_("Province"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((p.code, f"{p.name} ({p.code})") for p in admin_units.provinces()),
        ]


class PersonForm(forms.ModelForm):  # type: ignore[type-arg]
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Leave empty to create the account without a password (it cannot sign in yet)."
        ),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "email",
            "organisation",
            "position",
            "phone",
            "is_active",
        ]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organisations(self.fields["organisation"], organisations)
        self.fields["organisation"].required = True
        if self.instance.pk:
            del self.fields["password"]
        else:
            del self.fields["is_active"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("For"),
        queryset=Organisation.objects.none(),
        help_text=_(
            "The agency for reporters and heads; coordinators, leaders and appraisers hold the role for the whole province."
        ),
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies to appraise"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organisations(self.fields["organisation"], organisations)
        offer_organisations(self.fields["agencies"], organisations.exclude(kind=OrgKind.PROVINCE))


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Where it will be used, e.g. “one-stop-shop sync”."),
    )


LEVEL_CHOICES = [
    (Level.PROVINCE.value, _("Province")),
    (Level.DEPARTMENT.value, _("Department")),
    (Level.DISTRICT.value, _("District")),
    (Level.COMMUNE.value, _("Commune")),
]


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "YAML (parindex format), XLSX, DOCX or PDF with the table STT | Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        help_text=_(
            "One row per line, cells separated by | or tabs; band lines “label: points” under their row. A table copied from a web page or a PDF with each cell on its own line is read too."
        ),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=255,
        help_text=_("Required unless the file names the tree."),
    )
    code = forms.SlugField(label=_("Code"), required=False, max_length=64)
    level = forms.ChoiceField(
        label=_("Level assessed"),
        choices=[("", _("As in the file")), *LEVEL_CHOICES],
        required=False,
    )
    declared_total = VnDecimalField(label=_("Declared total"), required=False)
    decision_number = forms.CharField(label=_("Issuing decision"), required=False, max_length=64)
    first_year = WholeNumberField(
        label=_("First year applied"), required=False, min_value=1990, max_value=2100
    )
    last_year = WholeNumberField(
        label=_("Last year applied"), required=False, min_value=1990, max_value=2100
    )
    national = forms.BooleanField(
        label=_("National framework (administrators only)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the table."))
        return data


class FrameworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    decision_number = forms.CharField(label=_("Issuing decision"), required=False, max_length=64)
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=DATE_WIDGET)
    issuer = forms.CharField(label=_("Issuer"), required=False, max_length=255)
    first_year = WholeNumberField(
        label=_("First year applied"), required=False, min_value=1990, max_value=2100
    )
    last_year = WholeNumberField(
        label=_("Last year applied"), required=False, min_value=1990, max_value=2100
    )
    level = forms.ChoiceField(label=_("Level assessed"), choices=LEVEL_CHOICES)
    declared_total = VnDecimalField(label=_("Declared total"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(
        label=_("Source"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Dotted: 1 for a domain, 1.2 for a criterion, 1.2.3 for a sub-criterion."),
    )
    name = forms.CharField(label=_("Name"), widget=forms.Textarea(attrs={"rows": 2}))
    max_points = VnDecimalField(label=_("Max points"))
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (Method.SELF.value, _("Self-assessed and appraised")),
            (Method.SURVEY.value, _("Survey")),
        ],
    )
    scoring = forms.ChoiceField(
        label=_("Scoring"),
        required=False,
        choices=[
            (Scoring.NONE.value, _("Sum of children")),
            (Scoring.CATEGORICAL.value, _("Categorical bands")),
            (Scoring.RANGES.value, _("Numeric ranges")),
            (Scoring.PROPORTIONAL.value, _("Proportional to a rate")),
        ],
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[
            (Unit.NONE.value, "—"),
            (Unit.PERCENT.value, _("percent")),
            (Unit.COUNT.value, _("count")),
        ],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BandsForm(forms.Form):
    bands = forms.CharField(
        label=_("Bands"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=_(
            "One band per line, “label: points”. Ranges are read from the wording: “trên 90%: 2”, “từ 70% - 90%: 1”, “dưới 70%: 0”."
        ),
    )


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan document"),
        required=False,
        help_text=_("Word (.docx), web page (.html), text (.txt) or PDF with a text layer."),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    # Offered once the document turned out to carry an existing plan's number and year.
    duplicate_ok = forms.BooleanField(
        label=_("Read it anyway, to correct its number or year in the review"),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the text of the plan."))
        return data
