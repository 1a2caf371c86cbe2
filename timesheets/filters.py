import django_filters

from accounts.models import DELIVERY_PARTNER_ROLES, User
from core.forms import GovukDateInput

from .models import Invoice, Requirement, Status, TimeEntry


class EntryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    cluster = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any cluster")
    requirement = django_filters.ChoiceFilter(
        choices=Requirement.choices, empty_label="Any requirement"
    )
    consultant = django_filters.ModelChoiceFilter(queryset=None, empty_label="Anyone")
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="From", widget=GovukDateInput
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="To", widget=GovukDateInput
    )

    class Meta:
        model = TimeEntry
        fields = ["status", "cluster", "requirement", "consultant", "date_from", "date_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from clusters.selectors import clusters_for_user

        from .permissions import can_see_spend

        user = request.user
        self.filters["cluster"].queryset = clusters_for_user(user)
        if can_see_spend(user):
            self.filters["consultant"].queryset = User.objects.filter(
                role__in=DELIVERY_PARTNER_ROLES
            )
        else:
            # a consultant sees only their own time; a lead, no names to choose between
            del self.filters["consultant"]
        if not user.is_delivery_partner:
            del self.filters["status"]  # DfE readers and leads see approved time only


class InvoiceFilter(django_filters.FilterSet):
    month_from = django_filters.DateFilter(
        field_name="month", lookup_expr="gte", label="From month", widget=GovukDateInput
    )

    class Meta:
        model = Invoice
        fields = ["month_from"]


class ApprovalFilter(EntryFilter):
    """Everything waiting for approval is submitted: no status to choose."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters.pop("status", None)
