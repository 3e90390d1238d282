"""Cumulative registers: consumption between two moments, estimated where no reading was taken,
and gas volume converted to energy at the calorific value."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from billing.calculation._types import (
    CALORIFIC_VALUE_QUANTUM,
    CUBIC_METRES_PER_UNIT,
    MEGAJOULES_PER_KWH,
    VOLUME_CORRECTION,
    CalorificValue,
    InvalidReadings,
    MissingCalorificValue,
    ReadingPoint,
    Register,
    elapsed_days,
)
from kernel import ranges


def mean_calorific_value(*, values: Sequence[CalorificValue], window: ranges.Period) -> Decimal:
    """The calorific value over `window`: the time-weighted mean of the values in force, rounded to
    one decimal place (as published and printed on bills), ROUND_HALF_UP.

    Raises MissingCalorificValue if the values leave part of the window uncovered.
    """
    weighted, covered = Decimal(0), Decimal(0)
    for value in values:
        part = value.active & window
        if part is None:
            continue
        seconds = elapsed_days(part.start, part.end)
        weighted += value.value * seconds
        covered += seconds
    if not covered or covered != elapsed_days(window.start, window.end):
        raise MissingCalorificValue(
            f"No calorific value covers [{window.start.isoformat()}, {window.end.isoformat()})"
        )
    return (weighted / covered).quantize(CALORIFIC_VALUE_QUANTUM, rounding=ROUND_HALF_UP)


def kwh_per_unit(*, unit: str, calorific_values: Sequence[CalorificValue], window: ranges.Period) -> Decimal:
    """kWh per unit recorded: 1 for kWh; for m³ (or hundreds of cubic feet) the GB conversion at the
    window's calorific value. Raises MissingCalorificValue."""
    if unit not in CUBIC_METRES_PER_UNIT:
        return Decimal(1)
    calorific_value = mean_calorific_value(values=calorific_values, window=window)
    return CUBIC_METRES_PER_UNIT[unit] * VOLUME_CORRECTION * calorific_value / MEGAJOULES_PER_KWH


def register_consumption(
    *,
    register: Register,
    window: ranges.Period,
    typical_daily: Decimal,
    calorific_values: Sequence[CalorificValue] = (),
) -> tuple[Decimal, bool]:
    """kWh recorded by a register over `window`, and whether any of it is estimated.

    Raises InvalidReadings if the register goes backwards, MissingCalorificValue for a volume
    register without a calorific value.
    """
    points = _preferred_readings(register.readings)
    if not points:
        return typical_daily * elapsed_days(window.start, window.end), True
    factor = register.multiplier * kwh_per_unit(
        unit=register.unit, calorific_values=calorific_values, window=window
    )
    moments = [point.read_at for point in points]
    start, start_estimated = _value_at(points, moments, factor, window.start, typical_daily)
    end, end_estimated = _value_at(points, moments, factor, window.end, typical_daily)
    if end < start:
        raise InvalidReadings(f"Register {register.band} reads {end} at the end, below {start} at the start")
    return end - start, start_estimated or end_estimated


def has_readings(register: Register) -> bool:
    return bool(register.readings)


def _preferred_readings(readings: tuple[ReadingPoint, ...]) -> list[ReadingPoint]:
    """One reading per instant, an actual one in preference to an estimate, in time order."""
    if all(earlier.read_at < later.read_at for earlier, later in zip(readings, readings[1:], strict=False)):
        return list(readings)  # already one per instant, in order (as billing's query reads them)
    chosen: dict[datetime, ReadingPoint] = {}
    for reading in readings:
        current = chosen.get(reading.read_at)
        if current is None or (current.is_estimate and not reading.is_estimate):
            chosen[reading.read_at] = reading
    return [chosen[moment] for moment in sorted(chosen)]


def _value_at(
    points: list[ReadingPoint],
    moments: list[datetime],
    factor: Decimal,
    moment: datetime,
    typical_daily: Decimal,
) -> tuple[Decimal, bool]:
    """The register's value (its readings' values × `factor`) at `moment`, and whether it is
    estimated; `moments` are the points' instants, in order. Only the readings used are scaled."""
    split = bisect.bisect_right(moments, moment)  # points[:split] are read at or before `moment`
    if split and moments[split - 1] == moment:
        point = points[split - 1]
        return point.value * factor, point.is_estimate
    if split and split < len(points):
        low, high = points[split - 1], points[split]
        low_value, high_value = low.value * factor, high.value * factor
        fraction = elapsed_days(low.read_at, moment) / elapsed_days(low.read_at, high.read_at)
        return low_value + (high_value - low_value) * fraction, True
    if split:
        last = points[split - 1]
        slope = _slope(points[max(split - 2, 0) : split], factor, typical_daily)
        return last.value * factor + slope * elapsed_days(last.read_at, moment), True
    first = points[0]
    slope = _slope(points[:2], factor, typical_daily)
    return first.value * factor - slope * elapsed_days(moment, first.read_at), True


def _slope(pair: list[ReadingPoint], factor: Decimal, typical_daily: Decimal) -> Decimal:
    if len(pair) == 2 and pair[1].read_at > pair[0].read_at:
        return (pair[1].value * factor - pair[0].value * factor) / elapsed_days(
            pair[0].read_at, pair[1].read_at
        )
    return typical_daily
