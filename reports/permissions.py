"""Who may do what with reports."""

from accounts.permissions import (
    is_cluster_lead,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)

can_manage_reports = is_programme_manager  # ask for, summarise, issue and correct
can_read_drafts = is_delivery_partner
can_read_issued = is_delivery_partner | is_dfe_reader | is_cluster_lead
