import django_tables2 as tables

from core.tables import GovukTable

from .models import AuthEvent


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
