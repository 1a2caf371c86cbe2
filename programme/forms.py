from django import forms

from core import forms as core_forms
from core.forms import GovukDateInput

from .models import Contract, Grade, Kpi, Milestone


class ContractSettingsForm(core_forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["hours_per_day", "planning_days_per_cluster_month"]


class VariationForm(core_forms.Form):
    new_end_date = forms.DateField(label="New end date", widget=GovukDateInput)
    new_total_cap = forms.DecimalField(
        label="New total cap (£, excluding VAT)", min_value=1, decimal_places=2
    )
    added_caps = forms.CharField(
        label="Caps for the added financial years",
        help_text="One a line, as the year it starts and the cap: for example 2025 400000",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agreed_on = forms.DateField(label="Date agreed", widget=GovukDateInput)
    reason = forms.CharField(
        label="Reason for the variation", widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_added_caps(self):
        from decimal import Decimal, InvalidOperation

        caps = {}
        for number, line in enumerate(self.cleaned_data["added_caps"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace("£", "").replace(",", "").split()
            try:
                year, amount = int(parts[0]), Decimal(parts[1])
                if len(parts) != 2 or not 2000 < year < 2100 or amount <= 0:
                    raise ValueError
            except (ValueError, IndexError, InvalidOperation):
                raise forms.ValidationError(
                    f"Line {number} should be a starting year and a cap, like 2025 400000."
                ) from None
            caps[year] = amount
        if not caps:
            raise forms.ValidationError("Enter the cap of at least one added financial year.")
        return caps


class DayRateForm(core_forms.Form):
    grade = forms.ModelChoiceField(queryset=Grade.objects.all())
    valid_from = forms.DateField(label="Valid from", widget=GovukDateInput)
    rate = forms.DecimalField(label="Day rate (£, excluding VAT)", min_value=0, decimal_places=2)


class MilestoneForm(core_forms.ModelForm):
    class Meta:
        model = Milestone
        fields = [
            "cluster",
            "title",
            "outputs",
            "strand",
            "owner",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "status",
        ]
        widgets = {
            "baseline_date": GovukDateInput,
            "forecast_date": GovukDateInput,
            "actual_date": GovukDateInput,
            "outputs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, clusters=None, fixed_cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forecast_date"].required = False
        if fixed_cluster is not None:
            # a cluster lead's milestones are always their own cluster's
            del self.fields["cluster"]
            self.instance.cluster = fixed_cluster
        elif clusters is not None:
            self.fields["cluster"].queryset = clusters
            self.fields["cluster"].empty_label = "Programme-wide"
        if self.instance.pk:
            self.fields["baseline_date"].disabled = True
            self.fields[
                "baseline_date"
            ].help_text = "To move the baseline, re-baseline it with a reason."


class RebaselineForm(core_forms.Form):
    baseline_date = forms.DateField(label="New baseline date", widget=GovukDateInput)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class KpiForm(core_forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["name", "definition", "unit", "target", "direction", "allows_negative"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}


class KpiValueForm(core_forms.Form):
    quarter = forms.DateField(
        label="A date in the quarter",
        widget=GovukDateInput,
        help_text="The value is recorded for the quarter that holds this date.",
    )
    cluster = forms.ModelChoiceField(queryset=None, required=False, empty_label="Programme-wide")
    value = forms.DecimalField(decimal_places=2)

    def __init__(self, *args, clusters, allow_programme_wide=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        if not allow_programme_wide:
            self.fields["cluster"].required = True
            self.fields["cluster"].empty_label = None
