"""Reads for technical support: requests as each user may see them, with the days approved,
used and left computed in the query, the entries drawing one down, and the home panels.

Days used are the days of every time entry pointing at the request, whatever its status:
a draft reserves its days from the moment it is logged (the draw-down rule counts it too),
and a rejected entry, back in draft, still counts until it is deleted or unlinked. So the
days left are what can still be logged, and the page says how much is not yet approved.
"""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.permissions import (
    is_cluster_lead,
    is_consultant,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)
from engagement.models import SupportRequest, SupportStatus
from programme.selectors import current_contract
from timesheets.models import SPENT, TimeEntry
from timesheets.selectors import entries_for_user

DAYS = DecimalField(max_digits=12, decimal_places=6)


def _entry_days(*, pending_only: bool = False):
    """Days of the entries pointing at the outer request (a subquery, so no row fan-out);
    with ``pending_only`` just those not yet approved."""
    entries = TimeEntry.objects.filter(support_request=OuterRef("pk"))
    if pending_only:
        entries = entries.exclude(status__in=SPENT)
    total = entries.order_by().values("support_request").annotate(total=Sum("days"))
    return Coalesce(
        Subquery(total.values("total"), output_field=DAYS), Value(Decimal(0)), output_field=DAYS
    )


def with_days(requests: QuerySet) -> QuerySet:
    """Annotate days_used, days_pending (logged, not yet approved) and days_left (None
    until days are approved)."""
    return requests.annotate(
        days_used=_entry_days(), days_pending=_entry_days(pending_only=True)
    ).annotate(days_left=ExpressionWrapper(F("approved_days") - F("days_used"), output_field=DAYS))


def support_for_user(user) -> QuerySet:
    """The requests a user may see, with their days: the delivery partner and DfE every
    request; a cluster lead their own cluster's; anyone else none."""
    requests = SupportRequest.objects.select_related("cluster", "requested_by")
    if is_delivery_partner(user) or is_dfe_reader(user):
        pass
    elif is_cluster_lead(user) and user.cluster_id:
        requests = requests.filter(cluster_id=user.cluster_id)
    else:
        requests = requests.none()
    return with_days(requests)


def support_detail(request: SupportRequest, user) -> dict:
    """The entries drawing the request down that the user may see (timesheets' own scope:
    a consultant sees only their own drafts, a lead and DfE approved and invoiced time),
    with who diagnosed, approved and closed it. A fixed number of queries."""
    entries = list(
        entries_for_user(user)
        .filter(support_request=request)
        .select_related(None)
        .select_related("consultant")
        .order_by("date", "pk")
    )
    people = (
        SupportRequest.objects.filter(pk=request.pk)
        .select_related("diagnosed_by", "approved_by", "closed_by")
        .get()
    )
    return {"entries": entries, "people": people}


def hours_per_day() -> Decimal | None:
    """The contract's hours in a day, or None before a contract is set up."""
    try:
        return current_contract().hours_per_day
    except ObjectDoesNotExist:
        return None


PANEL_LIMIT = 5
OPEN = (SupportStatus.REQUESTED, SupportStatus.DIAGNOSED, SupportStatus.APPROVED)


def home_panel(user) -> dict | None:
    """What a user should act on: a programme manager the requests awaiting approval, a
    consultant those awaiting diagnosis, a lead their cluster's open requests with the days
    left. Two queries (the first few and the count), whatever the number of requests."""
    requests = support_for_user(user)
    if is_programme_manager(user):
        waiting = requests.filter(status=SupportStatus.DIAGNOSED).order_by("needed_by", "pk")
        title = "awaiting your approval"
    elif is_consultant(user):
        waiting = requests.filter(status=SupportStatus.REQUESTED).order_by("needed_by", "pk")
        title = "awaiting diagnosis"
    elif is_cluster_lead(user):
        waiting = requests.filter(status__in=OPEN).order_by("needed_by", "pk")
        title = "open for your cluster"
    else:
        return None
    return {
        "title": title,
        "requests": list(waiting[:PANEL_LIMIT]),
        "count": waiting.count(),
    }
