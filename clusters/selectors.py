"""Reads of regions, authorities and clusters, scoped to who is asking."""

from django.db.models import Count, Q, QuerySet

from accounts.models import Role

from .models import Cluster, LocalAuthority


class ClusterQuerySet(QuerySet):
    def with_member_counts(self):
        return self.select_related("lead_la").annotate(
            member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
        )


def clusters_for_user(user) -> QuerySet:
    """The clusters a user may see: a cluster lead only their own, everyone else all."""
    queryset = ClusterQuerySet(model=Cluster)
    if user.role == Role.CLUSTER_LEAD:
        return queryset.filter(pk=user.cluster_id)
    return queryset.all()


def authorities_with_cluster() -> QuerySet:
    """Every LA with its region and its current cluster's name (one query)."""
    from django.db.models import OuterRef, Subquery

    from .models import ClusterMembership

    current = ClusterMembership.objects.filter(local_authority=OuterRef("pk"), left_on__isnull=True)
    return LocalAuthority.objects.select_related("region").annotate(
        cluster_name=Subquery(current.values("cluster__name")[:1])
    )
