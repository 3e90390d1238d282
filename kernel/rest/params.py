"""Query parameters as the REST API reads them (spec/REST.md §1, §3).

- Datetimes: ISO 8601 with `Z` or an offset, naive, or a date alone; naive ones and dates are on
  the Europe/London wall clock (`settings.TIME_ZONE`). An unencoded `+` arrives as a space and is
  read as `+`.
- Booleans: `true`/`True`/`1` and `false`/`False`/`0`, any case; anything else is as if absent.
- Windows `[period_from, period_to)`: `period_to` needs `period_from`, and must come after it.
- Text parameters hold only storable text (`storable_text`, `kernel.sanitise`): a control character
  is refused with a 400 at the parameter, as DRF already refuses a NUL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kernel import ranges, sanitise

INVALID_DATETIME = "Enter a valid date/time."
PERIOD_TO_NEEDS_FROM = "This field is required when providing a period_to."
PERIOD_TO_NOT_AFTER = "Must be later than period_from."
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
# `2024-01-01T00:00:00 01:00`: a `+` that arrived unencoded (as a space) before the offset.
_SPACE_OFFSET = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) (\d{2}(?::?\d{2})?)$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_LENGTH = 40


def local_zone() -> tzinfo:
    """The zone naive datetimes and dates are read in, and local times are written in."""
    return ZoneInfo(settings.TIME_ZONE)


def parse_bool(value: str | None) -> bool | None:
    """True, False, or None for an absent or unrecognised value."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_local_datetime(value: str, tz: tzinfo) -> datetime:
    """A timezone-aware datetime (UTC) from an ISO 8601 string; see the module docstring.

    Raises ValueError for anything else, including instants too far from the present to convert.
    """
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH:
        raise ValueError(INVALID_DATETIME)
    if match := _SPACE_OFFSET.match(text):
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        if _DATE.match(text):
            moment = datetime.combine(date.fromisoformat(text), time.min)
        else:
            moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(INVALID_DATETIME) from exc


def storable_text(value: str) -> None:
    """A validator for text parameters: text no column can hold is a 400 keyed by the parameter."""
    if (problem := sanitise.text_problem(value)) is not None:
        raise serializers.ValidationError(f"The value {problem}.")


@extend_schema_field(OpenApiTypes.BOOL)
class LenientBooleanField(serializers.Field):
    """A query-string boolean read by `parse_bool`: an unrecognised value counts as absent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return parse_bool(data) if isinstance(data, str) else None

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """A query-string datetime read by `parse_local_datetime`."""

    default_error_messages = {"invalid": INVALID_DATETIME}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_local_datetime(data, local_zone())
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return value.isoformat()


class PeriodParameters(serializers.Serializer):
    """`period_from` (inclusive) and `period_to` (exclusive): validated_data["period"] is a
    `ranges.Period`, or None without `period_from`."""

    period_from = LocalDateTimeField(
        required=False, help_text="Start, inclusive (ISO 8601; without an offset, Europe/London time)"
    )
    period_to = LocalDateTimeField(
        required=False, help_text="End, exclusive (ISO 8601); needs period_from and must be after it"
    )

    def validate(self, data):
        start, end = data.get("period_from"), data.get("period_to")
        if end is not None and start is None:
            raise serializers.ValidationError({"period_from": [PERIOD_TO_NEEDS_FROM]})
        if end is not None and end <= start:
            raise serializers.ValidationError({"period_to": [PERIOD_TO_NOT_AFTER]})
        data["period"] = ranges.Period(start, end) if start is not None else None
        return data
