"""The demo's products and prices: flexible electricity and gas (with a price-cap change half way
through the history), Agile-style prices published day by day, Go- and Intelligent-style
time-of-use tariffs, calorific values for the LDZ, and the import supplier with its API key."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts import tokens as accounts_tokens
from billing import models as billing
from billing import operations as billing_operations
from imports import models as imports
from imports import operations as import_operations
from kraken.demo import _constants as c

VAT = Decimal("0.05")


@dataclass(frozen=True)
class Tariffs:
    flexible_electricity: billing.Tariff
    flexible_gas: billing.Tariff
    agile: billing.Tariff
    go: billing.Tariff
    intelligent: billing.Tariff


def create_products(
    *, since: datetime, until: date, now: datetime, tz: ZoneInfo, rng: random.Random
) -> Tariffs:
    """Products, tariffs and their prices from `since` (rates per half hour up to `until`)."""
    cap_change = c.month_start(since, -6, tz)

    def product(code, display, full, description, **flags):
        return billing.Product.objects.create(
            code=code,
            display_name=display,
            full_name=full,
            description=description,
            brand="OCTOPUS_ENERGY",
            tax_rate=VAT,
            available_from=since,
            **flags,
        )

    def tariff(product, code, utility="ELECTRICITY", standing="53.3500"):
        return billing.Tariff.objects.create(
            product=product,
            code=code,
            utility_type=utility,
            region=c.REGION,
            standing_charge=Decimal(standing),
        )

    flexible = product(
        c.DEMO_PRODUCT_CODE,
        "Flexible Demo",
        "Flexible Demo Tariff",
        "Variable tariff, prices follow the cap.",
    )
    electricity = tariff(flexible, "E-1R-DEMO-FLEX-24-A")
    gas = tariff(flexible, "G-1R-DEMO-FLEX-24-A", utility="GAS", standing="31.4300")
    agile = tariff(
        product(
            c.AGILE_PRODUCT_CODE,
            "Agile Demo",
            "Agile Demo Tariff",
            "Half-hourly prices that follow the wholesale market, published a day ahead.",
            rates_per_half_hour=True,
        ),
        "E-1R-DEMO-AGILE-24-A",
        standing="47.8500",
    )
    go = tariff(
        product(c.GO_PRODUCT_CODE, "Go Demo", "Go Demo Tariff", "Cheap electricity 00:30-05:30 every night."),
        "E-1R-DEMO-GO-24-A",
        standing="47.8500",
    )
    intelligent = tariff(
        product(
            c.INTELLIGENT_PRODUCT_CODE,
            "Intelligent Demo",
            "Intelligent Go Demo Tariff",
            "Cheap electricity 23:30-05:30, and whenever we smart-charge your car.",
            dispatches_at_off_peak=True,
        ),
        "E-1R-DEMO-INTELLI-24-A",
        standing="47.8500",
    )

    def rate(tariff, unit_rate, band="STANDARD", window=None, active_from=since, active_to=None):
        return billing.TariffRate(
            tariff=tariff,
            band=band,
            unit_rate=Decimal(unit_rate),
            start_time=window[0] if window else None,
            end_time=window[1] if window else None,
            active_from=active_from,
            active_to=active_to,
        )

    billing.TariffRate.objects.bulk_create(
        [
            rate(electricity, "24.5000", active_to=cap_change),
            rate(electricity, "23.8600", active_from=cap_change),
            rate(gas, "6.2400", active_to=cap_change),
            rate(gas, "5.8900", active_from=cap_change),
            rate(go, "8.5000", band="OFF_PEAK", window=(time(0, 30), time(5, 30))),
            rate(go, "24.8700"),
            rate(intelligent, "7.5000", band="OFF_PEAK", window=(time(23, 30), time(5, 30))),
            rate(intelligent, "27.0000", band="PEAK", window=(time(5, 30), time(23, 30))),
        ]
    )
    billing_operations.publish_half_hourly_rates(
        tariff=agile,
        days=agile_prices(since=since.date(), until=until, tz=tz, rng=rng),
        tz=tz,
        published_at=now,
    )
    billing_operations.record_calorific_values(
        rows=calorific_values(since=since, until=until, tz=tz), recorded_at=now
    )
    return Tariffs(electricity, gas, agile, go, intelligent)


def agile_prices(*, since: date, until: date, tz: ZoneInfo, rng: random.Random) -> dict[date, list[Decimal]]:
    """A day-ahead price per half hour (pence per kWh, to the penny's hundredth as Agile quotes):
    cheap nights, an evening peak, dearer in winter, and now and then negative on a windy night."""
    days = {}
    day = since
    while day <= until:
        winter = 100 + round(30 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365))
        windy = rng.random() < 0.08
        prices = []
        for start in billing_operations.half_hours_of_day(day, tz):
            hour = start.astimezone(tz).hour
            if 16 <= hour < 19:
                base = 3300
            elif hour < 6:
                base = -250 if windy else 1100
            elif 7 <= hour < 10:
                base = 2200
            else:
                base = 1800
            hundredths = min(base * winter // 100 + rng.randint(-250, 250), 10_000)
            prices.append(Decimal(hundredths) / 100)
        days[day] = prices
        day += timedelta(days=1)
    return days


def calorific_values(
    *, since: datetime, until: date, tz: ZoneInfo
) -> list[billing_operations.CalorificValueRow]:
    """A calorific value per month for the demo's LDZ (higher in winter), and a national value."""
    rows = [billing_operations.CalorificValueRow("", since, None, Decimal("39.5"))]
    month = since
    while month.date() <= until:
        following = c.month_start(month, -1, tz)
        winter = round(3 * math.cos(2 * math.pi * (month.timetuple().tm_yday - 15) / 365))
        rows.append(billing_operations.CalorificValueRow(c.LDZ, month, following, Decimal(393 + winter) / 10))
        month = following
    return rows


def import_supplier() -> imports.ImportSupplier:
    supplier = imports.ImportSupplier.objects.create(
        code=c.DEMO_IMPORT_SUPPLIER, name="Demo migration cohort"
    )
    imports.ImportApiKey.objects.create(
        supplier=supplier,
        name="Demo key",
        prefix=import_operations.key_prefix(c.DEMO_IMPORT_API_KEY),
        key_hash=accounts_tokens.hash_secret(c.DEMO_IMPORT_API_KEY),
    )
    return supplier
