"""Money people type and read, and periods people read."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kernel import admin as kernel_admin
from kernel import money

LONDON = ZoneInfo("Europe/London")


class TestParseMajorUnits:
    @pytest.mark.parametrize(
        ("text", "currency", "expected"),
        [
            ("12.50", "GBP", Decimal("12.50")),
            (" 1,234.5 ", "GBP", Decimal("1234.5")),
            ("£7", "GBP", Decimal("7")),
            ("1250", "JPY", Decimal("1250")),
            ("¥1,250", "JPY", Decimal("1250")),
            ("999999999999.99", "GBP", Decimal("999999999999.99")),
        ],
    )
    def test_reads_amounts_as_people_type_them(self, text, currency, expected):
        assert money.parse_major_units(text, currency=currency) == expected

    @pytest.mark.parametrize(
        ("text", "currency"),
        [
            ("1e400", "GBP"),
            ("NaN", "GBP"),
            ("Infinity", "GBP"),
            ("-1", "GBP"),
            ("+1", "GBP"),
            ("1.234", "GBP"),
            ("12.5", "JPY"),
            ("1234567890123", "GBP"),
            ("1,23", "GBP"),
            ("€5", "GBP"),
            ("١", "GBP"),
            ("", "GBP"),
        ],
    )
    def test_refuses_what_is_not_an_amount(self, text, currency):
        with pytest.raises(money.InvalidAmount):
            money.parse_major_units(text, currency=currency)


class TestFormatAmount:
    @pytest.mark.parametrize(
        ("minor_units", "currency", "expected"),
        [
            (123456, "GBP", "£1,234.56"),
            (-1250, "GBP", "−£12.50"),
            (0, "GBP", "£0.00"),
            (1250, "JPY", "¥1,250"),
        ],
    )
    def test_shows_pounds_and_pence(self, minor_units, currency, expected):
        assert money.format_amount(minor_units=minor_units, currency=currency) == expected


class TestFormatPeriod:
    def test_shows_whole_local_days_with_the_last_day_included(self):
        start = dt.datetime(2024, 3, 1, tzinfo=LONDON)
        end = dt.datetime(2024, 4, 1, tzinfo=LONDON)  # across the spring DST change

        assert kernel_admin.format_period(start, end, LONDON) == "1 Mar 2024 – 31 Mar 2024"

    def test_shows_one_day_once(self):
        start = dt.datetime(2024, 10, 27, tzinfo=LONDON)  # a 25-hour day

        assert (
            kernel_admin.format_period(start, dt.datetime(2024, 10, 28, tzinfo=LONDON), LONDON)
            == "27 Oct 2024"
        )

    def test_converts_utc_midnights_to_local_time(self):
        start = dt.datetime(2024, 5, 31, 23, tzinfo=dt.UTC)  # midnight in London (BST)
        end = dt.datetime(2024, 6, 30, 23, tzinfo=dt.UTC)

        assert kernel_admin.format_period(start, end, LONDON) == "1 Jun 2024 – 30 Jun 2024"

    def test_shows_times_when_a_period_is_not_whole_days(self):
        start = dt.datetime(2024, 1, 1, 6, 30, tzinfo=LONDON)

        assert kernel_admin.format_period(start, None, LONDON) == "1 Jan 2024 06:30 onwards"
