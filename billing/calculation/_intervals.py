"""Pricing a meter point's half hours: each at its rate (dispatches moved to the off-peak rate),
missing ones filled from the registers, summed exactly per bill line in integers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import compress
from operator import mul

from billing.calculation._schedule import NO_KEY, Grid, Schedule
from billing.calculation._types import MILLI, IntervalSeries, MissingRate
from kernel import ranges

_HALF_HOUR_LESS_A_MOMENT = timedelta(minutes=30, microseconds=-1)


@dataclass
class Group:
    """What the half hours of one bill line add up to: thousandths of a kWh, the exact cost in
    10^-7 minor units, how many half hours, and whether any of them is estimated."""

    milli_kwh: int = 0
    cost: int = 0
    half_hours: int = 0
    estimated: bool = False


def milli_kwh_values(
    series: IntervalSeries, span: range, factor: Decimal
) -> list[int | None] | tuple[int | None, ...]:
    """The series' values over `span` in thousandths of a kWh: as recorded for kWh, else converted
    at `factor` kWh per unit and rounded to 0.001 kWh, ROUND_HALF_UP."""
    values = series.values[span.start : span.stop]
    if factor == 1:
        return values
    return [
        None if value is None else int((Decimal(value) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for value in values
    ]


def dispatch_indexes(grid: Grid, dispatches: Sequence[ranges.Period], span: range) -> set[int]:
    """The half hours of `span` that overlap a dispatch."""
    touched: set[int] = set()
    for dispatch in dispatches:
        first = max(grid.index(dispatch.start.astimezone(UTC) - _HALF_HOUR_LESS_A_MOMENT), span.start)
        last = min(grid.index(dispatch.end), span.stop)
        touched.update(range(first, last))
    return touched


def price_half_hours(
    *,
    values: Sequence[int | None],
    span: range,
    schedule: Schedule,
    estimated: frozenset[int],
    dispatched: set[int],
    register_total: Callable[[], int | None],
    typical_total: Callable[[], int],
) -> dict[int, Group]:
    """Sum the half hours of `span` (whose values, in thousandths of a kWh, `values` holds from
    span.start) per bill line of `schedule`.

    A dispatched half hour moves to the OFF_PEAK line. Missing half hours share what the registers
    recorded over the span beyond the known half hours (`register_total()`, thousandths of a kWh,
    None without readings) equally; without register readings, or if the registers recorded less
    than the known half hours, each gets the mean of the known ones; with no half hour known and
    no readings, they share the typical consumption (`typical_total()`). Filled half hours are
    estimated.

    Each line's sums run over its half hours at C speed (`compress` by the line's mask); a
    dispatched half hour is then moved from its line to the off-peak one.

    Raises MissingRate for a half hour the tariff has no rate for.
    """
    filled: list[int] = []
    if None in values:
        values, filled = _fill(values, register_total, typical_total)
    units = schedule.units[span.start : span.stop]
    groups: dict[int, Group] = {}
    for key, mask, rate, count in schedule.layout(span):
        if rate is not None:
            milli_kwh = sum(values if mask is None else compress(values, mask))
            cost = milli_kwh * rate
        elif mask is None:
            milli_kwh, cost = sum(values), sum(map(mul, values, units))
        else:
            chosen = list(compress(values, mask))
            milli_kwh, cost = sum(chosen), sum(map(mul, chosen, compress(units, mask)))
        groups[key] = Group(milli_kwh=milli_kwh, cost=cost, half_hours=count)
    final_keys = {}
    if dispatched:
        if schedule.off_peak is None:
            raise ValueError("The tariff does not move dispatches to the off-peak rate")
        for index in sorted(dispatched):
            offset = index - span.start
            key, target = schedule.keys[index], schedule.off_peak[index]
            if target[0] == NO_KEY:
                raise MissingRate("A dispatch falls where the tariff has no OFF_PEAK rate")
            if target[0] == key:
                continue
            value = values[offset]
            source = groups[key]
            source.milli_kwh -= value
            source.cost -= value * units[offset]
            source.half_hours -= 1
            moved = groups.setdefault(target[0], Group())
            moved.milli_kwh += value
            moved.cost += value * target[1]
            moved.half_hours += 1
            final_keys[index] = target[0]
    missing_rate = groups.get(NO_KEY)
    if missing_rate is not None and missing_rate.half_hours:
        raise MissingRate("A half hour of the period has no unit rate")
    groups.pop(NO_KEY, None)
    for index in [span.start + offset for offset in filled] + [i for i in estimated if i in span]:
        groups[final_keys.get(index, schedule.keys[index])].estimated = True
    return {key: group for key, group in groups.items() if group.half_hours}


def _fill(
    values: Sequence[int | None], register_total: Callable[[], int | None], typical_total: Callable[[], int]
) -> tuple[list[int], list[int]]:
    missing = [offset for offset, value in enumerate(values) if value is None]
    known = [value for value in values if value is not None]
    known_total = sum(known)
    total = register_total()
    filled = list(values)
    if total is not None and total >= known_total:
        shares = _share(total - known_total, len(missing))
    elif known:
        shares = [_half_up_division(known_total, len(known))] * len(missing)
    else:
        shares = _share(typical_total(), len(missing))
    for offset, share in zip(missing, shares, strict=True):
        filled[offset] = share
    return filled, missing


def _share(total: int, count: int) -> list[int]:
    """`total` in `count` near-equal whole parts that add up to it (cumulative rounding, half up)."""
    shares, previous = [], 0
    for position in range(1, count + 1):
        running = _half_up_division(total * position, count)
        shares.append(running - previous)
        previous = running
    return shares


def _half_up_division(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded ROUND_HALF_UP, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def milli(kwh: Decimal) -> int:
    """kWh in thousandths, ROUND_HALF_UP."""
    return int((kwh * MILLI).quantize(Decimal(1), rounding=ROUND_HALF_UP))
