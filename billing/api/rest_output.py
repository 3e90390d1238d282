"""How the REST API v1 renders the catalogue (spec/REST.md §4.1–4.3): the bodies, and the
serializers that document them in the OpenAPI schema.

Prices are Decimal pence up to here, and become JSON numbers here (`_number`, the edge): the shortest
float repr prints a value of up to 15 significant digits digit for digit (real prices have at most
nine). Times: product availability on the Europe/London wall clock, charge validity and
`tariffs_active_at` in UTC.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rest_framework import serializers

from billing import models, queries
from kernel import rest

# The payment-method keys of a product's tariff maps, by the payment method its prices apply to.
PAYMENT_METHOD_KEYS = {
    models.ChargePaymentMethod.ANY: "direct_debit_monthly",
    models.ChargePaymentMethod.DIRECT_DEBIT: "direct_debit_monthly",
    models.ChargePaymentMethod.NON_DIRECT_DEBIT: "varying",
}
TARIFF_MAPS = {
    queries.TariffKind.SINGLE_RATE_ELECTRICITY: "single_register_electricity_tariffs",
    queries.TariffKind.DUAL_RATE_ELECTRICITY: "dual_register_electricity_tariffs",
    queries.TariffKind.GAS: "single_register_gas_tariffs",
}
# The unit rates each kind of tariff shows, as (field prefix, band, charge list path).
UNIT_RATES = {
    queries.TariffKind.SINGLE_RATE_ELECTRICITY: [("standard_unit_rate", "STANDARD", "standard-unit-rates")],
    queries.TariffKind.DUAL_RATE_ELECTRICITY: [
        ("day_unit_rate", "DAY", "day-unit-rates"),
        ("night_unit_rate", "NIGHT", "night-unit-rates"),
    ],
    queries.TariffKind.GAS: [("standard_unit_rate", "STANDARD", "standard-unit-rates")],
}
ZERO_FEES = {
    "online_discount_exc_vat": 0,
    "online_discount_inc_vat": 0,
    "dual_fuel_discount_exc_vat": 0,
    "dual_fuel_discount_inc_vat": 0,
    "exit_fees_exc_vat": 0,
    "exit_fees_inc_vat": 0,
    "exit_fees_type": "NONE",
}


def _number(value: Decimal) -> float | int:
    """A price as a JSON number: its digits, without trailing zeros."""
    return int(value) if value == value.to_integral_value() else float(value)


def _link(href: str, rel: str) -> dict:
    return {"href": href, "method": "GET", "rel": rel}


def product(request, item: models.Product) -> dict:
    """A product as the list shows it."""
    tz = rest.local_zone()
    return {
        "code": item.code,
        "direction": item.direction,
        "full_name": item.full_name,
        "display_name": item.display_name,
        "description": item.description,
        "is_variable": item.is_variable,
        "is_green": item.is_green,
        "is_tracker": item.is_tracker,
        "is_prepay": item.is_prepay,
        "is_business": item.is_business,
        "is_restricted": item.is_restricted,
        "term": item.term,
        "available_from": rest.local_iso(item.available_from, tz),
        "available_to": rest.local_iso(item.available_to, tz),
        "links": [_link(rest.absolute_url(request, f"/v1/products/{item.code}/"), "self")],
        "brand": item.brand,
    }


def _region(tariff: models.Tariff) -> str:
    return tariff.region or f"_{tariff.code[-1]}"


def _tariff(origin: str, prices: queries.TariffPrices) -> dict:
    tariff = prices.tariff
    fuel = "gas-tariffs" if prices.kind == queries.TariffKind.GAS else "electricity-tariffs"
    base = f"{origin}/v1/products/{tariff.product.code}/{fuel}/{tariff.code}"
    body = {
        "code": tariff.code,
        "standing_charge_exc_vat": _number(prices.standing_charge.value),
        "standing_charge_inc_vat": _number(prices.standing_charge.value_inc_tax),
        **ZERO_FEES,
        "links": [_link(f"{base}/standing-charges/", "standing_charges")],
    }
    for prefix, band, path in UNIT_RATES[prices.kind]:
        rate = prices.unit_rates.get(band)
        body[f"{prefix}_exc_vat"] = _number(rate.value) if rate else 0
        body[f"{prefix}_inc_vat"] = _number(rate.value_inc_tax) if rate else 0
        body["links"].append(_link(f"{base}/{path}/", path.replace("-", "_")))
    return body


def product_detail(request, detail: queries.ProductDetail, *, at: datetime) -> dict:
    """A product with its tariffs by region and payment method, and sample quotes."""
    maps: dict[str, dict] = {name: {} for name in TARIFF_MAPS.values()}
    origin = rest.absolute_url(request, "")
    for prices in detail.prices:
        key = PAYMENT_METHOD_KEYS[prices.payment_method]
        maps[TARIFF_MAPS[prices.kind]].setdefault(_region(prices.tariff), {})[key] = _tariff(origin, prices)
    quotes: dict[str, dict] = {}
    for region, methods in detail.sample_quotes.items():
        for method, costs in methods.items():
            quotes.setdefault(region, {})[PAYMENT_METHOD_KEYS[method]] = {
                quote: {"annual_cost_inc_vat": inc, "annual_cost_exc_vat": exc}
                for quote, (exc, inc) in costs.items()
            }
    body = product(request, detail.product)
    links, brand = body.pop("links"), body.pop("brand")
    return {
        **body,
        "tariffs_active_at": rest.utc_iso(at, fraction=True),
        **maps,
        "sample_quotes": quotes,
        "sample_consumption": queries.SAMPLE_CONSUMPTION,
        "links": links,
        "brand": brand,
    }


def charge(item: queries.Charge) -> dict:
    return {
        "value_exc_vat": _number(item.value),
        "value_inc_vat": _number(item.value_inc_tax),
        "valid_from": rest.utc_iso(item.valid.start),
        "valid_to": rest.utc_iso(item.valid.end),
        "payment_method": item.payment_method or None,
    }


# --- The documented shapes ---------------------------------------------------------------------------


class LinkSerializer(serializers.Serializer):
    href = serializers.URLField()
    method = serializers.CharField()
    rel = serializers.CharField()


class ProductSerializer(serializers.Serializer):
    code = serializers.CharField()
    direction = serializers.ChoiceField(choices=models.ProductDirection.choices)
    full_name = serializers.CharField()
    display_name = serializers.CharField()
    description = serializers.CharField()
    is_variable = serializers.BooleanField()
    is_green = serializers.BooleanField()
    is_tracker = serializers.BooleanField()
    is_prepay = serializers.BooleanField()
    is_business = serializers.BooleanField()
    is_restricted = serializers.BooleanField()
    term = serializers.IntegerField(allow_null=True, help_text="Contract months")
    available_from = serializers.DateTimeField(help_text="Europe/London")
    available_to = serializers.DateTimeField(allow_null=True, help_text="Europe/London; null: still offered")
    links = LinkSerializer(many=True)
    brand = serializers.CharField()


def _price(help_text: str):
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, coerce_to_string=False, help_text=help_text
    )


class TariffSerializer(serializers.Serializer):
    code = serializers.CharField()
    standing_charge_exc_vat = _price("Pence a day")
    standing_charge_inc_vat = _price("Pence a day")
    online_discount_exc_vat = _price("Pence")
    online_discount_inc_vat = _price("Pence")
    dual_fuel_discount_exc_vat = _price("Pence")
    dual_fuel_discount_inc_vat = _price("Pence")
    exit_fees_exc_vat = _price("Pence")
    exit_fees_inc_vat = _price("Pence")
    exit_fees_type = serializers.ChoiceField(choices=["NONE", "PER_FUEL"])
    links = LinkSerializer(many=True)
    standard_unit_rate_exc_vat = _price("Pence per kWh: single-rate electricity and gas")
    standard_unit_rate_inc_vat = _price("Pence per kWh: single-rate electricity and gas")
    day_unit_rate_exc_vat = _price("Pence per kWh: Economy 7 day")
    day_unit_rate_inc_vat = _price("Pence per kWh: Economy 7 day")
    night_unit_rate_exc_vat = _price("Pence per kWh: Economy 7 night")
    night_unit_rate_inc_vat = _price("Pence per kWh: Economy 7 night")


def _by_region():
    return serializers.DictField(
        child=serializers.DictField(child=TariffSerializer()),
        help_text='Region ("_A"…"_P") → payment method (direct_debit_monthly, varying) → tariff',
    )


class ProductDetailSerializer(ProductSerializer):
    tariffs_active_at = serializers.DateTimeField(help_text="UTC: the prices shown are those in force then")
    single_register_electricity_tariffs = _by_region()
    dual_register_electricity_tariffs = _by_region()
    single_register_gas_tariffs = _by_region()
    sample_quotes = serializers.DictField(
        help_text="Region → payment method → quote → {annual_cost_inc_vat, annual_cost_exc_vat} (pence)"
    )
    sample_consumption = serializers.DictField(help_text="Quote → kWh a year by register")


class ChargeSerializer(serializers.Serializer):
    value_exc_vat = _price("Pence per kWh, or per day for standing charges")
    value_inc_vat = _price("Pence per kWh, or per day for standing charges")
    valid_from = serializers.DateTimeField(help_text="UTC")
    valid_to = serializers.DateTimeField(allow_null=True, help_text="UTC, exclusive; null: open-ended")
    payment_method = serializers.ChoiceField(
        choices=["DIRECT_DEBIT", "NON_DIRECT_DEBIT"], allow_null=True, help_text="null: any payment method"
    )


ProductListSerializer = rest.page_serializer("ProductList", ProductSerializer)
ChargeListSerializer = rest.page_serializer("ChargeList", ChargeSerializer)
