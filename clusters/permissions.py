"""Who may change a cluster and its hub, harmonisation, progress and constellations."""

import rules

from accounts.permissions import (
    is_cluster_lead,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)


@rules.predicate
def is_own_cluster(user, cluster) -> bool:
    return is_cluster_lead(user) and cluster is not None and cluster.pk == user.cluster_id


# Hub, harmonisation, milestones, progress and constellations: the delivery partner or
# the cluster's own lead.
can_edit_cluster = is_delivery_partner | is_own_cluster
# Membership and the grant are the programme manager's; the stage, the delivery partner's.
can_manage_membership = is_programme_manager
can_change_stage = is_delivery_partner
# The grant is the cluster's own money: its lead sees it, other leads never do.
can_see_grant = is_delivery_partner | is_dfe_reader | is_own_cluster
