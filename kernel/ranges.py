"""Half-open periods `[start, end)` with an optional open end, after xocto's `HalfFiniteRange`.

A thin copy rather than the xocto dependency (which brings pandas, duckdb and boto3 with it). Every
overlap, gap or intersection check in the project goes through here, never a hand-written `<=`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or (self.end is not None and self.end.tzinfo is None):
            raise ValueError("Periods are timezone-aware")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"Period ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)

    @property
    def is_finite(self) -> bool:
        return self.end is not None

    def starts_after(self, moment: datetime) -> bool:
        """Whether all of the period lies after `moment`."""
        return moment < self.start

    def ends_after(self, moment: datetime) -> bool:
        """Whether some of the period lies after `moment` (an open end always does)."""
        return self.end is None or moment < self.end

    def overlaps(self, other: Period) -> bool:
        return self & other is not None

    def __and__(self, other: Period) -> Period | None:
        # Billing intersects a few periods per account (agreement, period, installation): where the
        # overlap is one of the two periods, that one is returned rather than a copy (periods are
        # immutable; "the same" means equal bounds in the same tzinfo, so nothing can tell).
        start, other_start = self.start, other.start
        if other_start > start:
            start = other_start
        end, other_end = self.end, other.end
        if end is None or (other_end is not None and other_end < end):
            end = other_end
        if end is not None and end <= start:
            return None
        if _same(start, self.start) and _same(end, self.end):
            return self
        if _same(start, other_start) and _same(end, other_end):
            return other
        return Period(start, end)


def _same(moment: datetime | None, bound: datetime | None) -> bool:
    if moment is bound:
        return True
    return moment is not None and bound is not None and moment == bound and moment.tzinfo is bound.tzinfo


def any_overlapping(periods: Iterable[Period]) -> bool:
    ordered = sorted(periods, key=lambda period: period.start)
    return any(earlier.overlaps(later) for earlier, later in zip(ordered, ordered[1:], strict=False))


def iterate_over_days(first_day: date, end_day: date) -> Iterator[date]:
    """Days in `[first_day, end_day)`."""
    day = first_day
    while day < end_day:
        yield day
        day += timedelta(days=1)
