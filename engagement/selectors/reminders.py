"""What reminders are due, to whom and for which occasion, and the reminders a user may read.

Each ``..._due(today=...)`` function answers "who should hear about what today" as a list of
:class:`Due`; ``engagement.services.reminders`` renders and sends each one once. The
occasion is the reminder's identity: the same occasion is never sent twice to the same
person (``Reminder``'s unique key), and a new date (a new review date, a re-forecast
milestone, a moved due date) is a new occasion.

Reminders carry names, dates and links only: never pipeline figures or money.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from accounts.models import Role, User
from clusters.models import LocalAuthority
from insights.models import LIVE_STATUSES, RaidItem
from pipeline.selectors import late_returns
from programme.models import Milestone, MilestoneStatus
from programme.selectors import current_contract
from timesheets.models import Status as TimeStatus
from timesheets.models import TimeEntry

from ..models import Action, ActionStatus, Reminder, ReminderKind, SupportRequest, SupportStatus
from ..permissions import can_see_all_reminders

# Late returns are reminded for the month most recently due. The daily run sees that month
# from the 11th until the next month's 10th, so a missed day is caught up the next day; an
# older return that is still late was reminded when it fell due and stays on the late
# returns page (and in the programme managers' digest).
LATE_RETURN_MONTHS = 1


@dataclass(frozen=True)
class Due:
    """One reminder e-mail that is due: to whom, about what (the occasion) and its content."""

    kind: str
    recipient: User
    occasion: str
    subject: str
    context: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"engagement/reminders/email/{self.kind}.txt"


def absolute(path: str) -> str:
    """A link for an e-mail: the tracker's address (``SITE_URL``) and the path."""
    return f"{settings.SITE_URL}{path}"


def people() -> QuerySet:
    """Who may receive reminders: active people (an API token's service account is not one)."""
    return User.objects.filter(is_active=True, api_token__isnull=True)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def link(name: str, *args, query: str = "") -> str:
    """A link to an engagement page, for an e-mail."""
    return absolute(reverse(f"engagement:{name}", args=args) + query)


# -- late monthly returns -----------------------------------------------------------------


def late_returns_due(*, today: datetime.date) -> list[Due]:
    """One reminder to each cluster lead for each member LA whose return for the month most
    recently due was not submitted by the 10th (``pipeline.selectors.late_returns`` holds
    that rule; 2 queries per lead, 1 for the GSS codes)."""
    leads = list(people().filter(role=Role.CLUSTER_LEAD, cluster__isnull=False).order_by("pk"))
    if not leads:
        return []
    gss = dict(LocalAuthority.objects.values_list("name", "gss_code"))
    links = {
        "late_page": absolute(reverse("pipeline:late_returns")),
        "new_link": absolute(reverse("pipeline:return_create")),
    }
    due = []
    for lead in leads:
        for row in late_returns(lead, today=today, months=LATE_RETURN_MONTHS):
            month, la, draft = row["month"], row["local_authority"], row["return_pk"]
            draft_link = absolute(reverse("pipeline:return_edit", args=[draft])) if draft else ""
            due.append(
                Due(
                    kind=ReminderKind.LATE_RETURN,
                    recipient=lead,
                    occasion=f"return:{gss[la]}:{month:%Y-%m}",
                    subject=f"{la}'s monthly return for {month:%B %Y} is late",
                    context={**row, **links, "draft_link": draft_link},
                )
            )
    return due


# -- no time submitted last week ----------------------------------------------------------


def no_time_due(*, today: datetime.date) -> list[Due]:
    """One reminder to each consultant (and each programme manager who logs time) with no
    time submitted for last week, Monday to Sunday: draft entries are not submitted time.
    Only for weeks within the contract, and not for people who joined after that week
    (two queries)."""
    monday = monday_of(today) - datetime.timedelta(days=7)
    sunday = monday + datetime.timedelta(days=6)
    try:
        contract = current_contract()
    except ObjectDoesNotExist:  # no contract set up yet: nobody can log time
        return []
    if monday > contract.end_date or sunday < contract.start_date:
        return []
    week = Q(time_entries__date__gte=monday, time_entries__date__lte=sunday)
    submitted = TimeEntry.objects.filter(
        consultant=OuterRef("pk"), date__gte=monday, date__lte=sunday
    ).exclude(status=TimeStatus.DRAFT)
    logs_time = TimeEntry.objects.filter(consultant=OuterRef("pk"))
    recipients = (
        people()
        .filter(
            Q(role=Role.CONSULTANT) | Q(Q(role=Role.PROGRAMME_MANAGER) & Exists(logs_time)),
            date_joined__date__lte=sunday,
        )
        .exclude(Exists(submitted))
        .annotate(
            drafts=Count("time_entries", filter=week & Q(time_entries__status=TimeStatus.DRAFT))
        )
        .order_by("pk")
    )
    link = absolute(f"{reverse('timesheets:week')}?start={monday.isoformat()}")
    return [
        Due(
            kind=ReminderKind.NO_TIME,
            recipient=person,
            occasion=f"week:{monday.isoformat()}",
            subject=f"No time submitted for the week of {monday:%-d %B %Y}",
            context={"monday": monday, "sunday": sunday, "drafts": person.drafts, "link": link},
        )
        for person in recipients
    ]


