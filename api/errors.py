"""Every API error is JSON: a stable code, a message, and the field or row it concerns."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
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
    status.HTTP_500_INTERNAL_SERVER_ERROR: "server_error",
}
# A body that is not JSON at all is told apart from JSON that breaks the rules.
MALFORMED = "malformed"

# Codes a service gives its ValidationError to say what kind of refusal it is.
CONFLICT_CODES = {"conflict", "confirm", "unique", "unique_together"}
TOO_LARGE_CODES = {"too_large"}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That change conflicts with the current state."
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


class Refused(exceptions.APIException):
    """A service's refusal, carried with its status and its errors already named."""

    def __init__(self, status_code: int, errors: list[dict]):
        self.status_code = status_code
        self.api_errors = errors
        super().__init__(errors[0]["message"] if errors else None)


def refusal(
    error: DjangoValidationError,
    *,
    field_name: Callable[[str], str | None] | None = None,
    extra: list[dict] | None = None,
) -> Refused:
    """A service's ValidationError as the API's error, with the message the web form shows.

    409 when the service calls it a conflict (a state change that no longer applies, a
    second return for a month), 413 when the service says too large, otherwise 400.
    ``field_name`` turns the service's field names into the request's.
    """
    found = []
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            for item in errors:
                found += [(key, message, item.code) for message in item.messages]
    else:
        for item in error.error_list:
            found += [(None, message, item.code) for message in item.messages]
    codes = {code for _, _, code in found}
    status_code = (
        status.HTTP_409_CONFLICT
        if codes & CONFLICT_CODES
        else status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        if codes & TOO_LARGE_CODES
        else status.HTTP_400_BAD_REQUEST
    )

    def name(key):
        if key in (None, "__all__", "non_field_errors"):
            return None
        return field_name(key) if field_name else key

    errors = [{"field": name(key), "row": None, "message": message} for key, message, _ in found]
    return Refused(status_code, errors + list(extra or []))


def _flatten(detail, field=None):
    """DRF's nested error detail as a list of {field, row, message}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                name = field
            elif isinstance(key, int):  # a list's items, keyed by position
                name = f"{field or ''}[{key}]"
            else:
                name = f"{field}.{key}" if field else str(key)
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
    return [{"field": field, "row": None, "message": str(detail)}]


def error_body(status_code: int, errors: list[dict], code: str | None = None) -> dict:
    errors = [
        {"field": e.get("field"), "row": e.get("row"), "message": e["message"]} for e in errors
    ] or [{"field": None, "row": None, "message": "Error."}]
    first = errors[0]
    return {
        "error": {
            "code": code or CODES.get(status_code, "error"),
            "message": first["message"],
            "field": first["field"],
            "row": first["row"],
            "details": errors,
        }
    }


def handle(exc, context):
    code = None
    if isinstance(exc, DjangoValidationError):
        exc = refusal(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found, or not yours to see.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = TooLarge("The request body is larger than the limit.")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read.")
    if isinstance(exc, exceptions.ParseError):
        code = MALFORMED
    response = exception_handler(exc, context)
    if response is None:
        return None
    errors = getattr(exc, "api_errors", None) or _flatten(exc.detail)
    return Response(
        error_body(response.status_code, errors, code),
        status=response.status_code,
        headers={k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")},
    )
