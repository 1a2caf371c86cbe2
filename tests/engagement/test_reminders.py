"""Reminder e-mails: who receives which, for which occasion, once; never a pipeline figure
or money; a failed send is retried by the next run; the scheduler runs them."""

import datetime
import smtplib
import threading
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Role
from engagement import tasks
from engagement.models import ActionStatus, Reminder, ReminderKind, SupportStatus
from engagement.services import reminders as services
from insights.models import Kind, RaidItem
from insights.models import Status as RaidStatus
from pipeline.models import MonthlyReturn, ReturnStageCount, ReturnStatus, Stage
from programme.models import Contract, Milestone, MilestoneStatus
from tests.engagement.factories import ActionFactory, SupportRequestFactory
from tests.factories import ClusterFactory, UserFactory, authorities
from timesheets.models import Activity, Requirement, TimeEntry
from timesheets.models import Status as TimeStatus

pytestmark = pytest.mark.dates

TODAY = datetime.date(2026, 11, 20)  # a Friday: October's returns were due on 10 November
OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 1)
MONDAY = datetime.date(2026, 11, 23)  # "last week" is 16 to 22 November
LAST_MONDAY = datetime.date(2026, 11, 16)
SITE = "https://tracker.example.test"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def submit_returns(cluster, month, *, but=()):
    """Every member LA's return for the month submitted, except those named in ``but``."""
    MonthlyReturn.objects.bulk_create(
        MonthlyReturn(local_authority=m.local_authority, month=month, status=ReturnStatus.SUBMITTED)
        for m in cluster.memberships.select_related("local_authority")
        if m.local_authority.name not in but
    )


@pytest.fixture
def sunderland_late(north_east, lead):
    """The North East's returns for the last year are in, but Sunderland's for October."""
    for month in range(9, 21):  # October 2025 to September 2026
        submit_returns(north_east, datetime.date(2025 + month // 12, month % 12 + 1, 1))
    submit_returns(north_east, OCTOBER, but=["Sunderland"])
    return authorities("Sunderland")[0]


def contract_for_time():
    return Contract.objects.create(
        name="Delivery partner",
        reference="DP-R",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2028, 3, 31),
        total_cap=Decimal("1000000"),
    )


def log_time(person, day, status=TimeStatus.SUBMITTED):
    return TimeEntry.objects.create(
        consultant=person,
        date=day,
        requirement=Requirement.R1,
        activity=Activity.OTHER,
        days=Decimal("1"),
        description="Hub design workshop",
        status=status,
        day_rate=Decimal("850"),
        cost=Decimal("850"),
        approved_by=UserFactory(role=Role.PROGRAMME_MANAGER, is_active=False)
        if status == TimeStatus.APPROVED
        else None,
        approved_at=timezone.now() if status == TimeStatus.APPROVED else None,
    )


def raid_item(owner, *, review_date, status=RaidStatus.OPEN, cluster=None, title="Hub staff"):
    return RaidItem.objects.create(
        kind=Kind.RISK,
        title=title,
        owner=owner,
        cluster=cluster,
        likelihood=3,
        impact=4,
        review_date=review_date,
        raised_on=datetime.date(2026, 9, 1),
        status=status,
        closed_on=TODAY if status == RaidStatus.CLOSED else None,
    )


def milestone(*, cluster=None, forecast=datetime.date(2026, 11, 1), **fields):
    return Milestone.objects.create(
        cluster=cluster,
        title=fields.pop("title", "Regional hub live"),
        owner="Jo Bloggs",
        baseline_date=forecast,
        forecast_date=forecast,
        **fields,
    )


# -- the check ------------------------------------------------------------------


def test_a_late_return_produces_exactly_one_reminder_email_even_when_the_schedule_runs_twice(
    sunderland_late, lead
):
    tasks.remind_late_returns.delay(today=TODAY.isoformat())
    tasks.remind_late_returns.delay(today=TODAY.isoformat())

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [lead.email]
    assert email.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert email.subject == "Sunderland's monthly return for October 2026 is late"
    assert "was due by 10 November 2026 and has not been submitted" in email.body
    assert f"{SITE}/pipeline/returns/late/" in email.body
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.recipient, reminder.occasion) == (
        ReminderKind.LATE_RETURN,
        lead,
        f"return:{sunderland_late.gss_code}:2026-10",
    )
    assert (reminder.subject, reminder.body) == (email.subject, email.body)


