"""Bill calculation as pure functions: plain inputs in, bill lines out. No database, no clock.

`calculate_bill` turns an account's meter points, agreements, tariffs, register readings and
half-hourly interval data into the lines of one bill for a half-open period `[start, end)`;
`BillCalculator` does the same for many accounts of one period, sharing each tariff's half-hour
schedule. `billing.queries` builds the inputs from the database (readings known as of `as_of`);
`billing.operations` writes the result.

The rules, each pinned by tests/billing/test_calculation.py and test_half_hourly.py:

Money
    Rates and standing charges are `Decimal` minor units (pence per kWh, pence per day) with at most
    4 decimal places. Amounts are integer minor units. Nothing is ever a float.

Rounding: once per line, ROUND_HALF_UP
    A register-priced line's quantity (kWh or days) is first quantised to 4 decimal places (the
    column's precision, ROUND_HALF_UP); its amount is then `quantity × unit_rate` rounded ONCE to a
    whole minor unit with ROUND_HALF_UP, so `amount == round_half_up(quantity × unit_rate)`. A line
    priced from half hours sums `kWh × rate` over its half hours exactly (integers: kWh to 0.001,
    rates to 0.0001) and rounds that sum ONCE; its quantity is the exact kWh and its unit rate the
    rate if it is the same in every half hour, else the consumption-weighted mean (4 dp, for
    reading only); `half_hours` says how many half hours it sums. Halves round away from zero
    (negative half-hourly prices give negative costs). Nothing is rounded between lines.

Tax: on the subtotal, per rate
    Each product carries its tax rate. For each distinct non-zero rate there is one TAX line whose
    quantity is the sum of the amounts of the lines taxed at that rate (the taxable subtotal) and whose
    amount is `subtotal × rate`, rounded once, ROUND_HALF_UP. `subtotal` = sum of non-tax lines,
    `tax` = sum of TAX lines, `total` = subtotal + tax = sum of all lines.

Days and time zones
    Days are wall-clock days in the account's time zone (`Account.time_zone`, e.g. Australia/Sydney
    for an AU account; else the caller's billing zone), so a month from local midnight to local
    midnight is a whole number of days even across a DST change.

Standing charges: per day of supply
    A meter point pays the standing charge for every local day it is supplied, whole days only, as
    GB suppliers bill: a supply that starts (or ends) mid-day pays that day. A day is charged once
    per meter point, to the first agreement supplying it, and to the bill whose period holds the
    day's midnight (or, on the day supply starts, the start of supply), so back-to-back bills never
    charge a day twice. Standing charge = days × daily charge.

Which consumption is priced how
    A tariff with daily time-of-use windows or with rates per half hour "prices intervals". An
    agreement on such a tariff whose meter point has a smart meter (`MeterPoint.intervals` given),
    or whose tariff has rates per half hour, is priced half hour by half hour; everything else is
    priced from the cumulative registers.

Half hours (smart meters on time-of-use, Agile-, Go- and Intelligent-style tariffs)
    The period is cut into half hours from its start. A half hour belongs to the agreement in force
    at its start, is in the band whose daily window holds its local start time (else in the tariff's
    one band without a window, STANDARD if it has several), and costs that band's rate in force at
    its start: one rate row per half hour for a tariff with rates per half hour (published day by
    day: 46, 48 or 50 per local day), long-lived rows for windowed bands. On a tariff that moves
    dispatches to the off-peak rate (Intelligent-style), a half hour overlapping a completed
    smart-charging dispatch of a device at the property costs the OFF_PEAK rate, wherever the
    window is. Lines: one per band and rate row (one per band for rates per half hour).
    A half hour in m³ is converted to kWh at the calorific value (below) and rounded to 0.001 kWh.

Missing half hours (flagged `is_estimated`)
    Missing half hours share equally (to 0.001 kWh, cumulative ROUND_HALF_UP so they add up) what
    the registers recorded over the agreement's part of the period beyond the known half hours.
    Without register readings, or when the registers recorded less than the known half hours, each
    missing half hour gets the mean of the known ones; with no known half hour and no reading, the
    typical consumption is spread evenly. A half hour recorded with quality ESTIMATE is estimated too.

Registers
    Registers are cumulative; a register's consumption over the period (clipped to the meter's
    installation) is `value(end) − value(start)` in kWh (register multiplier; m³ and hundreds of
    cubic feet converted with the GB formula m³ × 1.02264 × CV ÷ 3.6, CV being the time-weighted
    mean of the calorific values of the meter point's LDZ over the window, rounded to 0.1 MJ/m³,
    ROUND_HALF_UP — from configuration; none covering the window is MissingCalorificValue). That
    consumption is apportioned to the period's slices (agreement × tariff-rate segment, so a tariff
    change mid-period is pro-rated) in proportion to their wall-clock days, with cumulative
    rounding so the parts sum exactly to the rounded whole. Where a meter point has registers for
    several bands (DAY and NIGHT), each is priced at the tariff band of its name; a single-band
    tariff prices every register; a single register (it records all hours, whatever its band is
    called), or one with no band of the tariff, is shared between the bands by the share of the
    segment's half hours each band holds (a flat profile over all 24 hours, window-less bands
    included).

Estimation (flagged `is_estimated` on the line)
    `value(t)` is actual only when an actual reading was taken exactly at `t`. Otherwise it is
    estimated: interpolated linearly in elapsed time between the nearest readings either side;
    extrapolated from the nearest reading using the average daily rate between the two nearest
    readings on that side, or the typical daily consumption when there is only one. A meter point
    with no readings at all is estimated at the typical daily consumption × elapsed days. Typical
    consumption is per market: Ofgem's medium TDCVs in GB (2,700 kWh electricity, 11,500 kWh gas a
    year), the Default Market Offer's residential reference usage in AU (3,900 kWh a year). A
    reading of quality ESTIMATE makes the value estimated too.
"""

from billing.calculation._bill import BillCalculator, apportion, calculate_bill
from billing.calculation._registers import kwh_per_unit, mean_calorific_value, register_consumption
from billing.calculation._schedule import Grid, Schedule, build_schedule, grid_of
from billing.calculation._types import (
    HALF_HOUR,
    QUANTITY,
    TYPICAL_ANNUAL_KWH,
    Account,
    Agreement,
    BillDraft,
    BillingError,
    CalorificValue,
    CurrencyMismatch,
    IntervalSeries,
    InvalidReadings,
    Line,
    MeterPoint,
    MissingCalorificValue,
    MissingRate,
    NothingToBill,
    Rate,
    ReadingPoint,
    Register,
    Tariff,
    quantise_quantity,
    round_amount,
    round_cost,
    typical_daily_kwh,
    wall_clock_days,
)

__all__ = [
    "HALF_HOUR",
    "QUANTITY",
    "TYPICAL_ANNUAL_KWH",
    "Account",
    "Agreement",
    "BillCalculator",
    "BillDraft",
    "BillingError",
    "CalorificValue",
    "CurrencyMismatch",
    "Grid",
    "IntervalSeries",
    "InvalidReadings",
    "Line",
    "MeterPoint",
    "MissingCalorificValue",
    "MissingRate",
    "NothingToBill",
    "Rate",
    "ReadingPoint",
    "Register",
    "Schedule",
    "Tariff",
    "apportion",
    "build_schedule",
    "calculate_bill",
    "grid_of",
    "kwh_per_unit",
    "mean_calorific_value",
    "quantise_quantity",
    "register_consumption",
    "round_amount",
    "round_cost",
    "typical_daily_kwh",
    "wall_clock_days",
]
