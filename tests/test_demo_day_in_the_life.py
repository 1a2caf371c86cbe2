"""The demo is a day in the life, whatever day it is seeded on: the demo consultant can log
time in this week and last; nothing seeded claims to have happened after now; whatever was
accepted or approved names who did it; and "what changed since you last looked" starts
empty for every demo user (the seeding is not news).

Each day seeds the demo once and checks it all: a Monday, a Wednesday (the suite's fixed
day, close to the cap), the 1st of a month early in the morning (last month's returns not
yet in) and the 1st of a month on a Saturday (this week's working days all behind us)."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Sum
from django.utils import timezone

from accounts.demo import demo_users
from accounts.models import User
from clusters.models import Cluster
from engagement.models import MeetingStatus
from pipeline.models import MonthlyReturn, ReturnStatus
from tests.clock import FIXED_DAY, LONDON
from tests.conftest import client_for
from tests.snapshot import demo_snapshot
from timesheets import services
from timesheets.models import Activity, Requirement, Status, TimeEntry

pytestmark = pytest.mark.dates

CONSULTANT = "consultant@example.org"


def _day(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


DAYS = [
    pytest.param(
        _day(2026, 11, 16), id="monday", marks=pytest.mark.time_machine(_day(2026, 11, 16))
    ),
    pytest.param(FIXED_DAY, id="wednesday", marks=pytest.mark.time_machine(FIXED_DAY)),
    pytest.param(
        _day(2026, 12, 1, 7, 30),
        id="first-of-the-month-early",
        marks=pytest.mark.time_machine(_day(2026, 12, 1, 7, 30)),
    ),
    pytest.param(
        _day(2026, 8, 1), id="saturday-the-first", marks=pytest.mark.time_machine(_day(2026, 8, 1))
    ),
]

# Dates that are plans or forecasts, not things that happened: they may lie ahead.
PLANNED = {
    "end_date",  # the contract's
    "new_end_date",
    "previous_end_date",
    "baseline_date",  # milestones
    "forecast_date",
    "review_date",  # RAID items
    "due_date",  # actions
    "due_on",  # bids
    "needed_by",  # support requests
    "valid_from",  # day rates
    "expire_date",  # sessions
    "expires_at",  # tokens, lockouts
}


@pytest.mark.parametrize("day", DAYS)
def test_the_demo_is_a_day_in_the_life(db, day):
    assert timezone.localdate() == day.date()
    demo_snapshot.seed()

    _nothing_seeded_has_happened_after_now()
    _whatever_was_accepted_names_who_accepted_it()
    _what_changed_starts_empty_for_every_demo_user()
    _the_consultant_can_log_time_this_week_and_last()


# -- nothing after now ----------------------------------------------------------------------


def _future(model, field, now, today):
    """The model's rows whose ``field`` claims something happened after now."""
    if isinstance(field, models.DateTimeField):
        rows = model.objects.filter(**{f"{field.name}__gt": now})
    else:
        rows = model.objects.filter(**{f"{field.name}__gt": today})
    names = {f.name for f in model._meta.concrete_fields}
    if field.name == "held_on" and "status" in names:
        rows = rows.filter(status=MeetingStatus.HELD)  # planned meetings lie ahead
    elif field.name == "held_on" and "attended" in names:
        rows = rows.exclude(attended="")  # a learning event ahead has nobody attending yet
    return rows


def _nothing_seeded_has_happened_after_now():
    now, today = timezone.now(), timezone.localdate()
    found = {}
    for model in apps.get_models():  # the historical models too: "what changed" reads them
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField) or field.name in PLANNED:
                continue
            if count := _future(model, field, now, today).count():
                found[f"{model._meta.label}.{field.name}"] = count
    assert found == {}, f"dated after {now:%Y-%m-%d %H:%M}"

    # the things people see first, named: returns, time, invoices
    assert not MonthlyReturn.objects.filter(submitted_at__gt=now).exists()
    assert not MonthlyReturn.objects.filter(accepted_at__gt=now).exists()
    assert not TimeEntry.objects.filter(date__gt=today).exists()
    assert not TimeEntry.objects.filter(approved_at__gt=now).exists()
    assert MonthlyReturn.objects.filter(status=ReturnStatus.ACCEPTED).exists()


# -- who accepted it --------------------------------------------------------------------------


