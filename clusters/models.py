"""Regions, local authorities and the clusters they form."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """One of the 9 English regions (ONS E12 code)."""

    code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class LocalAuthority(models.Model):
    """An upper-tier local authority with children's services responsibility."""

    name = models.CharField(max_length=150, unique=True)
    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    dfe_code = models.CharField("DfE code", max_length=3, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="authorities")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(dfe_code__regex=r"^[0-9]{3}$"), name="la_dfe_code_three_digits"
            ),
        ]

    def __str__(self):
        return self.name


class Wave(models.TextChoices):
    PATHFINDER = "pathfinder", "Pathfinder"
    WAVE_2 = "wave_2", "Wave 2"


class Stage(models.TextChoices):
    EOI = "eoi", "Expression of interest"
    BID_IN_PREPARATION = "bid_in_preparation", "Bid in preparation"
    BID_SUBMITTED = "bid_submitted", "Bid submitted"
    FUNDED = "funded", "Funded"
    HUB_BEING_SET_UP = "hub_being_set_up", "Hub being set up"
    HUB_OPERATIONAL = "hub_operational", "Hub operational"
    HUB_LIVE = "hub_live", "Hub live"


STAGE_ORDER = [choice.value for choice in Stage]


class Cluster(models.Model):
    """A self-selected group of LAs running one regional recruitment support hub."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    wave = models.CharField(max_length=20, choices=Wave.choices)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.EOI)
    lead_la = models.ForeignKey(
        LocalAuthority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_clusters",
        verbose_name="lead LA",
    )
    grant_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="£, from DfE"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grant_amount__isnull=True) | Q(grant_amount__gte=0),
                name="cluster_grant_not_negative",
            ),
        ]

    def __str__(self):
        return self.name


class ClusterMembership(models.Model):
    """An LA's membership of a cluster over a date range (open-ended while it lasts)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["local_authority__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
            # At most one open membership per LA; overlapping closed ranges are
            # refused by clusters.services.add_member under a row lock.
            models.UniqueConstraint(
                fields=["local_authority"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_la",
            ),
        ]

    def __str__(self):
        return f"{self.local_authority} in {self.cluster}"


class StageChange(models.Model):
    """The date a cluster reached a stage, with who recorded it."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=30, choices=Stage.choices)
    reached_on = models.DateField()
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reached_on", "pk"]

    def __str__(self):
        return f"{self.cluster}: {self.get_stage_display()} on {self.reached_on}"


class ContactRole(models.TextChoices):
    CLUSTER_LEAD = "cluster_lead", "Cluster lead"
    DCS_SPONSOR = "dcs_sponsor", "DCS sponsor"
    HUB_MANAGER = "hub_manager", "Hub manager"


class ClusterContact(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=20, choices=ContactRole.choices)
    name = models.CharField(max_length=150)
    organisation = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class Hub(models.Model):
    """A cluster's regional recruitment support hub."""

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="hub")
    name = models.CharField(max_length=150)
    website = models.URLField(blank=True)
    phone = models.CharField("phone line", max_length=40, blank=True)
    operational_date = models.DateField(null=True, blank=True)
    go_live_date = models.DateField("go-live date", null=True, blank=True)
    staffing = models.TextField(blank=True, help_text="Roles and full-time equivalents")
    staff_fte = models.DecimalField(
        "staff (FTE)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "Staff (FTE) cannot be negative: enter 0 or more.")],
    )
    approvals_target = models.PositiveIntegerField(
        "approvals target a year",
        null=True,
        blank=True,
        validators=[MaxValueValidator(5000, "Approvals target must be 5,000 or fewer a year.")],
        help_text="Foster households to be approved each financial year across the "
        "cluster's LAs, as agreed with DfE. The projections compare the year's with it.",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(go_live_date__isnull=True)
                | Q(operational_date__isnull=True)
                | Q(go_live_date__gte=models.F("operational_date")),
                name="hub_go_live_not_before_operational",
                violation_error_message="The go-live date cannot be before the operational date.",
            ),
            models.CheckConstraint(
                condition=Q(staff_fte__isnull=True) | Q(staff_fte__gte=0),
                name="hub_fte_positive",
                violation_error_message="Staff (FTE) cannot be negative: enter 0 or more.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.go_live_date
            and self.operational_date
            and self.go_live_date < self.operational_date
        ):
            raise ValidationError(
                {"go_live_date": "The go-live date cannot be before the operational date."}
            )


class HarmonisationItem(models.TextChoices):
    STANDARD_OFFER = "standard_offer", "Standard offer (fees and allowances formula)"
    TERMS = "terms", "Standard terms and conditions"
    ENQUIRY_SCRIPT = "enquiry_script", "Standard enquiry script"
    DATA_SHARING = "data_sharing", "Data-sharing agreement"
    BRANDING = "branding", "Regional campaign branding"
    MOCKINGBIRD = "mockingbird", "Mockingbird constellation"


class HarmonisationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    AGREED = "agreed", "Agreed"
    IN_PLACE = "in_place", "In place"


class Harmonisation(models.Model):
    """One cell of a cluster's harmonisation matrix: an LA's status on one item."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="harmonisation")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="harmonisation"
    )
    item = models.CharField(max_length=20, choices=HarmonisationItem.choices)
    status = models.CharField(
        max_length=20, choices=HarmonisationStatus.choices, default=HarmonisationStatus.NOT_STARTED
    )
    changed_on = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["local_authority__name", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "local_authority", "item"], name="one_status_per_la_item"
            ),
        ]

    def __str__(self):
        return f"{self.local_authority}: {self.get_item_display()} {self.get_status_display()}"


class ConstellationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RECRUITING = "recruiting", "Recruiting"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"


MOCKINGBIRD_SATELLITES = (6, 10)


class Constellation(models.Model):
    """A Mockingbird constellation: a hub home carer supporting satellite fostering families."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="constellations"
    )
    name = models.CharField(max_length=150)
    hub_home = models.CharField(
        max_length=150, help_text="The hub home carer's reference (no names)"
    )
    satellite_families = models.PositiveSmallIntegerField()
    launch_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ConstellationStatus.choices, default=ConstellationStatus.PLANNED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["local_authority__name", "name"]

    def __str__(self):
        return self.name

    @property
    def size_warning(self) -> str:
        low, high = MOCKINGBIRD_SATELLITES
        if not low <= self.satellite_families <= high:
            return f"The Mockingbird model expects {low} to {high} satellite families."
        return ""


class Rating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/Green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/Red"
    RED = "red", "Red"


RATING_ORDER = [r.value for r in Rating]  # best first


class ProgressUpdate(models.Model):
    """A cluster's monthly progress update with its delivery confidence."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="updates")
    month = models.DateField(help_text="First day of the month")
    rating = models.CharField("delivery confidence", max_length=20, choices=Rating.choices)
    what_changed = models.TextField(
        "what changed since last month", blank=True, help_text="Required when the rating changes"
    )
    progress = models.TextField("progress of design and delivery")
    next_steps = models.TextField(blank=True)
    support_asked = models.TextField("support asked of DfE", blank=True)
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "month"],
                name="one_update_per_cluster_month",
                violation_error_message="This cluster already has an update for that month.",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="update_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.cluster} {self.month:%B %Y}: {self.get_rating_display()}"
