"""Reads of the product catalogue for the customer REST API v1: products on offer, each tariff's
prices at an instant (per payment method) with the sample annual quotes they give, and the history
of a tariff's charges. Money stays Decimal minor units; quotes are rounded once, half up."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import connection
from django.db.models import QuerySet, Value

from billing import models
from kernel import money, ranges

# What sample quotes assume a home uses in a year, in kWh (Kraken's published figures).
SAMPLE_CONSUMPTION = {
    "electricity_single_rate": {"electricity_standard": 2700},
    "electricity_dual_rate": {"electricity_day": 2262, "electricity_night": 1638},
    "dual_fuel_single_rate": {"electricity_standard": 2700, "gas_standard": 11500},
    "dual_fuel_dual_rate": {"electricity_day": 2262, "electricity_night": 1638, "gas_standard": 11500},
}
DAYS_A_YEAR = 365
STANDING_CHARGE = "STANDING_CHARGE"  # the charge kind of `charges_page` that is not a rate band


class TariffKind(enum.StrEnum):
    SINGLE_RATE_ELECTRICITY = "E-1R"
    DUAL_RATE_ELECTRICITY = "E-2R"
    GAS = "G-1R"


def tariff_kind(tariff: models.Tariff) -> TariffKind:
    """From the tariff code's prefix (`E-1R-`, `E-2R-`, `G-1R-`), else from its fuel."""
    for kind in TariffKind:
        if tariff.code.startswith(f"{kind.value}-"):
            return kind
    if tariff.utility_type == "GAS":
        return TariffKind.GAS
    return TariffKind.SINGLE_RATE_ELECTRICITY


class UnknownProduct(Exception):
    """No product has this code."""


class UnknownTariff(Exception):
    """The product has no tariff of this fuel with this code."""


@dataclass(frozen=True)
class Price:
    """A unit rate (minor units per kWh) or a standing charge (minor units per day), before tax."""

    value: Decimal
    tax_rate: Decimal

    @property
    def value_inc_tax(self) -> Decimal:
        """Exact: tax is not rounded on a price, only on a bill line."""
        return self.value * (1 + self.tax_rate)


@dataclass(frozen=True)
class Charge(Price):
    """A published price valid for `valid`, for one payment method or any ("")."""

    valid: ranges.Period
    payment_method: str


@dataclass(frozen=True)
class TariffPrices:
    """A tariff's prices at one instant for one payment method ("" when they apply to any)."""

    tariff: models.Tariff
    kind: TariffKind
    payment_method: str
    standing_charge: Price
    unit_rates: dict[str, Price]  # band -> rate


@dataclass(frozen=True)
class ProductDetail:
    product: models.Product
    prices: list[TariffPrices]
    # region -> payment method -> quote -> (annual cost before tax, after tax), whole minor units
    sample_quotes: dict[str, dict[str, dict[str, tuple[int, int]]]]


def available_products(
    *,
    at: datetime,
    historical: bool,
    business: bool,
    flags: Sequence[str],
    brand: str | None,
) -> QuerySet[models.Product]:
    """Products that can be taken on at `at` (with `historical`, also those no longer offered), of
    business or domestic customers, having every boolean field named in `flags` (e.g. is_green)
    set, of `brand` when given; by code."""
    offered = models.TsTzRange(
        "available_from", Value(None) if historical else "available_to", output_field=DateTimeRangeField()
    )
    rows = models.Product.objects.alias(offered=offered).filter(offered__contains=at, is_business=business)
    rows = rows.filter(**{flag: True for flag in flags})
    if brand:
        rows = rows.filter(brand=brand)
    return rows.order_by("code", "id")


def product(*, code: str) -> models.Product:
    """Raises UnknownProduct."""
    found = models.Product.objects.filter(code=code).first()
    if found is None:
        raise UnknownProduct(code)
    return found


def _fallback_standing_charge(tariff: models.Tariff, product: models.Product) -> Charge:
    """A tariff without standing charge history has had `Tariff.standing_charge` since its product
    became available."""
    return Charge(tariff.standing_charge, product.tax_rate, ranges.Period(product.available_from), "")


