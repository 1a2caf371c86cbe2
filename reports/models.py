"""Monthly progress and quarterly KPI reports: built in the background, frozen when issued."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    MONTHLY = "monthly", "Monthly progress report"
    QUARTERLY = "quarterly", "Quarterly KPI report"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    FAILED = "failed", "Failed"


# A report in one of these states is the one being worked on for its period.
LIVE_STATUSES = (Status.QUEUED, Status.BUILDING, Status.DRAFT)


class Report(models.Model):
    """One version of a report for one period. Its figures live in ``snapshot`` (plain
    JSON, charts included) so that every format renders the same numbers and an issued
    report never changes when the data behind it does."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField(help_text="First day of the month or quarter")
    version = models.PositiveSmallIntegerField(default=1)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The issued version this one corrects.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    summary = models.TextField("executive summary", blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    data_as_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # how many runs have claimed the build: the sweep queues a build whose worker was lost
    # again, and after MAX_ATTEMPTS fails it with a message instead
    attempts = models.PositiveSmallIntegerField(default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                condition=Q(status__in=["queued", "building", "draft"]),
                name="one_live_report_per_period",
                violation_error_message="A report for that period is already being prepared.",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "version"],
                condition=Q(status="issued"),
                name="one_issued_report_per_period_version",
                violation_error_message="That version of the report has already been issued.",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="report_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(period_start__day=1), name="report_period_first_day"
            ),
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (
                    Q(issued_at__isnull=False, data_as_at__isnull=False)
                    & ~Q(summary="")
                    & ~Q(checksum="")
                ),
                name="issued_report_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | Q(version__gt=1),
                name="correction_is_a_later_version",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.period_label} (version {self.version})"

    @property
    def period_label(self) -> str:
        if self.kind == Kind.QUARTERLY:
            from .periods import quarter_label

            return quarter_label(self.period_start)
        return f"{self.period_start:%B %Y}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class IssuedFile(models.Model):
    """An issued report's PDF or XLSX, rendered once and kept with its checksum: every
    download of the same view of the report is these bytes. Keyed by the checksum of the
    snapshot it was rendered from (a cluster lead's cut differs from the whole report)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    snapshot_checksum = models.CharField(max_length=64)
    fmt = models.CharField("format", max_length=10, choices=[("pdf", "PDF"), ("xlsx", "XLSX")])
    content = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "snapshot_checksum", "fmt"], name="one_file_per_report_view"
            )
        ]

    def __str__(self):
        return f"{self.report} ({self.fmt}, {self.sha256[:12]})"
