"""Datetimes as the REST API renders them (spec/REST.md §3): RFC 3339 with seconds, `Z` for a zero
offset; local (Europe/London) or UTC depending on the field."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def _with_z(text: str) -> str:
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def local_iso(moment: datetime | None, tz: tzinfo) -> str | None:
    """`moment` on the wall clock of `tz`, to the second: `2024-06-01T00:00:00+01:00`, or
    `2024-01-01T00:00:00Z` when the offset is zero. None stays None."""
    if moment is None:
        return None
    return _with_z(moment.astimezone(tz).isoformat(timespec="seconds"))


def utc_iso(moment: datetime | None, *, fraction: bool = False) -> str | None:
    """`moment` in UTC with `Z`, to the second, or with its microseconds when `fraction` and it
    has some. None stays None."""
    if moment is None:
        return None
    spec = "auto" if fraction else "seconds"
    return _with_z(moment.astimezone(UTC).isoformat(timespec=spec))
