"""`smartTariffComparison`: the meter point's last full month priced on its tariff and on every
other product on offer, by the billing calculation, through the GraphQL endpoint."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing import models, queries
from tests.accounts.factories import AccountUserRoleFactory
from tests.billing.factories import ProductFactory, TariffFactory
from tests.graphql.conftest import error_code, queries_for, token_for
from tests.graphql.priced_supply import FEBRUARY, NOW, flat_tariff, smart_supply, time_of_use_tariff

QUERY = """query($mpan: String) { smartTariffComparison(mpan: $mpan) {
  currentCost currentCostWithTax consumptionReadingsStartAt consumptionReadingsEndAt
  costComparisons { tariff cost costWithTax } } }"""


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def current(account):
    return flat_tariff(standing=45, rate="24.5")


@pytest.fixture
def offers():
    """Products on offer besides the current one, and some that are not."""
    cheaper = flat_tariff(standing=40, rate=20, code="FLAT-CHEAP")
    dearer = flat_tariff(standing=50, rate=30, region="", code="FLAT-DEAR")
    smart = time_of_use_tariff()
    flat_tariff(standing=1, rate=1, is_business=True)
    flat_tariff(standing=1, rate=1, is_restricted=True)
    flat_tariff(standing=1, rate=1, is_prepay=True)
    flat_tariff(standing=1, rate=1, direction=models.ProductDirection.EXPORT)
    flat_tariff(standing=1, rate=1, available_to=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    flat_tariff(standing=1, rate=1, region="_B")
    TariffFactory(product=ProductFactory(), utility_type="GAS", standing_charge=Decimal(1))
    # No unit rate at all: Kraken leaves a product without unit rates out.
    TariffFactory(product=ProductFactory(code="NO-RATES"), standing_charge=Decimal(1))
    return cheaper, dearer, smart


class TestSmartTariffComparison:
    def test_prices_last_month_on_the_current_tariff_exactly_as_the_bill(
        self, authed, account, current, offers
    ):
        agreement = smart_supply(account, current)

        data = authed.ok(QUERY, {"mpan": agreement.meter_point.identifier})["smartTariffComparison"]

        bill = queries.preview_bill(account=account, period=FEBRUARY, as_of=NOW)
        # 28 days × 45p + 336 kWh × 24.5p = 9492p, VAT 5 % 474.6p → 475p.
        assert (bill.subtotal, bill.total) == (9492, 9967)
        assert (data["currentCost"], data["currentCostWithTax"]) == (9492.0, 9967.0)
        assert data["consumptionReadingsStartAt"] == "2025-02-01T00:00:00+00:00"
        assert data["consumptionReadingsEndAt"] == "2025-03-01T00:00:00+00:00"

    def test_lists_every_other_product_on_offer_cheapest_first(self, authed, account, current, offers):
        cheaper, dearer, smart = offers
        agreement = smart_supply(account, current)

        data = authed.ok(QUERY, {"mpan": agreement.meter_point.identifier})["smartTariffComparison"]

        assert data["costComparisons"] == [
            # Priced from the half hours: 28 × 45 + 224 × 7.5 + 112 × 30 = 6300; VAT 315.
            {"tariff": smart.code, "cost": 6300.0, "costWithTax": 6615.0},
            # From the registers: 28 × 40 + 336 × 20 = 7840; VAT 392.
            {"tariff": cheaper.code, "cost": 7840.0, "costWithTax": 8232.0},
            # A national tariff: 28 × 50 + 336 × 30 = 11480; VAT 574.
            {"tariff": dearer.code, "cost": 11480.0, "costWithTax": 12054.0},
        ]

    def test_prices_an_alternative_as_a_bill_on_it_would(self, authed, account, current, offers):
        _, _, smart = offers
        agreement = smart_supply(account, current)

        data = authed.ok(QUERY, {"mpan": agreement.meter_point.identifier})["smartTariffComparison"]
        models.Agreement.objects.filter(pk=agreement.pk).update(tariff=smart)
        bill = queries.preview_bill(account=account, period=FEBRUARY, as_of=NOW)

        assert data["costComparisons"][0] == {
            "tariff": smart.code,
            "cost": float(bill.subtotal),
            "costWithTax": float(bill.total),
        }

    def test_without_an_mpan_compares_the_viewers_only_smart_meter_point(self, authed, account, current):
        smart_supply(account, current)

        data = authed.ok(QUERY)["smartTariffComparison"]

        assert data["currentCost"] == 9492.0

    def test_without_an_mpan_prefers_a_smart_meter_point_with_half_hours(self, authed, account, current):
        quiet = smart_supply(account, current, usage=False)
        busy = smart_supply(account, current)
        assert quiet.meter_point.identifier < busy.meter_point.identifier

        data = authed.ok(QUERY)["smartTariffComparison"]

        assert data["currentCost"] == 9492.0

    def test_refuses_another_customers_mpan(self, authed, account, current):
        stranger = AccountUserRoleFactory().account
        theirs = smart_supply(stranger, current)

        status, body = authed(QUERY, {"mpan": theirs.meter_point.identifier})

        assert status == 200
        assert error_code(body) == "KT-CT-1111"
        assert body["data"]["smartTariffComparison"] is None

    def test_says_when_the_meter_point_has_no_consumption_data_for_the_month(self, authed, account, current):
        agreement = smart_supply(account, current, usage=False)

        status, body = authed(QUERY, {"mpan": agreement.meter_point.identifier})

        assert error_code(body) == "KT-CT-1104"
        assert body["errors"][0]["extensions"]["errorType"] == "NOT_FOUND"
        assert body["data"]["smartTariffComparison"] is None

    def test_needs_a_constant_number_of_queries_whatever_the_number_of_products(
        self, authed, account, current, offers, django_assert_max_num_queries
    ):
        agreement = smart_supply(account, current)
        variables = {"mpan": agreement.meter_point.identifier}
        few, _ = queries_for(authed, QUERY, variables)
        for index in range(10):
            flat_tariff(standing=40 + index, rate=20 + index)

        many, data = queries_for(authed, QUERY, variables)

        assert many == few
        assert len(data["smartTariffComparison"]["costComparisons"]) == 13
        with django_assert_max_num_queries(13):
            authed.ok(QUERY, variables)


@pytest.fixture
def authed(gql, viewer, account, frozen):
    gql.token = token_for(viewer)
    return gql


class TestLastFullMonth:
    def test_is_the_calendar_month_before_as_of_in_the_zone_across_a_clock_change(self):
        london = ZoneInfo("Europe/London")

        # 00:30 BST on 1 April is still 31 March in UTC.
        period = queries.last_full_month(as_of=dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC), tz=london)

        assert (period.start, period.end) == (
            dt.datetime(2025, 3, 1, tzinfo=london),
            dt.datetime(2025, 4, 1, tzinfo=london),
        )
        assert period.end.astimezone(dt.UTC) == dt.datetime(2025, 3, 31, 23, tzinfo=dt.UTC)
