"""The reminders table and its filters."""

import django_filters
import django_tables2 as tables
from django.utils import timezone

from accounts.models import User
from core.tables import GovukTable

from ..models import Reminder, ReminderKind
from ..permissions import can_see_all_reminders


class ReminderTable(GovukTable):
    sent_at = tables.DateTimeColumn(verbose_name="Sent", format="j M Y H:i")
    kind = tables.Column(verbose_name="Reminder")
    recipient = tables.Column(verbose_name="To", order_by=("recipient__email",))
    subject = tables.Column(linkify=("engagement:reminder_detail", [tables.A("pk")]))
    occasion = tables.Column(verbose_name="Occasion")

    class Meta(GovukTable.Meta):
        model = Reminder
        fields = ["sent_at", "kind", "recipient", "subject", "occasion"]
        order_by = ("-sent_at",)
        empty_text = "No reminders match."

    def render_recipient(self, value):
        return value.email

    def value_recipient(self, value):
        return value.email

    def value_sent_at(self, value):
        return timezone.localtime(value).isoformat(timespec="minutes")


class ReminderFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ReminderKind.choices, label="Reminder", empty_label="Any reminder"
    )
    recipient = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("email"), label="Sent to", empty_label="Anyone"
    )

    class Meta:
        model = Reminder
        fields = ["kind", "recipient"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        # everyone but a programme manager reads only their own: nobody else to choose
        if request is None or not can_see_all_reminders(request.user):
            del self.filters["recipient"]
