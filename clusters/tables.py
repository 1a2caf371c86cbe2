import django_tables2 as tables

from core.tables import NUMERIC, GovukTable

from .models import Cluster, LocalAuthority


class ClusterTable(GovukTable):
    name = tables.LinkColumn("clusters:cluster_detail", args=[tables.A("slug")])
    lead_la = tables.Column(verbose_name="Lead LA")
    member_count = tables.Column(verbose_name="Member LAs", attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        model = Cluster
        fields = ["name", "wave", "stage", "lead_la", "member_count"]


class AuthorityTable(GovukTable):
    region = tables.Column(order_by=("region__name",))
    cluster_name = tables.Column(verbose_name="Cluster", default="Not in a cluster")

    class Meta(GovukTable.Meta):
        model = LocalAuthority
        fields = ["name", "gss_code", "dfe_code", "region", "cluster_name"]
        per_page = 50
