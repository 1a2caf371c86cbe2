import django_tables2 as tables
from django.utils.safestring import mark_safe

from core.tables import NUMERIC, GovukTable

from .models import Milestone


class MilestoneTable(GovukTable):
    title = tables.LinkColumn("programme:milestone_detail", args=[tables.A("pk")])
    cluster = tables.Column(default="Programme-wide", order_by=("cluster__name",))
    slip = tables.Column(verbose_name="Slippage (days)", attrs=NUMERIC, order_by=("slip",))
    overdue = tables.Column(verbose_name="Overdue", orderable=True)

    class Meta(GovukTable.Meta):
        model = Milestone
        fields = [
            "title",
            "cluster",
            "strand",
            "owner",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "status",
            "slip",
            "overdue",
        ]
        order_by = ()

    def render_slip(self, value):
        days = value.days
        return f"+{days}" if days > 0 else str(days)

    def value_slip(self, value):
        return value.days

    def render_overdue(self, value):
        if value:
            return mark_safe('<strong class="govuk-tag govuk-tag--red">Overdue</strong>')  # noqa: S308 - constant
        return ""

    def value_overdue(self, value):
        return "yes" if value else "no"
