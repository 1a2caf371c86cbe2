"""Who may see and change pipeline data."""

import rules

from accounts.permissions import (
    is_cluster_lead,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)

# Counts and funnels: everyone with data access sees them, each within their scope
# (pipeline.selectors.authorities_for_user).
can_see_pipeline = is_delivery_partner | is_dfe_reader | is_cluster_lead
# Keying and uploading returns and exports: the delivery partner for any LA, a cluster
# lead for their own member LAs (scoped by pipeline.selectors.editable_authorities).
can_submit_data = is_delivery_partner | is_cluster_lead
# Accepting a submitted return is the delivery partner's check.
can_accept_returns = is_delivery_partner
# The lists (stages, reasons, channels) and import profiles are the programme manager's.
can_manage_lists = is_programme_manager
can_manage_profiles = is_programme_manager
# Other clusters appear to a cluster lead only as regional and national rates.
sees_every_scope = is_delivery_partner | is_dfe_reader

rules.add_perm("pipeline.submit_data", can_submit_data)
rules.add_perm("pipeline.accept_returns", can_accept_returns)
rules.add_perm("pipeline.manage_lists", can_manage_lists)
