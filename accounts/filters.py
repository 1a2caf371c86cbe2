import django_filters

from core.forms import GovukDateInput

from .models import AuthEvent, AuthEventKind


class AuthEventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label="From", widget=GovukDateInput
    )
    date_to = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label="To", widget=GovukDateInput
    )
    kind = django_filters.MultipleChoiceFilter(choices=AuthEventKind.choices, label="What happened")
    email = django_filters.CharFilter(lookup_expr="icontains", label="E-mail address contains")
    address = django_filters.CharFilter(lookup_expr="startswith", label="From address")

    class Meta:
        model = AuthEvent
        fields = ["date_from", "date_to", "kind", "email", "address"]
