"""Customer-facing prices of tariffs: what a kWh or a day costs, before and with tax, at a moment or
over a period. Pure functions over loaded rows (a tariff with its product and rates); no database,
no clock.

Prices are `Decimal` minor units (pence per kWh, pence per day) and exact: the tax-inclusive price
is `amount × (1 + tax_rate)`, never rounded here (a bill rounds once per line, in
billing/calculation.py). Doors convert them to their wire type (the customer graph's Float) at the
edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing import models
from kernel import ranges

MAX_RATE_WINDOW = timedelta(days=31)


@dataclass(frozen=True)
class Price:
    before_tax: Decimal
    with_tax: Decimal


def price(*, amount: Decimal, tax_rate: Decimal) -> Price:
    """`amount` before and with tax at `tax_rate` (a fraction, e.g. 0.05), exact."""
    return Price(before_tax=amount, with_tax=amount * (1 + tax_rate))


def is_available(*, product: models.Product, at: datetime) -> bool:
    """Whether the product is on sale at `at` (`[available_from, available_to)`). A product whose
    availability ends before it starts (the database does not refuse one) is never on sale."""
    if product.available_to is not None and product.available_to < product.available_from:
        return False
    return at in ranges.Period(product.available_from, product.available_to)


def rates_in_force(*, tariff: models.Tariff, at: datetime) -> list[models.TariffRate]:
    """The tariff's rates whose period holds `at`, in the order its rates were loaded."""
    return [rate for rate in tariff.rates.all() if at in ranges.Period(rate.active_from, rate.active_to)]


@dataclass(frozen=True)
class RatePrice:
    band: str
    period: ranges.Period
    price: Price


@dataclass(frozen=True)
class TariffPrices:
    standing_charge: Price
    # The unit rates in force, in the order the tariff's rates were loaded (band, then start).
    unit_rates: tuple[RatePrice, ...]


def tariff_prices(*, tariff: models.Tariff, at: datetime) -> TariffPrices:
    """The tariff's standing charge and the unit rates in force at `at`, before and with its
    product's tax. The tariff comes with its product and rates loaded."""
    tax_rate = tariff.product.tax_rate
    return TariffPrices(
        standing_charge=price(amount=tariff.standing_charge, tax_rate=tax_rate),
        unit_rates=tuple(
            RatePrice(
                band=rate.band,
                period=ranges.Period(rate.active_from, rate.active_to),
                price=price(amount=rate.unit_rate, tax_rate=tax_rate),
            )
            for rate in rates_in_force(tariff=tariff, at=at)
        ),
    )


class InvalidRateWindow(ValueError):
    """A window of applicable rates that ends before it starts or is longer than MAX_RATE_WINDOW."""


def check_rate_window(*, start: datetime, end: datetime) -> None:
    """Raises InvalidRateWindow unless `start < end` at most MAX_RATE_WINDOW apart."""
    if not start < end or end - start > MAX_RATE_WINDOW:
        raise InvalidRateWindow(f"[{start}, {end})")


@dataclass(frozen=True)
class ApplicableRate:
    value: Decimal  # minor units per kWh, tax included, exact
    period: ranges.Period


def applicable_rates(
    *, agreements: Iterable[models.Agreement], window: ranges.Period, tz: ZoneInfo
) -> list[ApplicableRate]:
    """The unit rates, tax included, of `agreements` (with tariff, product and rates loaded) during
    the finite `window`, oldest first: one per agreement × rate period, and for a time-of-use band
    one per local day (in `tz`) and daily window."""
    rows = []
    for agreement in agreements:
        agreed = ranges.Period(agreement.active_from, agreement.active_to) & window
        if agreed is None:
            continue
        tax_rate = agreement.tariff.product.tax_rate
        for rate in agreement.tariff.rates.all():
            part = ranges.Period(rate.active_from, rate.active_to) & agreed
            if part is None:
                continue
            value = price(amount=rate.unit_rate, tax_rate=tax_rate).with_tax
            rows.extend(ApplicableRate(value=value, period=piece) for piece in _time_of_use(part, rate, tz))
    rows.sort(key=lambda r: (r.period.start, r.period.end))
    return rows


def _time_of_use(part: ranges.Period, rate: models.TariffRate, tz: ZoneInfo) -> list[ranges.Period]:
    """`part` itself, or for a rate with a daily window the pieces of `part` inside that window on
    each local day (a window ending before it starts runs past midnight)."""
    if rate.start_time is None:
        return [part]
    pieces = []
    day = part.start.astimezone(tz).date() - timedelta(days=1)
    last = part.end.astimezone(tz).date()
    while day <= last:
        opens = datetime.combine(day, rate.start_time, tzinfo=tz)
        closes = datetime.combine(day, rate.end_time, tzinfo=tz)
        if closes <= opens:
            closes = datetime.combine(day + timedelta(days=1), rate.end_time, tzinfo=tz)
        piece = ranges.Period(opens, closes) & part
        if piece is not None and piece.start < piece.end:
            pieces.append(piece)
        day += timedelta(days=1)
    return pieces
