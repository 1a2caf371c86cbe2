"""Every API error is JSON: a stable code, a message, and the field or row it concerns."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "unauthenticated",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That change conflicts with the current state."
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def _flatten(detail, field=None):
    """DRF's nested error detail as a list of {field, message} pairs."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = (
                None
                if key in ("non_field_errors", "__all__")
                else (f"{field}.{key}" if field else str(key))
            )
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                out.extend(_flatten(value, f"{field}[{index}]" if field else f"[{index}]"))
            else:
                out.extend(_flatten(value, field))
        return out
    return [{"field": field, "message": str(detail)}]


def error_body(status_code: int, errors: list[dict]) -> dict:
    first = errors[0] if errors else {"field": None, "message": "Error."}
    return {
        "error": {
            "code": CODES.get(status_code, "error"),
            "message": first["message"],
            "field": first.get("field"),
            "row": first.get("row"),
            "details": errors,
        }
    }


def handle(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found, or not yours to see.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    errors = getattr(exc, "api_errors", None) or _flatten(response.data)
    return Response(
        error_body(response.status_code, errors),
        status=response.status_code,
        headers={k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")},
    )
