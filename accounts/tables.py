import datetime

import django_tables2 as tables
from django.conf import settings
from django.utils import timezone

from core.tables import GovukTable

from .models import AuthEvent, User


def training_expires(person) -> datetime.date | None:
    if person.data_protection_training_date is None:
        return None
    return person.data_protection_training_date + datetime.timedelta(
        days=settings.DATA_PROTECTION_TRAINING_VALID_DAYS
    )


class AuthEventTable(GovukTable):
    at = tables.DateTimeColumn(verbose_name="When", format="j M Y H:i:s")
    kind = tables.Column("What happened")
    user = tables.Column("Account", empty_values=(), order_by=("email",))

    class Meta(GovukTable.Meta):
        model = AuthEvent
        fields = ["at", "kind", "user", "email", "address", "user_agent"]
        sequence = fields
        order_by = ("-at",)
        per_page = 50
        empty_text = "Nothing in this period."

    def render_user(self, record):
        return str(record.user) if record.user_id else "No such account"

    def value_user(self, record):
        return self.render_user(record)


class PersonTable(GovukTable):
    name = tables.Column("Name", empty_values=(), order_by=("last_name", "first_name"))
    role = tables.Column("Role")
    cluster = tables.Column("Cluster")
    bpss_date = tables.DateColumn(verbose_name="BPSS vetting", format="j M Y")
    training = tables.Column(
        "Data-protection training", empty_values=(), order_by=("data_protection_training_date",)
    )
    is_active = tables.Column("Access", empty_values=())

    class Meta(GovukTable.Meta):
        model = User
        fields = ["name", "email", "role", "cluster", "bpss_date", "training", "is_active"]
        sequence = fields
        order_by = ("name",)
        per_page = 50
        empty_text = "No one matches."

    def render_name(self, record):
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("accounts:person_detail", args=[record.pk]),
            record.get_full_name() or record.email,
        )

    def value_name(self, record):
        return record.get_full_name() or record.email

    def render_training(self, record):
        from django.utils.html import format_html

        expires = training_expires(record)
        if expires is None:
            return "Not recorded" if record.is_delivery_partner else "Not needed"
        left = (expires - timezone.localdate()).days
        if left < 0:
            tag, text = "govuk-tag--red", "Expired"
        elif left <= 30:
            tag, text = "govuk-tag--yellow", f"Expires in {left} day{'s' if left != 1 else ''}"
        else:
            tag, text = "govuk-tag--green", "Current"
        return format_html(
            '{} <strong class="govuk-tag {}">{}</strong>', f"{expires:%-d %b %Y}", tag, text
        )

    def value_training(self, record):
        expires = training_expires(record)
        return expires.isoformat() if expires else ""

    def render_is_active(self, record):
        return "Active" if record.is_active else "Deactivated"

    def value_is_active(self, record):
        return self.render_is_active(record)
