"""How much the demo customers use, half hour by half hour: a winter-heavy year (gas far more than
electricity), a morning and an evening peak, Agile customers easing off at the evening peak, cars
charging in dispatches or in the Go window, savers cutting back during saving sessions, and smart
meters that now and then fail to send a day. From the half hours come the meters' register reads.

The figures are generated (floats are fine for made-up consumption); each half hour is then a whole
number of thousandths of a kWh (or m³), exactly what the metering table holds."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kernel import ranges
from kraken.demo import _population as p

# Share of a day's electricity in each local half hour (00:00-00:30 first): a low night, a
# morning peak, a lull, and an evening peak.
ELECTRICITY_SHAPE = (
    [0.6] * 12  # 00:00-06:00
    + [0.8, 1.0, 1.6, 2.0, 1.8, 1.4]  # 06:00-09:00
    + [1.1] * 14  # 09:00-16:00
    + [1.8, 2.2, 2.6, 2.6, 2.4, 2.0, 1.7, 1.4, 1.2, 1.0, 0.9, 0.8, 0.8, 0.7, 0.7, 0.6]  # 16:00-24:00
)
GAS_SHAPE = (
    [0.2] * 12
    + [1.5, 2.5, 2.8, 2.2, 1.5, 1.0]
    + [0.6] * 14
    + [1.6, 2.4, 2.6, 2.4, 2.2, 2.0, 1.8, 1.4, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.2, 0.2]
)
assert len(ELECTRICITY_SHAPE) == len(GAS_SHAPE) == 48
CHARGE_PER_HALF_HOUR = 3.5  # kWh: a 7 kW charger
HALF_HOUR = timedelta(minutes=30)
GAS_CUBIC_METRE_KWH = 1.02264 * 39.3 / 3.6


@dataclass(frozen=True)
class Series:
    """Half hours from `start` (UTC), one value each in thousandths of the unit (None: not sent)."""

    start: datetime
    values: list[int | None]

    def moment(self, index: int) -> datetime:
        return self.start + index * HALF_HOUR


def half_hours(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[datetime, int, date]]:
    """(UTC start, local half hour of the day, local date) for every half hour of [start, end),
    from local midnight `start` (a clock-change day has 46 or 50)."""
    result = []
    day = start.astimezone(tz).date()
    end = end.astimezone(UTC)
    while True:
        first = datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)
        following = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC)
        count = int((following - first) / HALF_HOUR)
        for index in range(count):
            moment = first + index * HALF_HOUR
            if moment >= end:
                return result
            if count == 48:
                slot = index
            else:
                local = moment.astimezone(tz)
                slot = local.hour * 2 + local.minute // 30
            result.append((moment, slot, day))
        day += timedelta(days=1)


def seasonal(day: date, swing: float) -> float:
    return 1 + swing * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)


def electricity(
    *,
    plan: p.Plan,
    grid: list[tuple[datetime, int, date]],
    dispatches: list[ranges.Period],
    sessions: list[datetime],
    rng: random.Random,
) -> list[int]:
    """Thousandths of a kWh per half hour of `grid`."""
    shape = list(ELECTRICITY_SHAPE)
    if plan.electricity == p.AGILE:
        shape = [w * (0.5 if 32 <= slot < 38 else 1.3 if slot < 12 else 1.0) for slot, w in enumerate(shape)]
    total = sum(shape)
    daily = plan.annual_kwh / 365
    charging_nights = set()
    if plan.ev and plan.electricity == p.GO:
        charging_nights = {day for _, _, day in grid if rng.random() < 0.45}
    dispatch_marks = _marked(grid, dispatches)
    session_marks = (
        _marked(grid, [ranges.Period(s, s + timedelta(hours=1)) for s in sessions]) if plan.saver else set()
    )
    values = []
    day_factor, current_day = 1.0, None
    for index, (_, slot, day) in enumerate(grid):
        if day != current_day:
            current_day, day_factor = day, seasonal(day, 0.25) * rng.uniform(0.85, 1.15)
        kwh = daily * day_factor * shape[slot] / total * rng.uniform(0.7, 1.3)
        if index in dispatch_marks or (day in charging_nights and 1 <= slot < 9):
            kwh += CHARGE_PER_HALF_HOUR
        if index in session_marks:
            kwh *= 0.35
        values.append(round(kwh * 1000))
    return values


def gas(*, plan: p.Plan, grid: list[tuple[datetime, int, date]], rng: random.Random) -> list[int]:
    """Thousandths of a cubic metre per half hour of `grid`."""
    total = sum(GAS_SHAPE)
    daily = plan.annual_gas_kwh / 365
    values = []
    day_factor, current_day = 1.0, None
    for _, slot, day in grid:
        if day != current_day:
            current_day, day_factor = day, max(seasonal(day, 0.85), 0.15) * rng.uniform(0.8, 1.2)
        kwh = daily * day_factor * GAS_SHAPE[slot] / total * rng.uniform(0.8, 1.2)
        values.append(round(kwh / GAS_CUBIC_METRE_KWH * 1000))
    return values


def dispatches(
    *, plan: p.Plan, start: datetime, end: datetime, tz: ZoneInfo, rng: random.Random
) -> list[ranges.Period]:
    """An Intelligent-style car's completed smart-charging dispatches: most nights inside the
    off-peak window, now and then one in the afternoon or late evening, outside it."""
    if not (plan.ev and plan.electricity == p.INTELLIGENT):
        return []
    periods = []
    day = start.astimezone(tz).date()
    while True:
        night = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(days=1)
        if night >= end:
            return periods
        if rng.random() < 0.6:
            begin = night + timedelta(minutes=30 * rng.randint(0, 3))
            periods.append(ranges.Period(begin, begin + timedelta(hours=rng.randint(2, 4))))
        if rng.random() < 0.12:
            begin = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(
                hours=rng.choice([13, 14, 21]), minutes=rng.choice([0, 15, 30])
            )
            periods.append(ranges.Period(begin, begin + timedelta(minutes=rng.choice([45, 60, 90]))))
        day += timedelta(days=1)


def _marked(grid: list[tuple[datetime, int, date]], periods: list[ranges.Period]) -> set[int]:
    if not periods or not grid:
        return set()
    first = grid[0][0]
    marked = set()
    for period in periods:
        index = max(int((period.start.astimezone(first.tzinfo) - first) / HALF_HOUR), 0)
        while index < len(grid) and grid[index][0] < period.end:
            if grid[index][0] + HALF_HOUR > period.start:
                marked.add(index)
            index += 1
    return marked


def register_reads(
    *, values: list[int], grid: list[tuple[datetime, int, date]], at: list[datetime], start_value: int
) -> list[tuple[datetime, int]]:
    """The cumulative register (thousandths) at each moment of `at` (each a half-hour boundary of
    the grid or its end), from `start_value` whole units at the grid's start."""
    totals = [0, *itertools.accumulate(values)]
    starts = [moment for moment, _, _ in grid]
    return [
        (moment, start_value * 1000 + totals[bisect.bisect_left(starts, moment.astimezone(UTC))])
        for moment in sorted(at)
    ]


def daily_reads(
    *,
    annual: int,
    swing: float,
    start: datetime,
    end: datetime,
    at: list[datetime],
    start_value: int,
    tz: ZoneInfo,
    rng: random.Random,
    per_unit: float = 1.0,
) -> list[tuple[datetime, int]]:
    """A traditional meter's cumulative register (thousandths of its unit) at each moment of `at`
    (local midnights), from a day-by-day model of its use."""
    reads, total = [], start_value * 1000
    moments = sorted(at)
    day = start.astimezone(tz).date()
    midnight = start
    while moments and midnight < end:
        while moments and moments[0] <= midnight:
            reads.append((moments.pop(0), total))
        kwh = annual / 365 * max(seasonal(day, swing), 0.15) * rng.uniform(0.8, 1.2)
        total += round(kwh / per_unit * 1000)
        day += timedelta(days=1)
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    reads.extend((moment, total) for moment in moments)
    return reads
