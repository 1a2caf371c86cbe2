"""Who may see and do what in engagement.

Seeing is scoped by the selectors (``..._for_user``): the delivery partner and DfE read
everything; a cluster lead their own cluster's bid and support requests, the meetings they
attended and the actions they own. These predicates say who may change what they can see.
"""

import rules

from accounts.permissions import (
    is_cluster_lead,
    is_consultant,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)

everyone_signed_in = is_delivery_partner | is_dfe_reader | is_cluster_lead

# bids: the delivery partner tests them; programme managers keep DfE's criteria and record
# the outcome
can_see_bids = everyone_signed_in
can_work_on_bids = is_delivery_partner
can_manage_criteria = is_programme_manager
can_record_outcome = is_programme_manager
# the narrative is the cluster's own bid: its lead may add a version too (they see only
# their own cluster's bid, so the scope is the selector's)
can_write_bid_narrative = is_delivery_partner | is_cluster_lead

# technical support: a lead asks for their cluster, a consultant diagnoses, a programme
# manager approves days and closes
can_see_support = everyone_signed_in
can_request_support = is_cluster_lead | is_delivery_partner
can_diagnose_support = is_consultant | is_programme_manager
can_approve_support = is_programme_manager
can_close_support = is_delivery_partner

# meetings and actions: the delivery partner keeps the log; an owner updates their action
can_see_meetings = everyone_signed_in
can_manage_meetings = is_delivery_partner

# reminders: everyone reads what was sent to them; a programme manager reads every reminder
can_see_reminders = everyone_signed_in
can_see_all_reminders = is_programme_manager


@rules.predicate
def owns_action(user, action) -> bool:
    return action is not None and action.owner_id == user.pk


can_update_action = is_delivery_partner | owns_action

rules.add_perm("engagement.work_on_bids", can_work_on_bids)
rules.add_perm("engagement.manage_criteria", can_manage_criteria)
rules.add_perm("engagement.request_support", can_request_support)
rules.add_perm("engagement.approve_support", can_approve_support)
rules.add_perm("engagement.manage_meetings", can_manage_meetings)
rules.add_perm("engagement.update_action", can_update_action)
