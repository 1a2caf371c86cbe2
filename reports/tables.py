import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import NUMERIC, GovukTable

from .models import Report


class ReportTable(GovukTable):
    period_start = tables.Column("Period", order_by=("period_start", "kind"))
    kind = tables.Column("Report")
    version = tables.Column("Version", attrs=NUMERIC)
    status = tables.Column("Status")
    data_as_at = tables.DateTimeColumn(verbose_name="Data as at", format="j M Y H:i")
    issued_at = tables.DateTimeColumn(verbose_name="Issued", format="j M Y H:i")

    class Meta(GovukTable.Meta):
        model = Report
        fields = ["period_start", "kind", "version", "status", "data_as_at", "issued_at"]
        order_by = ("-period_start",)

    def render_period_start(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("reports:detail", args=[record.pk]),
            record.period_label,
        )

    def value_period_start(self, record):
        return record.period_label
