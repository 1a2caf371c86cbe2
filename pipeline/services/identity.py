"""One person, counted once: identifying fields become a keyed hash on the way in.

The key (settings.PIPELINE_IDENTITY_KEY) lives only in the environment; without it the
hash cannot be recomputed from a guessed name, so only equality across LAs is learnt.
"""

import datetime
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

_NOT_LETTERS = re.compile(r"[^a-z]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


def normalise_name(value: str) -> str:
    """Case, accents, punctuation and spacing removed: "  O'Brien-Smith, Zoë " -> "obriensmithzoe"."""
    text = value or ""
    if not text.isascii():  # ASCII has no accents to take off: skip the slow part
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_LETTERS.sub("", text.casefold())


def normalise_postcode(value: str) -> str:
    return _NOT_ALNUM.sub("", (value or "").upper())


def person_hash(
    *, name: str = "", date_of_birth: datetime.date | None = None, postcode: str = ""
) -> str:
    """HMAC-SHA256 of the normalised name, date of birth and postcode; "" when none given."""
    parts = [
        normalise_name(name),
        date_of_birth.isoformat() if date_of_birth else "",
        normalise_postcode(postcode),
    ]
    if not any(parts):
        return ""
    key = settings.PIPELINE_IDENTITY_KEY.encode()
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()
