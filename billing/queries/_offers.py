"""The product catalogue as the customer graph offers it: products and tariffs by region, their
rates in force, and tariff summaries for data import."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from billing import models, pricing
from billing.queries._inputs import billing_time_zone
from kernel import ranges


@dataclass(frozen=True)
class TariffSummary:
    """A tariff with what data import checks agreements against: its product and its rate bands."""

    id: int
    code: str
    utility_type: str
    product_code: str
    available_from: datetime
    available_to: datetime | None
    is_variable: bool
    rate_bands: frozenset[str]
    rate_count: int  # distinct rate bands; 0 for a tariff without rates


def tariff_summaries() -> list[TariffSummary]:
    """Every tariff with its product and rate bands (two queries)."""
    bands: dict[int, set[str]] = {}
    for tariff_id, band in models.TariffRate.objects.values_list("tariff_id", "band").distinct():
        bands.setdefault(tariff_id, set()).add(band)
    rows = (
        models.Tariff.objects.select_related("product")
        .annotate(rate_count=Count("rates__band", distinct=True))
        .order_by()
    )
    return [
        TariffSummary(
            id=tariff.pk,
            code=tariff.code,
            utility_type=tariff.utility_type,
            product_code=tariff.product.code,
            available_from=tariff.product.available_from,
            available_to=tariff.product.available_to,
            is_variable=tariff.product.is_variable,
            rate_bands=frozenset(bands.get(tariff.pk, ())),
            rate_count=tariff.rate_count,
        )
        for tariff in rows
    ]


RATE_ORDER = ("band", "active_from")


def _offered_in(regions: Iterable[str]) -> Q:
    """Tariffs offered in one of the regions, or nationally (no region)."""
    return Q(region__in=list(regions)) | Q(region="")


def get_product(*, code: str) -> models.Product | None:
    return models.Product.objects.filter(code=code).first()


def products_offered(
    *,
    regions: set[str],
    now: datetime,
    brands: list[str] | None,
    available: bool | None,
    variable: bool | None,
    green: bool,
    nothing: bool,
) -> QuerySet[models.Product]:
    """Products with a tariff offered in `regions`, ordered by code: of `brands` only, available at
    `now` or not, variable or fixed, green only, when asked; none at all with `nothing`."""
    rows = models.Product.objects.filter(
        Exists(models.Tariff.objects.filter(_offered_in(regions), product=OuterRef("pk")))
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


def tariffs_offered(*, regions: set[str]) -> QuerySet[models.Tariff]:
    """Tariffs offered in `regions` or nationally, with their products, by code."""
    return models.Tariff.objects.filter(_offered_in(regions)).select_related("product").order_by("code", "id")


def with_rates(tariffs: list[models.Tariff]) -> list[models.Tariff]:
    """Attach every tariff's rates (by band, then start) in one query."""
    prefetch_related_objects(
        tariffs, Prefetch("rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER))
    )
    return tariffs


def time_of_use_product_ids(*, product_ids: Collection[int]) -> set[int]:
    """Which of the products have a tariff that prices by time of day (a rate with a daily window)."""
    return set(
        models.TariffRate.objects.filter(tariff__product_id__in=product_ids, start_time__isnull=False)
        .values_list("tariff__product_id", flat=True)
        .distinct()
    )


def applicable_rates(
    *, meter_point_id: int, account_id: int, period: ranges.Period
) -> list[pricing.ApplicableRate]:
    """The unit rates, tax included, of the account's agreements on the meter point during the
    finite `period`, oldest first (see `pricing.applicable_rates`)."""
    agreements = (
        models.Agreement.objects.overlapping(start=period.start, end=period.end)
        .filter(meter_point_id=meter_point_id, account_id=account_id)
        .select_related("tariff__product")
        .prefetch_related(Prefetch("tariff__rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER)))
    )
    return pricing.applicable_rates(agreements=agreements, window=period, tz=billing_time_zone())
