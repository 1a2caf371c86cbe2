"""Demo pipeline data: 18 months of returns for every demo cluster's LAs and case records
for the North East hub (about 23% of enquiries applying), with a few returns left late.

A return is submitted between the 3rd and the 9th of the month after it, by the cluster's
lead (or, for a cluster without a demo lead, keyed by the delivery partner's analyst), and
accepted five days later by the analyst. Nothing is submitted after now: early in a month,
last month's returns not yet due are still drafts."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from clusters.models import ClusterMembership

from . import example_profiles, lists
from .exportgen import as_record_rows, synthetic_records
from .models import (
    ExitReason,
    MonthlyReturn,
    PipelineRecord,
    ReturnChannelCount,
    ReturnExit,
    ReturnStageCount,
    ReturnStatus,
    SourceChannel,
    Stage,
)
from .scope import add_months, month_start
from .services.records import upsert_records

MONTHS = 18
# the delivery partner's analyst accepts the returns (and keys those of clusters with no
# demo lead)
ACCEPTED_BY = "analyst@example.org"
# Monthly enquiries per LA, and the chance of moving on from each stage to the next.
RATES = {
    "enquiry": 1.0,
    "conversation": 0.32,
    "application": 0.19,  # of enquiries: about 6%
    "assessment_1": 0.9,
    "assessment_2": 0.8,
    "panel": 0.8,
    "approval": 0.88,
}
EXIT_SHARE = {"enquiry": ["no-contact", "withdrew-personal", "withdrew-other-service"]}


@transaction.atomic
def seed(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    # A flushed test database (live-server browser tests) loses the migration's lists.
    lists.load()
    example_profiles.load()
    memberships = list(
        ClusterMembership.objects.filter(left_on__isnull=True).select_related(
            "cluster", "local_authority"
        )
    )
    las = [m.local_authority for m in memberships]
    if not MonthlyReturn.objects.filter(local_authority__in=las).exists():
        make_returns(memberships, today)
    ne = [m.local_authority for m in memberships if m.cluster.slug == "north-east"]
    if ne and not PipelineRecord.objects.filter(local_authority__in=ne).exists():
        end = today - datetime.timedelta(days=1)
        start = add_months(month_start(end), -MONTHS)
        records = synthetic_records(
            ne, 12 * 350, start=start, end=end, seed=23, application_rate=0.23, people=3800
        )
        upsert_records(as_record_rows(records), batch_id=None)


def make_returns(memberships, today, months: int = MONTHS) -> int:
    """Returns for every member LA and month up to last month, bulk-created. ``memberships``
    need ``local_authority`` and ``cluster_id``. Returns the number of returns made."""
    from accounts.models import Role, User

    if MonthlyReturn.objects.filter(
        local_authority__in=[m.local_authority for m in memberships]
    ).exists():
        return 0  # seeded already: leave what people have keyed since
    rng = random.Random(7)
    stages = list(Stage.objects.all())
    reasons = {r.code: r for r in ExitReason.objects.all()}
    channels = list(SourceChannel.objects.all())
    leads = {u.cluster_id: u for u in User.objects.filter(role=Role.CLUSTER_LEAD)}
    analyst = User.objects.filter(email=ACCEPTED_BY).first()
    # what has happened has happened by now (and by the end of ``today`` when it is earlier)
    now = min(
        timezone.now(),
        timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
        ),
    )
    last = add_months(month_start(today), -1)
    new, counts = [], []
    for membership in memberships:
        la = membership.local_authority
        size = rng.randint(25, 90)
        for back in range(months):
            month = add_months(last, -back)
            # The latest month: a few LAs have not submitted, or are still in draft.
            if back == 0 and rng.random() < 0.25:
                continue
            status = ReturnStatus.ACCEPTED if back > 1 else ReturnStatus.SUBMITTED
            if back == 0 and rng.random() < 0.3:
                status = ReturnStatus.DRAFT
            keyer = leads.get(membership.cluster_id) or analyst
            submitted = (
                timezone.make_aware(
                    datetime.datetime.combine(
                        add_months(month, 1).replace(day=rng.randint(3, 9)), datetime.time(10)
                    )
                )
                if status != ReturnStatus.DRAFT
                else None
            )
            if submitted and submitted > now:
                # not due until the 10th: this one is still being keyed
                status, submitted = ReturnStatus.DRAFT, None
            accepted = (
                min(submitted + datetime.timedelta(days=5), now)
                if status == ReturnStatus.ACCEPTED
                else None
            )
            r = MonthlyReturn(
                local_authority=la,
                month=month,
                status=status,
                created_by=keyer,
                submitted_by=keyer if submitted else None,
                submitted_at=submitted,
                accepted_by=analyst if accepted else None,
                accepted_at=accepted,
            )
            new.append(r)
            entered = {}
            n = max(1, int(size * rng.uniform(0.7, 1.3)))
            for stage in stages:
                n = (
                    n
                    if stage.code == "enquiry"
                    else int(round(n * RATES[stage.code] * rng.uniform(0.85, 1.15)))
                )
                entered[stage.code] = n
            counts.append((r, entered))
    MonthlyReturn.objects.bulk_create(new, batch_size=1000)
    stage_rows, exit_rows, channel_rows = [], [], []
    for r, entered in counts:
        codes = [s.code for s in stages]
        for i, stage in enumerate(stages):
            stage_rows.append(
                ReturnStageCount(monthly_return=r, stage=stage, count=entered[stage.code])
            )
            if i + 1 < len(stages):
                leaving = max(0, entered[stage.code] - entered[codes[i + 1]])
                pool = EXIT_SHARE.get(
                    stage.code, ["withdrew-personal", "not-suitable", "housing", "financial"]
                )
                for k, reason in enumerate(pool):
                    share = leaving // len(pool) + (1 if k < leaving % len(pool) else 0)
                    if share:
                        exit_rows.append(
                            ReturnExit(
                                monthly_return=r, stage=stage, reason=reasons[reason], count=share
                            )
                        )
        remaining = entered["enquiry"]
        for k, channel in enumerate(channels):
            share = remaining if k == len(channels) - 1 else int(remaining * rng.uniform(0.05, 0.3))
            remaining -= share
            channel_rows.append(
                ReturnChannelCount(monthly_return=r, channel=channel, count=max(0, share))
            )
    ReturnStageCount.objects.bulk_create(stage_rows, batch_size=2000)
    ReturnExit.objects.bulk_create(exit_rows, batch_size=2000)
    ReturnChannelCount.objects.bulk_create(channel_rows, batch_size=2000)
    return len(new)
