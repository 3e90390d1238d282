"""A bill: standing charges per day of supply, consumption from registers or half hours, tax."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from billing import models
from billing.calculation import _intervals, _registers
from billing.calculation._schedule import Grid, LineKey, Schedule, build_schedule, grid_of
from billing.calculation._types import (
    HALF_HOUR,
    QUANTITY,
    Account,
    Agreement,
    BillDraft,
    CurrencyMismatch,
    IntervalSeries,
    Line,
    MeterPoint,
    MissingRate,
    NothingToBill,
    Rate,
    Register,
    Tariff,
    elapsed_days,
    quantise_quantity,
    round_amount,
    round_cost,
    typical_daily_kwh,
    wall_clock_days,
)
from kernel import clock, ranges

_A_MOMENT = timedelta(microseconds=1)


class BillCalculator:
    """Calculates the bills of one period. Accounts on the same tariff share its half-hour
    schedule, so a run computes each tariff's rates per half hour once."""

    def __init__(self, *, period: ranges.Period) -> None:
        if not period.is_finite:
            raise ValueError("A bill's period must be finite")
        self.period = period
        self._grids: dict[str, Grid] = {}
        self._schedules: dict[tuple[int, str], tuple[Tariff, Schedule]] = {}
        self._midnights_by_zone: dict[str, list[datetime]] = {}
        # Most accounts of a run share their tariff's rate segments and their days (the whole
        # period): worked out once per run, not once per account.
        self._segments: dict[tuple[int, ranges.Period], tuple[Tariff, list]] = {}
        self._days: dict[tuple[ranges.Period, str], Decimal] = {}
        # A run's standing charges are a few (days, daily charge) pairs and its tax lines a few
        # rates: each quantity, amount and description is worked out once.
        self._standing: dict[tuple[int, Decimal], tuple[Decimal, int]] = {}
        self._tax_descriptions: dict[Decimal, str] = {}
        self._targets: dict[tuple, tuple[Tariff, list[tuple[ranges.Period, Rate, Decimal]]]] = {}

    def grid(self, tz: ZoneInfo) -> Grid:
        grid = self._grids.get(tz.key)
        if grid is None:
            grid = self._grids[tz.key] = grid_of(self.period, tz)
        return grid

    def schedule(self, tariff: Tariff, tz: ZoneInfo) -> Schedule:
        cached = self._schedules.get((id(tariff), tz.key))
        if cached is not None and cached[0] is tariff:
            return cached[1]
        schedule = _shared_schedule(tariff, self.grid(tz))
        self._schedules[(id(tariff), tz.key)] = (tariff, schedule)
        return schedule

    def rate_segments(self, tariff: Tariff, part: ranges.Period) -> list[tuple[ranges.Period, list[Rate]]]:
        cached = self._segments.get((id(tariff), part))
        if cached is not None and cached[0] is tariff:
            return cached[1]
        segments = _rate_segments(tariff, part)
        self._segments[(id(tariff), part)] = (tariff, segments)
        return segments

    def wall_clock_days(self, period: ranges.Period, tz: ZoneInfo) -> Decimal:
        days = self._days.get((period, tz.key))
        if days is None:
            days = self._days[(period, tz.key)] = wall_clock_days(period, tz)
        return days

    def calculate(self, *, account: Account, tz: ZoneInfo) -> BillDraft:
        """The bill of `account` for the period; `tz` counts its days unless it has a zone of its own.

        Raises NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings, MissingCalorificValue.
        """
        tz = ZoneInfo(account.time_zone) if account.time_zone else tz
        lines: list[Line] = []
        for meter_point in account.meter_points:
            lines.extend(self._meter_point_lines(meter_point, account.currency, tz))
        if not lines:
            raise NothingToBill(f"No agreement overlaps [{self.period.start}, {self.period.end})")
        subtotal = sum(line.amount for line in lines)
        taxable: dict[Decimal, int] = {}
        for line in lines:
            if line.tax_rate:
                taxable[line.tax_rate] = taxable.get(line.tax_rate, 0) + line.amount
        tax_lines = [
            Line(
                kind=models.BillLineKind.TAX,
                description=self._tax_description(rate),
                period=self.period,
                quantity=Decimal(base),
                unit_rate=rate,
                amount=round_amount(Decimal(base) * rate),
            )
            for rate, base in sorted(taxable.items())
        ]
        tax = sum(line.amount for line in tax_lines)
        return BillDraft(
            currency=account.currency,
            period=self.period,
            lines=tuple(lines + tax_lines),
            subtotal=subtotal,
            tax=tax,
            total=subtotal + tax,
        )

    def _tax_description(self, rate: Decimal) -> str:
        description = self._tax_descriptions.get(rate)
        if description is None:
            description = self._tax_descriptions[rate] = f"VAT at {(rate * 100).normalize():f}%"
        return description

    # --- one meter point ---------------------------------------------------------------------

    def _meter_point_lines(self, meter_point: MeterPoint, currency: str, tz: ZoneInfo) -> list[Line]:
        slices: list[tuple[Agreement, ranges.Period]] = []
        for agreement in sorted(meter_point.agreements, key=lambda agreement: agreement.active.start):
            part = agreement.active & self.period
            if part is None:
                continue
            if agreement.tariff.currency != currency:
                raise CurrencyMismatch(f"Tariff {agreement.tariff.code} is in {agreement.tariff.currency}")
            slices.append((agreement, part))
        if not slices:
            return []
        lines = self._standing_charges(meter_point.agreements, slices, tz)
        by_intervals = {
            index
            for index, (agreement, _) in enumerate(slices)
            if agreement.tariff.prices_intervals
            and (meter_point.intervals is not None or agreement.tariff.rates_per_half_hour)
        }
        consumption = self._register_lines(meter_point, slices, by_intervals, tz)
        for index in sorted(by_intervals):
            consumption.extend(self._interval_lines(meter_point, index, *slices[index], tz))
        consumption.sort(key=lambda item: item[0])
        return lines + [line for _, line in consumption]

    def _standing_charges(
        self, agreements: Sequence[Agreement], slices: list[tuple[Agreement, ranges.Period]], tz: ZoneInfo
    ) -> list[Line]:
        """One line per agreement: its days of supply in the period. A local day belongs to the
        agreement in force at its midnight, or, if none is, to the first one starting that day (so a
        supply starting mid-day pays that day); it is charged in the bill whose period holds that
        midnight, or that start, so a day is never charged twice, across a tariff switch or across
        back-to-back bills (`agreements` includes those ending the day before the period)."""
        ordered = sorted(agreements, key=lambda agreement: agreement.active.start)
        lines = []
        for agreement, part in slices:
            if len(ordered) == 1:
                days = self._only_agreement_days(agreement, part, tz)
            else:
                days = 0
                day = clock.local_date(part.start, tz)
                last = clock.local_date(part.end - _A_MOMENT, tz)
            while len(ordered) > 1 and day <= last:
                midnight = clock.midnight(day, tz)
                owner = next((a for a in ordered if midnight in a.active), None) or next(
                    (a for a in ordered if midnight <= a.active.start < clock.next_midnight(day, tz)), None
                )
                if owner is agreement and max(midnight, agreement.active.start) in self.period:
                    days += 1
                day += timedelta(days=1)
            if not days:
                continue
            charge = agreement.tariff.standing_charge
            priced = self._standing.get((days, charge))
            if priced is None:
                quantity = quantise_quantity(Decimal(days))
                priced = self._standing[(days, charge)] = (quantity, round_amount(quantity * charge))
            lines.append(
                Line(
                    kind=models.BillLineKind.STANDING_CHARGE,
                    description=f"Standing charge {agreement.tariff.code}",
                    period=part,
                    quantity=priced[0],
                    unit_rate=charge,
                    amount=priced[1],
                    agreement_id=agreement.id,
                    tax_rate=agreement.tariff.tax_rate,
                )
            )
        return lines

    def _only_agreement_days(self, agreement: Agreement, part: ranges.Period, tz: ZoneInfo) -> int:
        """`_standing_charges` for a meter point's only agreement: the local midnights within its
        part of the period, and the day it starts if it starts in the period but not at midnight."""
        midnights = self._midnights(tz)
        days = bisect.bisect_left(midnights, part.end) - bisect.bisect_left(midnights, part.start)
        start = agreement.active.start
        if start in self.period and start not in midnights:
            days += 1
        return days

    def _midnights(self, tz: ZoneInfo) -> list[datetime]:
        """The local midnights (in UTC) from the day before the period to the day after it."""
        cached = self._midnights_by_zone.get(tz.key)
        if cached is None:
            day = clock.local_date(self.period.start, tz) - timedelta(days=1)
            last = clock.local_date(self.period.end, tz) + timedelta(days=1)
            cached = []
            while day <= last:
                cached.append(clock.midnight(day, tz).astimezone(UTC))
                day += timedelta(days=1)
            self._midnights_by_zone[tz.key] = cached
        return cached

    def _register_lines(
        self,
        meter_point: MeterPoint,
        slices: list[tuple[Agreement, ranges.Period]],
        by_intervals: set[int],
        tz: ZoneInfo,
    ) -> list[tuple[tuple, Line]]:
        """Consumption from cumulative registers, apportioned to the slices (agreement × rate
        segment) not priced from half hours, by wall-clock days; one of several registers is priced
        at its band, a single register (or one with no band of the tariff) shared between the bands
        by the half hours each holds (a flat profile)."""
        if len(by_intervals) == len(slices):
            return []
        parts: dict[tuple, list] = {}
        registers = meter_point.registers or (
            Register(band="", readings=(), installed=ranges.Period(self.period.start, self.period.end)),
        )
        typical_daily = typical_daily_kwh(meter_point.market, meter_point.utility_type)
        # Registers are matched to bands only when the meter point records several (DAY and NIGHT);
        # a single register records every hour, whatever its band is called.
        by_band = len({register.band for register in registers}) > 1
        for register in registers:
            window = register.installed & self.period
            if window is None:
                continue
            targets, weights = [], []
            for index, (agreement, part) in enumerate(slices):
                if index in by_intervals:
                    continue
                covered = part & window
                if covered is None:
                    continue
                band = register.band if by_band else None
                for segment, rate, weight in self._register_targets(agreement.tariff, covered, band, tz):
                    targets.append(((index, segment.start, rate.band), segment, rate))
                    weights.append(weight)
            if not targets:
                continue
            kwh, estimated = _registers.register_consumption(
                register=register,
                window=window,
                typical_daily=typical_daily,
                calorific_values=meter_point.calorific_values,
            )
            shares = apportion(total=kwh, weights=weights, whole=self.wall_clock_days(window, tz))
            for (key, segment, rate), quantity in zip(targets, shares, strict=True):
                entry = parts.setdefault(key, [segment, rate, Decimal(0), False])
                entry[2] += quantity
                entry[3] = entry[3] or estimated
        lines = []
        for key, (segment, rate, quantity, estimated) in parts.items():
            agreement = slices[key[0]][0]
            lines.append(
                (
                    key,
                    Line(
                        kind=models.BillLineKind.CONSUMPTION,
                        description=f"{meter_point.utility_type.title()} {meter_point.identifier} {key[2]}",
                        period=segment,
                        quantity=quantity,
                        unit_rate=rate.unit_rate,
                        amount=round_amount(quantity * rate.unit_rate),
                        band=key[2],
                        agreement_id=agreement.id,
                        is_estimated=estimated,
                        tax_rate=agreement.tariff.tax_rate,
                    ),
                )
            )
        return lines

    def _register_targets(
        self, tariff: Tariff, covered: ranges.Period, band: str | None, tz: ZoneInfo
    ) -> list[tuple[ranges.Period, Rate, Decimal]]:
        """What a register (of `band`, None for a meter point's only band) covering `covered` on
        `tariff` is shared between: (rate segment, rate, weight in wall-clock days). The same for
        most accounts of a run, so worked out once per tariff, period, band and zone.

        Raises MissingRate."""
        key = (id(tariff), covered, band, tz.key)
        cached = self._targets.get(key)
        if cached is not None and cached[0] is tariff:
            return cached[1]
        targets = []
        for segment, rates in self.rate_segments(tariff, covered):
            segment_days = self.wall_clock_days(segment, tz)
            for rate, share in self._band_shares(band, rates, tariff, segment, tz):
                targets.append((segment, rate, segment_days * share))
        self._targets[key] = (tariff, targets)
        return targets

    def _band_shares(
        self, band: str | None, rates: list[Rate], tariff: Tariff, segment: ranges.Period, tz: ZoneInfo
    ) -> list[tuple[Rate, Decimal]]:
        matching = [rate for rate in rates if band is not None and rate.band == band]
        if matching:
            return [(matching[0], Decimal(1))]
        if len(rates) == 1:
            return [(rates[0], Decimal(1))]
        grid = self.grid(tz)
        span = grid.span(segment)
        if not span:
            first = min(int((segment.start - grid.start) / HALF_HOUR), grid.count - 1)
            span = range(first, first + 1)
        counts = self.schedule(tariff, tz).bands_in(span)
        by_band = {rate.band: rate for rate in rates}
        total = sum(counts.values())
        if set(counts) - set(by_band):
            raise MissingRate(f"Tariff {tariff.code} has no rate for some half hours")
        return [(by_band[name], Decimal(count) / Decimal(total)) for name, count in sorted(counts.items())]

    def _interval_lines(
        self, meter_point: MeterPoint, index: int, agreement: Agreement, part: ranges.Period, tz: ZoneInfo
    ) -> list[tuple[tuple, Line]]:
        """Consumption priced half hour by half hour (see `_intervals.price_half_hours`)."""
        grid = self.grid(tz)
        span = grid.span(part)
        if not span:
            return []
        tariff = agreement.tariff
        schedule = self.schedule(tariff, tz)
        series = meter_point.intervals
        if series is None:
            values: list[int | None] | tuple[int | None, ...] = [None] * len(span)
            estimated: frozenset[int] = frozenset()
        else:
            aligned = _aligned(series, grid)
            factor = _registers.kwh_per_unit(
                unit=series.unit, calorific_values=meter_point.calorific_values, window=part
            )
            values = _intervals.milli_kwh_values(aligned, span, factor)
            estimated = aligned.estimated
        dispatched = (
            _intervals.dispatch_indexes(grid, meter_point.dispatches, span)
            if tariff.dispatches_at_off_peak
            else set()
        )

        def register_total() -> int | None:
            total, any_read = Decimal(0), False
            typical = typical_daily_kwh(meter_point.market, meter_point.utility_type)
            for register in meter_point.registers:
                window = register.installed & part
                if window is None or not _registers.has_readings(register):
                    continue
                kwh, _ = _registers.register_consumption(
                    register=register,
                    window=window,
                    typical_daily=typical,
                    calorific_values=meter_point.calorific_values,
                )
                total += kwh
                any_read = True
            return _intervals.milli(total) if any_read else None

        def typical_total() -> int:
            typical = typical_daily_kwh(meter_point.market, meter_point.utility_type)
            return _intervals.milli(typical * elapsed_days(part.start, part.end))

        groups = _intervals.price_half_hours(
            values=values,
            span=span,
            schedule=schedule,
            estimated=estimated,
            dispatched=dispatched,
            register_total=register_total,
            typical_total=typical_total,
        )
        lines = []
        for key, group in groups.items():
            line_key: LineKey = schedule.lines[key]
            period = (line_key.rate.active & part) if line_key.rate is not None else part
            quantity = quantise_quantity(Decimal(group.milli_kwh).scaleb(-3))
            if line_key.rate is not None:
                unit_rate = line_key.rate.unit_rate
            elif group.milli_kwh:
                unit_rate = (Decimal(group.cost) / Decimal(group.milli_kwh)).scaleb(-4)
                unit_rate = unit_rate.quantize(QUANTITY, rounding=ROUND_HALF_UP)
            else:
                unit_rate = Decimal(0).quantize(QUANTITY)
            lines.append(
                (
                    (index, period.start, line_key.band),
                    Line(
                        kind=models.BillLineKind.CONSUMPTION,
                        description=f"{meter_point.utility_type.title()} {meter_point.identifier} {line_key.band}",
                        period=period,
                        quantity=quantity,
                        unit_rate=unit_rate,
                        amount=round_cost(group.cost),
                        band=line_key.band,
                        agreement_id=agreement.id,
                        is_estimated=group.estimated,
                        half_hours=group.half_hours,
                        tax_rate=tariff.tax_rate,
                    ),
                )
            )
        return lines


