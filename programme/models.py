"""The contract with DfE: period, caps by financial year, and the framework rate card."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


def financial_year_of(day: datetime.date) -> int:
    """The starting calendar year of the UK financial year (1 April - 31 March) holding ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


class Contract(models.Model):
    """The delivery-partner call-off contract. Variations are kept in its history."""

    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=60, unique=True)
    start_date = models.DateField()
    end_date = models.DateField()
    total_cap = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="£ excluding VAT, whole contract"
    )
    hours_per_day = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("7.5"))
    planning_days_per_cluster_month = models.DecimalField(
        "planning figure (days per cluster per month)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("4"),
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="contract_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(total_cap__gt=0), name="contract_cap_positive"),
            models.CheckConstraint(
                condition=Q(hours_per_day__gt=0) & Q(hours_per_day__lte=24),
                name="contract_hours_per_day_sane",
            ),
        ]

    def __str__(self):
        return self.name


class FinancialYearCap(models.Model):
    """A hard limit on approved cost within one financial year."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="caps")
    start_year = models.PositiveSmallIntegerField(help_text="2023 for the year 2023-24")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "start_year"], name="one_cap_per_fy"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fy_cap_positive"),
        ]

    def __str__(self):
        return f"FY {self.label}: £{self.amount:,.0f}"

    @property
    def label(self) -> str:
        return financial_year_label(self.start_year)


class Grade(models.Model):
    """A grade on the framework rate card."""

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class DayRate(models.Model):
    """A grade's day rate from a date on. Rates are added, never overwritten."""

    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="rates")
    valid_from = models.DateField()
    rate = models.DecimalField(max_digits=8, decimal_places=2, help_text="£ per day, excl. VAT")
    history = HistoricalRecords()

    class Meta:
        ordering = ["grade", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "valid_from"], name="one_rate_per_grade_date"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="day_rate_positive"),
        ]

    def __str__(self):
        return f"{self.grade}: £{self.rate} from {self.valid_from}"


class Strand(models.TextChoices):
    HUB = "A", "A: recruitment support hub"
    COMMS = "B", "B: communications campaign"
    RETENTION = "C", "C: retention (Mockingbird)"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    COMPLETE = "complete", "Complete"
    MISSED = "missed", "Missed"


class Milestone(models.Model):
    """A dated milestone, programme-wide (no cluster) or for one cluster."""

    cluster = models.ForeignKey(
        "clusters.Cluster",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestones",
        help_text="Leave empty for a programme-wide milestone.",
    )
    title = models.CharField(max_length=200)
    outputs = models.TextField(blank=True)
    strand = models.CharField(max_length=1, choices=Strand.choices, blank=True)
    owner = models.CharField(max_length=150, blank=True)
    baseline_date = models.DateField()
    forecast_date = models.DateField()
    actual_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    rebaseline_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["forecast_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(actual_date__isnull=False),
                name="milestone_complete_has_actual_date",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.actual_date and self.actual_date > timezone.localdate():
            raise ValidationError({"actual_date": "The actual date cannot be in the future."})
        if self.status == MilestoneStatus.COMPLETE and not self.actual_date:
            raise ValidationError({"actual_date": "Enter the date the milestone was met."})


class ContractVariation(models.Model):
    """A recorded change to the contract's terms; the contract's history keeps the old terms."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="variations")
    number = models.PositiveSmallIntegerField()
    agreed_on = models.DateField()
    reason = models.TextField()
    previous_end_date = models.DateField()
    new_end_date = models.DateField()
    previous_total_cap = models.DecimalField(max_digits=12, decimal_places=2)
    new_total_cap = models.DecimalField(max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="variation_number_unique"),
        ]

    def __str__(self):
        return f"Variation {self.number}"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Kpi(models.Model):
    """A named measure with a target, a unit and a period (quarterly by default)."""

    name = models.CharField(max_length=150, unique=True)
    definition = models.TextField()
    unit = models.CharField(max_length=40, help_text="For example: %, days, count")
    target = models.DecimalField(max_digits=12, decimal_places=2)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    allows_negative = models.BooleanField(
        "values may be negative",
        default=False,
        help_text="For a change or a balance; counts, rates and days are never negative.",
    )
    period = models.CharField(max_length=20, default="quarterly", editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "KPI"

    def __str__(self):
        return self.name

    def meets_target(self, value: Decimal) -> bool:
        return value >= self.target if self.direction == Direction.HIGHER else value <= self.target


class KpiValue(models.Model):
    """A KPI's value for one quarter, programme-wide (no cluster) or for one cluster."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    quarter_start = models.DateField(
        help_text="First day of the quarter (1 Apr, 1 Jul, 1 Oct, 1 Jan)"
    )
    cluster = models.ForeignKey(
        "clusters.Cluster",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kpi_values",
    )
    value = models.DecimalField(max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "quarter_start", "cluster"],
                name="one_kpi_value_per_quarter_cluster",
                violation_error_message="That KPI already has a value for this quarter and cluster.",
            ),
            models.UniqueConstraint(
                fields=["kpi", "quarter_start"],
                condition=Q(cluster__isnull=True),
                name="one_programme_kpi_value_per_quarter",
                violation_error_message="That KPI already has a programme-wide value for this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(quarter_start__day=1) & Q(quarter_start__month__in=[1, 4, 7, 10]),
                name="kpi_value_on_quarter_start",
            ),
        ]

    def __str__(self):
        return f"{self.kpi} {self.quarter_start}: {self.value}"
