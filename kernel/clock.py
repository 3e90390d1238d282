"""The clock and local-time arithmetic.

Only the doors (views, resolvers' request context, admin actions, tasks, commands) call `now()`;
domain functions take `now`/`as_of` as arguments (STYLE.md, "No clock in the domain"). The day and
month helpers follow xocto's `localtime`: boundaries are computed in a named zone, so a day is 23
or 25 hours long across a DST change, and every result is timezone-aware. Measure a duration in
UTC (`as_utc(end) - as_utc(start)`): Python subtracts two datetimes of the same zone by wall clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone


def now() -> datetime:
    """The current moment, timezone-aware (UTC). For doors only."""
    return timezone.now()


def midnight(day: date, tz: tzinfo) -> datetime:
    """The first moment of `day` in `tz`."""
    return datetime.combine(day, time.min, tzinfo=tz)


def next_midnight(day: date, tz: tzinfo) -> datetime:
    return midnight(day + timedelta(days=1), tz)


def day_boundaries(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """`[start, end)` of `day` in `tz` (23, 24 or 25 hours)."""
    return midnight(day, tz), next_midnight(day, tz)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_boundaries(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """`[start, end)` of the calendar month holding `day`, in `tz`."""
    return midnight(month_start(day), tz), midnight(next_month_start(day), tz)


def as_utc(moment: datetime) -> datetime:
    """The same moment in UTC. Raises ValueError for a naive datetime."""
    if moment.tzinfo is None:
        raise ValueError("Naive datetime")
    return moment.astimezone(UTC)


def local_date(moment: datetime, tz: tzinfo) -> date:
    """The calendar day of `moment` in `tz`."""
    return moment.astimezone(tz).date()
