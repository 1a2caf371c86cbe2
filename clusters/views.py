from django.shortcuts import get_object_or_404, render

from core.views import FilteredTableView

from .filters import AuthorityFilter, ClusterFilter
from .selectors import authorities_with_cluster, clusters_for_user
from .tables import AuthorityTable, ClusterTable


class ClusterListView(FilteredTableView):
    table_class = ClusterTable
    filterset_class = ClusterFilter
    page_title = "Clusters"
    export_name = "clusters"

    def get_queryset(self):
        return clusters_for_user(self.request.user).with_member_counts()


class AuthorityListView(FilteredTableView):
    table_class = AuthorityTable
    filterset_class = AuthorityFilter
    page_title = "Local authorities"
    export_name = "local-authorities"

    def get_queryset(self):
        return authorities_with_cluster()


def cluster_detail(request, slug):
    cluster = get_object_or_404(clusters_for_user(request.user).with_member_counts(), slug=slug)
    members = (
        cluster.memberships.filter(left_on__isnull=True)
        .select_related("local_authority__region")
        .order_by("local_authority__name")
    )
    return render(request, "clusters/cluster_detail.html", {"cluster": cluster, "members": members})
