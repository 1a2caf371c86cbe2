"""Engagement with clusters and DfE: bids tested against DfE's criteria, technical support
drawn down on request, meetings with their actions, and the reminders the tracker sends.

Rules that span rows or depend on today (approving more days than proposed needs a reason,
time cannot go to a closed request, a meeting in the future cannot be held) live in
``engagement.services``; the single-row invariants are also check constraints here, so
nothing that bypasses the services can break them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# -- bids -------------------------------------------------------------------------------


class Criterion(models.Model):
    """One of DfE's criteria a bid is tested against. Programme managers maintain the list;
    a criterion no longer used is retired (kept for the bids that were tested against it)."""

    name = models.CharField(max_length=150, unique=True)
    guidance = models.TextField(blank=True, help_text="What a bid must show to meet it.")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.name


class Outcome(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    FUNDED = "funded", "Funded"
    NOT_FUNDED = "not_funded", "Not funded"
    DEFERRED = "deferred", "Deferred"


class Bid(models.Model):
    """A cluster's bid for funding, prepared with the delivery partner's help (one a
    cluster: a deferred bid is revised in new versions of its narrative)."""

    cluster = models.OneToOneField("clusters.Cluster", on_delete=models.PROTECT, related_name="bid")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bids_supported",
        help_text="The delivery partner's consultant who tests the bid.",
    )
    due_on = models.DateField("submission deadline", null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField("decided on", null=True, blank=True)
    grant_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    outcome_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["cluster__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="bid_outcome_known"
            ),
            # a grant only for a funded bid, and a funded bid has one
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.FUNDED) & Q(grant_amount__gt=0))
                | (~Q(outcome=Outcome.FUNDED) & Q(grant_amount__isnull=True)),
                name="bid_grant_only_when_funded",
                violation_error_message="A funded bid has a grant amount; others have none.",
            ),
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.PENDING) & Q(outcome_on__isnull=True))
                | (~Q(outcome=Outcome.PENDING) & Q(outcome_on__isnull=False)),
                name="bid_decided_on_only_when_decided",
            ),
        ]

    def __str__(self):
        return f"Bid: {self.cluster}"


class CriterionStatus(models.TextChoices):
    NOT_MET = "not_met", "Not met"
    PARTLY = "partly", "Partly met"
    MET = "met", "Met"


class Assessment(models.Model):
    """How a bid stands against one criterion: status, evidence and the consultant's
    challenge."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        max_length=10, choices=CriterionStatus.choices, default=CriterionStatus.NOT_MET
    )
    evidence = models.TextField(blank=True)
    challenge = models.TextField("consultant's challenge", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__position", "criterion__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "criterion"], name="one_assessment_per_bid_criterion"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CriterionStatus.values), name="assessment_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.bid.cluster}: {self.criterion} ({self.get_status_display()})"


