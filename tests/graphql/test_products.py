import datetime as dt
from decimal import Decimal

from billing import models
from tests.accounts.factories import AccountUserRoleFactory, AddressFactory, PropertyFactory
from tests.billing.factories import AgreementFactory, ProductFactory, TariffFactory, TariffRateFactory
from tests.graphql.conftest import error_code, queries_for
from tests.metering.factories import MeterPointFactory

PRODUCT = """query($code: String!, $postcode: String!) { energyProduct(code: $code) {
  code displayName isVariable isFixed isAvailable isChargedHalfHourly direction
  tariffs(postcode: $postcode, first: 10) { totalCount edges { node {
    __typename ... on StandardTariff { tariffCode unitRate preVatUnitRate standingCharge } } } } } }"""
PRODUCTS = """query($postcode: String!, $filters: [EnergyProductFilters]) {
  energyProducts(postcode: $postcode, filterBy: $filters, first: 20) { totalCount edges { node { code
    tariffs(postcode: $postcode, first: 1) { edges { node { ... on StandardTariff { tariffCode unitRate } } } } } } } }"""
RATES = """query($n: String!, $mpxn: String!, $start: DateTime!, $end: DateTime!) {
  applicableRates(accountNumber: $n, mpxn: $mpxn, startAt: $start, endAt: $end, first: 50) {
    totalCount edges { node { value validFrom validTo } } } }"""
JAN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def supplied_postcode(region="_C", postcode="SW1A 1AA"):
    MeterPointFactory(
        property=PropertyFactory(address=AddressFactory(postcode=postcode)), gsp_group_id=region
    )
    return postcode


class TestEnergyProduct:
    def test_shows_the_product_with_its_tariffs_in_the_postcodes_region(self, authed):
        postcode = supplied_postcode("_C")
        product = ProductFactory(code="VAR-24-01")
        TariffRateFactory(tariff__product=product, tariff__region="_C", tariff__code="E-1R-VAR-24-01-C")
        TariffRateFactory(tariff__product=product, tariff__region="_A")

        data = authed.ok(PRODUCT, {"code": "VAR-24-01", "postcode": "sw1a1aa"})["energyProduct"]

        assert data["code"] == "VAR-24-01" and data["isVariable"] and not data["isFixed"]
        assert data["isAvailable"] is True and data["isChargedHalfHourly"] is False
        assert data["tariffs"]["totalCount"] == 1
        assert data["tariffs"]["edges"][0]["node"] == {
            "__typename": "StandardTariff",
            "tariffCode": "E-1R-VAR-24-01-C",
            "unitRate": 25.725,
            "preVatUnitRate": 24.5,
            "standingCharge": 47.25,
        }
        assert postcode

    def test_a_product_priced_per_half_hour_is_charged_half_hourly(self, authed):
        ProductFactory(code="AGILE-24-10-01", rates_per_half_hour=True)
        query = """query($code: String!) { energyProduct(code: $code) { isChargedHalfHourly } }"""

        assert authed.ok(query, {"code": "AGILE-24-10-01"})["energyProduct"]["isChargedHalfHourly"] is True

    def test_unknown_code_is_null(self, authed):
        assert authed.ok(PRODUCT, {"code": "NOPE", "postcode": "X"}) == {"energyProduct": None}


class TestEnergyProducts:
    def test_lists_products_offered_at_the_postcode_filtered(self, authed):
        supplied_postcode("_C")
        green = ProductFactory(code="GREEN", is_green=True)
        TariffFactory(product=green, region="_C")
        TariffFactory(product=ProductFactory(code="GREY"), region="_C")
        TariffFactory(product=ProductFactory(code="ELSEWHERE", is_green=True), region="_A")

        everything = authed.ok(PRODUCTS, {"postcode": "SW1A 1AA"})["energyProducts"]
        only_green = authed.ok(PRODUCTS, {"postcode": "SW1A 1AA", "filters": ["GREEN"]})["energyProducts"]
        business = authed.ok(PRODUCTS, {"postcode": "SW1A 1AA", "filters": ["BUSINESS"]})["energyProducts"]

        assert [e["node"]["code"] for e in everything["edges"]] == ["GREEN", "GREY"]
        assert [e["node"]["code"] for e in only_green["edges"]] == ["GREEN"]
        assert business["totalCount"] == 0

    def test_costs_the_same_for_1_and_20_products(self, authed):
        supplied_postcode("_C")
        TariffRateFactory(tariff__region="_C")
        one, _ = queries_for(authed, PRODUCTS, {"postcode": "SW1A 1AA"})
        for _ in range(19):
            TariffRateFactory(tariff__region="_C")

        twenty, data = queries_for(authed, PRODUCTS, {"postcode": "SW1A 1AA"})

        assert data["energyProducts"]["totalCount"] == 20
        assert all(
            e["node"]["tariffs"]["edges"][0]["node"]["unitRate"] for e in data["energyProducts"]["edges"]
        )
        assert one == twenty


class TestApplicableRates:
    def test_lists_the_agreements_rates_in_the_window_with_tax(self, authed, account):
        tariff = TariffFactory()
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("20"), active_to=JAN + dt.timedelta(days=2))
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("30"), active_from=JAN + dt.timedelta(days=2))
        agreement = AgreementFactory(account=account, tariff=tariff)

        data = authed.ok(
            RATES,
            {
                "n": account.number,
                "mpxn": agreement.meter_point.identifier,
                "start": (JAN + dt.timedelta(days=1)).isoformat(),
                "end": (JAN + dt.timedelta(days=3)).isoformat(),
            },
        )

        assert [e["node"] for e in data["applicableRates"]["edges"]] == [
            {
                "value": "21.00000000",
                "validFrom": "2024-01-02T00:00:00+00:00",
                "validTo": "2024-01-03T00:00:00+00:00",
            },
            {
                "value": "31.50000000",
                "validFrom": "2024-01-03T00:00:00+00:00",
                "validTo": "2024-01-04T00:00:00+00:00",
            },
        ]

    def test_expands_a_time_of_use_band_into_daily_windows(self, authed, account):
        tariff = TariffFactory()
        TariffRateFactory(
            tariff=tariff, band=models.RateBand.OFF_PEAK, start_time=dt.time(0, 30), end_time=dt.time(5, 30)
        )
        agreement = AgreementFactory(account=account, tariff=tariff)

        data = authed.ok(
            RATES,
            {
                "n": account.number,
                "mpxn": agreement.meter_point.identifier,
                "start": "2024-01-10T00:00:00+00:00",
                "end": "2024-01-12T00:00:00+00:00",
            },
        )

        assert [e["node"]["validFrom"] for e in data["applicableRates"]["edges"]] == [
            "2024-01-10T00:30:00+00:00",
            "2024-01-11T00:30:00+00:00",
        ]

    def test_another_accounts_meter_point_is_refused(self, authed, account):
        agreement = AgreementFactory(account=AccountUserRoleFactory().account)

        _, body = authed(
            RATES,
            {
                "n": account.number,
                "mpxn": agreement.meter_point.identifier,
                "start": JAN.isoformat(),
                "end": (JAN + dt.timedelta(days=1)).isoformat(),
            },
        )

        assert error_code(body) == "KT-CT-1111"
