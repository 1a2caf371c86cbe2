"""Risks, issues, assumptions and dependencies (the RAID log), the shared-learning log and
the learning programme.

Rules that span rows (no closing with open actions, one escalation, who may publish) live
in ``insights.services``; the single-row invariants are also check constraints here, so
nothing that bypasses the services can break them.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clusters.models import Stage as ClusterStage
from programme.models import Strand

# -- RAID log --------------------------------------------------------------------------


class Kind(models.TextChoices):
    RISK = "risk", "Risk"
    ISSUE = "issue", "Issue"
    ASSUMPTION = "assumption", "Assumption"
    DEPENDENCY = "dependency", "Dependency"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigating"
    CLOSED = "closed", "Closed"


LIVE_STATUSES = (Status.OPEN, Status.MITIGATING)


class Response(models.TextChoices):
    AVOID = "avoid", "Avoid"
    REDUCE = "reduce", "Reduce"
    TRANSFER = "transfer", "Transfer"
    ACCEPT = "accept", "Accept"


class Proximity(models.TextChoices):
    """When the risk would strike (or the issue bites) if nothing is done."""

    IMMINENT = "imminent", "Imminent (within a month)"
    QUARTER = "quarter", "Within 3 months"
    HALF_YEAR = "half_year", "Within 6 months"
    LATER = "later", "More than 6 months away"


LIKELIHOOD = [
    (1, "1: Rare"),
    (2, "2: Unlikely"),
    (3, "3: Possible"),
    (4, "4: Likely"),
    (5, "5: Almost certain"),
]
IMPACT = [
    (1, "1: Negligible"),
    (2, "2: Minor"),
    (3, "3: Moderate"),
    (4, "4: Major"),
    (5, "5: Severe"),
]
LIKELIHOOD_MESSAGE = "Likelihood must be a whole number from 1 (rare) to 5 (almost certain)."
IMPACT_MESSAGE = "Impact must be a whole number from 1 (negligible) to 5 (severe)."

# Score bands of the 5x5 matrix (likelihood x impact).
HIGH_FROM, MEDIUM_FROM = 15, 8


def score_band(score: int | None) -> str:
    if not score:
        return ""
    if score >= HIGH_FROM:
        return "High"
    if score >= MEDIUM_FROM:
        return "Medium"
    return "Low"


class RaidItem(models.Model):
    """One risk, issue, assumption or dependency, programme-wide or for one cluster.

    A risk that happens becomes an issue on the same row (``became_issue_on``), so its
    history and the meeting actions that point at it stay with it.
    """

    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.RISK)
    cluster = models.ForeignKey(
        "clusters.Cluster",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raid_items",
        help_text="Leave empty for a programme-wide item.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True,
        help_text="What it is. For an issue: what has happened.",
    )
    cause = models.TextField(blank=True, help_text="For a risk: because of …")
    event = models.TextField(blank=True, help_text="For a risk: … this may happen …")
    effect = models.TextField(blank=True, help_text="For a risk: … which would lead to …")
    strand = models.CharField(max_length=1, choices=Strand.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raid_items_owned"
    )
    likelihood = models.PositiveSmallIntegerField(
        choices=LIKELIHOOD,
        validators=[
            MinValueValidator(1, LIKELIHOOD_MESSAGE),
            MaxValueValidator(5, LIKELIHOOD_MESSAGE),
        ],
        error_messages={"invalid_choice": LIKELIHOOD_MESSAGE},
    )
    impact = models.PositiveSmallIntegerField(
        choices=IMPACT,
        validators=[MinValueValidator(1, IMPACT_MESSAGE), MaxValueValidator(5, IMPACT_MESSAGE)],
        error_messages={"invalid_choice": IMPACT_MESSAGE},
    )
    # likelihood x impact, kept by save() and held to it by a constraint, so that lists
    # sort and filter on it in the database
    score = models.PositiveSmallIntegerField(editable=False)
    proximity = models.CharField(max_length=20, choices=Proximity.choices, blank=True)
    response = models.CharField(max_length=20, choices=Response.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    raised_on = models.DateField()
    review_date = models.DateField(help_text="When the owner next reviews it.")
    became_issue_on = models.DateField("became an issue on", null=True, blank=True)
    escalated_on = models.DateField("escalated to DfE on", null=True, blank=True)
    escalation_reason = models.TextField("why it is escalated", blank=True)
    dfe_decision = models.TextField("DfE's decision", blank=True)
    dfe_decision_on = models.DateField("DfE decided on", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_note = models.TextField("why it was closed", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # reasons (why reopened, what changed in themes) can be longer than 100 characters
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-score", "review_date", "pk"]
        verbose_name = "RAID item"
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1) & Q(likelihood__lte=5),
                name="raid_likelihood_1_to_5",
                violation_error_message=LIKELIHOOD_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1) & Q(impact__lte=5),
                name="raid_impact_1_to_5",
                violation_error_message=IMPACT_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(score=models.F("likelihood") * models.F("impact")),
                name="raid_score_is_likelihood_times_impact",
            ),
            models.CheckConstraint(
                condition=Q(escalated_on__isnull=True) | ~Q(escalation_reason=""),
                name="raid_escalation_has_a_reason",
                violation_error_message="Say why the item is escalated to DfE.",
            ),
            models.CheckConstraint(
                condition=Q(dfe_decision="") | Q(escalated_on__isnull=False),
                name="raid_decision_only_when_escalated",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.CLOSED, closed_on__isnull=False)
                | (~Q(status=Status.CLOSED) & Q(closed_on__isnull=True)),
                name="raid_closed_on_only_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(became_issue_on__isnull=True) | Q(kind=Kind.ISSUE),
                name="raid_became_issue_only_for_issues",
            ),
        ]
        indexes = [
            models.Index(fields=["cluster", "status"], name="raid_cluster_status"),
            models.Index(fields=["status", "review_date"], name="raid_status_review"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def save(self, *args, **kwargs):
        if isinstance(self.likelihood, int) and isinstance(self.impact, int):
            self.score = self.likelihood * self.impact
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("insights:raid_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """A short name that survives a risk becoming an issue (the key never changes)."""
        return f"RAID-{self.pk:03d}" if self.pk else "RAID (new)"

    @property
    def band(self) -> str:
        return score_band(self.score)

    @property
    def rating_label(self) -> str:
        """The score as the monthly report shows it."""
        return f"{self.score} ({self.band.lower()}): likelihood {self.likelihood} x impact {self.impact}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if isinstance(self.likelihood, int) and isinstance(self.impact, int):
            self.score = self.likelihood * self.impact
        if self.kind == Kind.RISK:
            for name, what in (
                ("cause", "what causes the risk"),
                ("event", "what may happen"),
                ("effect", "what the effect would be"),
            ):
                if not getattr(self, name).strip():
                    errors[name] = f"Describe {what}: a risk is stated as cause, event and effect."
            if not self.response:
                errors["response"] = (
                    "Choose the response to the risk: avoid, reduce, transfer or accept."
                )
        elif not self.description.strip():
            errors["description"] = f"Describe the {self.get_kind_display().lower()}."
        if self.escalated_on and not self.escalation_reason.strip():
            errors["escalation_reason"] = "Say why the item is escalated to DfE."
        if errors:
            raise ValidationError(errors)


class MitigationAction(models.Model):
    """Something someone will do about a RAID item, by a date."""

    item = models.ForeignKey(RaidItem, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField("action")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="raid_actions_owned",
        error_messages={
            "null": "Choose who owns this action.",
            "blank": "Choose who owns this action.",
        },
    )
    due_date = models.DateField(
        error_messages={
            "null": "Enter the date the action is due.",
            "blank": "Enter the date the action is due.",
        }
    )
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["done_on", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""), name="raid_action_has_a_description"
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def is_open(self) -> bool:
        return self.done_on is None


# -- shared learning -------------------------------------------------------------------


class LessonKind(models.TextChoices):
    LESSON = "lesson", "Lesson learned"
    BEST_PRACTICE = "best_practice", "Best practice"
    CROSS_CUTTING = "cross_cutting", "Cross-cutting issue"


class Theme(models.TextChoices):
    HUB_DESIGN = "hub_design", "Recruitment hub design"
    ENQUIRY_HANDLING = "enquiry_handling", "Enquiry handling"
    DATA = "data_reporting", "Data and reporting"
    COMMUNICATIONS = "communications", "Communications"
    STANDARD_OFFER = "standard_offer", "Standard offer"
    MOCKINGBIRD = "mockingbird", "Mockingbird"
    GOVERNANCE = "governance", "Governance and partnership"
    WORKFORCE = "workforce", "Workforce"


class LessonStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Lesson(models.Model):
    """An entry of the shared-learning log. Published entries are read by every cluster
    and by DfE; drafts only by their author and the delivery partner."""

    kind = models.CharField("type", max_length=20, choices=LessonKind.choices)
    title = models.CharField(max_length=200)
    what_happened = models.TextField()
    what_learned = models.TextField("what was learned")
    recommendation = models.TextField()
    stage = models.CharField(
        "programme stage it applies to",
        max_length=30,
        choices=ClusterStage.choices,
        blank=True,
        help_text="Leave empty if it applies at every stage.",
    )
    evidence_links = models.TextField(
        blank=True, help_text="One web address (https://…) a line: reports, templates, data."
    )
    source_clusters = models.ManyToManyField(
        "clusters.Cluster", blank=True, related_name="lessons", verbose_name="source clusters"
    )
    raid_item = models.ForeignKey(
        RaidItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name="linked risk or issue",
    )
    event = models.ForeignKey(
        "LearningEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name="shared at",
    )
    status = models.CharField(
        max_length=20, choices=LessonStatus.choices, default=LessonStatus.DRAFT
    )
    published_on = models.DateField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons_written"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # reasons (why reopened, what changed in themes) can be longer than 100 characters
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = [models.F("published_on").desc(nulls_first=True), "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=LessonStatus.PUBLISHED, published_on__isnull=False)
                | Q(status=LessonStatus.DRAFT, published_on__isnull=True),
                name="lesson_published_on_only_when_published",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("insights:lesson_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == LessonStatus.PUBLISHED

    def evidence_list(self) -> list[str]:
        """The evidence links that are web addresses (never ``javascript:`` and the like,
        whatever was stored)."""
        lines = [line.strip() for line in self.evidence_links.splitlines()]
        return [line for line in lines if line.lower().startswith(("https://", "http://"))]


class LessonTheme(models.Model):
    """One theme of a lesson (a lesson has several)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(max_length=30, choices=Theme.choices)

    class Meta:
        ordering = ["theme"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "theme"], name="one_row_per_lesson_theme"),
        ]

    def __str__(self):
        return self.get_theme_display()