# A product, then its tariffs (T) and the unit rates (R) and standing charges (S) of each in force
# at an instant: two statements in one round trip, the product detail being the catalogue's hottest
# read and each round trip costing more than its rows.
_PRODUCT_FIELDS = [field.attname for field in models.Product._meta.concrete_fields]
_PRODUCT = "(SELECT id FROM billing_product WHERE code = %(code)s)"
_PRODUCT_AND_PRICES_SQL = f"""
SELECT {", ".join(field.column for field in models.Product._meta.concrete_fields)}
FROM billing_product WHERE code = %(code)s;
SELECT 'T', t.id, t.code, t.region, t.utility_type, t.standing_charge, '', '',
       EXISTS (SELECT 1 FROM billing_standingcharge h WHERE h.tariff_id = t.id)
FROM billing_tariff t WHERE t.product_id = {_PRODUCT}
UNION ALL
SELECT 'R', r.tariff_id, '', '', '', r.unit_rate, r.band, r.payment_method, false
FROM billing_tariffrate r JOIN billing_tariff t ON t.id = r.tariff_id
WHERE t.product_id = {_PRODUCT} AND tstzrange(r.active_from, r.active_to, '[)') @> %(at)s::timestamptz
UNION ALL
SELECT 'S', s.tariff_id, '', '', '', s.value, '', s.payment_method, false
FROM billing_standingcharge s JOIN billing_tariff t ON t.id = s.tariff_id
WHERE t.product_id = {_PRODUCT} AND tstzrange(s.active_from, s.active_to, '[)') @> %(at)s::timestamptz
"""


def product_detail(*, code: str, at: datetime) -> ProductDetail:
    """A product with the prices of each of its tariffs in force at `at` (per payment method), and
    the sample annual quotes they give. One round trip. Raises UnknownProduct."""
    with connection.cursor() as cursor:
        cursor.execute(_PRODUCT_AND_PRICES_SQL, {"code": code, "at": at})
        product_row = cursor.fetchone()
        cursor.nextset()
        rows = cursor.fetchall()
    if product_row is None:
        raise UnknownProduct(code)
    found = models.Product.from_db("default", _PRODUCT_FIELDS, product_row)
    tax_rate = found.tax_rate
    tariffs: list[models.Tariff] = []
    without_history: set[int] = set()
    rates: dict[int, dict[str, dict[str, Price]]] = defaultdict(lambda: defaultdict(dict))
    standing: dict[int, dict[str, Price]] = defaultdict(dict)
    for kind, tariff_id, tariff_code, region, utility_type, value, band, method, history in rows:
        if kind == "T":
            tariffs.append(
                models.Tariff(
                    id=tariff_id,
                    product=found,
                    code=tariff_code,
                    region=region,
                    utility_type=utility_type,
                    standing_charge=value,
                )
            )
            if not history:
                without_history.add(tariff_id)
        elif kind == "R":
            rates[tariff_id][method][band] = Price(value, tax_rate)
        else:
            standing[tariff_id][method] = Price(value, tax_rate)
    prices = []
    for tariff in sorted(tariffs, key=lambda t: (t.region, t.code)):
        if tariff.pk in without_history:
            standing[tariff.pk][""] = _fallback_standing_charge(tariff, found)
        methods = set(rates[tariff.pk]) | set(standing[tariff.pk])
        for method in sorted(methods - {""}) or [""]:
            charge = standing[tariff.pk].get(method) or standing[tariff.pk].get("")
            if charge is None:
                continue
            unit_rates = {**rates[tariff.pk].get("", {}), **rates[tariff.pk].get(method, {})}
            prices.append(TariffPrices(tariff, tariff_kind(tariff), method, charge, unit_rates))
    return ProductDetail(product=found, prices=prices, sample_quotes=_sample_quotes(prices, tax_rate))


