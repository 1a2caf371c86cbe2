import django_tables2 as tables

from core.tables import GovukTable

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
    class Meta(GovukTable.Meta):
        model = ApiTokenUse
        fields = ["at", "method", "path", "status", "outcome"]
        per_page = 50