def _whatever_was_accepted_names_who_accepted_it():
    accepted = MonthlyReturn.objects.filter(status=ReturnStatus.ACCEPTED)
    assert accepted.exists()
    assert not accepted.filter(accepted_by=None).exists()
    assert not accepted.filter(accepted_at=None).exists()
    submitted = MonthlyReturn.objects.exclude(status=ReturnStatus.DRAFT)
    assert not submitted.filter(submitted_by=None).exists()

    approved = TimeEntry.objects.filter(status__in=[Status.APPROVED, Status.INVOICED])
    assert approved.exists()
    assert not approved.filter(approved_by=None).exists()
    assert not approved.filter(approved_at=None).exists()

    # every "<step>_by" whose "<step>_at" or "<step>_on" is set names someone
    unnamed = {}
    for model in apps.get_models():
        if model._meta.label.startswith(("admin.", "axes.", "sessions.")) or hasattr(
            model, "instance_type"
        ):
            continue  # not the demo's, or a history row (its own "history_user")
        names = {f.name for f in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if not (isinstance(field, models.ForeignKey) and field.name.endswith("_by")):
                continue
            stem = field.name.removesuffix("_by")
            when = next((n for n in (f"{stem}_at", f"{stem}_on") if n in names), None)
            if when is None:
                continue
            rows = model.objects.filter(**{field.name: None, f"{when}__isnull": False})
            if count := rows.count():
                unnamed[f"{model._meta.label}.{field.name}"] = count
    assert unnamed == {}


# -- what changed since you last looked -------------------------------------------------------


def _what_changed_starts_empty_for_every_demo_user():
    emails = [spec["email"] for spec in demo_users(timezone.localdate())]
    users = User.objects.filter(email__in=emails)
    assert users.count() == len(emails)
    for user in users:
        page = client_for(user).get("/")
        assert page.status_code == 200, user.email
        text = page.content.decode()
        assert "What changed since you last looked" in text, user.email
        assert "Nothing you can see has changed." in text, user.email


# -- logging time -----------------------------------------------------------------------------


def _logged(consultant, day) -> Decimal:
    return TimeEntry.objects.filter(consultant=consultant, date=day).aggregate(d=Sum("days"))[
        "d"
    ] or Decimal(0)


def _room(consultant, monday, today) -> list[tuple[datetime.date, Decimal]]:
    """The week's working days up to today with time left to log, and how much."""
    days = [monday + datetime.timedelta(days=i) for i in range(5)]
    return [
        (d, 1 - _logged(consultant, d)) for d in days if d <= today and _logged(consultant, d) < 1
    ]


def _the_consultant_can_log_time_this_week_and_last():
    consultant = User.objects.get(email=CONSULTANT)
    north_east = Cluster.objects.get(slug="north-east")
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    last_monday = this_monday - datetime.timedelta(days=7)
    row = {
        "cluster": north_east,
        "requirement": Requirement.R2,
        "activity": Activity.COACHING,
        "description": "Coaching the hub manager on enquiry follow-up",
    }

    # last week: room on its working days, still a draft, finished and submitted at once
    room = _room(consultant, last_monday, today)
    assert room, "last week is full"
    last_week = TimeEntry.objects.filter(
        consultant=consultant, date__gte=last_monday, date__lt=this_monday, adjusts=None
    )
    drafts = list(last_week.filter(status=Status.DRAFT))
    assert drafts, "last week has nothing left to submit"
    assert not last_week.exclude(status=Status.DRAFT).exists()
    day, left = room[0]
    rows = [
        {
            "entry": e,
            "date": e.date,
            "cluster": e.cluster,
            "requirement": e.requirement,
            "activity": e.activity,
            "days": e.days,
            "description": e.description,
        }
        for e in drafts
    ]
    rows.append({**row, "entry": None, "date": day, "days": left})
    try:
        services.save_week(consultant=consultant, rows=rows, submit=True)
    except services.RowErrors as e:
        raise AssertionError({k: v.message_dict for k, v in e.rows.items()}) from e
    assert _logged(consultant, day) == 1
    assert last_week.filter(status=Status.SUBMITTED).count() == len(rows)

    # this week: a working day up to today with room, logged through the same rules
    room = _room(consultant, this_monday, today)
    assert room, "this week is full"
    day, left = room[-1]
    entry = services.save_entry(
        consultant=consultant, date=day, days=min(left, Decimal("0.5")), **row
    )
    assert entry.status == Status.DRAFT and entry.cost > 0
