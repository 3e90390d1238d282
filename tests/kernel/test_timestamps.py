import datetime as dt

import psycopg
import pytest
from django.db import DataError, connection

from kernel import timestamps


def _select(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.mark.django_db
class TestUTCTimestamptzLoader:
    def test_is_the_loader_of_django_connections(self):
        with connection.cursor() as cursor:
            loader = cursor.cursor.adapters.get_loader(1184, psycopg.pq.Format.TEXT)

        assert loader is timestamps.UTCTimestamptzLoader

    def test_loads_an_aware_datetime_in_utc(self):
        value = _select("SELECT '2026-06-01 12:30:15.25+01'::timestamptz")

        assert value == dt.datetime(2026, 6, 1, 11, 30, 15, 250000, tzinfo=dt.UTC)
        assert value.tzinfo is dt.UTC

    def test_loads_whole_seconds_and_dates_before_1970(self):
        value = _select("SELECT '1965-03-04 05:06:07-05'::timestamptz")

        assert value == dt.datetime(1965, 3, 4, 10, 6, 7, tzinfo=dt.UTC)

    def test_loads_null_as_none(self):
        assert _select("SELECT NULL::timestamptz") is None

    def test_refuses_infinity_as_django_does(self):
        with pytest.raises(DataError, match="after year 10K"):
            _select("SELECT 'infinity'::timestamptz")

    def test_is_not_installed_on_a_connection_in_another_time_zone(self):
        class Other:
            vendor = "postgresql"
            timezone = dt.timezone(dt.timedelta(hours=1))
            connection = None  # registering a loader on it would raise AttributeError

        timestamps.install(Other())
