import django_tables2 as tables

from core.tables import NUMERIC, GovukTable

from .models import ApiToken, ApiTokenUse


class TokenTable(GovukTable):
    name = tables.LinkColumn("api:token_detail", args=[tables.A("pk")])
    local_authority = tables.Column(default="All (read-only)", order_by=("local_authority__name",))
    state = tables.Column(empty_values=(), orderable=False)

    class Meta(GovukTable.Meta):
        model = ApiToken
        fields = [
            "name",
            "prefix",
            "kind",
            "local_authority",
            "created_at",
            "expires_at",
            "last_used_at",
        ]

    def render_state(self, record):
        from django.utils import timezone

        if record.revoked_at:
            return "Revoked"
        return "Expired" if record.expires_at <= timezone.now() else "Active"


class UseTable(GovukTable):
    at = tables.DateTimeColumn(verbose_name="When", format="j M Y H:i:s")
    status = tables.Column(attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        model = ApiTokenUse
        fields = ["at", "method", "path", "status", "outcome"]
        per_page = 50


class UseLogTable(UseTable):
    """Every call with any token, including tokens that were not recognised."""

    token = tables.Column(empty_values=(), order_by=("token__name", "prefix"))

    class Meta(UseTable.Meta):
        fields = ["at", "token", "method", "path", "status", "outcome"]
        sequence = ["at", "token", "method", "path", "status", "outcome"]

    def render_token(self, record):
        from django.urls import reverse
        from django.utils.html import format_html

        if record.token_id:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                reverse("api:token_detail", args=[record.token_id]),
                record.token.name,
            )
        return f"Not recognised ({record.prefix or 'no prefix'})"

    def value_token(self, record):
        return record.token.name if record.token_id else f"Not recognised ({record.prefix})"
