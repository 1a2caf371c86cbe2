"""OpenAPI: the bearer-token scheme and the error responses every operation can give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token: frt_…"}


class ErrorDetailSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="The request's field (e.g. `exits[0].count`), or the file's column",
    )
    row = serializers.IntegerField(allow_null=True, help_text="The file's line, for a file's rows")
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable: malformed, invalid, unauthenticated, forbidden, not_found, "
        "method_not_allowed, not_acceptable, conflict, too_large, unsupported_media_type, "
        "throttled"
    )
    message = serializers.CharField(help_text="The first error, in plain words")
    field = serializers.CharField(allow_null=True, help_text="The field the first error is about")
    row = serializers.IntegerField(allow_null=True, help_text="The row it is about, if any")
    details = ErrorDetailSerializer(many=True, help_text="Every error, the first included")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR = OpenApiResponse(ErrorSerializer, description="An error, as JSON")
ALWAYS = {401: ERROR, 403: ERROR, 404: ERROR, 405: ERROR, 406: ERROR, 429: ERROR}
WRITES = {400: ERROR, 409: ERROR, 413: ERROR, 415: ERROR}


class TrackerAutoSchema(AutoSchema):
    """Documents the JSON error responses alongside each operation's own, and that a request
    body with a field it does not know is refused."""

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        from .serializers import StrictSerializer

        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(force_instance(serializer), StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = dict(ALWAYS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            extra.update(WRITES)
        elif self.get_filter_backends() or self._get_paginator() or self.get_override_parameters():
            extra[400] = ERROR
        for code, response in extra.items():
            responses.setdefault(
                str(code), self._get_response_for_code(response, str(code), direction=direction)
            )
        return responses
