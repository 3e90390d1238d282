"""The unmodified `pytentacle` 0.1.1 client (httpx, strict pydantic models) against a live server
with demo-style data: every public read method of `OctopusClient` (products, the six charge lists,
electricity meter point, electricity and gas consumption, grid supply points) and its errors.

`AsyncOctopusClient` is not exercised: in 0.1.1 it hands the synchronous API modules an async HTTP
client, so its methods iterate over un-awaited coroutines and fail whatever the server answers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pytentacle import (
    AuthenticationError,
    NotFoundError,
    OctopusClient,
    RateLimitError,
    ValidationError,
)

from tests.e2e.clients.conftest import DAYS_OF_DATA, PRODUCT


@pytest.fixture
def client(live_server, demo_style):
    with OctopusClient(api_key=demo_style.key, base_url=f"{live_server.url}/v1") as octopus:
        yield octopus


class TestProducts:
    def test_lists_products_with_every_filter(self, client, demo_style):
        everything = client.products.list()
        variable = client.products.list(is_variable=True, is_green=False, is_prepay=False)
        tracker = client.products.list(is_tracker=True, available_at=demo_style.now)
        business = client.products.list(is_business=True)

        assert {p.code for p in everything} >= {PRODUCT, "AGILE-24-10-01", "OUTGOING-VAR-24-10-26"}
        assert all(p.is_variable for p in variable) and len(variable) == 4
        assert [p.code for p in tracker] == ["SILVER-24-12-01"]
        assert [p.code for p in business] == ["BB-VAR-24-04-01"]
        assert {p.direction for p in everything} == {"IMPORT", "EXPORT"}

    def test_gets_a_product_with_tariffs_in_every_region(self, client):
        product = client.products.get(PRODUCT)

        assert set(product.single_register_electricity_tariffs) == {
            "_A", "_B", "_C", "_D", "_E", "_F", "_G", "_H", "_J", "_K", "_L", "_M", "_N", "_P"
        }  # fmt: skip
        region = product.dual_register_electricity_tariffs["_P"]
        assert set(region) == {"direct_debit_monthly", "varying"}
        assert (
            region["direct_debit_monthly"].night_unit_rate_exc_vat
            < region["direct_debit_monthly"].day_unit_rate_exc_vat
        )
        quote = product.sample_quotes["_C"]["direct_debit_monthly"]["dual_fuel_single_rate"]
        assert quote["annual_cost_inc_vat"] > quote["annual_cost_exc_vat"] > 0
        assert product.sample_consumption["electricity_single_rate"] == {"electricity_standard": 2700}

    def test_an_electricity_only_product_has_no_gas_tariffs(self, client):
        product = client.products.get("AGILE-24-10-01")

        assert product.single_register_gas_tariffs == {}
        assert product.single_register_electricity_tariffs["_C"]["direct_debit_monthly"].code == (
            "E-1R-AGILE-24-10-01-C"
        )

    def test_reads_all_six_charge_lists_following_pages(self, client):
        window = {"period_from": dt.datetime(2023, 1, 1, tzinfo=dt.UTC), "page_size": 3}
        code = f"-{PRODUCT}-C"

        lists = {
            "standard": client.products.get_electricity_standard_unit_rates(PRODUCT, f"E-1R{code}", **window),
            "standing": client.products.get_electricity_standing_charges(PRODUCT, f"E-1R{code}", **window),
            "day": client.products.get_electricity_day_unit_rates(PRODUCT, f"E-2R{code}", **window),
            "night": client.products.get_electricity_night_unit_rates(PRODUCT, f"E-2R{code}", **window),
            "gas": client.products.get_gas_standard_unit_rates(PRODUCT, f"G-1R{code}", **window),
            "gas standing": client.products.get_gas_standing_charges(PRODUCT, f"G-1R{code}", **window),
        }

        for charges in lists.values():
            assert len(charges) == 10  # five periods x two payment methods, over four pages of three
            assert charges[0].valid_to is None and charges[-1].valid_from == dt.datetime(
                2023, 3, 31, 23, tzinfo=dt.UTC
            )
            assert {c.payment_method for c in charges} == {"DIRECT_DEBIT", "NON_DIRECT_DEBIT"}

    def test_reads_half_hourly_agile_prices_in_a_window(self, client, demo_style):
        start = demo_style.now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=12)

        rates = client.products.get_electricity_standard_unit_rates(
            "AGILE-24-10-01",
            "E-1R-AGILE-24-10-01-C",
            period_from=start,
            period_to=start + dt.timedelta(hours=3),
        )

        assert len(rates) == 6
        assert all(rate.payment_method is None for rate in rates)
        assert rates[0].valid_from - rates[1].valid_from == dt.timedelta(minutes=30)


class TestMeterPointsAndConsumption:
    def test_gets_an_electricity_meter_point(self, client, demo_style):
        point = client.electricity.get_meter_point(demo_style.mpan)

        assert (point.mpan, point.gsp, point.profile_class) == (demo_style.mpan, "_C", 1)

    def test_gets_ninety_days_of_half_hours_in_one_request(self, client, demo_style):
        end = demo_style.now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)

        half_hours = client.electricity.get_consumption(
            demo_style.mpan,
            demo_style.electricity_serial,
            period_from=end - dt.timedelta(days=90),
            period_to=end,
            page_size=25_000,
        )

        assert len(half_hours) == 90 * 48
        assert half_hours[0].interval_start > half_hours[-1].interval_start

    def test_follows_pages_of_consumption_oldest_first(self, client, demo_style):
        end = demo_style.now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)

        half_hours = client.electricity.get_consumption(
            demo_style.mpan,
            demo_style.electricity_serial,
            period_from=end - dt.timedelta(days=2),
            period_to=end,
            page_size=40,
            order_by="period",
        )

        starts = [item.interval_start for item in half_hours]
        assert len(starts) == 96 and starts == sorted(starts)

    @pytest.mark.parametrize("group_by", ["hour", "day", "week", "month", "quarter"])
    def test_groups_consumption(self, client, demo_style, group_by):
        latest = client.electricity.get_consumption(
            demo_style.mpan, demo_style.electricity_serial, page_size=25_000
        )

        grouped = client.electricity.get_consumption(
            demo_style.mpan, demo_style.electricity_serial, group_by=group_by, page_size=25_000
        )

        assert len(latest) == DAYS_OF_DATA * 48
        assert sum(item.consumption for item in grouped) == pytest.approx(
            sum(item.consumption for item in latest)
        )
        assert all(item.interval_end > item.interval_start for item in grouped)

    def test_gets_gas_consumption(self, client, demo_style):
        daily = client.gas.get_consumption(
            demo_style.mprn, demo_style.gas_serial, group_by="day", page_size=7
        )

        assert len(daily) in (DAYS_OF_DATA, DAYS_OF_DATA + 1)
        assert all(day.consumption > 0 for day in daily)


class TestIndustry:
    def test_finds_the_region_of_a_postcode(self, client):
        assert [g.group_id for g in client.industry.get_grid_supply_points("sw1a1aa")] == ["_C"]
        assert [g.group_id for g in client.industry.get_grid_supply_points("SY16 1AA")] == ["_D", "_E"]
        assert client.industry.get_grid_supply_points("ZZ99 9ZZ") == []

    def test_lists_every_region_without_a_postcode(self, client):
        assert len(client.industry.get_grid_supply_points()) == 14


class TestErrors:
    def test_not_found_authentication_validation_and_rate_limit(
        self, client, live_server, demo_style, settings
    ):
        with pytest.raises(NotFoundError):
            client.products.get("NOPE-1")
        with pytest.raises(NotFoundError):
            client.electricity.get_consumption(demo_style.other_mpan, demo_style.other_serial)
        with pytest.raises(ValidationError):
            client.gas.get_consumption(demo_style.mprn, demo_style.gas_serial, period_to=demo_style.now)
        with OctopusClient(api_key="sk_live_not-a-key", base_url=f"{live_server.url}/v1") as stranger:
            with pytest.raises(AuthenticationError):
                stranger.products.list()
        settings.REST_API_RATE_LIMITS = {"anonymous": 2, "authenticated": 2}
        with pytest.raises(RateLimitError):
            for _ in range(3):
                client.electricity.get_meter_point(demo_style.mpan)
