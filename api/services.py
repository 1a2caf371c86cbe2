"""Issuing, checking and revoking API tokens, and logging their use."""

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, ApiTokenUse, TokenKind

TOKEN_PREFIX = "frt"  # fostering recruitment tracker
MAX_DAYS = 366


def _hash(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough to store them.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *, name: str, kind: str, local_authority=None, days: int, by
) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain text, which is never shown again."""
    if kind == TokenKind.LOCAL_AUTHORITY and local_authority is None:
        raise ValidationError({"local_authority": "Choose the LA this token may act for."})
    if kind == TokenKind.DFE and local_authority is not None:
        raise ValidationError(
            {"local_authority": "A DfE token is not tied to an LA: leave it empty."}
        )
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A token lasts from 1 to {MAX_DAYS} days."})
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    account = _service_account(name=name, kind=kind, local_authority=local_authority, prefix=prefix)
    token = ApiToken(
        account=account,
        name=name,
        kind=kind,
        local_authority=local_authority,
        prefix=prefix,
        key_hash=_hash(secret),
        created_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    token.created_at = timezone.now()
    token.full_clean(exclude=["created_at"])
    token.save()
    return token, secret


def _service_account(*, name: str, kind: str, local_authority, prefix: str):
    """A user that cannot sign in, through which the token's calls reach the same services
    (and the same permission checks) as a person's: an LA token acts as a lead of the LA's
    cluster, narrowed to its one LA by the API; a DfE token as a DfE reader."""
    from accounts.models import Role, User
    from clusters.models import ClusterMembership

    cluster = None
    if kind == TokenKind.LOCAL_AUTHORITY:
        membership = ClusterMembership.objects.filter(
            local_authority=local_authority, left_on__isnull=True
        ).first()
        if membership is None:
            raise ValidationError(
                {
                    "local_authority": f"{local_authority} is not in a cluster, so it has no returns to send."
                }
            )
        cluster = membership.cluster
    account = User(
        email=f"api+{prefix}@tokens.invalid",
        first_name="API",
        last_name=name[:150],
        role=Role.CLUSTER_LEAD if cluster else Role.DFE_READER,
        cluster=cluster,
        organisation=str(local_authority or "Department for Education"),
    )
    account.set_unusable_password()
    account.save()
    return account


def revoke_token(*, token: ApiToken, by) -> ApiToken:
    if token.revoked_at:
        raise ValidationError("This token was already revoked.")
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token


class TokenProblem(Exception):
    """Why a presented token is refused; ``token`` is set when it was recognised (revoked or
    expired), so that its use log shows the refused calls too."""

    def __init__(self, message: str, prefix: str = "", token: ApiToken | None = None):
        super().__init__(message)
        self.prefix = prefix
        self.token = token


def check_token(presented: str) -> ApiToken:
    """The live token for a presented secret, or TokenProblem saying why not."""
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
        raise TokenProblem("The token is not in the expected form.")
    prefix = parts[1]
    token = (
        ApiToken.objects.select_related("local_authority", "account").filter(prefix=prefix).first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(presented)):
        raise TokenProblem("The token is not recognised.", prefix)
    if token.revoked_at:
        raise TokenProblem("The token has been revoked.", prefix, token)
    if token.expires_at <= timezone.now():
        raise TokenProblem("The token has expired.", prefix, token)
    return token


def record_use(
    *, token: ApiToken | None, prefix: str, method: str, path: str, status: int, outcome: str
):
    """Log one call: which token (or the prefix of an unrecognised one), when, the endpoint
    and how it ended."""
    ApiTokenUse.objects.create(
        token=token,
        prefix=prefix or (token.prefix if token else ""),
        method=method,
        path=path[:300],
        status=status,
        outcome=outcome[:60],
    )
    if token is not None and status != 401:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