def test_a_run_the_next_day_sends_nothing_more_for_the_same_late_return(sunderland_late):
    services.remind_late_returns(today=TODAY)
    outcome = services.remind_late_returns(today=TODAY + datetime.timedelta(days=1))
    assert outcome == {"sent": 0, "already_sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_no_late_return_reminder_until_the_eleventh(north_east, lead):
    submit_returns(north_east, SEPTEMBER)
    services.remind_late_returns(today=datetime.date(2026, 11, 10))
    assert mail.outbox == []
    services.remind_late_returns(today=datetime.date(2026, 11, 11))
    # every member LA's October return is now late: one e-mail for each
    assert len(mail.outbox) == 12
    assert len({e.subject for e in mail.outbox}) == 12


def test_a_draft_return_is_late_and_the_reminder_links_to_the_draft(north_east, lead):
    submit_returns(north_east, SEPTEMBER)
    submit_returns(north_east, OCTOBER, but=["Sunderland"])
    sunderland = authorities("Sunderland")[0]
    draft = MonthlyReturn.objects.create(local_authority=sunderland, month=OCTOBER)
    services.remind_late_returns(today=TODAY)
    [email] = mail.outbox
    assert "a draft has been started" in email.body
    assert f"{SITE}/pipeline/returns/{draft.pk}/edit/" in email.body


def test_late_returns_go_to_each_lead_of_their_own_cluster_only(
    sunderland_late, lead, north_east, other_cluster
):
    second = UserFactory(role=Role.CLUSTER_LEAD, cluster=north_east)
    submit_returns(other_cluster, SEPTEMBER)
    submit_returns(other_cluster, OCTOBER)
    UserFactory(role=Role.CLUSTER_LEAD, cluster=other_cluster)
    UserFactory(role=Role.CLUSTER_LEAD, cluster=north_east, is_active=False)
    services.remind_late_returns(today=TODAY)
    assert sorted(e.to[0] for e in mail.outbox) == sorted([lead.email, second.email])


# -- no time for last week --------------------------------------------------------------


@pytest.fixture
def week_people(consultant, pm):
    contract_for_time()
    joined = datetime.datetime(2025, 1, 6, tzinfo=datetime.UTC)
    people = {
        "submitted": UserFactory(role=Role.CONSULTANT),
        "drafts": UserFactory(role=Role.CONSULTANT),
        "nothing": consultant,
        "approved": UserFactory(role=Role.CONSULTANT),
        "pm_logs_time": pm,
        "pm_never_logs": UserFactory(role=Role.PROGRAMME_MANAGER),
        "new_starter": UserFactory(role=Role.CONSULTANT),
        "left": UserFactory(role=Role.CONSULTANT, is_active=False),
    }
    for person in people.values():
        type(person).objects.filter(pk=person.pk).update(date_joined=joined)
    type(consultant).objects.filter(pk=people["new_starter"].pk).update(
        date_joined=datetime.datetime(2026, 11, 23, 9, tzinfo=datetime.UTC)
    )
    log_time(people["submitted"], LAST_MONDAY + datetime.timedelta(days=2))
    log_time(people["drafts"], LAST_MONDAY, status=TimeStatus.DRAFT)
    log_time(people["drafts"], LAST_MONDAY + datetime.timedelta(days=1), status=TimeStatus.DRAFT)
    log_time(people["approved"], LAST_MONDAY + datetime.timedelta(days=6), TimeStatus.APPROVED)
    log_time(people["pm_logs_time"], datetime.date(2026, 10, 5))  # another week
    log_time(people["nothing"], MONDAY)  # this week is not last week
    return people


def test_consultants_with_no_time_submitted_last_week_are_reminded_once(week_people, lead, dfe):
    tasks.remind_no_time.delay(today=MONDAY.isoformat())
    tasks.remind_no_time.delay(today=(MONDAY + datetime.timedelta(days=2)).isoformat())

    reminded = {e.to[0] for e in mail.outbox}
    expected = {week_people[k].email for k in ("drafts", "nothing", "pm_logs_time")}
    assert reminded == expected
    assert len(mail.outbox) == 3
    assert set(Reminder.objects.values_list("occasion", flat=True)) == {"week:2026-11-16"}
    drafts = next(e for e in mail.outbox if e.to == [week_people["drafts"].email])
    assert "You have 2 draft entries that week" in drafts.body
    assert "week of Monday 16 November to Sunday 22 November 2026" in drafts.body
    assert f"{SITE}/timesheets/week/?start=2026-11-16" in drafts.body


def test_no_time_reminders_only_within_the_contract(week_people):
    Contract.objects.update(end_date=datetime.date(2026, 11, 15))
    services.remind_no_time(today=MONDAY)
    assert mail.outbox == []
    Contract.objects.update(end_date=datetime.date(2026, 11, 16))
    services.remind_no_time(today=MONDAY)
    assert len(mail.outbox) == 3


def test_no_time_reminders_need_a_contract(consultant):
    assert services.remind_no_time(today=MONDAY) == {"sent": 0, "already_sent": 0, "failed": 0}


# -- RAID items, milestones, actions --------------------------------------------------------


def test_owners_of_raid_items_past_review_are_reminded_once_per_review_date(consultant, pm):
    late = raid_item(consultant, review_date=datetime.date(2026, 11, 19))
    raid_item(consultant, review_date=TODAY)  # due today: not yet past
    RaidItem.objects.filter(review_date=TODAY).update(review_date=datetime.date(2026, 12, 31))
    raid_item(pm, review_date=datetime.date(2026, 11, 1), status=RaidStatus.CLOSED)
    services.remind_past_dates(today=TODAY)
    services.remind_past_dates(today=TODAY)
    [email] = mail.outbox
    assert email.to == [consultant.email]
    assert email.subject == f"{late.reference} is past its review date"
    assert f"{SITE}/insights/raid/{late.pk}/" in email.body
    assert Reminder.objects.get().occasion == f"raid:{late.pk}:2026-11-19"

    # reviewed, with a new review date that passes in turn: a new occasion
    RaidItem.objects.filter(pk=late.pk).update(review_date=datetime.date(2026, 11, 27))
    services.remind_past_dates(today=datetime.date(2026, 11, 30))
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [consultant.email]


def test_milestones_past_forecast_go_to_the_cluster_leads_or_the_programme_managers(
    pm, lead, north_east, reference
):
    second_pm = UserFactory(role=Role.PROGRAMME_MANAGER)
    programme_wide = milestone(title="Learning programme launched")
    cluster_one = milestone(cluster=north_east, title="North East hub live")
    leaderless = milestone(
        cluster=ClusterFactory(members=authorities("Leeds")), title="Leeds plan agreed"
    )
    milestone(title="Complete", status=MilestoneStatus.COMPLETE, actual_date=TODAY)
    milestone(title="Not yet", forecast=TODAY)
    services.remind_past_dates(today=TODAY)
    services.remind_past_dates(today=TODAY)

    sent = sorted((r.occasion, r.recipient.email) for r in Reminder.objects.all())
    assert sent == sorted(
        [
            (f"milestone:{programme_wide.pk}:2026-11-01", pm.email),
            (f"milestone:{programme_wide.pk}:2026-11-01", second_pm.email),
            (f"milestone:{cluster_one.pk}:2026-11-01", lead.email),
            (f"milestone:{leaderless.pk}:2026-11-01", pm.email),
            (f"milestone:{leaderless.pk}:2026-11-01", second_pm.email),
        ]
    )
    assert len(mail.outbox) == 5
    lead_email = next(e for e in mail.outbox if e.to == [lead.email])
    assert lead_email.subject == "Milestone past its forecast date: North East hub live"
    assert f"{SITE}/programme/milestones/{cluster_one.pk}/" in lead_email.body


def test_owners_of_actions_past_due_are_reminded_once_per_due_date(consultant, lead):
    late = ActionFactory(
        owner=lead, due_date=datetime.date(2026, 11, 13), description="Send the MOU"
    )
    ActionFactory(owner=consultant, due_date=TODAY)
    ActionFactory(
        owner=consultant,
        due_date=datetime.date(2026, 11, 2),
        status=ActionStatus.DONE,
        done_on=datetime.date(2026, 11, 2),
    )
    services.remind_past_dates(today=TODAY)
    services.remind_past_dates(today=TODAY)
    [email] = mail.outbox
    assert email.to == [lead.email]
    assert "Send the MOU" in email.body and "7 days ago" in email.body
    try:  # the action's status page (meetings part), else the owner's home page
        page = reverse("engagement:action_status", args=[late.pk])
    except NoReverseMatch:
        page = "/"
    assert f"{SITE}{page}\n" in email.body
    assert Reminder.objects.get().occasion == f"action:{late.pk}:2026-11-13"


# -- the weekly digest ------------------------------------------------------------------------


def test_programme_managers_get_one_digest_a_week_with_what_is_late(
    sunderland_late, pm, consultant, north_east
):
    other_pm = UserFactory(role=Role.PROGRAMME_MANAGER)
    ActionFactory(owner=consultant, due_date=datetime.date(2026, 11, 13))
    raid_item(consultant, review_date=datetime.date(2026, 11, 2))
    milestone()
    contract_for_time()
    log_time(consultant, datetime.date(2026, 11, 17))
    SupportRequestFactory(cluster=north_east, status=SupportStatus.DIAGNOSED)

    tasks.send_digest.delay(today=MONDAY.isoformat())
    tasks.send_digest.delay(today=(MONDAY + datetime.timedelta(days=1)).isoformat())

    assert sorted(e.to[0] for e in mail.outbox) == sorted([pm.email, other_pm.email])
    body = mail.outbox[0].body
    assert "Monthly returns late: 1\n- North East: 1" in body
    assert "Meeting actions past their due date: 1" in body
    assert "RAID items past their review date: 1" in body
    assert "Milestones past their forecast date: 1" in body
    assert "Time entries awaiting approval: 1" in body
    assert "Support requests awaiting approval: 1" in body
    assert f"{SITE}/timesheets/approvals/" in body
    assert set(Reminder.objects.values_list("occasion", flat=True)) == {"digest:2026-11-23"}


# -- what a reminder never says -------------------------------------------------------------


def test_no_reminder_includes_pipeline_figures_or_money(
    north_east, lead, pm, consultant, other_cluster
):
    """Every kind rendered over demo-like data: returns with their figures, time with costs."""
    contract_for_time()
    type(consultant).objects.update(date_joined=datetime.datetime(2025, 1, 6, tzinfo=datetime.UTC))
    stages = {s.code: s for s in Stage.objects.all()}
    for month in (SEPTEMBER, OCTOBER):
        for membership in north_east.memberships.all()[:6]:
            monthly = MonthlyReturn.objects.create(
                local_authority=membership.local_authority,
                month=month,
                status=ReturnStatus.SUBMITTED,
            )
            ReturnStageCount.objects.create(
                monthly_return=monthly, stage=stages["enquiry"], count=4817
            )
            ReturnStageCount.objects.create(
                monthly_return=monthly, stage=stages["application"], count=693
            )
    log_time(pm, datetime.date(2026, 11, 3))
    log_time(consultant, datetime.date(2026, 11, 10), status=TimeStatus.DRAFT)
    ActionFactory(owner=lead, due_date=datetime.date(2026, 11, 13))
    raid_item(consultant, review_date=datetime.date(2026, 11, 2), cluster=north_east)
    milestone(cluster=north_east)
    milestone()
    SupportRequestFactory(cluster=north_east, status=SupportStatus.DIAGNOSED, proposed_days=5)
    # training that expires in ten days
    consultant.data_protection_training_date = MONDAY - datetime.timedelta(days=355)
    consultant.save()

    services.send_all(today=MONDAY)

    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert kinds == set(ReminderKind.values)
    for email in mail.outbox:
        text = email.subject + email.body
        assert "£" not in text
        for figure in ("4817", "693", "850", "9634", "1386"):
            assert figure not in text, (figure, email.subject)
        for word in ("enquir", "application", "rate", "cost", "cap", "grant", "invoice"):
            assert word not in text.lower(), (word, email.subject)


# -- failures and concurrency -----------------------------------------------------------------


def test_a_failed_send_keeps_no_record_and_the_next_run_sends_it(sunderland_late, lead, caplog):
    with mock.patch(
        "engagement.services.reminders.send_mail",
        side_effect=smtplib.SMTPServerDisconnected("mail server went away"),
    ):
        outcome = services.remind_late_returns(today=TODAY)
    assert outcome == {"sent": 0, "already_sent": 0, "failed": 1}
    assert not Reminder.objects.exists()
    assert "not sent" in caplog.text

    outcome = services.remind_late_returns(today=TODAY)
    assert outcome == {"sent": 1, "already_sent": 0, "failed": 0}
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1


def test_one_failure_does_not_stop_the_other_reminders(north_east, lead, consultant):
    submit_returns(north_east, SEPTEMBER)
    submit_returns(north_east, OCTOBER, but=["Sunderland", "Gateshead"])
    real = services.send_mail
    calls = []

    def flaky(subject, *args, **kwargs):
        calls.append(subject)
        if len(calls) == 1:
            raise smtplib.SMTPException("try again later")
        return real(subject, *args, **kwargs)

    with mock.patch("engagement.services.reminders.send_mail", side_effect=flaky):
        outcome = services.remind_late_returns(today=TODAY)
    assert outcome == {"sent": 1, "already_sent": 0, "failed": 1}
    assert Reminder.objects.get().subject == mail.outbox[0].subject
    services.remind_late_returns(today=TODAY)
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_the_same_moment_send_a_late_return_reminder_once(reference):
    if connection.vendor != "postgresql":
        pytest.skip("two transactions at once on one unique key need PostgreSQL")
    cluster = ClusterFactory(members=authorities("Sunderland", "Gateshead", "Darlington"))
    lead = UserFactory(role=Role.CLUSTER_LEAD, cluster=cluster)
    submit_returns(cluster, SEPTEMBER)
    submit_returns(cluster, OCTOBER, but=["Sunderland"])
    runs = 4
    barrier, outcomes = threading.Barrier(runs), []

    def run():
        barrier.wait()
        try:
            outcomes.append(services.remind_late_returns(today=TODAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == runs
    assert sum(o["sent"] for o in outcomes) == 1
    assert sum(o["already_sent"] for o in outcomes) == runs - 1
    assert [e.to for e in mail.outbox] == [[lead.email]]
    assert Reminder.objects.count() == 1


# -- the scheduler and the command ----------------------------------------------------------


@pytest.mark.parametrize(
    "task, hour, minute, days",
    [
        ("engagement.remind_late_returns", 7, 0, set(range(7))),
        ("engagement.remind_past_dates", 7, 10, set(range(7))),
        ("engagement.send_digest", 7, 30, {1}),
        ("engagement.remind_no_time", 9, 0, {1}),
    ],
)
def test_the_scheduler_sends_each_reminder_at_its_time(task, hour, minute, days):
    from django.conf import settings

    from config.celery import app

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task]
    schedule = entry["schedule"]
    assert schedule.hour == {hour} and schedule.minute == {minute}
    assert schedule.day_of_week == days  # celery counts Sunday as 0, Monday as 1
    assert schedule.day_of_month == set(range(1, 32))
    assert task in app.tasks


def test_the_send_reminders_command_sends_everything_due_once(sunderland_late, lead):
    out = StringIO()
    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=out)
    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=out)
    assert len(mail.outbox) == 1
    assert "late_returns: 1 sent, 0 already sent, 0 failed" in out.getvalue()
    assert "late_returns: 0 sent, 1 already sent, 0 failed" in out.getvalue()


