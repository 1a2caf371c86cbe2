import django_filters

from core.forms import GovukDateInput

from .models import Cluster, LocalAuthority, ProgressUpdate, Rating, Region, Stage, Wave


class ClusterFilter(django_filters.FilterSet):
    wave = django_filters.ChoiceFilter(choices=Wave.choices, empty_label="Any wave")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")

    class Meta:
        model = Cluster
        fields = ["wave", "stage"]


class AuthorityFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), empty_label="Any region"
    )

    class Meta:
        model = LocalAuthority
        fields = ["name", "region"]


class ProgressUpdateFilter(django_filters.FilterSet):
    cluster = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any cluster")
    rating = django_filters.ChoiceFilter(choices=Rating.choices, empty_label="Any rating")
    month_from = django_filters.DateFilter(
        field_name="month", lookup_expr="gte", label="From", widget=GovukDateInput
    )

    class Meta:
        model = ProgressUpdate
        fields = ["cluster", "rating", "month_from"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import clusters_for_user

        self.filters["cluster"].queryset = clusters_for_user(request.user)
