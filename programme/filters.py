import django_filters

from .models import Milestone, MilestoneStatus, Strand


class MilestoneFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains", label="Title contains")
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, empty_label="Any status")
    strand = django_filters.ChoiceFilter(choices=Strand.choices, empty_label="Any strand")
    scope = django_filters.ChoiceFilter(
        label="Scope",
        choices=[("programme", "Programme-wide"), ("cluster", "Cluster milestones")],
        empty_label="All milestones",
        method="filter_scope",
    )

    class Meta:
        model = Milestone
        fields = ["title", "status", "strand", "scope"]

    def filter_scope(self, queryset, name, value):
        return queryset.filter(cluster__isnull=(value == "programme"))
