"""Users of the tracker and their role.

A role is data on the user: programme manager, consultant (both delivery-partner
staff), cluster lead (LA staff bound to one cluster) or DfE reader.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    CONSULTANT = "consultant", "Consultant"
    CLUSTER_LEAD = "cluster_lead", "Cluster lead"
    DFE_READER = "dfe_reader", "DfE reader"


DELIVERY_PARTNER_ROLES = (Role.PROGRAMME_MANAGER, Role.CONSULTANT)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.PROGRAMME_MANAGER)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    cluster = models.ForeignKey(
        "clusters.Cluster",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text="The one cluster a cluster lead works for.",
    )
    grade = models.ForeignKey(
        "programme.Grade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="Framework grade of delivery-partner staff; sets their day rate.",
    )
    organisation = models.CharField(max_length=200, blank=True)
    bpss_date = models.DateField("BPSS vetting date", null=True, blank=True)
    data_protection_training_date = models.DateField(
        "data-protection training date", null=True, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()
    # who changed a person's role, cluster, dates or access, and from what (never the password)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            # A cluster lead belongs to exactly one cluster; nobody else is bound to one.
            models.CheckConstraint(
                condition=(Q(role=Role.CLUSTER_LEAD) & Q(cluster__isnull=False))
                | (~Q(role=Role.CLUSTER_LEAD) & Q(cluster__isnull=True)),
                name="user_cluster_only_for_cluster_leads",
                violation_error_message="A cluster lead works for one cluster; no one else "
                "has a cluster.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_delivery_partner(self) -> bool:
        return self.role in DELIVERY_PARTNER_ROLES

    def data_access_problems(self, today: datetime.date | None = None) -> list[str]:
        """Why this user may not see Departmental Data (spec §26-27); empty when they may."""
        if not self.is_delivery_partner:
            return []
        today = today or timezone.localdate()
        problems = []
        if self.bpss_date is None:
            problems.append("Your BPSS vetting date has not been recorded.")
        if self.data_protection_training_date is None:
            problems.append("Your data-protection training date has not been recorded.")
        else:
            valid_days = settings.DATA_PROTECTION_TRAINING_VALID_DAYS
            expired_on = self.data_protection_training_date + datetime.timedelta(days=valid_days)
            if expired_on < today:
                problems.append(
                    "Your data-protection training expired on "
                    f"{expired_on:%-d %B %Y}: it must be renewed every 12 months."
                )
        return problems


class AuthEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    FAILED = "failed", "Wrong e-mail or password"
    LOCKED_OUT = "locked_out", "Account locked after failed attempts"
    ADDRESS_LIMITED = "address_limited", "Refused: too many failures from the address"
    SIGNED_OUT = "signed_out", "Signed out"
    TIMED_OUT = "timed_out", "Signed out: no activity"
    EXPIRED = "expired", "Signed out: session reached its limit"
    SECOND_FACTOR_ENROLLED = "2fa_enrolled", "Authenticator app set up"
    SECOND_FACTOR_VERIFIED = "2fa_verified", "Second factor given"
    RECOVERY_CODE_USED = "2fa_recovery", "Recovery code used"
    SECOND_FACTOR_FAILED = "2fa_failed", "Wrong second-factor code"
    SECOND_FACTOR_RESET = "2fa_reset", "Second factor reset by a programme manager"


class AuthEvent(models.Model):
    """One sign-in, failed attempt or sign-out: the audit log of who came in, from where.
    Written by accounts.signals; never changed. A failed attempt keeps the e-mail address
    as typed (folded), never the password."""

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=AuthEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.CharField("e-mail address given", max_length=254, blank=True)
    address = models.CharField("from address", max_length=45, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.email}"
