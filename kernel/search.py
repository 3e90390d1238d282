"""Normal forms of the identifiers people type into a search box, as SQL expressions (for functional
indexes and the lookups that use them) and as Python (for the typed term), kept side by side so the
two never drift apart."""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Replace, Upper

PHONE_DIGITS = 10  # "+44 7700 900123" and "07700 900123" share their last ten digits


class PhoneKey(Func):
    """The last PHONE_DIGITS digits of a phone number column (immutable, so it can be indexed)."""

    template = f"RIGHT(REGEXP_REPLACE(%(expressions)s, '[^0-9]', '', 'g'), {PHONE_DIGITS})"
    output_field = models.CharField()


def phone_key(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)[-PHONE_DIGITS:]


def postcode_key_expression(column: str) -> Func:
    """A postcode column upper-cased without spaces: "sw1a 1aa" and "SW1A1AA" meet."""
    return Upper(Replace(column, Value(" "), Value("")))


def postcode_key(text: str) -> str:
    return text.replace(" ", "").upper()
