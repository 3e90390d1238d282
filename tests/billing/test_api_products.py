"""GET /v1/products/ and /v1/products/{code}/ (spec/REST.md §4.1, §4.2)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.accounts.factories import EPOCH
from tests.billing.factories import ProductFactory, TariffFactory, TariffRateFactory, priced_product

LONDON = ZoneInfo("Europe/London")
JULY = EPOCH.replace(month=7)
AT_SPRING = "2024-03-01T12:00:00Z"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [product["code"] for product in response.json()["results"]]


@pytest.mark.django_db
class TestProductList:
    def test_lists_each_product_with_every_field(self, client):
        ProductFactory(
            code="AGILE-24-10-01",
            full_name="Agile Octopus October 2024 v1",
            display_name="Agile Octopus",
            description="Half-hourly prices",
            brand="OCTOPUS_ENERGY",
            is_green=True,
            term=12,
            available_from=dt.datetime(2024, 10, 1, tzinfo=LONDON),
        )

        body = client.get("/v1/products/").json()

        assert body == {
            "count": 1,
            "next": None,
            "previous": None,
            "results": [
                {
                    "code": "AGILE-24-10-01",
                    "direction": "IMPORT",
                    "full_name": "Agile Octopus October 2024 v1",
                    "display_name": "Agile Octopus",
                    "description": "Half-hourly prices",
                    "is_variable": True,
                    "is_green": True,
                    "is_tracker": False,
                    "is_prepay": False,
                    "is_business": False,
                    "is_restricted": False,
                    "term": 12,
                    "available_from": "2024-10-01T00:00:00+01:00",
                    "available_to": None,
                    "links": [
                        {
                            "href": "http://testserver/v1/products/AGILE-24-10-01/",
                            "method": "GET",
                            "rel": "self",
                        }
                    ],
                    "brand": "OCTOPUS_ENERGY",
                }
            ],
        }

    @pytest.mark.parametrize("flag", ["is_variable", "is_green", "is_tracker", "is_prepay"])
    @pytest.mark.parametrize("value", ["true", "True", "1", "TRUE"])
    def test_a_true_flag_keeps_only_products_with_it(self, client, flag, value):
        ProductFactory(code="WITH", **{flag: True})
        ProductFactory(code="WITHOUT", **{flag: False})

        assert codes(client.get(f"/v1/products/?{flag}={value}")) == ["WITH"]

    @pytest.mark.parametrize("value", ["false", "False", "0", "maybe", ""])
    def test_a_false_or_unreadable_flag_filters_nothing(self, client, value):
        ProductFactory(code="GREEN", is_green=True)
        ProductFactory(code="GREY", is_green=False)

        assert codes(client.get(f"/v1/products/?is_green={value}")) == ["GREEN", "GREY"]

    def test_business_products_are_left_out_unless_asked_for(self, client):
        ProductFactory(code="HOME")
        ProductFactory(code="SHOP", is_business=True)

        assert codes(client.get("/v1/products/")) == ["HOME"]
        assert codes(client.get("/v1/products/?is_business=false")) == ["HOME"]
        assert codes(client.get("/v1/products/?is_business=true")) == ["SHOP"]

    def test_lists_what_can_be_taken_on_at_an_instant(self, client):
        ProductFactory(code="OLD", available_from=EPOCH, available_to=JULY)
        ProductFactory(code="NEW", available_from=JULY)

        assert codes(client.get("/v1/products/?available_at=2024-03-01")) == ["OLD"]
        assert codes(client.get("/v1/products/?available_at=2024-07-01T00:00:00Z")) == ["NEW"]
        assert codes(client.get("/v1/products/")) == ["NEW"]

    def test_historical_adds_products_no_longer_available(self, client):
        ProductFactory(code="OLD", available_from=EPOCH, available_to=JULY)
        ProductFactory(code="NEW", available_from=JULY)
        ProductFactory(code="FUTURE", available_from=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))

        assert codes(client.get("/v1/products/?is_historical=true")) == ["NEW", "OLD"]

    def test_filters_by_brand(self, client):
        ProductFactory(code="OE", brand="OCTOPUS_ENERGY")
        ProductFactory(code="OTHER", brand="OTHER_BRAND")

        assert codes(client.get("/v1/products/?brand=OCTOPUS_ENERGY")) == ["OE"]

    def test_an_unreadable_instant_is_a_400(self, client, db):
        response = client.get("/v1/products/?available_at=soon")

        assert response.status_code == 400
        assert response.json() == {"available_at": ["Enter a valid date/time."]}

    def test_pages_by_100_ignoring_page_size_and_keeping_unknown_parameters(self, client):
        ProductFactory.create_batch(101)

        first = client.get("/v1/products/?page_size=500&colour=blue").json()
        second = client.get(first["next"]).json()

        assert (first["count"], len(first["results"]), len(second["results"])) == (101, 100, 1)
        assert first["next"] == "http://testserver/v1/products/?colour=blue&page=2&page_size=500"
        assert second["previous"] == "http://testserver/v1/products/?colour=blue&page_size=500"
        assert client.get("/v1/products/?page=3").json() == {"detail": "Invalid page."}


@pytest.mark.django_db
class TestProductDetail:
    def test_maps_each_region_and_payment_method_to_its_tariff(self, client):
        priced_product()

        body = client.get("/v1/products/VAR-22-11-01/").json()

        assert set(body["single_register_electricity_tariffs"]) == {"_A", "_C"}
        assert set(body["single_register_electricity_tariffs"]["_C"]) == {"direct_debit_monthly", "varying"}
        assert body["single_register_electricity_tariffs"]["_A"]["direct_debit_monthly"] == {
            "code": "E-1R-VAR-22-11-01-A",
            "standing_charge_exc_vat": 41,
            "standing_charge_inc_vat": 43.05,
            "online_discount_exc_vat": 0,
            "online_discount_inc_vat": 0,
            "dual_fuel_discount_exc_vat": 0,
            "dual_fuel_discount_inc_vat": 0,
            "exit_fees_exc_vat": 0,
            "exit_fees_inc_vat": 0,
            "exit_fees_type": "NONE",
            "links": [
                {
                    "href": "http://testserver/v1/products/VAR-22-11-01/electricity-tariffs/E-1R-VAR-22-11-01-A/standing-charges/",
                    "method": "GET",
                    "rel": "standing_charges",
                },
                {
                    "href": "http://testserver/v1/products/VAR-22-11-01/electricity-tariffs/E-1R-VAR-22-11-01-A/standard-unit-rates/",
                    "method": "GET",
                    "rel": "standard_unit_rates",
                },
            ],
            "standard_unit_rate_exc_vat": 21,
            "standard_unit_rate_inc_vat": 22.05,
        }

    def test_shows_economy_7_day_and_night_rates_and_gas_rates(self, client):
        priced_product()

        body = client.get("/v1/products/VAR-22-11-01/").json()

        e7 = body["dual_register_electricity_tariffs"]["_C"]["varying"]
        assert (e7["day_unit_rate_exc_vat"], e7["night_unit_rate_exc_vat"]) == (27.1, 17.1)
        assert [link["rel"] for link in e7["links"]] == [
            "standing_charges",
            "day_unit_rates",
            "night_unit_rates",
        ]
        assert "standard_unit_rate_exc_vat" not in e7
        gas = body["single_register_gas_tariffs"]["_A"]["direct_debit_monthly"]
        assert (gas["standard_unit_rate_exc_vat"], gas["standard_unit_rate_inc_vat"]) == (5.25, 5.5125)
        assert "/gas-tariffs/G-1R-VAR-22-11-01-A/standard-unit-rates/" in gas["links"][1]["href"]

    def test_shows_the_prices_in_force_at_tariffs_active_at(self, client):
        priced_product()

        body = client.get(f"/v1/products/VAR-22-11-01/?tariffs_active_at={AT_SPRING}").json()

        assert body["tariffs_active_at"] == "2024-03-01T12:00:00Z"
        tariff = body["single_register_electricity_tariffs"]["_A"]["direct_debit_monthly"]
        assert (tariff["standard_unit_rate_exc_vat"], tariff["standing_charge_exc_vat"]) == (20, 40)

    def test_echoes_the_instant_in_utc_with_its_fraction(self, client):
        priced_product()

        body = client.get(
            "/v1/products/VAR-22-11-01/?tariffs_active_at=2024-08-01T13:14:15.123456%2B01:00"
        ).json()

        assert body["tariffs_active_at"] == "2024-08-01T12:14:15.123456Z"

    def test_an_electricity_only_product_has_empty_gas_and_economy_7_maps(self, client):
        priced_product(code="AGILE-1", kinds=("E-1R",), methods=("",))

        body = client.get("/v1/products/AGILE-1/").json()

        assert body["single_register_gas_tariffs"] == {} and body["dual_register_electricity_tariffs"] == {}
        assert set(body["single_register_electricity_tariffs"]["_A"]) == {"direct_debit_monthly"}
        assert body["direction"] == "IMPORT"

    def test_quotes_a_sample_year_rounding_once_half_up(self, client):
        priced_product()

        quotes = client.get("/v1/products/VAR-22-11-01/").json()["sample_quotes"]["_A"][
            "direct_debit_monthly"
        ]

        assert quotes == {
            "electricity_single_rate": {"annual_cost_inc_vat": 75248, "annual_cost_exc_vat": 71665},
            "dual_fuel_single_rate": {"annual_cost_inc_vat": 154355, "annual_cost_exc_vat": 147005},
            "electricity_dual_rate": {"annual_cost_inc_vat": 104984, "annual_cost_exc_vat": 99985},
            "dual_fuel_dual_rate": {"annual_cost_inc_vat": 184091, "annual_cost_exc_vat": 175325},
        }

    def test_a_half_penny_rounds_up(self, client):
        tariff = TariffFactory(code="E-1R-HALF-A", product__code="HALF", standing_charge=Decimal("0.1000"))
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("0"))

        quotes = client.get("/v1/products/HALF/").json()["sample_quotes"]

        # 0.1p x 365 = 36.5p before tax, 38.325p after: half up gives 37 (half even would give 36).
        assert quotes == {
            "_A": {
                "direct_debit_monthly": {
                    "electricity_single_rate": {"annual_cost_inc_vat": 38, "annual_cost_exc_vat": 37}
                }
            }
        }

    def test_a_tariff_without_standing_charge_history_shows_its_standing_charge(self, client):
        tariff = TariffFactory(code="E-1R-PLAIN-A", product__code="PLAIN", standing_charge=Decimal("45.1200"))
        TariffRateFactory(tariff=tariff)

        tariff_body = client.get("/v1/products/PLAIN/").json()["single_register_electricity_tariffs"]["_A"]

        assert tariff_body["direct_debit_monthly"]["standing_charge_exc_vat"] == 45.12
        assert tariff_body["direct_debit_monthly"]["standard_unit_rate_exc_vat"] == 24.5

    def test_shows_the_consumption_the_quotes_assume(self, client):
        priced_product()

        body = client.get("/v1/products/VAR-22-11-01/").json()

        assert body["sample_consumption"]["electricity_dual_rate"] == {
            "electricity_day": 2262,
            "electricity_night": 1638,
        }
        assert body["links"] == [
            {"href": "http://testserver/v1/products/VAR-22-11-01/", "method": "GET", "rel": "self"}
        ]

    def test_an_unknown_product_is_a_404_clients_recognise(self, client, db):
        response = client.get("/v1/products/NO-SUCH-PRODUCT/")

        assert response.status_code == 404
        assert response.json() == {"detail": "No EnergyProduct matches the given query."}

    def test_an_unreadable_instant_is_a_400(self, client):
        priced_product()

        response = client.get("/v1/products/VAR-22-11-01/?tariffs_active_at=2024-02-30")

        assert response.status_code == 400
        assert response.json() == {"tariffs_active_at": ["Enter a valid date/time."]}
