"""OpenAPI: the bearer-token scheme and the error responses every operation can give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token: frt_…"}


class ErrorDetailSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable: invalid, unauthenticated, forbidden, not_found, "
        "conflict, too_large, throttled, …"
    )
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    details = ErrorDetailSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR = OpenApiResponse(ErrorSerializer, description="An error, as JSON")
ALWAYS = {401: ERROR, 403: ERROR, 404: ERROR, 405: ERROR, 406: ERROR, 429: ERROR}
WRITES = {400: ERROR, 409: ERROR, 413: ERROR, 415: ERROR}


class TrackerAutoSchema(AutoSchema):
    """Documents the JSON error responses alongside each operation's own."""

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
