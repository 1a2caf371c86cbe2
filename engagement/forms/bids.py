"""Forms, tables and filters for bids and DfE's criteria."""

import django_filters
import django_tables2 as tables
from django import forms
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.models import Role, User
from clusters.models import Stage
from core import forms as core_forms
from core.forms import GovukDateInput
from core.tables import NUMERIC, GovukTable

from ..models import Bid, Criterion, CriterionStatus, Outcome

STATUS_COLOUR = {
    CriterionStatus.MET: "green",
    CriterionStatus.PARTLY: "yellow",
    CriterionStatus.NOT_MET: "red",
}
OUTCOME_COLOUR = {
    Outcome.PENDING: "grey",
    Outcome.FUNDED: "green",
    Outcome.NOT_FUNDED: "red",
    Outcome.DEFERRED: "yellow",
}


def status_tag(status: str, label: str):
    """A GOV.UK tag whose text says the status (the colour only repeats it)."""
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', STATUS_COLOUR[status], label
    )


def outcome_tag(bid: Bid):
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        OUTCOME_COLOUR[bid.outcome],
        bid.get_outcome_display(),
    )


def delivery_team():
    """The people who may test a bid: the delivery partner's team."""
    return User.objects.filter(
        role__in=[Role.CONSULTANT, Role.PROGRAMME_MANAGER], is_active=True
    ).order_by("first_name", "last_name", "email")


# -- forms ---------------------------------------------------------------------------------


class ClusterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_stage_display().lower()})"


class BidCreateForm(core_forms.Form):
    cluster = ClusterChoiceField(
        queryset=None,
        help_text="A bid is prepared at the expression of interest or bid stages.",
        error_messages={"required": "Choose the cluster whose bid this is."},
    )
    consultant = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Consultant testing the bid",
        empty_label="Not yet chosen",
    )
    due_on = forms.DateField(label="Submission deadline", required=False, widget=GovukDateInput)

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["consultant"].queryset = delivery_team()


class BidForm(core_forms.Form):
    consultant = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Consultant testing the bid",
        empty_label="Not yet chosen",
    )
    due_on = forms.DateField(label="Submission deadline", required=False, widget=GovukDateInput)
    submitted_on = forms.DateField(
        label="Submitted to DfE on",
        required=False,
        widget=GovukDateInput,
        help_text="Leave empty until the bid is submitted.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = delivery_team()


class AssessmentForm(core_forms.Form):
    status = forms.ChoiceField(
        choices=CriterionStatus.choices,
        widget=forms.RadioSelect,
        label="Does the bid meet the criterion?",
        error_messages={"required": "Choose whether the criterion is met."},
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Where the bid shows it: a section, an annex, a signed letter.",
    )
    challenge = forms.CharField(
        label="Consultant's challenge",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the cluster still has to show or strengthen.",
    )


class VersionForm(core_forms.Form):
    narrative = forms.CharField(
        label="Bid narrative",
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": "Enter the bid narrative."},
    )
    change_note = forms.CharField(label="What changed", max_length=300, required=False)
    dated = forms.DateField(
        label="Date of this version",
        required=False,
        widget=GovukDateInput,
        help_text="Leave empty for today.",
    )


class OutcomeForm(core_forms.Form):
    outcome = forms.ChoiceField(
        choices=[(o.value, o.label) for o in Outcome if o != Outcome.PENDING],
        widget=forms.RadioSelect,
        label="DfE's decision",
        error_messages={"required": "Choose DfE's decision: funded, not funded or deferred."},
    )
    outcome_on = forms.DateField(
        label="Decided on",
        required=False,
        widget=GovukDateInput,
        help_text="Leave empty for today.",
    )
    grant_amount = forms.DecimalField(
        label="Grant amount (£)",
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text="Only for a funded bid.",
        error_messages={"invalid": "Enter the grant as a number of pounds, like 1500000."},
    )
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CriterionForm(core_forms.ModelForm):
    position = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="Criteria are listed in this order. Leave empty to put a new one last.",
    )

    class Meta:
        model = Criterion
        fields = ["name", "guidance", "position"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {
                "required": "Enter the criterion.",
                "unique": "There is already a criterion with this name.",
            }
        }

    def clean_position(self):
        return self.cleaned_data["position"] or 0


# -- tables ----------------------------------------------------------------------------------


