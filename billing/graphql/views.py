"""Plain values of the contract's tariff and rate types (`gql.view`), from `billing.pricing`'s exact
Decimal minor units: the contract's Float appears here, at the edge, and nowhere before."""

from __future__ import annotations

from datetime import datetime

from billing import models, pricing
from kernel import graphql as gql
from metering import queries as metering_queries

# --- tariffs -------------------------------------------------------------------------------------


def _with_tax(price: pricing.Price | None) -> float | None:
    return float(price.with_tax) if price is not None else None


def _before_tax(price: pricing.Price | None) -> float | None:
    return float(price.before_tax) if price is not None else None


def _tariff(type_name: str, tariff: models.Tariff, prices: pricing.TariffPrices, **rates) -> dict:
    product = tariff.product
    return gql.view(
        type_name,
        id=gql.model_id(type_name, tariff.pk),
        displayName=product.display_name,
        fullName=product.full_name,
        description=product.description,
        productCode=product.code,
        tariffCode=tariff.code,
        standingCharge=_with_tax(prices.standing_charge),
        preVatStandingCharge=_before_tax(prices.standing_charge),
        **rates,
    )


def _day_night(
    type_name: str, tariff: models.Tariff, prices: pricing.TariffPrices, rates: dict, **more
) -> dict:
    day, night = rates["DAY"], rates["NIGHT"]
    return _tariff(
        type_name,
        tariff,
        prices,
        dayRate=_with_tax(day),
        preVatDayRate=_before_tax(day),
        nightRate=_with_tax(night),
        preVatNightRate=_before_tax(night),
        dayRateEpgApplied=False,
        nightRateEpgApplied=False,
        **more,
    )


def tariff_view(tariff: models.Tariff, now: datetime) -> dict:
    """The tariff as the contract's tariff type, with the rates in force at `now`. Prices are
    minor units (pence); `…Rate`/`standingCharge` include tax, `preVat…` do not. No price the
    platform holds includes the 2022-23 energy price guarantee (`…EpgApplied` false)."""
    prices = pricing.tariff_prices(tariff=tariff, at=now)
    rates = {r.band: r.price for r in prices.unit_rates}
    bands = set(rates)
    electricity = metering_queries.is_electricity(tariff.utility_type)
    if not electricity or bands <= {"STANDARD"}:
        standard = rates.get("STANDARD")
        return _tariff(
            "StandardTariff" if electricity else "GasTariffType",
            tariff,
            prices,
            unitRate=_with_tax(standard),
            preVatUnitRate=_before_tax(standard),
            unitRateEpgApplied=False,
        )
    if bands == {"DAY", "NIGHT"}:
        return _day_night("DayNightTariff", tariff, prices, rates)
    if bands == {"DAY", "NIGHT", "OFF_PEAK"}:
        off_peak = rates["OFF_PEAK"]
        return _day_night(
            "ThreeRateTariff",
            tariff,
            prices,
            rates,
            offPeakRate=_with_tax(off_peak),
            preVatOffPeakRate=_before_tax(off_peak),
            offPeakRateEpgApplied=False,
        )
    return _tariff(
        "HalfHourlyTariff",
        tariff,
        prices,
        unitRates=[
            gql.view(
                "UnitRate",
                validFrom=r.period.start,
                validTo=r.period.end,
                value=_with_tax(r.price),
                preVatValue=_before_tax(r.price),
            )
            for r in prices.unit_rates
        ],
    )


def applicable_rate_view(rate: pricing.ApplicableRate) -> dict:
    return gql.view("ApplicableRate", value=rate.value, validFrom=rate.period.start, validTo=rate.period.end)
