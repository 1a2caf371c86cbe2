"""What an API token may do: an LA token acts for its own LA only; a DfE token only reads."""

from rest_framework import permissions

from .models import ApiToken, TokenKind


class HasToken(permissions.BasePermission):
    message = "An API token is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class IsLaToken(HasToken):
    message = "This needs a token scoped to a local authority."

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view) and request.auth.kind == TokenKind.LOCAL_AUTHORITY
        )


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