class BidTable(GovukTable):
    cluster = tables.Column(
        linkify=lambda record: reverse("engagement:bid_detail", args=[record.pk]),
        order_by=("cluster__name",),
    )
    stage = tables.Column(
        verbose_name="Cluster stage", accessor="cluster__stage", order_by=("stage_order",)
    )
    outcome = tables.Column()
    consultant = tables.Column(
        default="Not yet chosen", order_by=("consultant__first_name", "consultant__last_name")
    )
    due_on = tables.DateColumn("j M Y", verbose_name="Deadline", default="–")
    submitted_on = tables.DateColumn("j M Y", verbose_name="Submitted", default="–")
    met_count = tables.Column(verbose_name="Criteria met", attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        model = Bid
        fields = [
            "cluster",
            "stage",
            "outcome",
            "consultant",
            "due_on",
            "submitted_on",
            "met_count",
        ]
        empty_text = "No bids match."

    def render_cluster(self, record):
        return record.cluster.name

    def value_cluster(self, record):
        return record.cluster.name

    def render_stage(self, record):
        return record.cluster.get_stage_display()

    def value_stage(self, record):
        return record.cluster.get_stage_display()

    def render_outcome(self, record):
        return outcome_tag(record)

    def value_outcome(self, record):
        return record.get_outcome_display()

    def render_met_count(self, record):
        return f"{record.met_count} of {record.criteria_count}"

    def value_met_count(self, record):
        return record.met_count

    def value_due_on(self, value):
        return value.isoformat() if value else ""

    def value_submitted_on(self, value):
        return value.isoformat() if value else ""


class CriterionTable(GovukTable):
    position = tables.Column(verbose_name="Order", attrs=NUMERIC)
    name = tables.Column(verbose_name="Criterion", linkify=False)
    guidance = tables.Column(orderable=False)
    active = tables.Column(verbose_name="In use")
    bid_count = tables.Column(verbose_name="Bids tested on it", attrs=NUMERIC)
    actions = tables.Column(
        verbose_name="Change", accessor="pk", orderable=False, exclude_from_export=True
    )

    class Meta(GovukTable.Meta):
        model = Criterion
        fields = ["position", "name", "guidance", "active", "bid_count", "actions"]
        empty_text = "No criteria match."
        per_page = 50

    def render_active(self, record):
        if record.active:
            return mark_safe('<strong class="govuk-tag govuk-tag--green">In use</strong>')
        return mark_safe('<strong class="govuk-tag govuk-tag--grey">Retired</strong>')

    def value_active(self, record):
        return "In use" if record.active else "Retired"

    def render_actions(self, record):
        """Change, move up or down (small POST forms) and retire or reinstate (confirmed on
        their own page)."""
        token = get_token(self.request)
        name = record.name

        def move(direction, label):
            return format_html(
                '<form method="post" action="{}" class="govuk-!-display-inline-block govuk-!-margin-right-1">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="direction" value="{}">'
                '<button type="submit" class="govuk-button govuk-button--secondary '
                'govuk-!-margin-bottom-1" data-module="govuk-button">{}'
                '<span class="govuk-visually-hidden"> {}</span></button></form>',
                reverse("engagement:criterion_move", args=[record.pk]),
                token,
                direction,
                label,
                name,
            )

        # the first and last of their group (in use or retired) move one way only
        ends = getattr(self, "ends", {})
        moves = [
            move(direction, label)
            for direction, label in (("up", "Move up"), ("down", "Move down"))
            if ends.get((record.active, direction)) != record.pk
        ]
        retire = "criterion_retire" if record.active else "criterion_reinstate"
        return format_html(
            '<a class="govuk-link" href="{}">Change<span class="govuk-visually-hidden"> {}</span>'
            '</a><br><a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}'
            "</span></a>{}",
            reverse("engagement:criterion_edit", args=[record.pk]),
            name,
            reverse(f"engagement:{retire}", args=[record.pk]),
            "Retire" if record.active else "Reinstate",
            name,
            format_html_join("", "{}", ((m,) for m in moves)),
        )


# -- filters ---------------------------------------------------------------------------------


class BidFilter(django_filters.FilterSet):
    cluster = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any cluster")
    stage = django_filters.ChoiceFilter(
        field_name="cluster__stage",
        choices=Stage.choices,
        label="Cluster stage",
        empty_label="Any stage",
    )
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, empty_label="Any outcome")
    consultant = django_filters.ModelChoiceFilter(queryset=None, empty_label="Anyone")

    class Meta:
        model = Bid
        fields = ["cluster", "stage", "outcome", "consultant"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from clusters.selectors import clusters_for_user

        self.filters["cluster"].queryset = clusters_for_user(request.user).order_by("name")
        self.filters["consultant"].queryset = delivery_team()


class CriterionFilter(django_filters.FilterSet):
    active = django_filters.ChoiceFilter(
        choices=[("yes", "In use"), ("no", "Retired")],
        label="In use or retired",
        empty_label="Both",
        method="filter_active",
    )
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Criterion
        fields = ["active", "name"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "yes")
