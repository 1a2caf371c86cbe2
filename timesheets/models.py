"""Time logged by delivery-partner staff, its approval against the caps, and invoices.

A time entry is stored once, in days (hours are days x the contract's hours per day). Its
cost is days x the day rate of the consultant's grade on the entry's date, fixed on the
entry when it is logged and again when it is approved, so later rate changes never alter
approved time. The rules live in ``services.py``; the database holds what a row alone can
say (check constraints) and a trigger refuses any change to invoiced time or an invoice.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Requirement(models.TextChoices):
    R1 = "R1", "R1: central and strategic oversight"
    R2 = "R2", "R2: coaching and change management"
    R3 = "R3", "R3: technical expertise"


class Activity(models.TextChoices):
    CLUSTER_MEETING = "cluster_meeting", "Cluster meeting"
    COACHING = "coaching", "Coaching"
    BID_SUPPORT = "bid_support", "Bid support"
    TECHNICAL = "technical", "Technical draw-down"
    LEARNING_EVENT = "learning_event", "Learning event"
    REPORTING = "reporting", "Reporting"
    TRAVEL = "travel", "Travel"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    INVOICED = "invoiced", "Invoiced"


# Approved and invoiced time is what counts against the caps.
SPENT = (Status.APPROVED, Status.INVOICED)


class Invoice(models.Model):
    """One month's invoice, in arrears. Issued once and never changed: its lines, totals
    and the cap position after it are frozen in ``snapshot``."""

    number = models.CharField(max_length=20, unique=True)
    month = models.DateField(unique=True, help_text="First day of the month invoiced")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    days = models.DecimalField(max_digits=10, decimal_places=6)
    total = models.DecimalField("total excluding VAT", max_digits=12, decimal_places=2)
    snapshot = models.JSONField(help_text="Lines, subtotals and cap position as issued")

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="invoice_month_first_day"),
        ]

    def __str__(self):
        return f"Invoice {self.number} ({self.month:%B %Y})"


class TimeEntry(models.Model):
    """Time one consultant spent on one date, for a cluster or programme-wide."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    date = models.DateField()
    cluster = models.ForeignKey(
        "clusters.Cluster",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        help_text="Leave empty for programme-wide work.",
    )
    requirement = models.CharField(max_length=2, choices=Requirement.choices)
    activity = models.CharField(max_length=30, choices=Activity.choices)
    days = models.DecimalField(max_digits=8, decimal_places=6)
    description = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    grade = models.ForeignKey(
        "programme.Grade", on_delete=models.PROTECT, related_name="+", null=True
    )
    day_rate = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    # An adjustment corrects invoiced time: negative or positive, with a reason.
    adjusts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    adjustment_reason = models.TextField(blank=True)
    # R3 time that draws down a cluster's technical-support request (engagement)
    support_request = models.ForeignKey(
        "engagement.SupportRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name="technical-support request",
    )
    rejection_reason = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # every save in any state (a draft's edits too), with old and new values and who made it
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-date", "consultant", "pk"]
        verbose_name_plural = "time entries"
        indexes = [
            models.Index(fields=["consultant", "date"], name="entry_consultant_date"),
            models.Index(fields=["status", "date"], name="entry_status_date"),
            models.Index(fields=["cluster", "date"], name="entry_cluster_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="entry_status_known"
            ),
            models.CheckConstraint(
                condition=Q(requirement__in=Requirement.values), name="entry_requirement_known"
            ),
            # Time is more than nothing and at most a day; only an adjustment may be negative.
            models.CheckConstraint(
                condition=Q(days__lte=1)
                & (Q(days__gt=0) | (Q(adjusts__isnull=False) & Q(days__gte=-1) & ~Q(days=0))),
                name="entry_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(adjusts__isnull=True) | ~Q(adjustment_reason=""),
                name="entry_adjustment_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=SPENT)
                | (
                    Q(cost__isnull=False)
                    & Q(day_rate__isnull=False)
                    & Q(approved_by__isnull=False)
                    & Q(approved_at__isnull=False)
                ),
                name="entry_approved_has_cost_and_approver",
            ),
            models.CheckConstraint(
                condition=(Q(status=Status.INVOICED) & Q(invoice__isnull=False))
                | (~Q(status=Status.INVOICED) & Q(invoice__isnull=True)),
                name="entry_invoiced_iff_on_invoice",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("consultant")),
                name="entry_never_approved_by_its_consultant",
            ),
        ]

    def __str__(self):
        where = self.cluster.name if self.cluster_id else "Programme-wide"
        return f"{self.consultant} – {self.date:%-d %b %Y} – {where} – {self.days_text}"

    @property
    def days_text(self) -> str:
        return f"{self.days.normalize():f} days" if self.days != 1 else "1 day"

    def hours(self, hours_per_day: Decimal) -> Decimal:
        return (self.days * hours_per_day).quantize(Decimal("0.01"))


class StatusChange(models.Model):
    """Every change of an entry's status, with who made it, when and why."""

    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["entry", "at"], name="status_change_entry_at")]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status}"
