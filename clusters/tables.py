import django_tables2 as tables

from core.tables import NUMERIC, GovukTable

from .models import Cluster, LocalAuthority, ProgressUpdate


class ClusterTable(GovukTable):
    name = tables.LinkColumn("clusters:cluster_detail", args=[tables.A("slug")])
    lead_la = tables.Column(verbose_name="Lead LA")
    member_count = tables.Column(verbose_name="Member LAs", attrs=NUMERIC)
    latest_rating = tables.Column(verbose_name="Delivery confidence")
    in_place = tables.Column(
        verbose_name="Harmonisation in place", accessor="pk", orderable=False, attrs=NUMERIC
    )

    class Meta(GovukTable.Meta):
        model = Cluster
        fields = ["name", "wave", "stage", "lead_la", "member_count", "latest_rating"]

    def render_latest_rating(self, value):
        from .models import Rating

        return Rating(value).label

    def render_in_place(self, record):
        from .selectors import in_place_percent

        percent = in_place_percent(record)
        return "–" if percent is None else f"{percent}%"

    def value_in_place(self, record):
        return self.render_in_place(record)


class AuthorityTable(GovukTable):
    region = tables.Column(order_by=("region__name",))
    cluster_name = tables.Column(verbose_name="Cluster", default="Not in a cluster")

    class Meta(GovukTable.Meta):
        model = LocalAuthority
        fields = ["name", "gss_code", "dfe_code", "region", "cluster_name"]
        per_page = 50


class ProgressUpdateTable(GovukTable):
    cluster = tables.Column(order_by=("cluster__name",))
    month = tables.DateColumn(format="F Y")
    rating = tables.Column(verbose_name="Delivery confidence")
    what_changed = tables.Column(verbose_name="What changed")
    support_asked = tables.Column(verbose_name="Support asked of DfE")

    class Meta(GovukTable.Meta):
        model = ProgressUpdate
        fields = ["cluster", "month", "rating", "what_changed", "progress", "support_asked"]
        order_by = ("-month", "cluster")

    def render_rating(self, record):
        from .templatetags.cluster_tags import rating_tag

        return rating_tag(record.rating)

    def value_rating(self, record):
        return record.get_rating_display()
