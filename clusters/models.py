"""Regions, local authorities and the clusters they form."""

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
