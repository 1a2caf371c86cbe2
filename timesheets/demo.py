"""Demo time: four consultants' days across the demo clusters from September of last year
to today, months invoiced up to two months ago, last month approved and waiting for its
invoice, last week submitted, this week in draft; a few entries rejected, one late entry,
one adjustment of invoiced time; the programme manager's own time waiting for someone else.

The demo consultant (consultant@example.org) has room in both weeks a consultant fills:
last week is still a draft to finish and submit (Wednesday half logged, Friday not at all)
and this week has its last working day before today half logged and today not at all, so
whoever signs in as them can log time in either week.

The current financial year is run close to its cap: approved cost stops about half of last
week's submitted cost short of it, so approving last week's time runs into the cap (the
refusal, with the headroom, is the thing to see). Four consultants spend about £70,000 a
month, so a year's time reaches that point only in the autumn: earlier in a year (and on
1 April, when nothing is approved in it yet) approved cost stays short of the cap and
everything approves. Everything is relative to today and seeded once (a second run changes
nothing).
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clusters.models import Cluster
from programme.models import DayRate, financial_year_of
from programme.selectors import current_contract

from . import services
from .models import Activity, Requirement, Status, StatusChange, TimeEntry
from .selectors import add_months
from .services import cost_of, fy_range, month_start, next_month

# The consultant whose weeks the demo leaves room in (see _leave_room).
CONSULTANT = "consultant@example.org"
# Who works where: clusters (by slug), requirements and activities, by weight.
PEOPLE = {
    "consultant@example.org": {
        "clusters": ["north-east", "foster4", "east-midlands", "greater-manchester"],
        "requirements": [("R2", 6), ("R1", 2), ("R3", 1)],
    },
    "principal@example.org": {
        "clusters": ["south-east", "greater-manchester", "north-east", None],
        "requirements": [("R1", 3), ("R2", 4), ("R3", 2)],
    },
    "analyst@example.org": {
        "clusters": ["north-east", "foster4", "local-community-fostering", "south-east", None],
        "requirements": [("R3", 5), ("R1", 3)],
    },
    "lapsed@example.org": {
        "clusters": ["east-midlands", "foster-with-us", "west-london", "north-east"],
        "requirements": [("R2", 4), ("R3", 2)],
    },
}
ACTIVITIES = {
    "R1": [
        (Activity.REPORTING, "Monthly highlight report and RAID review for DfE"),
        (Activity.CLUSTER_MEETING, "Cluster steering group: progress against the plan"),
        (Activity.LEARNING_EVENT, "Shared-learning session across the hubs"),
    ],
    "R2": [
        (Activity.COACHING, "Coaching the hub manager on enquiry follow-up"),
        (Activity.CLUSTER_MEETING, "Workshop on the harmonised offer to foster carers"),
        (Activity.BID_SUPPORT, "Support with the grant monitoring return"),
        (Activity.TRAVEL, "Travel to the cluster's partnership meeting"),
    ],
    "R3": [
        (Activity.TECHNICAL, "Data-sharing agreement and enquiry dashboard set-up"),
        (Activity.TECHNICAL, "Review of the hub's CRM configuration and reports"),
        (Activity.REPORTING, "Pipeline data quality checks with the LA leads"),
    ],
}
# Share of each financial year's cap that approved time reaches (the current year is set
# from last week's submitted time instead, so that it lands just short of the cap).
EARLIER_YEAR_SHARE = Decimal("0.74")
REJECTIONS = [
    "Please split the travel out as its own entry.",
    "This looks like the same meeting as the entry the day before: please check.",
    "Programme-wide oversight should be R1, not R2.",
]


def seed() -> None:
    """Time needs every area's people and clusters: see seed_activity."""


