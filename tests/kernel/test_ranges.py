import datetime as dt

from kernel import ranges

JAN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
FEB = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)


class TestPeriod:
    def test_starts_after_a_moment_before_its_start_only(self):
        january = ranges.Period(JAN, FEB)

        assert january.starts_after(JAN - dt.timedelta(microseconds=1))
        assert not january.starts_after(JAN)

    def test_ends_after_a_moment_before_its_exclusive_end(self):
        january = ranges.Period(JAN, FEB)

        assert january.ends_after(FEB - dt.timedelta(microseconds=1))
        assert not january.ends_after(FEB)

    def test_ends_after_any_moment_when_open(self):
        assert ranges.Period(JAN).ends_after(dt.datetime(9999, 1, 1, tzinfo=dt.UTC))

    def test_ends_after_a_moment_before_it_when_empty(self):
        empty = ranges.Period(JAN, JAN)

        assert empty.ends_after(JAN - dt.timedelta(days=1))
        assert JAN not in empty
