"""Demo technical support: a request in every state, across clusters and including the
North East, each made through the services (so each has its history), dated back from
today. R3 time the timesheets demo logged is linked to the approved and closed requests
(never invoiced time, which cannot change, and never past the approved days). Seeded once:
a second run changes nothing.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clusters.models import Cluster
from engagement.models import SupportKind, SupportRequest
from engagement.services import support as services
from timesheets.models import Status, TimeEntry

# (cluster slug, lead or staff e-mail, kind, what, why, days ago requested, then the steps)
REQUESTS = [
    {
        "cluster": "north-east",
        "by": "lead.northeast@example.org",
        "kind": SupportKind.DATA_SHARING,
        "title": "Share enquiry data between the twelve LAs' case management systems",
        "reason": "Enquirers who contact two LAs are counted twice and followed up twice; the "
        "hub needs one view of an enquiry across Mosaic, LiquidLogic and Eclipse.",
        "ago": 75,
        "diagnose": (
            "Data-sharing agreement template, a common enquiry extract and a weekly "
            "matching job at the hub.",
            "6",
        ),
        "approve": ("6", ""),
        "link": 4,
    },
    {
        "cluster": "north-east",
        "by": "lead.northeast@example.org",
        "kind": SupportKind.WEBSITE,
        "title": "Accessibility review of the regional recruitment website",
        "reason": "The site goes to a new supplier next quarter and must meet WCAG 2.2 AA.",
        "ago": 3,
    },
    {
        "cluster": "foster4",
        "by": "lead.foster4@example.org",
        "kind": SupportKind.CAMPAIGN,
        "title": "Campaign tracking for the autumn recruitment push",
        "reason": "The cluster cannot tell which channel brings the enquiries that convert.",
        "ago": 120,
        "diagnose": ("Tagged links per channel and a monthly conversion report by channel.", "3"),
        "approve": ("4", "A fourth day to train the hub's comms officer to run it alone."),
        "link": 4,
        "close": "Every campaign channel is tagged; the hub reports conversion by channel "
        "each month without help.",
    },
    {
        "cluster": "east-midlands",
        "by": "lead.eastmidlands@example.org",
        "kind": SupportKind.CASE_MANAGEMENT,
        "title": "Common enquiry stages across the LAs' case management systems",
        "reason": "Each LA records the stages differently, so the cluster's funnel is unreliable.",
        "ago": 12,
        "diagnose": ("Map each system's stages to the tracker's and agree one code list.", "5"),
    },
    {
        "cluster": "greater-manchester",
        "by": "consultant@example.org",
        "kind": SupportKind.OTHER,
        "title": "Replace the hub's telephony platform",
        "reason": "The phone line drops calls transferred to the LAs.",
        "ago": 40,
        "decline": "Telephony is a hub running cost for the cluster's grant, not technical "
        "support from the delivery partner; we have shared two other hubs' specifications.",
    },
]


def _dated(request: SupportRequest, day: datetime.date) -> None:
    """Date the step just taken in the request's history on the day it is set in the demo."""
    record = SupportRequest.history.filter(id=request.pk).order_by("-history_id").first()
    record.history_date = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    record.save(update_fields=["history_date"])


def _link(request: SupportRequest, days_wanted: int, *, drafts: bool = True) -> None:
    """Point up to ``days_wanted`` days of the cluster's R3 time not yet invoiced at the
    request (approved first, then submitted, then drafts), within its approved days. A
    request that is to be closed takes no drafts: a draft pointing at a closed request could
    never be submitted."""
    room = request.approved_days - services.days_logged(request.pk)
    budget = min(Decimal(days_wanted), room)
    picked, total = [], Decimal(0)
    order = {Status.APPROVED: 0, Status.SUBMITTED: 1}
    if drafts:
        order[Status.DRAFT] = 2
    candidates = TimeEntry.objects.filter(
        cluster=request.cluster,
        requirement="R3",
        adjusts__isnull=True,
        support_request__isnull=True,
        status__in=list(order),
    ).order_by("date", "pk")
    for entry in sorted(candidates, key=lambda e: (order[e.status], e.date, e.pk)):
        if total + entry.days <= budget:
            picked.append(entry.pk)
            total += entry.days
    TimeEntry.objects.filter(pk__in=picked).update(support_request=request)


@transaction.atomic
def seed() -> None:
    # the requests draw down the timesheets demo's time, which that area seeds in its second
    # pass (seed_activity); it is idempotent, so run it now to have the time to link
    from timesheets.demo import seed_activity

    seed_activity()
    if SupportRequest.objects.exists():
        return
    today = timezone.localdate()
    clusters = {c.slug: c for c in Cluster.objects.all()}
    people = {u.email: u for u in User.objects.filter(email__endswith="@example.org")}
    pm, consultant = people.get("pm@example.org"), people.get("analyst@example.org")
    if pm is None or consultant is None:
        return
    for spec in REQUESTS:
        cluster, by = clusters.get(spec["cluster"]), people.get(spec["by"])
        if cluster is None or by is None:
            continue
        asked = today - datetime.timedelta(days=spec["ago"])
        request = services.request_support(
            by=by,
            cluster=cluster,
            kind=spec["kind"],
            title=spec["title"],
            reason=spec["reason"],
            needed_by=asked + datetime.timedelta(days=90),
            today=asked,
        )
        _dated(request, asked)
        if "diagnose" in spec:
            diagnosis, days = spec["diagnose"]
            services.diagnose(
                request_id=request.pk,
                by=consultant,
                diagnosis=diagnosis,
                proposed_days=Decimal(days),
                today=asked + datetime.timedelta(days=2),
            )
            _dated(request, asked + datetime.timedelta(days=2))
        if "approve" in spec:
            days, reason = spec["approve"]
            request = services.approve(
                request_id=request.pk,
                by=pm,
                approved_days=Decimal(days),
                reason=reason,
                today=asked + datetime.timedelta(days=4),
            )
            _dated(request, asked + datetime.timedelta(days=4))
            _link(request, spec.get("link", 0), drafts="close" not in spec)
        if "decline" in spec:
            services.decline(
                request_id=request.pk,
                by=pm,
                reason=spec["decline"],
                today=asked + datetime.timedelta(days=3),
            )
            _dated(request, asked + datetime.timedelta(days=3))
        if "close" in spec:
            services.close(request_id=request.pk, by=pm, outcome=spec["close"], today=today)
