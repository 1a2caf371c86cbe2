import django_filters

from .models import BatchStatus, ImportBatch, ImportProfile, MonthlyReturn, ReturnStatus


class ReturnFilter(django_filters.FilterSet):
    local_authority__name = django_filters.CharFilter(
        lookup_expr="icontains", label="LA name contains"
    )
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices, empty_label="Any status")
    month = django_filters.DateFilter(label="Month (first day, YYYY-MM-DD)")

    class Meta:
        model = MonthlyReturn
        fields = ["local_authority__name", "status", "month"]


class BatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices, empty_label="Any status")
    filename = django_filters.CharFilter(lookup_expr="icontains", label="File name contains")

    class Meta:
        model = ImportBatch
        fields = ["status", "filename"]


class ProfileFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")

    class Meta:
        model = ImportProfile
        fields = ["name", "file_type"]
