import django_filters

from core.forms import GovukDateInput

from .models import AuthEvent, AuthEventKind, Role, User


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


class PersonFilter(django_filters.FilterSet):
    role = django_filters.MultipleChoiceFilter(choices=Role.choices, label="Role")
    is_active = django_filters.BooleanFilter(label="Can sign in")
    name = django_filters.CharFilter(method="by_name", label="Name or e-mail contains")

    class Meta:
        model = User
        fields = ["name", "role", "is_active"]

    def by_name(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
