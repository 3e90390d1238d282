import datetime as dt

import pytest

from kernel import ranges
from metering import operations, queries
from tests.accounts.factories import PropertyFactory
from tests.metering.factories import MeterPointFactory

NOW = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)


@pytest.mark.django_db
class TestMeterPointsOfAccount:
    def test_lists_the_meter_points_at_the_accounts_properties_oldest_first(self):
        home = PropertyFactory()
        first = MeterPointFactory(property=home)
        second = MeterPointFactory(property=PropertyFactory(account=home.account))
        MeterPointFactory()  # another account's

        assert queries.meter_points_of_account(account_id=home.account_id) == [first, second]


@pytest.mark.django_db
class TestReserveIds:
    def test_draws_ids_for_meter_points_and_meters(self):
        ids = operations.reserve_ids(meter_points=2, meters=3)

        assert (len(ids.meter_points), len(ids.meters)) == (2, 3)

    def test_asks_nothing_when_nothing_is_wanted(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert operations.reserve_ids(meter_points=0, meters=0) == ([], [])


class TestTelemetryWindow:
    def test_is_the_last_hour_by_default(self):
        window = queries.telemetry_window(start=None, end=None, now=NOW)

        assert window == ranges.Period(NOW - dt.timedelta(hours=1), NOW)

    def test_refuses_a_backwards_or_too_long_window(self):
        with pytest.raises(queries.InvalidTelemetryWindow):
            queries.telemetry_window(start=NOW, end=NOW, now=NOW)
        with pytest.raises(queries.InvalidTelemetryWindow):
            queries.telemetry_window(start=NOW - dt.timedelta(days=32), end=NOW, now=NOW)
