"""Forms turn what a person typed into values; the rules are in services.check_entry."""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.functional import cached_property

from clusters.models import Cluster
from core import forms as core_forms
from core.forms import GovukDateInput, MonthInput
from programme.models import financial_year_label, financial_year_of

from .models import Activity, Requirement
from .services import DAYS, HOURS, to_days

UNITS = [(DAYS, "Days"), (HOURS, "Hours")]
# Short enough for a row of the week.
SHORT_REQUIREMENTS = [("R1", "R1 oversight"), ("R2", "R2 coaching"), ("R3", "R3 technical")]


def _duration_field(**kwargs):
    return forms.DecimalField(
        label="Duration",
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-4", "spellcheck": "false"}
        ),
        error_messages={"invalid": "Enter the duration as a number, like 0.5 or 3.75."},
        **kwargs,
    )


def _cluster_field(**kwargs):
    return forms.ModelChoiceField(
        queryset=Cluster.objects.order_by("name"),
        required=False,
        empty_label="Programme-wide",
        error_messages={"invalid_choice": "Choose a cluster from the list, or programme-wide."},
        **kwargs,
    )


def open_support_requests(also_id=None):
    """Technical-support requests time can draw down (approved), by cluster."""
    from engagement.models import SupportRequest, SupportStatus

    condition = Q(status=SupportStatus.APPROVED)
    if also_id:
        condition |= Q(pk=also_id)
    return (
        SupportRequest.objects.filter(condition)
        .select_related("cluster")
        .order_by("cluster__name", "pk")
    )


class SupportRequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.cluster}: {obj.reference} {obj.title}"


def _entry_values(data: dict, hours_per_day: Decimal) -> dict:
    duration = data.get("duration")
    return {
        "date": data["date"],
        "cluster": data["cluster"],
        "requirement": data["requirement"],
        "activity": data["activity"],
        "days": None if duration is None else to_days(duration, data["unit"], hours_per_day),
        "description": data.get("description", ""),
    }


