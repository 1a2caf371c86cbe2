import django_filters
from django import forms

from accounts.permissions import is_cluster_lead, is_delivery_partner, is_dfe_reader
from clusters.models import Cluster, ClusterMembership
from clusters.models import Stage as ClusterStage
from core.forms import GovukDateInput

from .forms import possible_owners
from .models import (
    HIGH_FROM,
    IMPACT,
    LIKELIHOOD,
    LIVE_STATUSES,
    MEDIUM_FROM,
    EventKind,
    Kind,
    LearningEvent,
    Lesson,
    LessonKind,
    LessonStatus,
    RaidItem,
    Status,
    Theme,
)

PROGRAMME_WIDE = "programme"
BANDS = [
    ("high", f"High ({HIGH_FROM} to 25)"),
    ("medium", f"Medium ({MEDIUM_FROM} to {HIGH_FROM - 1})"),
    ("low", f"Low (1 to {MEDIUM_FROM - 1})"),
]


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose cluster choices are the clusters the user may see."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from clusters.selectors import clusters_for_user

        self.clusters = clusters_for_user(request.user).order_by("name")
        self.request = request


class RaidScopeFilter(ScopedFilterSet):
    """Programme-wide or one of the user's clusters (a cluster lead: only their own)."""

    cluster = django_filters.ChoiceFilter(
        label="Cluster", empty_label="All clusters", method="filter_cluster"
    )

    class Meta:
        model = RaidItem
        fields = ["cluster"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), c.name) for c in self.clusters]
        if is_delivery_partner(self.request.user) or is_dfe_reader(self.request.user):
            choices.insert(0, (PROGRAMME_WIDE, "Programme-wide"))
        self.filters["cluster"].extra["choices"] = choices

    def filter_cluster(self, queryset, name, value):
        if value == PROGRAMME_WIDE:
            return queryset.filter(cluster__isnull=True)
        return queryset.filter(cluster_id=value)


class RaidFilter(RaidScopeFilter):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="Type", empty_label="Any type")
    status = django_filters.ChoiceFilter(
        choices=[("live", "Open or mitigating"), *Status.choices],
        empty_label="Any status",
        method="filter_status",
    )
    band = django_filters.ChoiceFilter(
        choices=BANDS, label="Score", empty_label="Any score", method="filter_band"
    )
    owner = django_filters.ModelChoiceFilter(queryset=None, empty_label="Anyone")
    likelihood = django_filters.ChoiceFilter(choices=LIKELIHOOD, empty_label="Any likelihood")
    impact = django_filters.ChoiceFilter(choices=IMPACT, empty_label="Any impact")
    overdue = django_filters.BooleanFilter(
        label="Only items past their review date",
        widget=forms.CheckboxInput,
        method="filter_overdue",
    )
    escalated = django_filters.BooleanFilter(
        label="Only items escalated to DfE",
        widget=forms.CheckboxInput,
        method="filter_escalated",
    )

    class Meta:
        model = RaidItem
        fields = ["cluster", "kind", "status", "band", "owner", "likelihood", "impact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        # a cluster lead picks among the team and their own cluster's leads only
        lead_of = user.cluster if is_cluster_lead(user) else None
        self.filters["owner"].queryset = possible_owners(lead_of)

    def filter_status(self, queryset, name, value):
        if value == "live":
            return queryset.filter(status__in=LIVE_STATUSES)
        return queryset.filter(status=value)

    def filter_band(self, queryset, name, value):
        return {
            "high": queryset.filter(score__gte=HIGH_FROM),
            "medium": queryset.filter(score__gte=MEDIUM_FROM, score__lt=HIGH_FROM),
            "low": queryset.filter(score__lt=MEDIUM_FROM),
        }[value]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(review_overdue=True) if value else queryset

    def filter_escalated(self, queryset, name, value):
        return queryset.filter(escalated_on__isnull=False) if value else queryset


class LessonFilter(ScopedFilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains", label="Title contains")
    kind = django_filters.ChoiceFilter(
        choices=LessonKind.choices, label="Type", empty_label="Any type"
    )
    theme = django_filters.ChoiceFilter(
        choices=Theme.choices, empty_label="Any theme", field_name="themes__theme"
    )
    cluster = django_filters.ModelChoiceFilter(
        queryset=Cluster.objects.order_by("name"),
        field_name="source_clusters",
        label="Source cluster",
        empty_label="Any cluster",
    )
    stage = django_filters.ChoiceFilter(
        choices=ClusterStage.choices, label="Programme stage", empty_label="Any stage"
    )
    status = django_filters.ChoiceFilter(choices=LessonStatus.choices, empty_label="Any status")

    class Meta:
        model = Lesson
        fields = ["title", "kind", "theme", "cluster", "stage", "status"]


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=EventKind.choices, label="Type", empty_label="Any type"
    )
    held_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label="Held from", widget=GovukDateInput
    )
    held_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label="Held to", widget=GovukDateInput
    )

    class Meta:
        model = LearningEvent
        fields = ["kind", "held_from", "held_to"]


class NotAttendedFilter(ScopedFilterSet):
    cluster = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any cluster")

    class Meta:
        model = ClusterMembership
        fields = ["cluster"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["cluster"].queryset = self.clusters
