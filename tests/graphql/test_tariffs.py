import datetime as dt
from decimal import Decimal

from django.utils import timezone

from billing import models
from kernel.graphql import ids as gql_ids
from tests.billing.factories import AgreementFactory, TariffFactory, TariffRateFactory
from tests.metering.factories import MeterPointFactory

ELECTRICITY = """query($id: ID!) { electricityAgreement(id: $id) { ... on ElectricityAgreementType {
  tariff { __typename
    ... on StandardTariff { tariffCode standingCharge preVatStandingCharge unitRate preVatUnitRate }
    ... on DayNightTariff { dayRate preVatDayRate nightRate preVatNightRate }
    ... on ThreeRateTariff { dayRate nightRate offPeakRate preVatOffPeakRate }
    ... on HalfHourlyTariff { unitRates { validFrom validTo value preVatValue } } } } } }"""
GAS = """query($id: ID!) { gasAgreement(id: $id) { ... on GasAgreementType {
  tariff { __typename tariffCode standingCharge unitRate preVatUnitRate } } } }"""


def _tariff(gql, account, tariff, *, gas=False):
    meter_point = (
        MeterPointFactory(property__account=account, utility_type="GAS", identifier="1234567")
        if gas
        else MeterPointFactory(property__account=account)
    )
    agreement = AgreementFactory(account=account, meter_point=meter_point, tariff=tariff)
    if gas:
        return gql.ok(GAS, {"id": gql_ids.encode_int(agreement.pk)})["gasAgreement"]["tariff"]
    return gql.ok(ELECTRICITY, {"id": gql_ids.encode_int(agreement.pk)})["electricityAgreement"]["tariff"]


class TestAgreementTariff:
    def test_prices_a_single_rate_with_and_without_tax(self, authed, account):
        tariff = TariffFactory(standing_charge=Decimal("40"))
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("20"))

        data = _tariff(authed, account, tariff)

        assert data == {
            "__typename": "StandardTariff",
            "tariffCode": tariff.code,
            "standingCharge": 42.0,
            "preVatStandingCharge": 40.0,
            "unitRate": 21.0,
            "preVatUnitRate": 20.0,
        }

    def test_shows_a_gas_tariff_whatever_its_bands(self, authed, account):
        tariff = TariffFactory(utility_type="GAS", standing_charge=Decimal("30"))
        TariffRateFactory(tariff=tariff, band=models.RateBand.DAY, unit_rate=Decimal("6"))

        data = _tariff(authed, account, tariff, gas=True)

        assert data == {
            "__typename": "GasTariffType",
            "tariffCode": tariff.code,
            "standingCharge": 31.5,
            "unitRate": None,
            "preVatUnitRate": None,
        }

    def test_prices_day_and_night_rates(self, authed, account):
        tariff = TariffFactory()
        TariffRateFactory(tariff=tariff, band=models.RateBand.DAY, unit_rate=Decimal("30"))
        TariffRateFactory(tariff=tariff, band=models.RateBand.NIGHT, unit_rate=Decimal("10"))

        data = _tariff(authed, account, tariff)

        assert data == {
            "__typename": "DayNightTariff",
            "dayRate": 31.5,
            "preVatDayRate": 30.0,
            "nightRate": 10.5,
            "preVatNightRate": 10.0,
        }

    def test_prices_three_rates(self, authed, account):
        tariff = TariffFactory()
        for band, rate in (("DAY", "30"), ("NIGHT", "10"), ("OFF_PEAK", "5")):
            TariffRateFactory(tariff=tariff, band=band, unit_rate=Decimal(rate))

        data = _tariff(authed, account, tariff)

        assert data == {
            "__typename": "ThreeRateTariff",
            "dayRate": 31.5,
            "nightRate": 10.5,
            "offPeakRate": 5.25,
            "preVatOffPeakRate": 5.0,
        }

    def test_lists_the_rates_in_force_of_any_other_band_mix(self, authed, account):
        tariff = TariffFactory()
        change = timezone.now() - dt.timedelta(days=1)
        TariffRateFactory(
            tariff=tariff, band=models.RateBand.STANDARD, unit_rate=Decimal("20"), active_to=change
        )
        TariffRateFactory(
            tariff=tariff, band=models.RateBand.STANDARD, unit_rate=Decimal("22"), active_from=change
        )
        TariffRateFactory(
            tariff=tariff, band=models.RateBand.PEAK, unit_rate=Decimal("40"), active_from=change
        )

        data = _tariff(authed, account, tariff)

        assert data["__typename"] == "HalfHourlyTariff"
        assert sorted((r["value"], r["preVatValue"]) for r in data["unitRates"]) == [
            (23.1, 22.0),
            (42.0, 40.0),
        ]
