"""The forms of the survey screens. They read input; `surveys.actions` checks it and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parindex.orgs.models import Organisation
from parindex.surveys.models import ColumnMapping, Questionnaire
from parindex.web.forms import DATE_WIDGET

FILE_HELP = _("A CSV file or an XLSX workbook (its first sheet).")


def _questionnaire_label(questionnaire: Questionnaire) -> str:
    return f"{questionnaire.title_vi} ({questionnaire.code} v{questionnaire.version})"


def _mapping_label(mapping: ColumnMapping) -> str:
    return mapping.name


class SurveyCreateForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters and digits joined by - or _, such as sipas-2020."),
    )
    title = forms.CharField(label=_("Survey title"), max_length=255, required=False)
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.none()
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Organisation.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("To"), widget=DATE_WIDGET)

    def __init__(
        self,
        *args: Any,
        questionnaires: QuerySet[Questionnaire],
        provinces: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        questionnaire = self.fields["questionnaire"]
        assert isinstance(questionnaire, forms.ModelChoiceField)
        questionnaire.queryset = questionnaires
        questionnaire.label_from_instance = _questionnaire_label  # type: ignore[method-assign,assignment]
        province = self.fields["province"]
        assert isinstance(province, forms.ModelChoiceField)
        province.queryset = provinces
        if provinces.count() == 1:
            province.initial = provinces.first()
            province.widget = forms.HiddenInput()


class QuestionnaireImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm workbook"),
        help_text=_(
            "An XLSX workbook in the XLSForm layout (KoboToolbox, ODK): sheets survey, choices "
            "and settings."
        ),
    )


class ResponseImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=FILE_HELP)
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"),
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label=_("None: the flat layout"),
        help_text=_("For an export of KoboToolbox or ODK, the mapping saved for it."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Save the good rows and skip the bad ones"), required=False
    )

    def __init__(self, *args: Any, mappings: QuerySet[ColumnMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ModelChoiceField)
        mapping.queryset = mappings
        mapping.label_from_instance = _mapping_label  # type: ignore[method-assign,assignment]


class MappingForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        help_text=_("Saving a name again replaces its mapping."),
    )
    columns = forms.CharField(
        label=_("Columns"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        help_text=_(
            "One column a line, COLUMN=TARGET: the target is agency, submitted_at, "
            "dossier_code or a question code; COLUMN= leaves the column out."
        ),
    )

    def clean_columns(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["columns"].splitlines(), 1):
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(
                    _("Line %(n)s: write COLUMN=TARGET (or COLUMN= to leave it out).")
                    % {"n": number}
                )
            column, target = line.split("=", 1)
            found[column.strip()] = target.strip()
        return found


class VolumesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Volumes table"),
        help_text=_(
            "CSV or XLSX with the columns agency, period (2020Q2, or all for the whole survey) "
            "and dossiers."
        ),
    )


def organisation_choices(organisations: list[Organisation]) -> list[tuple[str, str]]:
    return [("", "—")] + [(org.code, org.name) for org in organisations]


class PaperResponseForm(forms.Form):
    """The response's frame: agency, moment, dossier code. The answers are read by question
    code straight from the POST, as the public form reads them."""

    agency = forms.ChoiceField(label=_("Agency"))
    submitted_on = forms.DateField(label=_("Date on the form"), widget=DATE_WIDGET)
    dossier_code = forms.CharField(
        label=_("Dossier code"),
        max_length=64,
        required=False,
        help_text=_("As on the receipt; one response per dossier."),
    )

    def __init__(self, *args: Any, agencies: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = organisation_choices(agencies)
