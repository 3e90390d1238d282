import datetime as dt
from zoneinfo import ZoneInfo

from kernel import clock

LONDON = ZoneInfo("Europe/London")


class TestDayBoundaries:
    def test_a_day_is_23_hours_when_the_clocks_go_forward(self):
        start, end = clock.day_boundaries(dt.date(2026, 3, 29), LONDON)

        assert clock.as_utc(end) - clock.as_utc(start) == dt.timedelta(hours=23)

    def test_a_day_is_25_hours_when_the_clocks_go_back(self):
        start, end = clock.day_boundaries(dt.date(2026, 10, 25), LONDON)

        assert clock.as_utc(end) - clock.as_utc(start) == dt.timedelta(hours=25)


class TestMonthBoundaries:
    def test_covers_the_calendar_month_in_the_zone(self):
        start, end = clock.month_boundaries(dt.date(2026, 12, 15), LONDON)

        assert (start.isoformat(), end.isoformat()) == (
            "2026-12-01T00:00:00+00:00",
            "2027-01-01T00:00:00+00:00",
        )

    def test_a_summer_month_starts_at_local_midnight(self):
        start, _ = clock.month_boundaries(dt.date(2026, 7, 4), LONDON)

        assert clock.as_utc(start) == dt.datetime(2026, 6, 30, 23, 0, tzinfo=dt.UTC)


class TestLocalDate:
    def test_is_the_calendar_day_in_the_zone(self):
        assert clock.local_date(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), LONDON) == dt.date(
            2026, 7, 1
        )