def _annual_cost(prices: TariffPrices, usage: dict[str, int]) -> Decimal:
    cost = prices.standing_charge.value * DAYS_A_YEAR
    for name, kwh in usage.items():
        band = name.rpartition("_")[2].upper()
        rate = prices.unit_rates.get(band)
        cost += (rate.value if rate else Decimal(0)) * kwh
    return cost


def _sample_quotes(prices: list[TariffPrices], tax_rate: Decimal) -> dict:
    """Annual costs of SAMPLE_CONSUMPTION per region and payment method, each rounded once (half
    up) to whole minor units, before and after tax."""
    by_region: dict[str, dict[str, dict[TariffKind, TariffPrices]]] = defaultdict(lambda: defaultdict(dict))
    for item in prices:
        by_region[item.tariff.region][item.payment_method][item.kind] = item
    quotes: dict = {}
    for region, methods in by_region.items():
        for method, kinds in methods.items():
            gas = kinds.get(TariffKind.GAS) or methods.get("", {}).get(TariffKind.GAS)
            single = kinds.get(TariffKind.SINGLE_RATE_ELECTRICITY)
            dual = kinds.get(TariffKind.DUAL_RATE_ELECTRICITY)
            costs = {}
            for quote, elec in (("single_rate", single), ("dual_rate", dual)):
                if elec is None:
                    continue
                usage = SAMPLE_CONSUMPTION[f"electricity_{quote}"]
                costs[f"electricity_{quote}"] = _annual_cost(elec, usage)
                if gas is not None:
                    costs[f"dual_fuel_{quote}"] = costs[f"electricity_{quote}"] + _annual_cost(
                        gas, {"gas_standard": SAMPLE_CONSUMPTION["dual_fuel_single_rate"]["gas_standard"]}
                    )
            if costs:
                quotes.setdefault(region, {})[method] = {
                    quote: (money.round_minor_units(cost), money.round_minor_units(cost * (1 + tax_rate)))
                    for quote, cost in costs.items()
                }
    return quotes


def tariff_of_product(*, product_code: str, tariff_code: str, gas: bool) -> models.Tariff:
    """The product's electricity (or gas) tariff with this code, with its product. Raises
    UnknownProduct, UnknownTariff."""
    tariff = (
        models.Tariff.objects.select_related("product")
        .filter(product__code=product_code, code=tariff_code)
        .filter(utility_type="GAS" if gas else "ELECTRICITY")
        .first()
    )
    if tariff is not None:
        return tariff
    if not models.Product.objects.filter(code=product_code).exists():
        raise UnknownProduct(product_code)
    raise UnknownTariff(tariff_code)


def charges_page(
    *, tariff: models.Tariff, kind: str, period: ranges.Period | None, offset: int, limit: int
) -> tuple[int, list[Charge]]:
    """(count, page) of a tariff's standing charges (`kind` STANDING_CHARGE) or unit rates of band
    `kind` whose validity overlaps `period` (all of them when None), newest first and, for one
    period, direct debit before other methods. Two queries (three for a tariff without standing
    charge history)."""
    model = models.StandingCharge if kind == STANDING_CHARGE else models.TariffRate
    rows = model.objects.filter(tariff=tariff)
    if model is models.TariffRate:
        rows = rows.filter(band=kind)
    if period is not None:
        rows = rows.overlapping(start=period.start, end=period.end)
    count = rows.count()
    if (
        kind == STANDING_CHARGE
        and not count
        and not models.StandingCharge.objects.filter(tariff=tariff).exists()
    ):
        fallback = _fallback_standing_charge(tariff, tariff.product)
        visible = period is None or fallback.valid.overlaps(period)
        return (1, [fallback][offset : offset + limit]) if visible else (0, [])
    value = "value" if model is models.StandingCharge else "unit_rate"
    page = rows.order_by("-active_from", "payment_method", "id").values_list(
        value, "active_from", "active_to", "payment_method"
    )[offset : offset + limit]
    tax_rate = tariff.product.tax_rate
    return count, [Charge(v, tax_rate, ranges.Period(start, end), method) for v, start, end, method in page]