# A schedule depends on the tariff's values and the grid only, so a worker billing chunk after chunk
# of one run builds each tariff's schedule once (a pure function, memoised).
_shared_schedule = functools.lru_cache(maxsize=64)(build_schedule)


def calculate_bill(*, account: Account, period: ranges.Period, tz: ZoneInfo) -> BillDraft:
    """The bill of `account` for the finite half-open `period`.

    Raises NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings, MissingCalorificValue,
    ValueError for an open period.
    """
    return BillCalculator(period=period).calculate(account=account, tz=tz)


def apportion(*, total: Decimal, weights: Sequence[Decimal], whole: Decimal) -> list[Decimal]:
    """Shares of `total` in proportion `weight / whole`, each quantised, rounding cumulatively so
    the shares add up exactly to the quantised share of their summed weights."""
    shares, cumulative, previous = [], Decimal(0), Decimal(0)
    for weight in weights:
        cumulative += weight
        running = quantise_quantity(total * cumulative / whole) if whole else Decimal(0)
        shares.append(running - previous)
        previous = running
    return shares


def _rate_segments(tariff: Tariff, part: ranges.Period) -> list[tuple[ranges.Period, list[Rate]]]:
    """`part` cut where the tariff's rates change, with the rates active in each piece."""
    cuts = {part.start, part.end}
    for rate in tariff.rates:
        for moment in (rate.active.start, rate.active.end):
            if moment is not None and moment in part:
                cuts.add(moment)
    bounds = sorted(cuts)
    segments = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        active = [rate for rate in tariff.rates if start in rate.active]
        if not active:
            raise MissingRate(f"Tariff {tariff.code} has no unit rate at {start.isoformat()}")
        segments.append((ranges.Period(start, end), active))
    return segments


def _aligned(series: IntervalSeries, grid: Grid) -> IntervalSeries:
    """The series re-indexed onto the grid (None where it has no value).

    Raises ValueError if its half hours do not fall on the grid's."""
    if series.start == grid.start and len(series.values) == grid.count:
        return series
    offset, remainder = divmod(series.start - grid.start, HALF_HOUR)
    if remainder:
        raise ValueError("Interval data does not start on one of the period's half hours")
    values: list[int | None] = [None] * grid.count
    for position, value in enumerate(series.values):
        index = offset + position
        if 0 <= index < grid.count:
            values[index] = value
    estimated = frozenset(
        offset + position for position in series.estimated if 0 <= offset + position < grid.count
    )
    return IntervalSeries(start=grid.start, values=tuple(values), estimated=estimated, unit=series.unit)
