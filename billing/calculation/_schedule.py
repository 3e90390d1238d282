"""A tariff's rates laid out half hour by half hour over a bill period.

The period is cut into half hours from its start (the `Grid`); each half hour is in the band whose
daily window holds its local start time, else in the tariff's band without a window, and is priced
at that band's rate in force at its start. A `Schedule` holds, per half hour, the bill line it
belongs to and its rate, computed once per tariff and period and shared by every account of a run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from billing.calculation._types import HALF_HOUR, MissingRate, Rate, Tariff, rate_units
from kernel import ranges

OFF_PEAK = "OFF_PEAK"
STANDARD = "STANDARD"
SLOTS_PER_DAY = 48
NO_KEY = -1


@dataclass(frozen=True)
class Grid:
    """The half hours of a period: the i-th starts at `start + i × 30 min` (`start` in UTC);
    `slots[i]` is its local half hour of the day (0 for 00:00-00:30 ... 47), which a clock change
    repeats or skips."""

    start: datetime
    count: int
    slots: tuple[int, ...]

    def index(self, moment: datetime) -> int:
        """The index of the first half hour starting at or after `moment` (clipped to the grid)."""
        offset = (moment - self.start) / HALF_HOUR
        return min(max(math.ceil(offset), 0), self.count)

    def span(self, part: ranges.Period) -> range:
        """The half hours whose start lies in `part`."""
        return range(self.index(part.start), self.index(part.end))

    def moment(self, index: int) -> datetime:
        return self.start + index * HALF_HOUR


def grid_of(period: ranges.Period, tz: ZoneInfo) -> Grid:
    # In UTC: arithmetic on two datetimes of one zone is wall-clock arithmetic in Python.
    start = period.start.astimezone(UTC)
    count = math.ceil((period.end.astimezone(UTC) - start) / HALF_HOUR)
    slots = []
    for index in range(count):
        local = (start + index * HALF_HOUR).astimezone(tz)
        slots.append(local.hour * 2 + local.minute // 30)
    return Grid(start=start, count=count, slots=tuple(slots))


@dataclass(frozen=True)
class LineKey:
    """What one bill line groups: a band at one rate, or (rates per half hour) a band at whatever
    its half hours cost."""

    band: str
    rate: Rate | None


@dataclass
class Schedule:
    """Per half hour of a grid: `keys[i]` the line it belongs to (an index into `lines`, NO_KEY
    where the tariff has no rate) and `units[i]` its rate in 10^-4 minor units. `off_peak[i]` is the
    (line, units) of the OFF_PEAK rate in force, for tariffs that move dispatches there."""

    keys: list[int]
    units: list[int]
    lines: list[LineKey]
    off_peak: list[tuple[int, int]] | None = None
    _layouts: dict[tuple[int, int], list[tuple[int, bytes | None, int | None, int]]] = field(
        default_factory=dict, repr=False
    )

    def layout(self, span: range) -> list[tuple[int, bytes | None, int | None, int]]:
        """The lines `span`'s half hours fall into: (line, mask of its half hours in the span or
        None if it has them all, its rate in 10^-4 minor units if the same in each else None, how
        many half hours)."""
        cached = self._layouts.get((span.start, span.stop))
        if cached is not None:
            return cached
        keys = self.keys[span.start : span.stop]
        units = self.units[span.start : span.stop]
        distinct = sorted(set(keys))
        layout = []
        for key in distinct:
            mask = None if len(distinct) == 1 else bytes(1 if k == key else 0 for k in keys)
            rates = set(units) if mask is None else {u for u, k in zip(units, keys, strict=True) if k == key}
            count = len(keys) if mask is None else mask.count(1)
            layout.append((key, mask, rates.pop() if len(rates) == 1 else None, count))
        self._layouts[(span.start, span.stop)] = layout
        return layout

    def bands_in(self, span: range) -> dict[str, int]:
        """How many half hours of `span` each band holds. Raises MissingRate for a half hour
        without a rate."""
        counts: dict[int, int] = {}
        for index in span:
            key = self.keys[index]
            counts[key] = counts.get(key, 0) + 1
        if NO_KEY in counts:
            raise MissingRate("A half hour of the period has no unit rate")
        bands: dict[str, int] = {}
        for key, count in counts.items():
            band = self.lines[key].band
            bands[band] = bands.get(band, 0) + count
        return bands


def build_schedule(tariff: Tariff, grid: Grid) -> Schedule:
    by_band: dict[str, list[Rate]] = {}
    for rate in tariff.rates:
        by_band.setdefault(rate.band, []).append(rate)
    bands = sorted(by_band)
    for band in bands:
        by_band[band].sort(key=lambda rate: rate.active.start)
    pointers = dict.fromkeys(bands, 0)
    keys_by_line: dict[tuple, int] = {}
    lines: list[LineKey] = []
    tables: dict[tuple, list[str | None]] = {}
    keys: list[int] = []
    units: list[int] = []
    off_peak: list[tuple[int, int]] | None = [] if tariff.dispatches_at_off_peak else None
    units_of: dict[int, int] = {}

    def key_of(band: str, rate: Rate) -> int:
        line = (band, None) if tariff.rates_per_half_hour else (band, id(rate))
        key = keys_by_line.get(line)
        if key is None:
            key = keys_by_line[line] = len(lines)
            lines.append(LineKey(band=band, rate=None if tariff.rates_per_half_hour else rate))
        return key

    for index in range(grid.count):
        moment = grid.start + index * HALF_HOUR
        active: dict[str, Rate] = {}
        for band in bands:
            rates = by_band[band]
            position = pointers[band]
            while (
                position < len(rates)
                and rates[position].active.end is not None
                and (rates[position].active.end <= moment)
            ):
                position += 1
            pointers[band] = position
            if position < len(rates) and rates[position].active.start <= moment:
                active[band] = rates[position]
        # The band of a local half hour depends on the bands in force and their windows only.
        signature = tuple((band, rate.window) for band, rate in active.items())
        table = tables.get(signature)
        if table is None:
            table = tables[signature] = _band_by_slot(active)
        band = table[grid.slots[index]]
        if band is None:
            keys.append(NO_KEY)
            units.append(0)
        else:
            rate = active[band]
            keys.append(key_of(band, rate))
            value = units_of.get(id(rate))
            if value is None:
                value = units_of[id(rate)] = rate_units(rate)
            units.append(value)
        if off_peak is not None:
            rate = active.get(OFF_PEAK)
            off_peak.append((NO_KEY, 0) if rate is None else (key_of(OFF_PEAK, rate), rate_units(rate)))
    return Schedule(keys=keys, units=units, lines=lines, off_peak=off_peak)


def _band_by_slot(active: dict[str, Rate]) -> list[str | None]:
    """For each local half hour of the day, the band it is in among the rates in force: the band
    whose window holds it, else the one band without a window (STANDARD if several)."""
    windowed = sorted((rate for rate in active.values() if rate.window is not None), key=lambda r: r.band)
    plain = sorted(rate.band for rate in active.values() if rate.window is None)
    fallback = plain[0] if len(plain) == 1 else (STANDARD if STANDARD in plain else None)
    table: list[str | None] = []
    for slot in range(SLOTS_PER_DAY):
        minute = slot * 30
        band = next((rate.band for rate in windowed if _in_window(minute, rate.window)), fallback)
        table.append(band)
    return table


def _in_window(minute: int, window: tuple[time, time]) -> bool:
    start = window[0].hour * 60 + window[0].minute
    end = window[1].hour * 60 + window[1].minute
    if start == end:
        return True
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end
