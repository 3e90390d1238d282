"""Publishing prices: unit rates per half hour, a local day at a time (Agile-style products), and
the gas calorific values billing converts volume with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts import operations as accounts_operations
from billing import error_codes, models
from kernel import bulk, clock

HALF_HOUR = timedelta(minutes=30)
RATE_QUANTUM = Decimal("0.0001")


class InvalidRates(ValueError):
    """Rates refused as a whole: a day with the wrong number of half hours, a price that is not a
    Decimal of at most 4 places, or a product that is not priced per half hour."""

    code = error_codes.INVALID_RATES


class RatesAlreadyPublished(ValueError):
    """A day was published before with different prices (published prices are never changed)."""

    code = error_codes.RATES_ALREADY_PUBLISHED


class _RateColumns(NamedTuple):
    tariff_id: int
    band: str
    unit_rate: Decimal
    active_from: datetime
    active_to: datetime


def half_hours_of_day(day: date, tz: ZoneInfo) -> list[datetime]:
    """The starts (UTC) of a local day's half hours: 46, 48 or 50 of them."""
    start, end = (moment.astimezone(UTC) for moment in clock.day_boundaries(day, tz))
    count = int((end - start) / HALF_HOUR)
    return [start + index * HALF_HOUR for index in range(count)]


def publish_half_hourly_rates(
    *,
    tariff: models.Tariff,
    days: Mapping[date, Sequence[Decimal]],
    tz: ZoneInfo,
    published_at: datetime,
    band: str = models.RateBand.STANDARD,
) -> int:
    """Publish a tariff's unit rates (minor units per kWh, before tax, may be negative) for whole
    local days: one TariffRate row per half hour, in one transaction with one audit row. A day
    published again with the same prices changes nothing; returns the number of rows written.

    Raises InvalidRates, RatesAlreadyPublished (nothing is written).
    """
    if not tariff.product.rates_per_half_hour:
        raise InvalidRates(f"{tariff.product} is not priced per half hour")
    rows: list[_RateColumns] = []
    errors = []
    for day, prices in sorted(days.items()):
        starts = half_hours_of_day(day, tz)
        if len(prices) != len(starts):
            errors.append(f"{day}: {len(prices)} prices for {len(starts)} half hours")
            continue
        for start, price in zip(starts, prices, strict=True):
            if (
                not isinstance(price, Decimal)
                or not price.is_finite()
                or price != price.quantize(RATE_QUANTUM)
            ):
                errors.append(f"{day} {start:%H:%M}Z: {price!r} is not a price of at most 4 decimal places")
                continue
            rows.append(_RateColumns(tariff.pk, band, price, start, start + HALF_HOUR))
    if errors:
        raise InvalidRates("; ".join(errors[:5]))
    if not rows:
        return 0
    with transaction.atomic():
        models.Tariff.objects.select_for_update().filter(pk=tariff.pk).first()
        held = dict(
            models.TariffRate.objects.filter(tariff=tariff, band=band)
            .overlapping(start=rows[0].active_from, end=rows[-1].active_to)
            .values_list("active_from", "unit_rate")
        )
        changed = [row for row in rows if row.active_from in held and held[row.active_from] != row.unit_rate]
        if changed:
            raise RatesAlreadyPublished(f"{tariff} already has other prices from {changed[0].active_from}")
        new = [row for row in rows if row.active_from not in held]
        bulk.copy_rows(model=models.TariffRate, rows=new, now=published_at)
        if new:
            accounts_operations.record_audit(
                action="HALF_HOURLY_RATES_PUBLISHED",
                obj=tariff,
                occurred_at=published_at,
                data={"days": [day.isoformat() for day in sorted(days)], "rates": len(new)},
            )
    return len(new)


@dataclass(frozen=True)
class CalorificValueRow:
    ldz: str
    active_from: datetime
    active_to: datetime | None
    value: Decimal


def record_calorific_values(*, rows: Sequence[CalorificValueRow], recorded_at: datetime) -> int:
    """Configure gas calorific values (MJ/m³) per LDZ and period ("" for the national value), with
    one audit row. Rows already held exactly are skipped; returns how many were written.

    Raises IntegrityError for a value overlapping another of its LDZ, or implausible (not 30-50).
    """
    with transaction.atomic():
        held = set(
            models.CalorificValue.objects.filter(ldz__in={row.ldz for row in rows}).values_list(
                "ldz", "active_from", "active_to", "value"
            )
        )
        new = [
            models.CalorificValue(
                ldz=row.ldz, active_from=row.active_from, active_to=row.active_to, value=row.value
            )
            for row in rows
            if (row.ldz, row.active_from, row.active_to, row.value) not in held
        ]
        models.CalorificValue.objects.bulk_create(new, batch_size=5000)
        if new:
            accounts_operations.record_audit(
                action="CALORIFIC_VALUES_RECORDED",
                obj=new[0],
                occurred_at=recorded_at,
                data={"ldzs": sorted({row.ldz for row in new}), "values": len(new)},
            )
    return len(new)
