"""Technical support: the forms of each step, the list's table and its filters. The rules
are in ``engagement.services.support``; these only turn what was typed into values."""

import django_filters
import django_tables2 as tables
from django import forms

from accounts.permissions import is_cluster_lead
from core import forms as core_forms
from core.forms import GovukDateInput
from core.tables import NUMERIC, GovukTable
from engagement.models import SupportKind, SupportRequest, SupportStatus

DAYS_INPUT = forms.TextInput(
    attrs={"inputmode": "decimal", "class": "govuk-input--width-4", "spellcheck": "false"}
)


def _days(label: str, help_text: str, required_message: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=6,
        decimal_places=2,
        widget=DAYS_INPUT,
        error_messages={
            "required": required_message,
            "invalid": "Enter the days as a number, like 3 or 2.5.",
            "max_decimal_places": "Enter the days to at most 2 decimal places.",
            "max_digits": "Enter fewer days.",
        },
    )


def _text(label: str, required_message: str, *, rows: int = 4, help_text: str = ""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=4000,
        error_messages={"required": required_message},
    )


class SupportRequestForm(core_forms.Form):
    cluster = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose a cluster",
        error_messages={"required": "Choose the cluster that needs the support."},
    )
    kind = forms.ChoiceField(
        label="Type of support",
        choices=SupportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of support."},
    )
    title = forms.CharField(
        label="What is needed",
        max_length=200,
        help_text="In a line, for example: a data-sharing agreement between the LAs' systems.",
        error_messages={"required": "Say what support is needed."},
    )
    reason = _text("Why it is needed", "Say why the support is needed.")
    needed_by = forms.DateField(
        label="Needed by",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the date the support is needed by.",
            "invalid": "Enter a real date.",
        },
    )

    def __init__(self, *args, clusters, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        # a lead has one cluster: it is chosen for them
        if is_cluster_lead(user):
            self.fields["cluster"].initial = user.cluster_id


class DiagnoseForm(core_forms.Form):
    diagnosis = _text(
        "Diagnosis",
        "Describe the need as you diagnosed it.",
        help_text="What the cluster needs, what the delivery partner will do and what it "
        "depends on.",
    )
    proposed_days = _days(
        "Days proposed",
        "The days of R3 technical support you propose to draw down.",
        "Propose a number of days.",
    )


class ApproveForm(core_forms.Form):
    approved_days = _days(
        "Days approved", "The days R3 time may draw down.", "Enter the days you approve."
    )
    approval_reason = _text(
        "Reason (needed if more days than proposed)",
        "",
        rows=3,
        help_text="Say why, if you approve more days than were proposed.",
    )

    def __init__(self, *args, proposed_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approval_reason"].required = False
        self.fields["approved_days"].initial = proposed_days


class DeclineForm(core_forms.Form):
    approval_reason = _text("Why is it declined?", "Say why the request is declined.", rows=3)


class CloseForm(core_forms.Form):
    outcome = _text(
        "Outcome",
        "Say what the support achieved.",
        help_text="What the support delivered and what the cluster does next.",
    )


# -- the list ---------------------------------------------------------------------------


class DaysColumn(tables.Column):
    """Days as plain figures (2.5, not 2.50) on the page and in the CSV."""

    def render(self, value):
        return f"{value.normalize():f}"


class SupportTable(GovukTable):
    reference = tables.Column(
        verbose_name="Reference",
        accessor="pk",
        linkify=("engagement:support_detail", [tables.A("pk")]),
    )
    cluster = tables.Column(order_by=("cluster__name",))
    kind = tables.Column(verbose_name="Type")
    title = tables.Column(verbose_name="What")
    status = tables.Column()
    needed_by = tables.DateColumn("j M Y", verbose_name="Needed by")
    approved_days = DaysColumn(verbose_name="Days approved", attrs=NUMERIC, default="–")
    days_used = DaysColumn(verbose_name="Days used", attrs=NUMERIC)
    days_left = DaysColumn(verbose_name="Days left", attrs=NUMERIC, default="–")

    class Meta(GovukTable.Meta):
        model = SupportRequest
        fields = [
            "reference",
            "cluster",
            "kind",
            "title",
            "status",
            "needed_by",
            "approved_days",
            "days_used",
            "days_left",
        ]
        attrs = {**GovukTable.Meta.attrs, "class": "govuk-table govuk-!-font-size-16"}
        empty_text = "No technical-support requests match."

    def render_reference(self, record):
        return record.reference

    def value_reference(self, record):
        return record.reference

    def value_needed_by(self, value):
        return value.isoformat()


class SupportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SupportStatus.choices, empty_label="Any status")
    cluster = django_filters.ModelChoiceFilter(queryset=None, empty_label="All clusters")
    kind = django_filters.ChoiceFilter(
        choices=SupportKind.choices, label="Type", empty_label="Any type"
    )

    class Meta:
        model = SupportRequest
        fields = ["status", "cluster", "kind"]

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["cluster"].queryset = clusters
