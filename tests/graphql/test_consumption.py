"""A meter's `consumption` from its half-hourly interval data (metering.IntervalReading): half hours
as they are or summed on the wall clock of the time zone asked for, oldest first from `startAt`, in
Relay pages, batched across meters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.graphql import ids
from tests.graphql.conftest import error_code, queries_for
from tests.metering.factories import MeterFactory, MeterPointFactory, RegisterFactory, half_hours

# 2024-03-30 23:00 UTC is midnight in London before the clocks go forward on the 31st.
START = dt.datetime(2024, 3, 30, 0, 0, tzinfo=dt.UTC)
CONSUMPTION = """query($id: ID!, $start: DateTime!, $grouping: ConsumptionGroupings!, $tz: String!,
    $first: Int, $after: String, $last: Int) {
  node(id: $id) { ... on ElectricityMeterType { consumption(startAt: $start, grouping: $grouping, timezone: $tz,
      first: $first, after: $after, last: $last) {
    totalCount edgeCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { value startAt endAt } } } } } }"""
EVERY_METER = """query($n: String!, $start: DateTime!) { account(accountNumber: $n) { properties {
  electricityMeterPoints { meters { consumption(startAt: $start, grouping: HOUR, timezone: "Europe/London",
    first: 3) { totalCount edges { node { value } } } } } } } }"""


@pytest.fixture
def meter(account):
    meter = MeterFactory(meter_point=MeterPointFactory(property__account=account), installed_from=START)
    RegisterFactory(meter=meter)
    # 48 hours of half hours, each worth its index in thousandths of a kWh.
    half_hours(meter, start=START, values=[Decimal(i) / 1000 for i in range(96)])
    return meter


def ask(gql, meter, **variables):
    defaults = {
        "id": ids.model_id("ElectricityMeterType", meter.pk),
        "start": START.isoformat(),
        "grouping": "HALF_HOUR",
        "tz": "Europe/London",
    }
    return gql.ok(CONSUMPTION, {**defaults, **variables})["node"]["consumption"]


class TestConsumption:
    def test_gives_the_half_hours_oldest_first_from_start_at(self, authed, meter):
        page = ask(authed, meter, start=(START + dt.timedelta(hours=1)).isoformat(), first=3)

        assert page["totalCount"] == 94 and page["edgeCount"] == 3
        assert [e["node"] for e in page["edges"]] == [
            {"value": "0.002", "startAt": "2024-03-30T01:00:00+00:00", "endAt": "2024-03-30T01:30:00+00:00"},
            {"value": "0.003", "startAt": "2024-03-30T01:30:00+00:00", "endAt": "2024-03-30T02:00:00+00:00"},
            {"value": "0.004", "startAt": "2024-03-30T02:00:00+00:00", "endAt": "2024-03-30T02:30:00+00:00"},
        ]
        assert page["pageInfo"]["hasNextPage"] is True

    def test_sums_days_on_the_wall_clock_of_the_time_zone_exactly(self, authed, meter):
        page = ask(authed, meter, grouping="DAY")

        days = [e["node"] for e in page["edges"]]
        # London's 30 March is 00:00-24:00 GMT; its 31 March starts at 00:00 GMT and lasts 23 hours.
        assert [(d["startAt"], d["endAt"]) for d in days] == [
            ("2024-03-30T00:00:00+00:00", "2024-03-31T00:00:00+00:00"),
            ("2024-03-31T00:00:00+00:00", "2024-03-31T23:00:00+00:00"),
            ("2024-03-31T23:00:00+00:00", "2024-04-01T23:00:00+00:00"),
        ]
        assert [Decimal(d["value"]) for d in days] == [
            sum(Decimal(i) / 1000 for i in range(0, 48)),
            sum(Decimal(i) / 1000 for i in range(48, 94)),
            sum(Decimal(i) / 1000 for i in range(94, 96)),
        ]

    def test_pages_with_cursors_and_from_the_end(self, authed, meter):
        first = ask(authed, meter, grouping="HOUR", first=10)

        second = ask(authed, meter, grouping="HOUR", first=10, after=first["pageInfo"]["endCursor"])
        last = ask(authed, meter, grouping="HOUR", last=2)

        assert second["edges"][0]["node"]["startAt"] == "2024-03-30T10:00:00+00:00"
        assert second["pageInfo"]["hasPreviousPage"] is True
        assert [e["node"]["startAt"] for e in last["edges"]] == [
            "2024-03-31T22:00:00+00:00",
            "2024-03-31T23:00:00+00:00",
        ]

    def test_a_page_counted_forward_is_the_page_counted_from_the_end(self, authed, meter):
        total = ask(authed, meter, grouping="HOUR", first=1)["totalCount"]
        before_last_two = ask(authed, meter, grouping="HOUR", first=total - 2)["pageInfo"]["endCursor"]

        forward = ask(authed, meter, grouping="HOUR", first=2, after=before_last_two)
        backward = ask(authed, meter, grouping="HOUR", last=2)

        assert forward == backward
        assert (forward["totalCount"], forward["edgeCount"], forward["pageInfo"]["hasNextPage"]) == (
            total,
            2,
            False,
        )

    def test_a_page_after_the_last_bucket_is_empty_and_still_counts_them(self, authed, meter):
        total = ask(authed, meter, grouping="HOUR", first=1)["totalCount"]
        end = ask(authed, meter, grouping="HOUR", first=total)["pageInfo"]["endCursor"]

        beyond = ask(authed, meter, grouping="HOUR", first=5, after=end)

        assert (beyond["totalCount"], beyond["edges"], beyond["pageInfo"]["hasPreviousPage"]) == (
            total,
            [],
            True,
        )

    def test_is_an_empty_page_without_interval_data(self, authed, account):
        quiet = MeterFactory(meter_point=MeterPointFactory(property__account=account))

        page = ask(authed, quiet, grouping="DAY")

        assert (page["totalCount"], page["edges"]) == (0, [])

    @pytest.mark.parametrize(
        ("variables", "field"),
        [({"tz": "Mars/Olympus"}, "timezone"), ({"grouping": "QUARTER_HOUR"}, "grouping")],
    )
    def test_refuses_an_unknown_zone_or_a_grouping_finer_than_the_data(self, authed, meter, variables, field):
        status, body = authed(
            CONSUMPTION,
            {
                "id": ids.model_id("ElectricityMeterType", meter.pk),
                "start": START.isoformat(),
                "grouping": "HALF_HOUR",
                "tz": "Europe/London",
                **variables,
            },
        )

        assert error_code(body) == "KT-CT-4321"
        assert body["errors"][0]["extensions"]["validationErrors"][0]["inputPath"] == ["input", field]

    def test_costs_the_same_queries_for_one_meter_and_for_five(self, authed, account):
        prop = MeterPointFactory(property__account=account).property

        def add_meter():
            meter = MeterFactory(meter_point=MeterPointFactory(property=prop), installed_from=START)
            half_hours(meter, start=START, values=["0.5"] * 8)

        add_meter()
        one, _ = queries_for(authed, EVERY_METER, {"n": account.number, "start": START.isoformat()})
        for _ in range(4):
            add_meter()
        five, data = queries_for(authed, EVERY_METER, {"n": account.number, "start": START.isoformat()})

        assert one == five
        # A forward page is counted and read in one pass over the interval data, for all five meters.
        with CaptureQueriesContext(connection) as captured:
            authed.ok(EVERY_METER, {"n": account.number, "start": START.isoformat()})
        assert sum("metering_interval_reading" in q["sql"] for q in captured.captured_queries) == 1
        pages = [
            m["consumption"]
            for p in data["account"]["properties"]
            for mp in p["electricityMeterPoints"]
            for m in mp["meters"]
        ]
        assert [(p["totalCount"], [e["node"]["value"] for e in p["edges"]]) for p in pages] == [
            (4, ["1.000", "1.000", "1.000"])
        ] * 5