# -- RAID items, milestones and actions past their date -----------------------------------


def raid_past_review_due(*, today: datetime.date) -> list[Due]:
    """One reminder to the owner of each open or mitigating RAID item past its review date,
    once per review date (one query)."""
    items = (
        RaidItem.objects.filter(status__in=LIVE_STATUSES, review_date__lt=today, owner__in=people())
        .select_related("owner", "cluster")
        .order_by("review_date", "pk")
    )
    return [
        Due(
            kind=ReminderKind.RAID_REVIEW,
            recipient=item.owner,
            occasion=f"raid:{item.pk}:{item.review_date.isoformat()}",
            subject=f"{item.reference} is past its review date",
            context={
                "item": item,
                "days": (today - item.review_date).days,
                "link": absolute(reverse("insights:raid_detail", args=[item.pk])),
            },
        )
        for item in items
    ]


def milestone_recipients(milestone: Milestone, leads: dict, managers: list) -> list[User]:
    """A milestone's owner is a name, not an account: a cluster's milestone goes to the
    cluster's leads (who keep its milestones), a programme-wide one, or one of a cluster
    without a lead, to the programme managers."""
    if milestone.cluster_id and leads.get(milestone.cluster_id):
        return leads[milestone.cluster_id]
    return managers


def milestones_past_forecast_due(*, today: datetime.date) -> list[Due]:
    """One reminder per recipient for each milestone not complete and past its forecast
    date, once per forecast date (three queries)."""
    milestones = list(
        Milestone.objects.filter(forecast_date__lt=today)
        .exclude(status=MilestoneStatus.COMPLETE)
        .select_related("cluster")
        .order_by("forecast_date", "pk")
    )
    if not milestones:
        return []
    managers = list(people().filter(role=Role.PROGRAMME_MANAGER).order_by("pk"))
    leads: dict[int, list[User]] = {}
    for lead in people().filter(role=Role.CLUSTER_LEAD).order_by("pk"):
        leads.setdefault(lead.cluster_id, []).append(lead)
    due = []
    for milestone in milestones:
        link = absolute(reverse("programme:milestone_detail", args=[milestone.pk]))
        for person in milestone_recipients(milestone, leads, managers):
            due.append(
                Due(
                    kind=ReminderKind.MILESTONE_FORECAST,
                    recipient=person,
                    occasion=f"milestone:{milestone.pk}:{milestone.forecast_date.isoformat()}",
                    subject=f"Milestone past its forecast date: {milestone.title}",
                    context={
                        "milestone": milestone,
                        "days": (today - milestone.forecast_date).days,
                        "link": link,
                    },
                )
            )
    return due


# how long before a person's data-protection training expires they and the programme
# managers hear of it (once for each expiry date)
TRAINING_NOTICE_DAYS = 30


def training_expiring_due(*, today: datetime.date) -> list[Due]:
    """The delivery partner's staff whose data-protection training expires within
    ``TRAINING_NOTICE_DAYS``: the person and every programme manager, once for each expiry
    date (two queries). On the day it expires, pipeline data and reports close to them."""
    valid = datetime.timedelta(days=settings.DATA_PROTECTION_TRAINING_VALID_DAYS)
    staff = [
        person
        for person in people()
        .filter(
            role__in=[Role.PROGRAMME_MANAGER, Role.CONSULTANT],
            data_protection_training_date__isnull=False,
            data_protection_training_date__gte=today - valid,
            data_protection_training_date__lte=today
            - valid
            + datetime.timedelta(days=TRAINING_NOTICE_DAYS),
        )
        .order_by("pk")
    ]
    if not staff:
        return []
    managers = list(people().filter(role=Role.PROGRAMME_MANAGER).order_by("pk"))
    due = []
    for person in staff:
        expires = person.data_protection_training_date + valid
        for recipient in [person, *(m for m in managers if m.pk != person.pk)]:
            due.append(
                Due(
                    kind=ReminderKind.TRAINING_EXPIRING,
                    recipient=recipient,
                    occasion=f"training:{person.pk}:{expires.isoformat()}",
                    subject=(
                        "Your data-protection training expires soon"
                        if recipient.pk == person.pk
                        else f"{person}'s data-protection training expires soon"
                    ),
                    context={
                        "person": person,
                        "expires": expires,
                        "days": (expires - today).days,
                        "own": recipient.pk == person.pk,
                        "link": absolute(
                            reverse("core:home")
                            if recipient.pk == person.pk
                            else reverse("accounts:person_detail", args=[person.pk])
                        ),
                    },
                )
            )
    return due


