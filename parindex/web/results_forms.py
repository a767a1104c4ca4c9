"""The form of a year's official results table: a file or pasted text, the year, its source."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ResultsImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year evaluated"), min_value=1990, max_value=2100)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "XLSX or CSV with the columns: province (name or code), score, rank, and optionally appraisal, SIPAS, leaders' survey, socio-economic impact."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        help_text=_("One province per line, cells separated by tabs, semicolons or |."),
    )
    source = forms.CharField(
        label=_("Published in"),
        required=False,
        max_length=255,
        help_text=_("The decision or page the table comes from, e.g. Quyết định 330/QĐ-BNV."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Save the good rows and skip the bad ones"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the table."))
        return data
