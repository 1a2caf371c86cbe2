"""Who may see and do what with time, money and invoices.

Consultants see their own entries and totals; programme managers and DfE readers see all
time and money; cluster leads see the days and hours of support their own cluster received,
never a rate, a cost or an invoice. Which entries each sees is ``selectors.entries_for_user``.
"""

import rules

from accounts.permissions import (
    is_cluster_lead,
    is_consultant,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)

can_log_time = is_delivery_partner
can_approve = is_programme_manager
can_issue_invoices = is_programme_manager
# Money of the programme as a whole: caps, burn-up, invoices.
can_see_spend = is_programme_manager | is_dfe_reader
# Days of support per cluster and month (a lead: their own cluster's only).
can_see_allocation = is_programme_manager | is_dfe_reader | is_cluster_lead
can_see_entries = is_delivery_partner | is_dfe_reader | is_cluster_lead
# The cost of entries a user may see: everyone but cluster leads (a consultant their own).
can_see_entry_cost = is_delivery_partner | is_dfe_reader


@rules.predicate
def can_adjust(user, entry) -> bool:
    """Invoiced time is corrected by its consultant or a programme manager."""
    return entry.status == "invoiced" and (
        is_programme_manager(user) or (is_consultant(user) and entry.consultant_id == user.pk)
    )


rules.add_perm("timesheets.log_time", can_log_time)
rules.add_perm("timesheets.approve", can_approve)
rules.add_perm("timesheets.see_spend", can_see_spend)
rules.add_perm("timesheets.see_allocation", can_see_allocation)
