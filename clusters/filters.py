import django_filters

from .models import Cluster, LocalAuthority, Region, Stage, Wave


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
