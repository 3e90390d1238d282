"""Bill calculation as pure functions: plain inputs in, bill lines out. No database, no clock.

`calculate_bill` turns an account's meter points, agreements, tariffs and register readings into the
lines of one bill for a half-open period `[start, end)`. `billing.queries` builds the inputs from the
database (readings known as of `as_of`); `billing.operations` writes the result.

The rules, each pinned by tests/billing/test_calculation.py:

Money
    Rates and standing charges are `Decimal` minor units (pence per kWh, pence per day). Amounts are
    integer minor units. Nothing is ever a float.

Rounding: once per line, ROUND_HALF_UP
    A line's quantity (kWh or days) is first quantised to 4 decimal places (the column's precision,
    ROUND_HALF_UP); its amount is then `quantity × unit_rate` rounded ONCE to a whole minor unit with
    ROUND_HALF_UP. So every stored line satisfies `amount == round_half_up(quantity × unit_rate)` and
    can be re-checked from the bill alone. Nothing is rounded between lines.

Tax: on the subtotal, per rate
    Each product carries its tax rate. For each distinct non-zero rate there is one TAX line whose
    quantity is the sum of the amounts of the lines taxed at that rate (the taxable subtotal) and whose
    amount is `subtotal × rate`, rounded once, ROUND_HALF_UP. `subtotal` = sum of non-tax lines,
    `tax` = sum of TAX lines, `total` = subtotal + tax = sum of all lines.

Days
    Days are wall-clock days in the billing time zone (settings.TIME_ZONE), so a month from local
    midnight to local midnight is a whole number of days even across a DST change; a part day counts
    as its fraction of 24 wall-clock hours. Standing charge = days × daily charge.

Consumption
    Registers are cumulative; a register's consumption over the period (clipped to the meter's
    installation) is `value(end) − value(start)` in kWh (register multiplier, and m³/hcf converted with
    the GB formula: m³ × 1.02264 × 39.5 MJ/m³ ÷ 3.6). That consumption is then apportioned to the
    period's slices (agreement × tariff-rate segment, so a tariff change mid-period is pro-rated) in
    proportion to their wall-clock days, with cumulative rounding so the parts sum exactly to the
    rounded whole. A register whose band matches a tariff band is priced at that band; a single-band
    tariff prices every register; a single (STANDARD) register on a time-of-use tariff is split
    between the bands in proportion to the hours of their daily windows (a flat profile).

Estimation (flagged `is_estimated` on the line)
    `value(t)` is actual only when an actual reading was taken exactly at `t`. Otherwise it is
    estimated: interpolated linearly in elapsed time between the nearest readings either side;
    extrapolated from the nearest reading using the average daily rate between the two nearest
    readings on that side, or the typical daily consumption (`TYPICAL_DAILY_KWH`, Ofgem's medium
    TDCV) when there is only one. A meter point with no readings at all is estimated at the typical
    daily consumption × elapsed days. A reading of quality ESTIMATE makes the value estimated too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from billing import error_codes, models
from kernel import ranges

QUANTITY = Decimal("0.0001")
SECONDS_PER_DAY = Decimal(86400)
# Ofgem typical domestic consumption values (medium), per day.
TYPICAL_DAILY_KWH = {
    "ELECTRICITY": Decimal(2700) / Decimal(365),
    "EMBEDDED_ELECTRICITY": Decimal(2700) / Decimal(365),
    "GAS": Decimal(11500) / Decimal(365),
}
CUBIC_METRES_TO_KWH = Decimal("1.02264") * Decimal("39.5") / Decimal("3.6")
KWH_PER_UNIT = {
    "KWH": Decimal(1),
    "M3": CUBIC_METRES_TO_KWH,
    "HCF": Decimal("2.83168") * CUBIC_METRES_TO_KWH,
}


class BillingError(Exception):
    """An anticipated reason an account cannot be billed; `code` is in billing/error_codes.py."""

    code = error_codes.UNEXPECTED_ERROR


class NothingToBill(BillingError):
    """No agreement of the account overlaps the period."""

    code = error_codes.NOTHING_TO_BILL


class CurrencyMismatch(BillingError):
    """A tariff is in a different currency from the account."""

    code = error_codes.CURRENCY_MISMATCH


class MissingRate(BillingError):
    """A tariff has no unit rate for a band at some moment of the period."""

    code = error_codes.MISSING_RATE


class InvalidReadings(BillingError):
    """Readings go backwards over the period."""

    code = error_codes.INVALID_READINGS


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    band: str
    unit_rate: Decimal
    active: ranges.Period
    window: tuple[time, time] | None = None


@dataclass(frozen=True)
class Tariff:
    code: str
    currency: str
    standing_charge: Decimal
    tax_rate: Decimal
    rates: tuple[Rate, ...]


@dataclass(frozen=True)
class ReadingPoint:
    read_at: datetime
    value: Decimal
    is_estimate: bool = False


@dataclass(frozen=True)
class Register:
    band: str
    readings: tuple[ReadingPoint, ...]
    installed: ranges.Period
    multiplier: Decimal = Decimal(1)
    unit: str = "KWH"


@dataclass(frozen=True)
class Agreement:
    id: int | None
    active: ranges.Period
    tariff: Tariff


@dataclass(frozen=True)
class MeterPoint:
    identifier: str
    utility_type: str
    agreements: tuple[Agreement, ...]
    registers: tuple[Register, ...] = ()


@dataclass(frozen=True)
class Account:
    currency: str
    meter_points: tuple[MeterPoint, ...]


# --- outputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: str
    description: str
    period: ranges.Period
    quantity: Decimal
    unit_rate: Decimal
    amount: int
    band: str = ""
    agreement_id: int | None = None
    is_estimated: bool = False
    tax_rate: Decimal = field(default=Decimal(0), compare=False)


@dataclass(frozen=True)
class BillDraft:
    currency: str
    period: ranges.Period
    lines: tuple[Line, ...]
    subtotal: int
    tax: int
    total: int

    @property
    def is_estimated(self) -> bool:
        return any(line.is_estimated for line in self.lines)


# --- the calculation ----------------------------------------------------------------------------


def round_amount(value: Decimal) -> int:
    """The one rounding of money: a fractional amount of minor units to a whole one, ROUND_HALF_UP."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quantise_quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY, rounding=ROUND_HALF_UP)


