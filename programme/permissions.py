"""Who may see and change the contract, rate card, milestones and KPIs."""

import rules

from accounts.permissions import (
    is_cluster_lead,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)

# Money (caps, rates, costs) is for the delivery partner and DfE, never for cluster leads.
can_see_money = is_delivery_partner | is_dfe_reader
can_edit_contract = is_programme_manager
can_define_kpi = is_programme_manager


@rules.predicate
def can_edit_milestone(user, milestone) -> bool:
    """Programme milestones: the delivery partner. A cluster's: also that cluster's lead."""
    if is_delivery_partner(user):
        return True
    return bool(
        milestone is not None
        and milestone.cluster_id
        and is_cluster_lead(user)
        and milestone.cluster_id == user.cluster_id
    )


@rules.predicate
def can_record_kpi(user, cluster) -> bool:
    if is_delivery_partner(user):
        return True
    return bool(cluster is not None and is_cluster_lead(user) and cluster.pk == user.cluster_id)
