import django_filters

from .models import Kind, Report, Status


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Report", choices=Kind.choices, empty_label="Any")
    status = django_filters.ChoiceFilter(label="Status", choices=Status.choices, empty_label="Any")

    class Meta:
        model = Report
        fields = ["kind", "status"]
