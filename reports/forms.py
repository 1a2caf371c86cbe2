from django import forms

from core import forms as core_forms
from core.forms import MonthInput

from .models import Kind, Report


class RequestReportForm(core_forms.Form):
    kind = forms.ChoiceField(
        label="Which report", choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.MONTHLY
    )
    month = forms.DateField(
        label="Month",
        help_text="For example, 2024-05. For a quarterly report, any month of the quarter.",
        input_formats=["%Y-%m", "%m/%Y", "%Y-%m-%d"],
        widget=MonthInput(),
        error_messages={"invalid": "Enter the month as year and month, for example 2024-05."},
    )


class SummaryForm(core_forms.ModelForm):
    class Meta:
        model = Report
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "summary": "Written by the programme manager. It starts from the generated key figures."
        }
