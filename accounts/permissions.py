"""Who may do what, as plain predicates shared by views, templates and services.

Each app's ``permissions.py`` builds on these role predicates.
"""

import rules

from .models import Role


@rules.predicate
def is_programme_manager(user):
    return user.is_authenticated and user.role == Role.PROGRAMME_MANAGER


@rules.predicate
def is_consultant(user):
    return user.is_authenticated and user.role == Role.CONSULTANT


@rules.predicate
def is_cluster_lead(user):
    return user.is_authenticated and user.role == Role.CLUSTER_LEAD


@rules.predicate
def is_dfe_reader(user):
    return user.is_authenticated and user.role == Role.DFE_READER


is_delivery_partner = is_programme_manager | is_consultant


@rules.predicate
def has_data_access(user):
    """Vetted and trained (spec §26-27): the gate on pipeline data and reports."""
    return user.is_authenticated and not user.data_access_problems()


rules.add_perm("accounts.manage_users", is_programme_manager)
rules.add_perm("accounts.see_money", is_delivery_partner | is_dfe_reader)