def wall_clock_days(period: ranges.Period, tz: ZoneInfo) -> Decimal:
    """Days in a finite period, counted on the local wall clock (see the module docstring)."""
    start = period.start.astimezone(tz).replace(tzinfo=None)
    end = period.end.astimezone(tz).replace(tzinfo=None)
    return _days(end - start)


def calculate_bill(*, account: Account, period: ranges.Period, tz: ZoneInfo) -> BillDraft:
    """The bill of `account` for the finite half-open `period`.

    Raises NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings, ValueError for an open period.
    """
    if not period.is_finite:
        raise ValueError("A bill's period must be finite")
    lines: list[Line] = []
    for meter_point in account.meter_points:
        lines.extend(_meter_point_lines(meter_point, account.currency, period, tz))
    if not lines:
        raise NothingToBill(f"No agreement overlaps [{period.start}, {period.end})")
    subtotal = sum(line.amount for line in lines)
    taxable: dict[Decimal, int] = {}
    for line in lines:
        if line.tax_rate:
            taxable[line.tax_rate] = taxable.get(line.tax_rate, 0) + line.amount
    tax_lines = [
        Line(
            kind=models.BillLineKind.TAX,
            description=f"VAT at {(rate * 100).normalize():f}%",
            period=period,
            quantity=Decimal(base),
            unit_rate=rate,
            amount=round_amount(Decimal(base) * rate),
        )
        for rate, base in sorted(taxable.items())
    ]
    tax = sum(line.amount for line in tax_lines)
    return BillDraft(
        currency=account.currency,
        period=period,
        lines=tuple(lines + tax_lines),
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
    )


