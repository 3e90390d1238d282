"""The unmodified `octopus-energy` 0.1.14 client (aiohttp) against a live server with demo-style
data: every public read method of `OctopusEnergyRestClient` and `OctopusEnergyConsumerClient`.
Left out: `create_account`, `create_quote` and `renew_business_tariff` (partner-only writes).

The REST client takes a base URL. The consumer client always builds its REST client for the live
service, so it is pointed at the test server by setting that client's `base_url` attribute at run
time, as a user would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from furl import furl
from octopus_energy import (
    Aggregate,
    ApiAuthenticationError,
    ApiBadRequestError,
    ApiNotFoundError,
    EnergyTariffType,
    EnergyType,
    MeterDirection,
    OctopusEnergyConsumerClient,
    OctopusEnergyRestClient,
    RateType,
    SortOrder,
)

from tests.e2e.clients.conftest import DAYS_OF_DATA, PRODUCT


def run(coroutine):
    return asyncio.run(coroutine)


def rest_client(live_server, key=None) -> OctopusEnergyRestClient:
    return OctopusEnergyRestClient(key, base_url=live_server.url)


class TestRestClientCatalogue:
    def test_lists_products_with_and_without_filters(self, live_server, demo_style):
        async def calls():
            async with rest_client(live_server) as client:
                return (
                    await client.get_products_v1(),
                    await client.get_products_v1(is_variable=True, is_green=True, page=1),
                    await client.get_products_v1(is_business=True),
                    await client.get_products_v1(
                        is_tracker=True, available_at=demo_style.now - dt.timedelta(days=1)
                    ),
                    await client.get_products_v1(is_prepay=True, page_size=5),
                )

        everything, green_variable, business, tracker, prepay = run(calls())

        codes = {p["code"] for p in everything["results"]}
        assert {PRODUCT, "AGILE-24-10-01", "OE-FIX-12M-25-04-01", "SILVER-24-12-01"} <= codes
        assert "VAR-21-09-29" not in codes and "BB-VAR-24-04-01" not in codes
        assert {p["code"] for p in green_variable["results"]} == {"AGILE-24-10-01", "OUTGOING-VAR-24-10-26"}
        assert [p["code"] for p in business["results"]] == ["BB-VAR-24-04-01"]
        assert [p["code"] for p in tracker["results"]] == ["SILVER-24-12-01"]
        assert prepay == {"count": 0, "next": None, "previous": None, "results": []}

    def test_retrieves_a_product_now_and_at_an_instant_in_its_history(self, live_server, demo_style):
        async def calls():
            async with rest_client(live_server) as client:
                return (
                    await client.get_product_v1(PRODUCT),
                    await client.get_product_v1(PRODUCT, tariffs_active_at=dt.datetime(2023, 8, 1)),
                )

        now, then = run(calls())

        for body in (now, then):
            for tariffs in ("single_register_electricity_tariffs", "dual_register_electricity_tariffs"):
                assert len(body[tariffs]) == 14
            assert len(body["single_register_gas_tariffs"]) == 14
        assert then["tariffs_active_at"] == "2023-07-31T23:00:00Z"
        dd = then["single_register_electricity_tariffs"]["_A"]["direct_debit_monthly"]
        assert dd["standard_unit_rate_exc_vat"] == 29.2574
        assert dd["standard_unit_rate_inc_vat"] == pytest.approx(30.72027)
        assert (
            now["single_register_electricity_tariffs"]["_A"]["varying"]["standard_unit_rate_exc_vat"]
            == 26.3592
        )

    @pytest.mark.parametrize(
        ("fuel", "prefix", "rate_type", "count"),
        [
            (EnergyTariffType.ELECTRICITY, "E-1R", RateType.STANDARD_UNIT_RATES, 10),
            (EnergyTariffType.ELECTRICITY, "E-1R", RateType.STANDING_CHARGES, 10),
            (EnergyTariffType.ELECTRICITY, "E-2R", RateType.DAY_UNIT_RATES, 10),
            (EnergyTariffType.ELECTRICITY, "E-2R", RateType.NIGHT_UNIT_RATES, 10),
            (EnergyTariffType.GAS, "G-1R", RateType.STANDARD_UNIT_RATES, 10),
            (EnergyTariffType.GAS, "G-1R", RateType.STANDING_CHARGES, 10),
        ],
    )
    def test_reads_every_kind_of_tariff_charge(self, live_server, demo_style, fuel, prefix, rate_type, count):
        code = f"{prefix}-{PRODUCT}-C"

        async def calls():
            async with rest_client(live_server) as client:
                return (
                    await client.get_tariff_v1(PRODUCT, fuel, code, rate_type),
                    await client.get_tariff_v1(PRODUCT, fuel, code, rate_type, page_num=2, page_size=4),
                    await client.get_tariff_v1(
                        PRODUCT,
                        fuel,
                        code,
                        rate_type,
                        period_from=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
                        period_to=dt.datetime(2024, 6, 2, tzinfo=dt.UTC),
                    ),
                )

        history, second_page, window = run(calls())

        assert history["count"] == count
        assert [r["valid_from"] for r in history["results"]] == sorted(
            (r["valid_from"] for r in history["results"]), reverse=True
        )
        assert second_page["results"] == history["results"][4:8]
        assert "page=3" in second_page["next"] and second_page["previous"].endswith("page_size=4")
        assert [r["payment_method"] for r in window["results"]] == ["DIRECT_DEBIT", "NON_DIRECT_DEBIT"]
        assert window["results"][0]["valid_from"] == "2024-01-01T00:00:00Z"

    def test_reads_an_electricity_meter_point(self, live_server, demo_style):
        async def call():
            async with rest_client(live_server) as client:
                return await client.get_electricity_meter_points_v1(demo_style.mpan)

        assert run(call()) == {"gsp": "_C", "mpan": demo_style.mpan, "profile_class": 1}

    def test_an_unknown_product_or_tariff_raises_not_found(self, live_server, demo_style):
        async def calls():
            async with rest_client(live_server) as client:
                with pytest.raises(ApiNotFoundError):
                    await client.get_product_v1("NO-SUCH-PRODUCT")
                with pytest.raises(ApiNotFoundError):
                    await client.get_tariff_v1(
                        PRODUCT, EnergyTariffType.GAS, f"E-1R-{PRODUCT}-C", RateType.STANDING_CHARGES
                    )
                with pytest.raises(ApiNotFoundError):
                    await client.get_electricity_meter_points_v1("1299999999999")

        run(calls())


class TestRestClientCustomerData:
    def test_reads_the_account(self, live_server, demo_style):
        async def call():
            async with rest_client(live_server, demo_style.key) as client:
                return await client.get_account_details(demo_style.account_number)

        account = run(call())

        (home,) = account["properties"]
        assert home["postcode"] == demo_style.postcode and home["moved_out_at"] is None
        by_mpan = {mp["mpan"]: mp for mp in home["electricity_meter_points"]}
        assert by_mpan[demo_style.export_mpan]["is_export"] is True
        assert [a["tariff_code"] for a in by_mpan[demo_style.mpan]["agreements"]] == [
            f"E-1R-{PRODUCT}-C",
            "E-1R-OE-FIX-12M-25-04-01-C",
        ]
        assert home["gas_meter_points"][0]["meters"] == [{"serial_number": demo_style.gas_serial}]

    def test_reads_half_hourly_and_grouped_consumption_of_both_fuels(self, live_server, demo_style):
        end = demo_style.now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
        start = end - dt.timedelta(days=7)

        async def calls():
            async with rest_client(live_server, demo_style.key) as client:
                return (
                    await client.get_electricity_consumption_v1(
                        demo_style.mpan, demo_style.electricity_serial
                    ),
                    await client.get_electricity_consumption_v1(
                        demo_style.mpan,
                        demo_style.electricity_serial,
                        page=2,
                        page_size=48,
                        period_from=start,
                        period_to=end,
                        order=SortOrder.OLDEST_FIRST,
                    ),
                    await client.get_electricity_consumption_v1(
                        demo_style.mpan,
                        demo_style.electricity_serial,
                        period_from=start,
                        period_to=end,
                        group_by=Aggregate.DAY,
                    ),
                    await client.get_gas_consumption_v1(
                        demo_style.mprn,
                        demo_style.gas_serial,
                        period_from=start,
                        period_to=end,
                        group_by=Aggregate.WEEK,
                        order=SortOrder.NEWEST_FIRST,
                    ),
                )

        latest, page_two, daily, weekly_gas = run(calls())

        assert latest["count"] >= DAYS_OF_DATA * 48 - 2 and len(latest["results"]) == 100
        assert page_two["count"] == 7 * 48 and len(page_two["results"]) == 48
        assert "order=period" in page_two["next"] and "page=3" in page_two["next"]
        assert daily["count"] in (7, 8)
        assert sum(Decimal(str(day["consumption"])) for day in daily["results"]) > 0
        assert weekly_gas["count"] in (1, 2, 3)

    def test_refuses_other_customers_and_wrong_keys(self, live_server, demo_style):
        async def calls():
            async with rest_client(live_server, demo_style.key) as client:
                with pytest.raises(ApiNotFoundError):
                    await client.get_account_details(demo_style.other_account_number)
                with pytest.raises(ApiNotFoundError):
                    await client.get_electricity_consumption_v1(
                        demo_style.other_mpan, demo_style.other_serial
                    )
                with pytest.raises(ApiBadRequestError):
                    await client.get_electricity_consumption_v1(
                        demo_style.mpan, demo_style.electricity_serial, period_to=demo_style.now
                    )
            async with rest_client(live_server, "sk_live_wrong") as client:
                with pytest.raises(ApiAuthenticationError):
                    await client.get_products_v1()
            async with rest_client(live_server) as client:
                with pytest.raises(ApiAuthenticationError):
                    await client.get_account_details(demo_style.account_number)

        run(calls())


def consumer(live_server, key) -> OctopusEnergyConsumerClient:
    client = OctopusEnergyConsumerClient(key)
    client.rest_client.base_url = furl(live_server.url)
    return client


class TestConsumerClient:
    def test_finds_the_meters_and_pages_through_their_consumption(self, live_server, demo_style):
        end = demo_style.now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
        start = end - dt.timedelta(days=3)

        async def calls():
            async with consumer(live_server, demo_style.key) as client:
                meters = await client.get_meters(demo_style.account_number)
                pages = {}
                for meter in meters:
                    page = await client.get_consumption(meter, start, end)
                    intervals = list(page.intervals)
                    while page.next_page is not None:
                        page = await client.get_consumption(meter, page_reference=page.next_page)
                        intervals += page.intervals
                    pages[meter.serial_number] = intervals
                return meters, pages

        meters, pages = run(calls())

        by_serial = {meter.serial_number: meter for meter in meters}
        assert by_serial[demo_style.electricity_serial].direction == MeterDirection.IMPORT
        assert by_serial["21E0000024"].direction == MeterDirection.EXPORT
        assert by_serial[demo_style.gas_serial].energy_type == EnergyType.GAS
        current = by_serial[demo_style.electricity_serial].get_tariff_at(demo_style.now)
        assert current.code == "E-1R-OE-FIX-12M-25-04-01-C" and current.valid_to is None
        for serial in (demo_style.electricity_serial, demo_style.gas_serial):
            starts = [interval.interval_start for interval in pages[serial]]
            assert len(starts) == len(set(starts)) == 3 * 48
            assert min(starts) == start and max(starts) == end - dt.timedelta(minutes=30)

    def test_prices_a_tariff_at_an_instant_and_over_a_day(self, live_server, demo_style):
        async def calls():
            async with consumer(live_server, demo_style.key) as client:
                return (
                    await client.get_tariff_cost(
                        PRODUCT,
                        f"E-1R-{PRODUCT}-C",
                        EnergyTariffType.ELECTRICITY,
                        RateType.STANDARD_UNIT_RATES,
                        dt.datetime(2023, 8, 1, 12, tzinfo=dt.UTC),
                    ),
                    await client.get_daily_flexible_rate_pricing(
                        "AGILE-24-10-01",
                        "E-1R-AGILE-24-10-01-C",
                        EnergyTariffType.ELECTRICITY,
                        RateType.STANDARD_UNIT_RATES,
                        demo_style.now,
                    ),
                )

        at_instant, agile_day = run(calls())

        assert at_instant.cost_exc_vat == Decimal(
            "29.957"
        )  # 29.2574 + 2 regions x 0.35, rounded down by the client
        assert at_instant.valid_from == dt.datetime(2023, 6, 30, 23, tzinfo=dt.UTC)
        assert len(agile_day) in (46, 48, 50)
        assert all(rate.cost_inc_vat > 0 for rate in agile_day)
