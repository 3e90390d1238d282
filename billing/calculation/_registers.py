"""Cumulative registers: consumption between two moments, estimated where no reading was taken,
and gas volume converted to energy at the calorific value."""

from __future__ import annotations

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
    points = [ReadingPoint(point.read_at, point.value * factor, point.is_estimate) for point in points]
    start, start_estimated = _value_at(points, window.start, typical_daily)
    end, end_estimated = _value_at(points, window.end, typical_daily)
    if end < start:
        raise InvalidReadings(f"Register {register.band} reads {end} at the end, below {start} at the start")
    return end - start, start_estimated or end_estimated


def has_readings(register: Register) -> bool:
    return bool(register.readings)


def _preferred_readings(readings: tuple[ReadingPoint, ...]) -> list[ReadingPoint]:
    """One reading per instant, an actual one in preference to an estimate, in time order."""
    chosen: dict[datetime, ReadingPoint] = {}
    for reading in readings:
        current = chosen.get(reading.read_at)
        if current is None or (current.is_estimate and not reading.is_estimate):
            chosen[reading.read_at] = reading
    return [chosen[moment] for moment in sorted(chosen)]


def _value_at(points: list[ReadingPoint], moment: datetime, typical_daily: Decimal) -> tuple[Decimal, bool]:
    before = [point for point in points if point.read_at <= moment]
    after = [point for point in points if point.read_at > moment]
    if before and before[-1].read_at == moment:
        return before[-1].value, before[-1].is_estimate
    if before and after:
        low, high = before[-1], after[0]
        fraction = elapsed_days(low.read_at, moment) / elapsed_days(low.read_at, high.read_at)
        return low.value + (high.value - low.value) * fraction, True
    if before:
        slope = _slope(before[-2:], typical_daily)
        return before[-1].value + slope * elapsed_days(before[-1].read_at, moment), True
    slope = _slope(after[:2], typical_daily)
    return after[0].value - slope * elapsed_days(moment, after[0].read_at), True


def _slope(pair: list[ReadingPoint], typical_daily: Decimal) -> Decimal:
    if len(pair) == 2 and pair[1].read_at > pair[0].read_at:
        return (pair[1].value - pair[0].value) / elapsed_days(pair[0].read_at, pair[1].read_at)
    return typical_daily