def _weighted(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _working_days(start: datetime.date, end: datetime.date):
    day = start
    while day < end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _plan(people, clusters, start, end, busy_from, rng) -> list[dict]:
    """Rows of time for each consultant on most working days (nearly all from ``busy_from``
    on), at most a day on each date."""
    rows = []
    for email, spec in PEOPLE.items():
        user = people[email]
        for day in _working_days(start, end):
            if rng.random() > (0.98 if day >= busy_from else 0.9):
                continue  # leave, other clients, training
            shape = rng.random()
            parts = [Decimal(1)] if shape < 0.6 else [Decimal("0.5"), Decimal("0.5")]
            if shape > 0.9:
                parts = [Decimal("0.8")]  # six hours
            for days in parts:
                requirement = _weighted(rng, spec["requirements"])
                slug = rng.choice(spec["clusters"])
                if requirement == "R1" and rng.random() < 0.5:
                    slug = None
                activity, description = rng.choice(ACTIVITIES[requirement])
                rows.append(
                    {
                        "consultant": user,
                        "date": day,
                        "cluster": clusters.get(slug) if slug else None,
                        "requirement": requirement,
                        "activity": activity,
                        "days": days,
                        "description": description,
                    }
                )
    return rows


class _Rates:
    """Each grade's rates in memory, so pricing thousands of rows needs one query."""

    def __init__(self):
        self.by_grade = defaultdict(list)
        for rate in DayRate.objects.order_by("valid_from"):
            self.by_grade[rate.grade_id].append((rate.valid_from, rate.rate))

    def on(self, grade_id, day) -> Decimal:
        return [rate for valid_from, rate in self.by_grade[grade_id] if valid_from <= day][-1]


def _leave_room(rows, *, this_monday, last_monday, today) -> list[dict]:
    """The demo consultant's last two weeks with room in them: last week's Wednesday half a
    day and its Friday empty; this week's last working day before today half a day (today
    is never logged). The others' rows are left as planned."""
    half = Decimal("0.5")
    this_week = list(_working_days(this_monday, today))
    halved = {last_monday + datetime.timedelta(days=2), *this_week[-1:]}
    empty = {last_monday + datetime.timedelta(days=4)}
    kept, seen = [], set()
    for row in rows:
        day = row["date"]
        if row["consultant"].email != CONSULTANT or day not in halved | empty:
            kept.append(row)
        elif day in halved and day not in seen:
            seen.add(day)
            kept.append({**row, "days": min(row["days"], half)})
    return kept


def _trim(rows, *, target: Decimal, rng) -> list[dict]:
    """Drop random rows until their cost is within ``target``."""
    rows = list(rows)
    total = sum((r["cost"] for r in rows), Decimal(0))
    while rows and total > target:
        row = rows.pop(rng.randrange(len(rows)))
        total -= row["cost"]
    return rows


@transaction.atomic
def seed_activity(today: datetime.date | None = None) -> None:
    if TimeEntry.objects.exists():
        return
    today = today or timezone.localdate()
    contract = current_contract()
    people = {u.email: u for u in User.objects.filter(email__in=[*PEOPLE, "pm@example.org"])}
    pm = people.get("pm@example.org")
    if pm is None or any(email not in people for email in PEOPLE):
        return
    clusters = {c.slug: c for c in Cluster.objects.all()}
    rng = random.Random("demo-timesheets")
    rates = _Rates()

    this_monday = today - datetime.timedelta(days=today.weekday())
    last_monday = this_monday - datetime.timedelta(days=7)
    start = max(add_months(month_start(today), -14), contract.start_date)
    current_fy = financial_year_of(today)
    rows = _plan(people, clusters, start, today, fy_range(current_fy)[0], rng)
    rows = _leave_room(rows, this_monday=this_monday, last_monday=last_monday, today=today)
    for row in rows:
        row["grade_id"] = row["consultant"].grade_id
        row["day_rate"] = rates.on(row["grade_id"], row["date"])
        row["cost"] = cost_of(row["days"], row["day_rate"])

    # this week: the consultant's drafts; last week: submitted (the consultant's still in
    # draft, to finish and submit); before: approved
    for row in rows:
        mine = row["consultant"].email == CONSULTANT
        if row["date"] >= this_monday:
            row["status"] = Status.DRAFT if mine else None
        elif row["date"] >= last_monday:
            row["status"] = Status.DRAFT if mine else Status.SUBMITTED
        else:
            row["status"] = Status.APPROVED
    rows = [r for r in rows if r["status"]]
    submitted = [r for r in rows if r["status"] == Status.SUBMITTED]
    # a few entries of the fortnight before last week sent back with a reason (a fortnight,
    # not "this month": early in a month, this month may have no working day before last week)
    recent = [
        r
        for r in rows
        if r["status"] == Status.APPROVED and r["date"] >= last_monday - datetime.timedelta(days=14)
    ]
    for row, reason in zip(rng.sample(recent, min(3, len(recent))), REJECTIONS, strict=False):
        row["status"], row["rejection_reason"] = Status.DRAFT, reason
    approved = [r for r in rows if r["status"] == Status.APPROVED]

    # run each year to its target share of the cap
    caps = {c.start_year: c.amount for c in contract.caps.all()}
    late_reserve = Decimal(1000)
    kept = []
    for fy in sorted({financial_year_of(r["date"]) for r in approved}):
        in_year = [r for r in approved if financial_year_of(r["date"]) == fy]
        cap = caps.get(fy)
        if cap is None:
            kept += in_year
            continue
        if fy == current_fy:
            pending = sum((r["cost"] for r in submitted), Decimal(0))
            target = cap - pending / 2 - late_reserve
        else:
            target = cap * EARLIER_YEAR_SHARE
        kept += _trim(in_year, target=target, rng=rng)
    dropped = {id(r) for r in approved} - {id(r) for r in kept}
    rows = [r for r in rows if id(r) not in dropped]

    entries = []
    for row in rows:
        status = row["status"]
        entry = TimeEntry(
            consultant=row["consultant"],
            date=row["date"],
            cluster=row["cluster"],
            requirement=row["requirement"],
            activity=row["activity"],
            days=row["days"],
            description=row["description"],
            status=status,
            grade_id=row["grade_id"],
            day_rate=row["day_rate"],
            cost=row["cost"],
            rejection_reason=row.get("rejection_reason", ""),
        )
        friday = row["date"] + datetime.timedelta(days=4 - row["date"].weekday())
        log = [("", Status.DRAFT, row["consultant"], _at(row["date"], 17), "")]
        if status != Status.DRAFT or entry.rejection_reason:
            log.append((Status.DRAFT, Status.SUBMITTED, row["consultant"], _at(friday, 16), ""))
        if entry.rejection_reason:
            log.append(
                (Status.SUBMITTED, Status.DRAFT, pm, _at(friday, 18), entry.rejection_reason)
            )
        if status == Status.APPROVED:
            entry.approved_by = pm
            entry.approved_at = _at(friday + datetime.timedelta(days=3), 10)
            log.append((Status.SUBMITTED, Status.APPROVED, pm, entry.approved_at, ""))
        entries.append((entry, log))
    # the programme manager's own time: only another programme manager may approve it
    for offset in (1, 3):
        day = last_monday + datetime.timedelta(days=offset)
        rate = rates.on(pm.grade_id, day)
        entry = TimeEntry(
            consultant=pm,
            date=day,
            cluster=None,
            requirement=Requirement.R1,
            activity=Activity.CLUSTER_MEETING,
            days=Decimal("0.5"),
            description="Programme board with DfE: cap position and allocation",
            status=Status.SUBMITTED,
            grade_id=pm.grade_id,
            day_rate=rate,
            cost=cost_of(Decimal("0.5"), rate),
        )
        entries.append(
            (
                entry,
                [
                    ("", Status.DRAFT, pm, _at(day, 17), ""),
                    (Status.DRAFT, Status.SUBMITTED, pm, _at(day, 18), ""),
                ],
            )
        )
    TimeEntry.objects.bulk_create([e for e, _ in entries], batch_size=500)
    StatusChange.objects.bulk_create(
        [
            StatusChange(entry=e, from_status=f, to_status=t, by=by, at=at, reason=reason)
            for e, log in entries
            for f, t, by, at, reason in log
        ],
        batch_size=1000,
    )

    # invoices for every month up to two months ago, each issued on the 5th after it
    month = month_start(start)
    last_invoiced = add_months(month_start(today), -2)
    while month <= last_invoiced:
        issued = next_month(month) + datetime.timedelta(days=4)
        services.issue_invoice(month=month, by=pm, today=issued, at=_at(issued, 11))
        month = next_month(month)

    _late_entry(people["analyst@example.org"], pm, last_invoiced, today)
    _adjustment(people[CONSULTANT], today)


def _late_entry(analyst, pm, invoiced_month, today) -> None:
    """A day from an invoiced month logged late: it goes into the next invoice."""
    taken = set(
        TimeEntry.objects.filter(
            consultant=analyst, date__gte=invoiced_month, date__lt=next_month(invoiced_month)
        ).values_list("date", flat=True)
    )
    day = next(
        (d for d in _working_days(invoiced_month, next_month(invoiced_month)) if d not in taken),
        None,
    )
    if day is None:
        return
    entry = services.save_entry(
        consultant=analyst,
        date=day,
        cluster=Cluster.objects.filter(slug="north-east").first(),
        requirement=Requirement.R3,
        activity=Activity.TECHNICAL,
        days=Decimal("0.5"),
        description="Enquiry dashboard fix (logged late)",
        today=today,
    )
    services.submit_entry(entry_id=entry.pk, by=analyst, today=today)
    services.approve_entry(entry_id=entry.pk, by=pm)


def _adjustment(consultant, today) -> None:
    """Half a day taken back from an invoiced day, booked this month."""
    original = (
        TimeEntry.objects.filter(consultant=consultant, status=Status.INVOICED, days=1)
        .order_by("-date")
        .first()
    )
    if original is None:
        return
    services.record_adjustment(
        adjusts_id=original.pk,
        by=consultant,
        days=Decimal("-0.5"),
        reason="Half of this day was spent on another client's work.",
        date=today,
        today=today,
    )
