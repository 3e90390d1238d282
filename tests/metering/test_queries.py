import datetime as dt

import pytest

from kernel import ranges
from metering import queries

NOW = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)


class TestTelemetryWindow:
    def test_is_the_last_hour_by_default(self):
        window = queries.telemetry_window(start=None, end=None, now=NOW)

        assert window == ranges.Period(NOW - dt.timedelta(hours=1), NOW)

    def test_refuses_a_backwards_or_too_long_window(self):
        with pytest.raises(queries.InvalidTelemetryWindow):
            queries.telemetry_window(start=NOW, end=NOW, now=NOW)
        with pytest.raises(queries.InvalidTelemetryWindow):
            queries.telemetry_window(start=NOW - dt.timedelta(days=32), end=NOW, now=NOW)