class BidVersion(models.Model):
    """A dated version of the bid narrative; earlier versions stay readable."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    dated = models.DateField("date")
    narrative = models.TextField()
    change_note = models.CharField("what changed", max_length=300, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bid", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "number"], name="one_bid_version_number"),
            models.CheckConstraint(condition=~Q(narrative=""), name="bid_version_has_text"),
        ]

    def __str__(self):
        return f"{self.bid.cluster}: version {self.number}"


# -- technical support draw-down --------------------------------------------------------


class SupportKind(models.TextChoices):
    WEBSITE = "website", "Regional website"
    DATA_SHARING = "data_sharing", "Data sharing between LAs"
    CASE_MANAGEMENT = "case_management", "Case management systems"
    CAMPAIGN = "campaign", "Campaign and communications"
    OTHER = "other", "Other technical support"


class SupportStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    DIAGNOSED = "diagnosed", "Diagnosed"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


class SupportRequest(models.Model):
    """A cluster's request for technical support (spec §17-18), drawn down in days.

    requested (by the cluster lead) -> diagnosed (a consultant proposes days) -> approved (a
    programme manager approves days) -> closed with an outcome; or declined. R3 time
    entries that point here draw the approved days down.
    """

    cluster = models.ForeignKey(
        "clusters.Cluster", on_delete=models.PROTECT, related_name="support_requests"
    )
    kind = models.CharField("type of support", max_length=20, choices=SupportKind.choices)
    title = models.CharField("what is needed", max_length=200)
    reason = models.TextField("why it is needed")
    needed_by = models.DateField("needed by")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_requested"
    )
    requested_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=SupportStatus.choices, default=SupportStatus.REQUESTED
    )
    diagnosis = models.TextField(blank=True)
    proposed_days = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    diagnosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_diagnosed",
    )
    diagnosed_on = models.DateField(null=True, blank=True)
    approved_days = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    approval_reason = models.TextField(
        blank=True, help_text="Needed when approving more days than were proposed."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_approved",
    )
    approved_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_closed",
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-requested_on", "-pk"]
        indexes = [models.Index(fields=["cluster", "status"], name="support_cluster_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SupportStatus.values), name="support_status_known"
            ),
            models.CheckConstraint(
                condition=Q(proposed_days__isnull=True) | Q(proposed_days__gt=0),
                name="support_proposed_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(approved_days__isnull=True) | Q(approved_days__gt=0),
                name="support_approved_days_positive",
            ),
            # more days than proposed only with a reason
            models.CheckConstraint(
                condition=Q(approved_days__isnull=True)
                | Q(proposed_days__isnull=True)
                | Q(approved_days__lte=models.F("proposed_days"))
                | ~Q(approval_reason=""),
                name="support_extra_days_have_reason",
                violation_error_message="Say why more days are approved than were proposed.",
            ),
            models.CheckConstraint(
                condition=~Q(status=SupportStatus.APPROVED) | Q(approved_days__isnull=False),
                name="support_approved_has_days",
            ),
            models.CheckConstraint(
                condition=(Q(status=SupportStatus.CLOSED) & Q(closed_on__isnull=False))
                | (~Q(status=SupportStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="support_closed_on_only_when_closed",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"TS-{self.pk:03d}" if self.pk else "TS (new)"


# -- meetings and actions ---------------------------------------------------------------


class MeetingKind(models.TextChoices):
    DFE_WEEKLY = "dfe_weekly", "Weekly DfE check-in"
    PROGRAMME_BOARD = "programme_board", "Monthly programme board"
    STEERING_GROUP = "steering_group", "Cluster steering group"
    DCS = "dcs", "DCS meeting"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """A meeting with DfE or a cluster, with its notes, decisions and actions."""

    kind = models.CharField("type", max_length=20, choices=MeetingKind.choices)
    title = models.CharField(max_length=200, blank=True)
    cluster = models.ForeignKey(
        "clusters.Cluster",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="Leave empty for a programme-wide meeting.",
    )
    held_on = models.DateField("date")
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="meetings_attended"
    )
    other_attendees = models.TextField(
        blank=True, help_text="People without an account here, one a line (name, organisation)."
    )
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"], name="meeting_held_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.title or self.get_kind_display()} ({self.held_on:%-d %b %Y})"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Action(models.Model):
    """An action from a meeting: an owner, a due date and a status, optionally linked to a
    RAID item or a milestone. Open actions show on their owner's home page."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField("action")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_actions_owned",
        error_messages={"null": "Choose who owns this action."},
    )
    due_date = models.DateField(error_messages={"null": "Enter the date the action is due."})
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)
    raid_item = models.ForeignKey(
        "insights.RaidItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_actions",
        verbose_name="linked risk or issue",
    )
    milestone = models.ForeignKey(
        "programme.Milestone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_actions",
        verbose_name="linked milestone",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="action_owner_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_known"
            ),
            models.CheckConstraint(condition=~Q(description=""), name="action_has_description"),
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.DONE) & Q(done_on__isnull=False))
                | (~Q(status=ActionStatus.DONE) & Q(done_on__isnull=True)),
                name="action_done_on_only_when_done",
            ),
            models.CheckConstraint(
                condition=Q(raid_item__isnull=True) | Q(milestone__isnull=True),
                name="action_links_one_thing",
                violation_error_message="Link an action to a RAID item or a milestone, not both.",
            ),
        ]

    def __str__(self):
        return self.description


# -- reminders and the home page --------------------------------------------------------


class ReminderKind(models.TextChoices):
    LATE_RETURN = "late_return", "Monthly return late"
    NO_TIME = "no_time", "No time submitted last week"
    RAID_REVIEW = "raid_review", "RAID item past its review date"
    MILESTONE_FORECAST = "milestone_forecast", "Milestone past its forecast date"
    ACTION_DUE = "action_due", "Action past its due date"
    TRAINING_EXPIRING = "training_expiring", "Data-protection training expiring"
    DIGEST = "digest", "Weekly digest"


class Reminder(models.Model):
    """An e-mail the tracker sent, once per occasion: the unique key (kind, recipient,
    occasion) is what makes a task that runs twice send nothing twice."""

    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    # what the reminder is about and when, e.g. "return:E06000047:2026-10"
    occasion = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "sent_at"], name="reminder_recipient_sent")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "occasion"], name="one_reminder_per_occasion"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} ({self.occasion})"


class LastLook(models.Model):
    """When a user last looked at their home page, for "what changed since I last looked".

    ``previous`` is what the page compares with; it moves on only after a pause, so reloading
    the page keeps showing the same changes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="last_look"
    )
    previous = models.DateTimeField(null=True, blank=True)
    latest = models.DateTimeField()

    def __str__(self):
        return f"{self.user} last looked at {self.latest:%Y-%m-%d %H:%M}"
