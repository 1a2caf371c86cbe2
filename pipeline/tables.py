import django_tables2 as tables

from core.tables import NUMERIC, GovukTable

from .models import ImportBatch, ImportProfile, MonthlyReturn


class ReturnTable(GovukTable):
    local_authority = tables.Column(
        linkify=("pipeline:return_detail", [tables.A("pk")]), order_by=("local_authority__name",)
    )
    month = tables.DateColumn(format="F Y")
    submitted_at = tables.DateTimeColumn(format="j M Y", verbose_name="Submitted")

    class Meta(GovukTable.Meta):
        model = MonthlyReturn
        fields = [
            "local_authority",
            "month",
            "status",
            "submitted_by",
            "submitted_at",
            "accepted_by",
        ]
        empty_text = "No returns yet. Key one in or upload a spreadsheet."


class AcceptTable(ReturnTable):
    """The returns list for the delivery partner: a submitted return can be ticked and
    accepted with others (the form is the page's "accept-form")."""

    select = tables.Column(
        verbose_name="Select", orderable=False, empty_values=(), exclude_from_export=True
    )

    class Meta(ReturnTable.Meta):
        sequence = ("select", "...")

    def render_select(self, record):
        from django.utils.html import format_html

        if record.status != "submitted":
            return ""
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" form="accept-form" type="checkbox" '
            'name="return" value="{pk}" id="select-{pk}">'
            '<label class="govuk-label govuk-checkboxes__label" for="select-{pk}">'
            '<span class="govuk-visually-hidden">Select {la}, {month}</span></label></div></div>',
            pk=record.pk,
            la=record.local_authority,
            month=f"{record.month:%B %Y}",
        )


class BatchTable(GovukTable):
    filename = tables.Column(
        linkify=("pipeline:import_detail", [tables.A("pk")]), verbose_name="File"
    )
    uploaded_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Uploaded")
    total_rows = tables.Column(verbose_name="Rows", attrs=NUMERIC)
    new_count = tables.Column(verbose_name="New", attrs=NUMERIC)
    changed_count = tables.Column(verbose_name="Changed", attrs=NUMERIC)
    unchanged_count = tables.Column(verbose_name="Unchanged", attrs=NUMERIC)
    error_count = tables.Column(verbose_name="Errors", attrs=NUMERIC)
    authorities = tables.Column(
        verbose_name="Local authorities", accessor="authority_counts", orderable=False
    )

    class Meta(GovukTable.Meta):
        model = ImportBatch
        fields = [
            "filename",
            "authorities",
            "profile",
            "uploaded_by",
            "uploaded_at",
            "status",
            "total_rows",
            "new_count",
            "changed_count",
            "unchanged_count",
            "error_count",
        ]
        empty_text = "No exports uploaded yet."

    def render_authorities(self, value, record):
        if not value:
            return str(record.local_authority or "—")
        return ", ".join(f"{entry['name']} ({entry['rows']:,})" for entry in value)

    def value_authorities(self, value, record):
        return self.render_authorities(value, record)


class ProfileTable(GovukTable):
    name = tables.Column()
    local_authority = tables.Column(
        verbose_name="Council", default="Any (LA column)", order_by=("local_authority__name",)
    )
    date_format = tables.Column(verbose_name="Dates")
    version = tables.Column(attrs=NUMERIC)

    def render_name(self, value, record):
        """A link to the profile for those who may change it (programme managers)."""
        from django.urls import reverse
        from django.utils.html import format_html

        from .permissions import can_manage_profiles

        request = getattr(self, "request", None)
        if request is not None and can_manage_profiles(request.user):
            url = reverse("pipeline:profile_edit", args=[record.pk])
            return format_html('<a class="govuk-link" href="{}">{}</a>', url, value)
        return value

    def value_name(self, value):
        return value

    def render_date_format(self, value):
        from .services.samples import DATE_FORMATS

        return DATE_FORMATS.get(value, value)

    class Meta(GovukTable.Meta):
        model = ImportProfile
        fields = ["name", "local_authority", "file_type", "encoding", "date_format", "version"]
        empty_text = "No import profiles yet."


class LateReturnTable(GovukTable):
    local_authority = tables.Column(verbose_name="Local authority")
    cluster = tables.Column()
    month = tables.DateColumn(format="F Y")
    due = tables.DateColumn(format="j M Y", verbose_name="Due by")
    status = tables.Column()
    days_late = tables.Column(verbose_name="Days overdue", attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        empty_text = "Every return due so far has been submitted."
