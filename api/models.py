"""API tokens: scoped to one LA (write its returns and imports, read its funnel) or
read-only for DfE. A token is shown once; only its hash is stored."""

from django.db import models
from django.db.models import Q


class TokenKind(models.TextChoices):
    LOCAL_AUTHORITY = "la", "Local authority (one LA)"
    DFE = "dfe", "DfE read-only"


class ApiToken(models.Model):
    name = models.CharField(
        max_length=150, help_text="What uses it, e.g. Gateshead Mosaic export job"
    )
    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    local_authority = models.ForeignKey(
        "clusters.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    account = models.OneToOneField(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="api_token",
        help_text="The service account the token acts as, so every change records who made it",
    )
    prefix = models.CharField(
        max_length=12, unique=True, help_text="Shown so a token can be recognised"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="la") & Q(local_authority__isnull=False))
                | (Q(kind="dfe") & Q(local_authority__isnull=True)),
                name="api_token_scope_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_authenticated(self) -> bool:  # lets DRF treat the token as request.user
        return True


class ApiTokenUse(models.Model):
    """Every call made with a token (or with a bad one): who, when, what, how it ended."""

    token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.CASCADE, related_name="uses"
    )
    prefix = models.CharField(max_length=12, blank=True, help_text="As presented, for bad tokens")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=60)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["token", "-at"])]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"
