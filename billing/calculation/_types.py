"""The calculation's inputs, outputs, errors, constants and its one rounding of money."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from billing import error_codes
from kernel import ranges

QUANTITY = Decimal("0.0001")
SECONDS_PER_DAY = Decimal(86400)
HALF_HOUR = timedelta(minutes=30)
# Interval consumption is held in thousandths of a unit (the metering column is numeric(12, 3)) and
# rates in ten-thousandths of a minor unit (numeric(12, 4)), so a half hour's cost is an exact
# integer in 10^-7 minor units.
MILLI = 1000
RATE_SCALE = 10_000
COST_EXPONENT = -7

# Typical domestic consumption per day, by market and utility: Ofgem's medium TDCVs for GB
# (2,700 kWh electricity, 11,500 kWh gas a year); for AU the Default Market Offer's reference
# annual usage of a residential customer without controlled load (3,900 kWh, Ausgrid).
TYPICAL_ANNUAL_KWH = {
    ("GB", "ELECTRICITY"): Decimal(2700),
    ("GB", "EMBEDDED_ELECTRICITY"): Decimal(2700),
    ("GB", "GAS"): Decimal(11500),
    ("AU", "ELECTRICITY"): Decimal(3900),
    ("AU", "EMBEDDED_ELECTRICITY"): Decimal(3900),
}
# GB gas: kWh = m³ × volume correction 1.02264 × calorific value (MJ/m³) ÷ 3.6 (the Gas
# (Calculation of Thermal Energy) Regulations); one hundred cubic feet is 2.83168 m³.
VOLUME_CORRECTION = Decimal("1.02264")
MEGAJOULES_PER_KWH = Decimal("3.6")
CUBIC_METRES_PER_UNIT = {"M3": Decimal(1), "HCF": Decimal("2.83168")}
CALORIFIC_VALUE_QUANTUM = Decimal("0.1")


# Asked per register of every account billed: a division worked out once per (market, utility).
@cache
def typical_daily_kwh(market: str, utility_type: str) -> Decimal:
    """The typical daily consumption of a meter point of this market and utility (GB's when the
    market has no figure of its own)."""
    annual = TYPICAL_ANNUAL_KWH.get((market, utility_type)) or TYPICAL_ANNUAL_KWH.get(
        ("GB", utility_type), TYPICAL_ANNUAL_KWH[("GB", "ELECTRICITY")]
    )
    return annual / Decimal(365)


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
    """A tariff has no unit rate for a band (or a half hour) at some moment of the period."""

    code = error_codes.MISSING_RATE


class InvalidReadings(BillingError):
    """Readings go backwards over the period."""

    code = error_codes.INVALID_READINGS


class MissingCalorificValue(BillingError):
    """A gas register or meter records volume and no calorific value covers the period."""

    code = error_codes.MISSING_CALORIFIC_VALUE


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
    # Agile-style: unit rates are published per half hour (rate rows one half hour long).
    rates_per_half_hour: bool = False
    # Intelligent-style: half hours of a smart-charging dispatch are billed at the OFF_PEAK rate.
    dispatches_at_off_peak: bool = False

    @cached_property  # asked per agreement of every account billed; a run's tariffs are few
    def prices_intervals(self) -> bool:
        """Whether a smart meter on this tariff is billed per half hour from its interval data."""
        return self.rates_per_half_hour or any(rate.window is not None for rate in self.rates)


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
class CalorificValue:
    """A gas calorific value (MJ/m³) in force over `active` for the meter point's LDZ."""

    active: ranges.Period
    value: Decimal


@dataclass(frozen=True)
class IntervalSeries:
    """A meter point's half-hourly consumption from `start`: `values[i]` is what was recorded in the
    half hour starting `start + i × 30 min`, in thousandths of `unit` (Wh for kWh: the metering
    column's precision), or None where the half hour is missing. `estimated` holds the indexes of
    half hours recorded with quality ESTIMATE."""

    start: datetime
    values: Sequence[int | None]
    estimated: frozenset[int] = frozenset()
    unit: str = "KWH"

    @classmethod
    def from_consumption(
        cls,
        *,
        start: datetime,
        values: Iterable[Decimal | None],
        estimated: Iterable[int] = (),
        unit: str = "KWH",
    ) -> IntervalSeries:
        """A series from consumption in `unit` per half hour (at most 3 decimal places).

        Raises ValueError for a finer value."""
        milli = []
        for value in values:
            if value is None:
                milli.append(None)
                continue
            scaled = value * MILLI
            if scaled != scaled.to_integral_value():
                raise ValueError(f"{value} has more than 3 decimal places")
            milli.append(int(scaled))
        return cls(start=start, values=tuple(milli), estimated=frozenset(estimated), unit=unit)


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
    # None: no meter of the point records half hours (a traditional meter).
    intervals: IntervalSeries | None = None
    # Completed smart-charging dispatches of devices at the meter point's property.
    dispatches: tuple[ranges.Period, ...] = ()
    # The calorific values of the meter point's LDZ (gas); must cover the period if volume is metered.
    calorific_values: tuple[CalorificValue, ...] = ()
    market: str = "GB"


@dataclass(frozen=True)
class Account:
    currency: str
    meter_points: tuple[MeterPoint, ...]
    # The zone whose wall clock counts the account's days; None means the caller's.
    time_zone: str | None = None


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
    # How many half hours of interval data the line prices (0: priced from register reads).
    half_hours: int = 0
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


# --- arithmetic ---------------------------------------------------------------------------------


def round_amount(value: Decimal) -> int:
    """The one rounding of money: a fractional amount of minor units to a whole one, ROUND_HALF_UP
    (halves away from zero, so -2.5 is -3)."""
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP))


_ONE = Decimal(1)


def round_cost(cost: int) -> int:
    """An exact interval cost in 10^-7 minor units rounded once to whole minor units, ROUND_HALF_UP."""
    return round_amount(Decimal(cost).scaleb(COST_EXPONENT))


def quantise_quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY, rounding=ROUND_HALF_UP)


def days_of(delta: timedelta) -> Decimal:
    return Decimal(delta.days) + Decimal(delta.seconds * 1_000_000 + delta.microseconds) / (
        SECONDS_PER_DAY * 1_000_000
    )


def elapsed_days(start: datetime, end: datetime) -> Decimal:
    """Elapsed (not wall-clock) days from `start` to `end`: Python subtracts two datetimes of one
    zone on the wall clock, so both go to UTC first."""
    return days_of(end.astimezone(UTC) - start.astimezone(UTC))


def wall_clock_days(period: ranges.Period, tz: ZoneInfo) -> Decimal:
    """Days in a finite period, counted on the local wall clock (see the package docstring)."""
    start = period.start.astimezone(tz).replace(tzinfo=None)
    end = period.end.astimezone(tz).replace(tzinfo=None)
    return days_of(end - start)


def rate_units(rate: Rate) -> int:
    """A unit rate in ten-thousandths of a minor unit. Raises ValueError for a finer rate."""
    scaled = rate.unit_rate * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"Rate {rate.unit_rate} has more than 4 decimal places")
    return int(scaled)
