"""The shape of what the API takes: JSON types as they are (no "12" for 12), and no field it
does not know (an unknown field is an error, never silently dropped). Rules about the
values belong to the domain services, not here."""

import datetime
import re
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clusters.models import LocalAuthority


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, naming each."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        str(name): ["Unknown field: it is not part of this request."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: not a string of digits, a float or a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string: not a number."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2024-05"})
class MonthField(StrictCharField):
    """A month as YYYY-MM, read as its first day."""

    default_error_messages = {"month": "Give the month as YYYY-MM."}
    pattern = MONTH_PATTERN

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            if not re.match(self.pattern, text):
                raise ValueError(text)
            return datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            self.fail("month")


class StrictDictField(serializers.DictField):
    """A JSON object: DRF would otherwise also take a multipart form's fields."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return super().to_internal_value(data)


class NoBody(StrictSerializer):
    """An action that takes no fields (an empty JSON object, or no body at all)."""


def no_body(request):
    """What an action without fields was sent: no body reads as an empty object."""
    from django.http import QueryDict

    return {} if isinstance(request.data, QueryDict) else request.data


def find_authority(code: str) -> LocalAuthority | None:
    """An LA by its GSS code (E08000037) or DfE code (390)."""
    code = code.strip()
    return LocalAuthority.objects.filter(gss_code=code.upper()).first() or (
        LocalAuthority.objects.filter(dfe_code=code).first() if code.isdigit() else None
    )


class AuthorityRefSerializer(serializers.Serializer):
    gss_code = serializers.CharField(help_text="GSS code, e.g. E08000037")
    dfe_code = serializers.CharField(help_text="DfE LA code, e.g. 390")
    name = serializers.CharField()


def authority_ref(la: LocalAuthority | None) -> dict | None:
    if la is None:
        return None
    return {"gss_code": la.gss_code, "dfe_code": la.dfe_code, "name": la.name}
