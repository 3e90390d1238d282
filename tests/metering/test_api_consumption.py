"""Electricity and gas consumption (spec/REST.md §4.5), read from the half-hourly interval data."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel import ranges
from metering import models
from tests.accounts.factories import PropertyFactory
from tests.metering.factories import MeterFactory, MeterPointFactory, RegisterFactory, half_hours
from tests.rest import Customer

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
HALF_HOUR = dt.timedelta(minutes=30)
SPRING_FORWARD = dt.datetime(2024, 3, 31, tzinfo=UTC)  # local midnight; 01:00 GMT becomes 02:00 BST
FALL_BACK = dt.datetime(2024, 10, 26, 23, tzinfo=UTC)  # local midnight of 27 October; 02:00 BST is 01:00 GMT


def smart_meter(customer, *, gas=False, smart=True):
    fuel = {"utility_type": models.UtilityType.GAS, "identifier": "9123456789"} if gas else {}
    point = MeterPointFactory(property=PropertyFactory(account=customer.account), **fuel)
    meter = MeterFactory(meter_point=point, is_smart=smart)
    RegisterFactory(meter=meter, unit=models.RegisterUnit.CUBIC_METRES if gas else models.RegisterUnit.KWH)
    return meter


def path(meter) -> str:
    fuel = "gas" if meter.meter_point.utility_type == models.UtilityType.GAS else "electricity"
    return f"/v1/{fuel}-meter-points/{meter.meter_point.identifier}/meters/{meter.serial_number}/consumption/"


def get(client, customer, url):
    response = client.get(url, **customer.auth)
    assert response.status_code == 200, response.content
    return json.loads(response.content, parse_float=Decimal)


@pytest.fixture
def meter(customer):
    point = MeterPointFactory(property=PropertyFactory(account=customer.account))
    meter = MeterFactory(meter_point=point)
    RegisterFactory(meter=meter)
    return meter


@pytest.mark.django_db
class TestHalfHourly:
    def test_lists_the_half_hours_newest_first_on_the_london_wall_clock(self, client, customer, meter):
        half_hours(meter, start=dt.datetime(2024, 5, 25, 21, 0, tzinfo=UTC), values=["0.123", "0.187"])

        body = get(client, customer, path(meter))

        assert body == {
            "count": 2,
            "next": None,
            "previous": None,
            "results": [
                {
                    "consumption": Decimal("0.187"),
                    "interval_start": "2024-05-25T22:30:00+01:00",
                    "interval_end": "2024-05-25T23:00:00+01:00",
                },
                {
                    "consumption": Decimal("0.123"),
                    "interval_start": "2024-05-25T22:00:00+01:00",
                    "interval_end": "2024-05-25T22:30:00+01:00",
                },
            ],
        }

    def test_order_by_period_lists_oldest_first(self, client, customer, meter):
        half_hours(meter, start=SPRING_FORWARD, values=["1", "2", "3"])

        results = get(client, customer, f"{path(meter)}?order_by=period")["results"]

        assert [r["consumption"] for r in results] == [1, 2, 3]

    def test_the_spring_forward_half_hour_ends_an_hour_later_on_the_clock(self, client, customer, meter):
        half_hours(meter, start=SPRING_FORWARD + dt.timedelta(minutes=30), values=["0.5", "0.5"])

        results = get(client, customer, f"{path(meter)}?order_by=period")["results"]

        assert [(r["interval_start"], r["interval_end"]) for r in results] == [
            ("2024-03-31T00:30:00Z", "2024-03-31T02:00:00+01:00"),
            ("2024-03-31T02:00:00+01:00", "2024-03-31T02:30:00+01:00"),
        ]

    def test_a_window_holds_the_half_hours_starting_in_it(self, client, customer, meter):
        start = dt.datetime(2024, 1, 10, tzinfo=UTC)
        half_hours(meter, start=start, values=[str(i) for i in range(10)])

        results = get(
            client,
            customer,
            f"{path(meter)}?period_from=2024-01-10T01:00:00Z&period_to=2024-01-10T02:15:00Z&order_by=period",
        )["results"]

        assert [r["consumption"] for r in results] == [2, 3, 4]

    def test_naive_and_date_only_windows_are_london_time(self, client, customer, meter):
        half_hours(meter, start=dt.datetime(2024, 6, 30, 22, 0, tzinfo=UTC), values=["1"] * 4)

        results = get(
            client, customer, f"{path(meter)}?period_from=2024-07-01&period_to=2024-07-01T00:30:00"
        )["results"]

        assert [r["interval_start"] for r in results] == ["2024-07-01T00:00:00+01:00"]

    def test_ninety_days_of_half_hours_answer_in_one_request_under_the_page_cap(
        self, client, customer, meter
    ):
        start = dt.datetime(2024, 9, 1, tzinfo=UTC)
        half_hours(meter, start=start, values=["0.1"] * (91 * 48))

        body = get(
            client,
            customer,
            f"{path(meter)}?period_from=2024-09-01T00:00:00Z&period_to=2024-11-30T00:00:00Z&page_size=25000",
        )

        assert (body["count"], len(body["results"]), body["next"]) == (90 * 48, 90 * 48, None)

    def test_page_size_is_clamped_to_25000(self, client, customer, meter):
        half_hours(meter, start=dt.datetime(2024, 1, 1, tzinfo=UTC), values=["0.1"] * 25_010)

        body = get(client, customer, f"{path(meter)}?page_size=30000&order=period")

        assert (body["count"], len(body["results"])) == (25_010, 25_000)
        assert body["next"] == f"http://testserver{path(meter)}?order=period&page=2&page_size=30000"
        assert len(get(client, customer, body["next"])["results"]) == 10

    def test_pages_by_100_keeping_the_window_and_unknown_parameters(self, client, customer, meter):
        half_hours(meter, start=dt.datetime(2024, 2, 1, tzinfo=UTC), values=["0.2"] * 250)
        query = "?period_from=2024-02-01T00%3A00%3A00Z&order=period"

        first = get(client, customer, path(meter) + query)
        third = get(client, customer, first["next"].replace("page=2", "page=3"))

        assert (first["count"], len(first["results"])) == (250, 100)
        assert first["next"] == (
            f"http://testserver{path(meter)}?order=period&page=2&period_from=2024-02-01T00%3A00%3A00Z"
        )
        assert (len(third["results"]), third["next"]) == (50, None)
        assert third["previous"] == first["next"]
        response = client.get(path(meter) + "?page=4", **customer.auth)
        assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})

    def test_gas_is_read_from_the_gas_meter_point_in_its_own_unit(self, client, customer):
        meter = smart_meter(customer, gas=True)
        half_hours(meter, start=dt.datetime(2024, 1, 1, tzinfo=UTC), values=["0.042"])

        assert get(client, customer, path(meter))["results"][0]["consumption"] == Decimal("0.042")


@pytest.mark.django_db
class TestGroupBy:
    @pytest.mark.parametrize(
        ("group_by", "buckets"),
        [
            (
                "hour",
                [
                    ("2024-03-31T00:00:00Z", "2024-03-31T02:00:00+01:00", "2"),
                    ("2024-03-31T02:00:00+01:00", "2024-03-31T03:00:00+01:00", "2"),
                ],
            ),
            ("day", [("2024-03-31T00:00:00Z", "2024-04-01T00:00:00+01:00", "4")]),
            ("week", [("2024-03-25T00:00:00Z", "2024-04-01T00:00:00+01:00", "4")]),
            ("month", [("2024-03-01T00:00:00Z", "2024-04-01T00:00:00+01:00", "4")]),
            ("quarter", [("2024-01-01T00:00:00Z", "2024-04-01T00:00:00+01:00", "4")]),
        ],
    )
    def test_sums_into_local_buckets_with_their_own_edges(self, client, customer, meter, group_by, buckets):
        half_hours(meter, start=SPRING_FORWARD, values=["1"] * 4)

        results = get(client, customer, f"{path(meter)}?group_by={group_by}&order_by=period")["results"]

        assert [(r["interval_start"], r["interval_end"], str(r["consumption"])) for r in results] == [
            (start, end, f"{value}.000") for start, end, value in buckets
        ]

    @pytest.mark.parametrize(("day", "half_hour_count"), [(SPRING_FORWARD, 46), (FALL_BACK, 50)])
    def test_a_clock_change_day_holds_46_or_50_half_hours(
        self, client, customer, meter, day, half_hour_count
    ):
        half_hours(meter, start=day - dt.timedelta(hours=2), values=["1"] * (half_hour_count + 8))

        results = get(client, customer, f"{path(meter)}?group_by=day&order_by=period")["results"]

        assert [r["consumption"] for r in results] == [4, half_hour_count, 4]

    def test_the_window_is_applied_before_grouping(self, client, customer, meter):
        half_hours(meter, start=dt.datetime(2024, 1, 1, tzinfo=UTC), values=["1"] * 96)

        results = get(client, customer, f"{path(meter)}?group_by=day&period_from=2024-01-01T12:00:00Z")[
            "results"
        ]

        assert [(r["interval_start"], r["consumption"]) for r in results] == [
            ("2024-01-02T00:00:00Z", 48),
            ("2024-01-01T00:00:00Z", 24),
        ]

    @pytest.mark.parametrize(("name", "value"), [("group_by", "fortnight"), ("order_by", "-consumption")])
    def test_an_unknown_value_is_a_400(self, client, customer, meter, name, value):
        response = client.get(f"{path(meter)}?{name}={value}", **customer.auth)

        assert response.status_code == 400
        assert response.json() == {name: [f'"{value}" is not a valid choice.']}


@pytest.mark.django_db
class TestWhoseMeter:
    def test_an_unknown_serial_on_one_s_own_meter_point_is_empty(self, client, customer, meter):
        url = path(meter).replace(meter.serial_number, "NOPE")

        assert get(client, customer, url) == {"count": 0, "next": None, "previous": None, "results": []}

    def test_a_meter_that_is_not_smart_has_no_data(self, client, customer):
        meter = smart_meter(customer, smart=False)
        half_hours(meter, start=dt.datetime(2024, 1, 1, tzinfo=UTC), values=["1"])

        assert get(client, customer, path(meter))["count"] == 0

    def test_another_customer_s_meter_point_is_not_found(self, client, customer, meter):
        half_hours(meter, start=dt.datetime(2024, 1, 1, tzinfo=UTC), values=["1"])
        stranger = Customer()

        response = client.get(path(meter), **stranger.auth)

        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})

    def test_an_unknown_meter_point_or_the_wrong_fuel_is_not_found(self, client, customer, meter):
        gas_path = path(meter).replace("electricity-meter-points", "gas-meter-points")

        for url in (path(meter).replace(meter.meter_point.identifier, "1999999999999"), gas_path):
            assert client.get(url, **customer.auth).status_code == 404

    def test_needs_credentials(self, client, meter):
        response = client.get(path(meter))

        assert response.status_code == 401 and response["WWW-Authenticate"] == 'Basic realm="api"'


GROUPS = ["hour", "day", "week", "month", "quarter"]


@pytest.mark.django_db
class TestGroupedSums:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        first=st.one_of(
            st.integers(0, 2 * 365 * 48),
            st.sampled_from([SPRING_FORWARD, FALL_BACK]).map(
                lambda d: int((d - dt.datetime(2024, 1, 1, tzinfo=UTC)) / HALF_HOUR) - 40
            ),
        ),
        values=st.lists(st.integers(0, 99_999), min_size=1, max_size=1500),
        window=st.tuples(st.integers(-100, 1600), st.integers(1, 1700)),
        group_by=st.sampled_from(GROUPS),
    )
    def test_grouped_results_are_the_sums_of_the_half_hours(
        self, client, customer, first, values, window, group_by
    ):
        meter = smart_meter(customer)
        start = dt.datetime(2024, 1, 1, tzinfo=UTC) + first * HALF_HOUR
        half_hours(meter, start=start, values=[Decimal(v) / 1000 for v in values])
        window_start = start + window[0] * HALF_HOUR
        query = (
            f"period_from={window_start.isoformat().replace('+', '%2B')}"
            f"&period_to={(window_start + window[1] * HALF_HOUR).isoformat().replace('+', '%2B')}&page_size=25000"
        )

        half_hourly = get(client, customer, f"{path(meter)}?{query}")["results"]
        grouped = get(client, customer, f"{path(meter)}?{query}&group_by={group_by}")["results"]

        assert sum(r["consumption"] for r in grouped) == sum(r["consumption"] for r in half_hourly)
        for bucket in grouped:
            edges = _edges(bucket)
            assert sum(r["consumption"] for r in half_hourly if _instant(r) in edges) == bucket["consumption"]
            _assert_on_local_boundaries(edges, group_by)
        assert len({b["interval_start"] for b in grouped}) == len(grouped)


def _instant(row: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(row["interval_start"])


def _edges(bucket: dict) -> ranges.Period:
    return ranges.Period(
        dt.datetime.fromisoformat(bucket["interval_start"]), dt.datetime.fromisoformat(bucket["interval_end"])
    )


def _assert_on_local_boundaries(edges, group_by: str) -> None:
    start, end = edges.start.astimezone(LONDON), edges.end.astimezone(LONDON)
    if group_by == "hour":
        assert (end - start, start.minute) == (dt.timedelta(hours=1), 0)
        return
    assert (start.time(), end.time()) == (dt.time(0), dt.time(0))
    if group_by == "day":
        assert end.date() - start.date() == dt.timedelta(days=1)
    elif group_by == "week":
        assert start.weekday() == 0 and end.date() - start.date() == dt.timedelta(days=7)
    else:
        months = 1 if group_by == "month" else 3
        assert start.day == 1 and (start.month - 1) % months == 0
        assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
