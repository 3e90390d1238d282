"""Read models of the product catalogue and rates for the customer graph: which products and
tariffs are offered at a postcode, and the unit rates applicable to a meter point over a period.

They read billing's models directly because billing/queries.py has no catalogue reads yet; they
hold no writes and would move there unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from billing import models
from kernel import ranges

RATE_ORDER = ("band", "active_from")
MAX_RATE_WINDOW = timedelta(days=31)


def tariffs_in(regions: Iterable[str]) -> Q:
    """Tariffs offered in one of the regions, or nationally (no region)."""
    return Q(region__in=list(regions)) | Q(region="")


def products(
    *,
    regions: set[str],
    now: datetime,
    brands: list[str] | None,
    available: bool | None,
    variable: bool | None,
    green: bool,
    nothing: bool,
) -> QuerySet[models.Product]:
    """Products with a tariff offered in `regions`, ordered by code."""
    rows = models.Product.objects.filter(
        Exists(models.Tariff.objects.filter(tariffs_in(regions), product=OuterRef("pk")))
    )
    if nothing:
        return rows.none()
    if brands:
        rows = rows.filter(brand__in=brands)
    if available is not None:
        live = Q(available_from__lte=now) & (Q(available_to__isnull=True) | Q(available_to__gt=now))
        rows = rows.filter(live if available else ~live)
    if variable is not None:
        rows = rows.filter(is_variable=variable)
    if green:
        rows = rows.filter(is_green=True)
    return rows.order_by("code", "id")


def with_rates(tariffs: list[models.Tariff]) -> list[models.Tariff]:
    """Attach every tariff's rates in one query."""
    prefetch_related_objects(
        tariffs, Prefetch("rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER))
    )
    return tariffs


def applicable_rates(*, meter_point_id: int, account_id: int, start: datetime, end: datetime) -> list[dict]:
    """The unit rates, tax included, of the account's agreements on the meter point during
    `[start, end)`, oldest first: one row per agreement × rate period, and for a time-of-use band one
    row per local day and window. `value` is exact (minor units per kWh, no rounding)."""
    window = ranges.Period(start, end)
    tz = ZoneInfo(settings.TIME_ZONE)
    agreements = (
        models.Agreement.objects.overlapping(start=start, end=end)
        .filter(meter_point_id=meter_point_id, account_id=account_id)
        .select_related("tariff__product")
        .prefetch_related(Prefetch("tariff__rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER)))
    )
    rows = []
    for agreement in agreements:
        tax = agreement.tariff.product.tax_rate
        agreed = ranges.Period(agreement.active_from, agreement.active_to) & window
        if agreed is None:
            continue
        for rate in agreement.tariff.rates.all():
            part = ranges.Period(rate.active_from, rate.active_to) & agreed
            if part is None:
                continue
            value = rate.unit_rate * (1 + tax)
            for piece in _time_of_use(part, rate, tz):
                rows.append({"value": value, "validFrom": piece.start, "validTo": piece.end})
    rows.sort(key=lambda r: (r["validFrom"], r["validTo"]))
    return rows


def _time_of_use(part: ranges.Period, rate: models.TariffRate, tz: ZoneInfo) -> list[ranges.Period]:
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
