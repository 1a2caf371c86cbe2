"""Request bodies: JSON up to a small limit, uploads up to MAX_UPLOAD_BYTES, both refused
with 413 before the body is read when they say they are larger."""

import io

from django.conf import settings
from rest_framework import parsers

from .errors import TooLarge

# A month's return is a few kilobytes; nothing the API takes as JSON comes near this.
MAX_JSON_BYTES = 256 * 1024
# Room for the multipart boundaries and the small fields beside the file.
MULTIPART_OVERHEAD = 64 * 1024


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def max_json_bytes() -> int:
    return getattr(settings, "API_MAX_JSON_BYTES", MAX_JSON_BYTES)


class LimitedJSONParser(parsers.JSONParser):
    """JSON, refused with 413 when the body is larger than MAX_JSON_BYTES."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_json_bytes()
        request = (parser_context or {}).get("request")
        if request is not None and declared_length(request) > limit:
            raise TooLarge(f"The JSON body is larger than {limit // 1024} KB.")
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"The JSON body is larger than {limit // 1024} KB.")
        return super().parse(io.BytesIO(data), media_type, parser_context)


class LimitedMultiPartParser(parsers.MultiPartParser):
    """A multipart upload, refused with 413 without reading it when the request says it is
    larger than the upload limit (the import service checks the file's own size too)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if (
            request is not None
            and declared_length(request) > settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
        ):
            raise TooLarge(
                f"The upload is larger than the limit of {settings.MAX_UPLOAD_BYTES / 1_048_576:.0f} MB."
            )
        return super().parse(stream, media_type, parser_context)
