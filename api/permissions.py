"""What an API token may do: an LA token acts for its own LA only (its returns, its imports,
its funnel); a DfE token reads issued reports and every funnel, and changes nothing.

These are the token's scope. Behind them the token's service account meets the same
rules as a person would in the domain services (pipeline.scope, reports.selectors)."""

from rest_framework import exceptions, permissions

from .models import ApiToken, TokenKind


class HasToken(permissions.BasePermission):
    message = "An API token is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class IsLaToken(HasToken):
    message = "This needs a token scoped to a local authority; a DfE token is read-only."

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view) and request.auth.kind == TokenKind.LOCAL_AUTHORITY
        )


class IsDfeToken(HasToken):
    message = "Issued reports are read with a DfE token; an LA token cannot read them."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.auth.kind == TokenKind.DFE


class ReadOnlyForDfe(HasToken):
    """DfE tokens may read (GET) and nothing else."""

    message = "A DfE token is read-only."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.auth.kind == TokenKind.DFE:
            return request.method in permissions.SAFE_METHODS
        return True


def may_act_for(token: ApiToken, local_authority) -> bool:
    """An LA token acts only for its own LA; a DfE token reads every LA."""
    if token.kind == TokenKind.DFE:
        return True
    return token.local_authority_id == local_authority.pk


def require_acts_for(token: ApiToken, local_authority, *, field: str | None = None) -> None:
    """403 naming the field when the token asks for an LA outside its scope."""
    if not may_act_for(token, local_authority):
        error = exceptions.PermissionDenied(
            f"This token acts for {token.local_authority} only, not {local_authority}."
        )
        error.api_errors = [{"field": field, "row": None, "message": str(error.detail)}]
        raise error