class Adoption(models.Model):
    """A cluster's record that it has adopted a published practice."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="adoptions")
    cluster = models.ForeignKey(
        "clusters.Cluster", on_delete=models.CASCADE, related_name="adoptions"
    )
    adopted_on = models.DateField()
    note = models.TextField("how it was adopted", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["adopted_on", "cluster__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "cluster"],
                name="one_adoption_per_lesson_cluster",
                violation_error_message="This cluster has already recorded adopting it.",
            ),
        ]

    def __str__(self):
        return f"{self.cluster} adopted “{self.lesson}”"


# -- learning programme ----------------------------------------------------------------


class EventKind(models.TextChoices):
    LEARNING_EVENT = "learning_event", "All-project learning event"
    MASTERCLASS = "masterclass", "Masterclass"
    LIVE_LESSON = "live_lesson", "Live lesson to DfE"


class LearningEvent(models.Model):
    """An event of the formal learning programme (spec §14)."""

    kind = models.CharField("type", max_length=20, choices=EventKind.choices)
    topic = models.CharField(max_length=200)
    held_on = models.DateField("date")
    facilitator = models.CharField(max_length=150)
    summary = models.TextField(blank=True)
    # the LAs recorded as attending, by name: the event's history names who was added or
    # removed (the attendances are rows of their own)
    attended = models.TextField("LAs attending", blank=True)
    # reasons (why reopened, what changed in themes) can be longer than 100 characters
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-held_on", "topic"]

    def __str__(self):
        return f"{self.topic} ({self.held_on:%-d %b %Y})"

    def get_absolute_url(self):
        return reverse("insights:event_detail", args=[self.pk])


class Attendance(models.Model):
    """An LA's attendance at a learning event."""

    event = models.ForeignKey(LearningEvent, on_delete=models.CASCADE, related_name="attendances")
    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.PROTECT, related_name="event_attendances"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["local_authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "local_authority"], name="one_attendance_per_event_la"
            ),
        ]

    def __str__(self):
        return f"{self.local_authority} at {self.event}"