def actions_past_due(*, today: datetime.date) -> list[Due]:
    """One reminder to the owner of each meeting action not done and past its due date, once
    per due date (one query). It links to the action's status page (open actions are also
    on their owner's home page)."""
    actions = (
        Action.objects.exclude(status=ActionStatus.DONE)
        .filter(due_date__lt=today, owner__in=people())
        .select_related("owner", "meeting")
        .order_by("due_date", "pk")
    )
    return [
        Due(
            kind=ReminderKind.ACTION_DUE,
            recipient=action.owner,
            occasion=f"action:{action.pk}:{action.due_date.isoformat()}",
            subject=f"Action past its due date ({action.due_date:%-d %B %Y})",
            context={
                "action": action,
                "days": (today - action.due_date).days,
                "link": link("action_status", action.pk),
            },
        )
        for action in actions
    ]


# -- the programme managers' weekly digest -------------------------------------------------


def lateness(*, today: datetime.date, manager: User) -> dict:
    """What is late across the programme, as counts and links (no pipeline figure, no
    money): late returns by cluster, overdue actions, RAID items past review, milestones
    past forecast, time awaiting approval and support requests awaiting approval."""
    late_by_cluster = Counter(row["cluster"] for row in late_returns(manager, today=today))
    return {
        "late_returns": sorted(late_by_cluster.items()),
        "late_returns_total": sum(late_by_cluster.values()),
        "late_returns_link": absolute(reverse("pipeline:late_returns")),
        "actions": Action.objects.exclude(status=ActionStatus.DONE)
        .filter(due_date__lt=today)
        .count(),
        "raid": RaidItem.objects.filter(status__in=LIVE_STATUSES, review_date__lt=today).count(),
        "raid_link": absolute(reverse("insights:raid_list") + "?overdue=on"),
        "milestones": Milestone.objects.filter(forecast_date__lt=today)
        .exclude(status=MilestoneStatus.COMPLETE)
        .count(),
        "milestones_link": absolute(reverse("programme:milestone_list")),
        "time": TimeEntry.objects.filter(status=TimeStatus.SUBMITTED).count(),
        "time_link": absolute(reverse("timesheets:approvals")),
        "support": SupportRequest.objects.filter(status=SupportStatus.DIAGNOSED).count(),
        "support_link": link("support_list", query="?status=diagnosed"),
        "actions_link": link("action_list", query="?overdue=on"),
    }


def digest_due(*, today: datetime.date) -> list[Due]:
    """The weekly digest to each programme manager, once per week (its Monday)."""
    managers = list(people().filter(role=Role.PROGRAMME_MANAGER).order_by("pk"))
    if not managers:
        return []
    monday = monday_of(today)
    context = {"monday": monday, "today": today, **lateness(today=today, manager=managers[0])}
    return [
        Due(
            kind=ReminderKind.DIGEST,
            recipient=manager,
            occasion=f"digest:{monday.isoformat()}",
            subject=f"What is late across the programme: week of {monday:%-d %B %Y}",
            context=context,
        )
        for manager in managers
    ]


# -- reading what was sent ------------------------------------------------------------------


def reminders_for_user(user) -> QuerySet:
    """The reminders a user may read: a programme manager every one, anyone else their own."""
    reminders = Reminder.objects.select_related("recipient")
    if can_see_all_reminders(user):
        return reminders
    if not user.is_authenticated:
        return reminders.none()
    return reminders.filter(recipient=user)


def recent_reminders_for(user, *, since: datetime.datetime, limit: int = 5) -> dict:
    """The reminders sent to the user since a moment: the latest few and how many (two
    queries)."""
    mine = Reminder.objects.filter(recipient=user, sent_at__gte=since)
    return {"recent": list(mine.order_by("-sent_at", "-pk")[:limit]), "count": mine.count()}