def _meter_point_lines(
    meter_point: MeterPoint, currency: str, period: ranges.Period, tz: ZoneInfo
) -> list[Line]:
    slices = []
    for agreement in sorted(meter_point.agreements, key=lambda agreement: agreement.active.start):
        part = agreement.active & period
        if part is None:
            continue
        if agreement.tariff.currency != currency:
            raise CurrencyMismatch(f"Tariff {agreement.tariff.code} is in {agreement.tariff.currency}")
        slices.append((agreement, part))
    if not slices:
        return []
    lines = []
    for agreement, part in slices:
        days = quantise_quantity(wall_clock_days(part, tz))
        lines.append(
            Line(
                kind=models.BillLineKind.STANDING_CHARGE,
                description=f"Standing charge {agreement.tariff.code}",
                period=part,
                quantity=days,
                unit_rate=agreement.tariff.standing_charge,
                amount=round_amount(days * agreement.tariff.standing_charge),
                agreement_id=agreement.id,
                tax_rate=agreement.tariff.tax_rate,
            )
        )

    # Consumption: (slice index, segment start, band) -> [segment, rate, kWh, estimated]
    parts: dict[tuple, list] = {}
    registers = meter_point.registers or (
        Register(band="", readings=(), installed=ranges.Period(period.start, period.end)),
    )
    typical_daily = TYPICAL_DAILY_KWH.get(meter_point.utility_type, TYPICAL_DAILY_KWH["ELECTRICITY"])
    for register in registers:
        window = register.installed & period
        if window is None:
            continue
        kwh, estimated = register_consumption(register=register, window=window, typical_daily=typical_daily)
        targets, weights = [], []
        for index, (agreement, part) in enumerate(slices):
            covered = part & window
            if covered is None:
                continue
            for segment, rates in _rate_segments(agreement.tariff, covered):
                segment_days = wall_clock_days(segment, tz)
                for rate, share in _band_shares(register.band, rates, agreement.tariff):
                    targets.append(((index, segment.start, rate.band), segment, rate))
                    weights.append(segment_days * share)
        for (key, segment, rate), quantity in zip(
            targets, apportion(total=kwh, weights=weights, whole=wall_clock_days(window, tz)), strict=True
        ):
            entry = parts.setdefault(key, [segment, rate, Decimal(0), False])
            entry[2] += quantity
            entry[3] = entry[3] or estimated

    for (index, _, band), (segment, rate, quantity, estimated) in sorted(
        parts.items(), key=lambda item: item[0]
    ):
        agreement = slices[index][0]
        lines.append(
            Line(
                kind=models.BillLineKind.CONSUMPTION,
                description=f"{meter_point.utility_type.title()} {meter_point.identifier} {band}",
                period=segment,
                quantity=quantity,
                unit_rate=rate.unit_rate,
                amount=round_amount(quantity * rate.unit_rate),
                band=band,
                agreement_id=agreement.id,
                is_estimated=estimated,
                tax_rate=agreement.tariff.tax_rate,
            )
        )
    return lines


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


def _band_shares(band: str, rates: list[Rate], tariff: Tariff) -> list[tuple[Rate, Decimal]]:
    matching = [rate for rate in rates if rate.band == band]
    if matching:
        return [(matching[0], Decimal(1))]
    if len(rates) == 1:
        return [(rates[0], Decimal(1))]
    windowed = [(rate, _window_hours(rate.window)) for rate in rates if rate.window is not None]
    hours = sum((weight for _, weight in windowed), Decimal(0))
    if not hours:
        raise MissingRate(f"Tariff {tariff.code} has no rate for band {band or 'STANDARD'}")
    return [(rate, weight / hours) for rate, weight in sorted(windowed, key=lambda item: item[0].band)]


def _window_hours(window: tuple[time, time]) -> Decimal:
    start, end = (timedelta(hours=moment.hour, minutes=moment.minute) for moment in window)
    length = end - start if end > start else end - start + timedelta(days=1)
    return Decimal(int(length.total_seconds())) / Decimal(3600)


def _days(delta: timedelta) -> Decimal:
    return Decimal(delta.days) + Decimal(delta.seconds * 1_000_000 + delta.microseconds) / (
        SECONDS_PER_DAY * 1_000_000
    )


# --- readings -----------------------------------------------------------------------------------


def register_consumption(
    *, register: Register, window: ranges.Period, typical_daily: Decimal
) -> tuple[Decimal, bool]:
    """kWh recorded by a register over `window`, and whether any of it is estimated.

    Raises InvalidReadings if the register goes backwards.
    """
    factor = register.multiplier * KWH_PER_UNIT.get(register.unit, Decimal(1))
    points = _preferred_readings(register.readings)
    points = [ReadingPoint(point.read_at, point.value * factor, point.is_estimate) for point in points]
    if not points:
        return typical_daily * _days(window.end - window.start), True
    start, start_estimated = _value_at(points, window.start, typical_daily)
    end, end_estimated = _value_at(points, window.end, typical_daily)
    if end < start:
        raise InvalidReadings(f"Register {register.band} reads {end} at the end, below {start} at the start")
    return end - start, start_estimated or end_estimated


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
        fraction = _days(moment - low.read_at) / _days(high.read_at - low.read_at)
        return low.value + (high.value - low.value) * fraction, True
    if before:
        slope = _slope(before[-2:], typical_daily)
        return before[-1].value + slope * _days(moment - before[-1].read_at), True
    slope = _slope(after[:2], typical_daily)
    return after[0].value - slope * _days(after[0].read_at - moment), True


def _slope(pair: list[ReadingPoint], typical_daily: Decimal) -> Decimal:
    if len(pair) == 2 and pair[1].read_at > pair[0].read_at:
        return (pair[1].value - pair[0].value) / _days(pair[1].read_at - pair[0].read_at)
    return typical_daily