def test_the_send_reminders_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "20/11/2026")


# -- data-protection training -----------------------------------------------------------


def test_training_expiring_within_30_days_reminds_the_person_and_the_managers_once(pm):
    from tests.factories import UserFactory

    # expires 1 December 2026, 11 days after TODAY
    soon = UserFactory(
        email="soon@example.org",
        role=Role.CONSULTANT,
        data_protection_training_date=datetime.date(2025, 12, 1),
    )
    UserFactory(  # expires in 45 days: not yet
        email="later@example.org",
        role=Role.CONSULTANT,
        data_protection_training_date=datetime.date(2026, 1, 4),
    )
    pm.data_protection_training_date = datetime.date(2026, 6, 1)
    pm.save()
    services.remind_past_dates(today=TODAY)
    services.remind_past_dates(today=TODAY)
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert set(by_recipient) == {soon.email, pm.email}
    own = by_recipient[soon.email]
    assert own.subject == "Your data-protection training expires soon"
    assert "expires on 1 December 2026 (in 11 days)" in own.body
    managers = by_recipient[pm.email]
    assert managers.subject == f"{soon}'s data-protection training expires soon"
    assert f"{SITE}/account/people/{soon.pk}/" in managers.body
    # renewed: a new expiry date is a new occasion, a year on
    soon.data_protection_training_date = datetime.date(2026, 11, 25)
    soon.save()
    services.remind_past_dates(today=datetime.date(2026, 11, 30))
    assert len(mail.outbox) == 2