class EntryForm(core_forms.Form):
    """One entry of time. The duration is in days or hours; it is stored in days."""

    date = forms.DateField(widget=GovukDateInput, error_messages={"invalid": "Enter a real date."})
    cluster = _cluster_field(help_text="The cluster supported, or programme-wide work.")
    requirement = forms.ChoiceField(choices=Requirement.choices, widget=forms.RadioSelect)
    activity = forms.ChoiceField(choices=[("", "Choose an activity")] + Activity.choices)
    duration = _duration_field(help_text="In days or in hours, as you choose below.")
    unit = forms.ChoiceField(
        label="Duration in", choices=UNITS, widget=forms.RadioSelect, initial=DAYS
    )
    description = forms.CharField(
        label="What you did", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    support_request = SupportRequestChoiceField(
        label="Technical-support request (optional)",
        queryset=None,
        required=False,
        empty_label="None",
        help_text="For R3 technical time only: the cluster's approved request it draws down.",
        error_messages={"invalid_choice": "Choose an approved request from the list, or none."},
    )

    def __init__(self, *args, hours_per_day: Decimal, current_request_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hours_per_day = hours_per_day
        self.fields["duration"].help_text = (
            f"In days or in hours, as you choose below (a day is {hours_per_day.normalize():f} "
            "hours)."
        )
        # approved requests, plus the one a draft already points at (the rule then says
        # why it can no longer take time, if it cannot)
        self.fields["support_request"].queryset = open_support_requests(current_request_id)

    def values(self) -> dict:
        """The cleaned values as save_entry takes them."""
        return {
            **_entry_values(self.cleaned_data, self.hours_per_day),
            "support_request": self.cleaned_data.get("support_request"),
        }


class WeekRowForm(core_forms.Form):
    """A row of the week view. Every field is optional so that blank rows are left out; a
    row that has been started must be complete (see clean)."""

    entry = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date = forms.TypedChoiceField(label="Day", choices=(), coerce=datetime.date.fromisoformat)
    cluster = _cluster_field(
        label="Cluster", widget=forms.Select(attrs={"class": "app-select--narrow"})
    )
    requirement = forms.ChoiceField(
        label="Requirement", choices=[("", "Choose")] + SHORT_REQUIREMENTS, required=False
    )
    activity = forms.ChoiceField(
        label="Activity", choices=[("", "Choose")] + Activity.choices, required=False
    )
    duration = _duration_field(required=False)
    unit = forms.ChoiceField(label="Unit", choices=UNITS, initial=DAYS)
    description = forms.CharField(
        label="What you did", required=False, max_length=2000, widget=forms.TextInput
    )
    delete = forms.BooleanField(label="Delete", required=False)

    def __init__(
        self,
        *args,
        days: list[datetime.date],
        hours_per_day: Decimal,
        cluster_choices=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.hours_per_day = hours_per_day
        self.fields["date"].choices = [(d.isoformat(), f"{d:%a %-d %b}") for d in days]
        if cluster_choices is not None:
            self.fields["cluster"].choices = cluster_choices

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return (
            not data.get("entry")
            and data.get("duration") is None
            and not data.get("description", "").strip()
        )

    def clean(self):
        data = super().clean()
        if self.is_blank or data.get("delete"):
            return data
        for name, message in (
            ("requirement", "Choose the requirement."),
            ("activity", "Choose the activity."),
            ("duration", "Enter the duration."),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data

    def values(self) -> dict:
        """The cleaned values as save_week takes a row."""
        data = self.cleaned_data
        return {**_entry_values(data, self.hours_per_day), "delete": data.get("delete", False)}


class BaseWeekFormSet(forms.BaseFormSet):
    def __init__(self, *args, days, hours_per_day, **kwargs):
        self.days, self.hours_per_day = days, hours_per_day
        super().__init__(*args, **kwargs)

    @cached_property
    def _cluster_choices(self) -> list:
        # the clusters are read once for the week, not once for each row's select
        return list(WeekRowForm.base_fields["cluster"].choices)

    def get_form_kwargs(self, index):
        return {
            "days": self.days,
            "hours_per_day": self.hours_per_day,
            # lazy: a week that is saved and redirected never reads them
            "cluster_choices": lambda: self._cluster_choices,
        }


WeekFormSet = forms.formset_factory(WeekRowForm, formset=BaseWeekFormSet, extra=0)


class ReasonForm(core_forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AdjustmentForm(core_forms.Form):
    date = forms.DateField(
        label="Date to book the adjustment",
        widget=GovukDateInput,
        help_text="A date in a month that has not been invoiced yet, usually today.",
    )
    duration = _duration_field(
        help_text="Negative to take time away (for example -0.5), positive to add it."
    )
    unit = forms.ChoiceField(
        label="Duration in", choices=UNITS, widget=forms.RadioSelect, initial=DAYS
    )
    reason = forms.CharField(
        label="Why the invoiced time is adjusted",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, hours_per_day: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.hours_per_day = hours_per_day

    def days(self) -> Decimal:
        return to_days(self.cleaned_data["duration"], self.cleaned_data["unit"], self.hours_per_day)


class InvoiceMonthForm(core_forms.Form):
    month = forms.DateField(
        label="Month to invoice",
        help_text="For example, 2026-10. Invoices are issued in arrears, once a month has ended.",
        input_formats=["%Y-%m", "%m/%Y", "%Y-%m-%d"],
        widget=MonthInput(),
        error_messages={"invalid": "Enter the month as year and month, for example 2026-10."},
    )


def financial_year_choices(contract) -> list[tuple[str, str]]:
    return [
        (str(year), financial_year_label(year))
        for year in range(
            financial_year_of(contract.start_date), financial_year_of(contract.end_date) + 1
        )
    ]


class AllocationForm(core_forms.Form):
    fy = forms.ChoiceField(label="Financial year", choices=())

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = financial_year_choices(contract)
