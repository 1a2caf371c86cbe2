from django import forms

from core import forms as core_forms
from core.forms import GovukDateInput

from .models import (
    ClusterContact,
    Constellation,
    HarmonisationStatus,
    Hub,
    LocalAuthority,
    ProgressUpdate,
    Stage,
)


class HubForm(core_forms.ModelForm):
    # a hub's address typed without a scheme is a secure site
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Hub
        fields = [
            "name",
            "website",
            "phone",
            "operational_date",
            "go_live_date",
            "staff_fte",
            "staffing",
            "approvals_target",
        ]
        widgets = {
            "operational_date": GovukDateInput,
            "go_live_date": GovukDateInput,
            "staffing": forms.Textarea(attrs={"rows": 3}),
        }


class HarmonisationForm(core_forms.Form):
    status = forms.ChoiceField(choices=HarmonisationStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressUpdateForm(core_forms.ModelForm):
    month = forms.DateField(
        widget=GovukDateInput, help_text="Any date in the month the update is for."
    )

    class Meta:
        model = ProgressUpdate
        fields = ["month", "rating", "what_changed", "progress", "next_steps", "support_asked"]
        widgets = {
            "rating": forms.RadioSelect,
            "what_changed": forms.Textarea(attrs={"rows": 3}),
            "progress": forms.Textarea(attrs={"rows": 5}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "support_asked": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_month(self):
        from django.utils import timezone

        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate():
            self.add_error("month", "An update cannot be for a future month.")
        return month

    def validate_unique(self):
        # one update per cluster per month is checked by the service, on the month field
        pass


class StageForm(core_forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.RadioSelect)
    reached_on = forms.DateField(label="Date reached", widget=GovukDateInput)


class MemberForm(core_forms.Form):
    local_authority = forms.ModelChoiceField(
        label="Local authority", queryset=LocalAuthority.objects.order_by("name")
    )
    joined_on = forms.DateField(label="Joined on", widget=GovukDateInput)


class EndMembershipForm(core_forms.Form):
    left_on = forms.DateField(label="Left on", widget=GovukDateInput)


class ConstellationForm(core_forms.ModelForm):
    class Meta:
        model = Constellation
        fields = [
            "local_authority",
            "name",
            "hub_home",
            "satellite_families",
            "launch_date",
            "status",
        ]
        widgets = {"launch_date": GovukDateInput}

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].queryset = authorities


class ContactForm(core_forms.ModelForm):
    class Meta:
        model = ClusterContact
        fields = ["role", "name", "organisation", "email", "phone"]
