import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode

from core.tables import NUMERIC, GovukTable

from .models import Invoice, Status, TimeEntry

STATUS_TAG = {
    Status.DRAFT: "govuk-tag--grey",
    Status.SUBMITTED: "govuk-tag--blue",
    Status.APPROVED: "govuk-tag--green",
    Status.INVOICED: "govuk-tag--purple",
}
FLAG_TAG = {"Under": "govuk-tag--yellow", "Over": "govuk-tag--red", "On plan": "govuk-tag--green"}


def status_tag(entry) -> str:
    label = entry.get_status_display()
    if entry.status == Status.DRAFT and entry.rejection_reason:
        label = "Draft (sent back)"
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAG[entry.status], label)


def flag_tag(flag: str) -> str:
    if not flag or flag not in FLAG_TAG:
        return flag or ""
    return format_html('<strong class="govuk-tag {}">{}</strong>', FLAG_TAG[flag], flag)


def number(value, places: int = 2) -> str:
    return "" if value is None else f"{value:,.{places}f}"


class EntryTable(GovukTable):
    """Entries with days and hours; money columns are excluded for those who may not see it."""

    date = tables.DateColumn(format="j M Y", linkify=("timesheets:entry_detail", [tables.A("pk")]))
    consultant = tables.Column(order_by=("consultant__last_name", "consultant__first_name"))
    cluster = tables.Column(default="Programme-wide", order_by=("cluster__name",))
    requirement = tables.Column()
    activity = tables.Column()
    days = tables.Column(attrs=NUMERIC)
    hours = tables.Column(attrs=NUMERIC, order_by=("days",), empty_values=())
    status = tables.Column()
    cost = tables.Column(verbose_name="Cost (£)", attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        model = TimeEntry
        fields = [
            "date",
            "consultant",
            "cluster",
            "requirement",
            "activity",
            "days",
            "hours",
            "status",
            "cost",
        ]
        order_by = ("-date",)
        empty_text = "No time to show."

    def __init__(self, *args, hours_per_day, **kwargs):
        self.hours_per_day = hours_per_day
        super().__init__(*args, **kwargs)

    def render_days(self, value):
        return number(value, 3).rstrip("0").rstrip(".")

    def value_days(self, value):
        return value

    def render_hours(self, record):
        return number(record.days * self.hours_per_day)

    def value_hours(self, record):
        return record.hours(self.hours_per_day)

    def render_status(self, record):
        return status_tag(record)

    def value_status(self, record):
        return record.get_status_display()

    def render_requirement(self, value, record):
        return record.requirement

    def render_cost(self, value):
        return number(value)

    def value_cost(self, value):
        return value


class ApprovalTable(EntryTable):
    """Time waiting for approval, a checkbox and an Approve button per row. The two
    controls are written here, not by a template per cell: a template per cell ran the
    context processors for every row (120 ms for a page of 50)."""

    select = tables.Column(
        verbose_name="Select", orderable=False, empty_values=(), exclude_from_export=True
    )
    description = tables.Column(orderable=False)
    action = tables.Column(
        verbose_name="Action", orderable=False, empty_values=(), exclude_from_export=True
    )

    def _own(self, record) -> bool:
        request = getattr(self, "request", None)
        return request is not None and record.consultant_id == request.user.pk

    @staticmethod
    def _whose(record) -> str:
        return f"{record.consultant}'s time on {date_format(record.date, 'j F Y')}"

    def render_select(self, record):
        if self._own(record):
            return ""
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" form="approve-form" type="checkbox" '
            'name="entry" value="{pk}" id="select-{pk}">'
            '<label class="govuk-label govuk-checkboxes__label" for="select-{pk}">'
            '<span class="govuk-visually-hidden">Select {whose}</span></label></div></div>',
            pk=record.pk,
            whose=self._whose(record),
        )

    def render_action(self, record):
        if self._own(record):
            return "Your own time"
        back = urlencode({"next": self.request.get_full_path()})
        return format_html(
            '<button type="submit" form="approve-form" name="only" value="{pk}" '
            'class="govuk-button govuk-!-margin-bottom-1" data-module="govuk-button">'
            'Approve<span class="govuk-visually-hidden"> {whose}</span></button>\n'
            '<a class="govuk-link" href="{reject}?{back}">'
            'Reject<span class="govuk-visually-hidden"> {whose}</span></a>',
            pk=record.pk,
            whose=self._whose(record),
            reject=reverse("timesheets:entry_reject", args=[record.pk]),
            back=back,
        )

    class Meta(EntryTable.Meta):
        fields = [
            "select",
            "date",
            "consultant",
            "cluster",
            "requirement",
            "activity",
            "description",
            "days",
            "hours",
            "cost",
            "action",
        ]
        sequence = fields
        order_by = ("date",)
        empty_text = "No time is waiting for approval."
        per_page = 50


class InvoiceTable(GovukTable):
    number = tables.Column(linkify=("timesheets:invoice_detail", [tables.A("pk")]))
    month = tables.DateColumn(format="F Y")
    days = tables.Column(attrs=NUMERIC)
    total = tables.Column(verbose_name="Total excluding VAT (£)", attrs=NUMERIC)
    issued_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Issued")
    issued_by = tables.Column(verbose_name="Issued by")

    class Meta(GovukTable.Meta):
        model = Invoice
        fields = ["number", "month", "days", "total", "issued_at", "issued_by"]
        order_by = ("-month",)
        empty_text = "No invoice has been issued yet."

    def render_days(self, value):
        return number(value)

    def render_total(self, value):
        return number(value)


class AllocationTable(GovukTable):
    """One row per cluster and month: days by requirement against the planning figure."""

    cluster = tables.Column()
    month = tables.DateColumn(format="F Y")
    R1 = tables.Column(verbose_name="R1 days", attrs=NUMERIC)
    R2 = tables.Column(verbose_name="R2 days", attrs=NUMERIC)
    R3 = tables.Column(verbose_name="R3 days", attrs=NUMERIC)
    days = tables.Column(verbose_name="Days", attrs=NUMERIC)
    hours = tables.Column(verbose_name="Hours", attrs=NUMERIC)
    planning = tables.Column(verbose_name="Planning figure (days)", attrs=NUMERIC, default="")
    difference = tables.Column(verbose_name="Difference (days)", attrs=NUMERIC, default="")
    flag = tables.Column(verbose_name="Against plan", default="")

    class Meta(GovukTable.Meta):
        per_page = 60
        empty_text = "No months of this financial year have started yet."

    def render_flag(self, value):
        return flag_tag(value)

    def render_difference(self, value):
        return f"{value:+,.2f}"
