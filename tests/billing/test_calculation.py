"""Golden bills computed by hand, and properties of the pure calculation (no database)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing import calculation
from kernel import ranges

LONDON = ZoneInfo("Europe/London")
JAN = ranges.Period(dt.datetime(2024, 1, 1, tzinfo=LONDON), dt.datetime(2024, 2, 1, tzinfo=LONDON))
OPEN = ranges.Period(dt.datetime(2023, 1, 1, tzinfo=dt.UTC))


def _tariff(*, rates, standing="45", tax="0.05", currency="GBP", code="E-1R-TEST"):
    return calculation.Tariff(
        code=code,
        currency=currency,
        standing_charge=Decimal(standing),
        tax_rate=Decimal(tax),
        rates=tuple(rates),
    )


def _rate(unit_rate, *, band="STANDARD", active=OPEN, window=None):
    return calculation.Rate(band=band, unit_rate=Decimal(unit_rate), active=active, window=window)


def _reads(*pairs, estimate=False):
    return tuple(
        calculation.ReadingPoint(read_at=moment, value=Decimal(value), is_estimate=estimate)
        for moment, value in pairs
    )


def _register(readings, *, band="STANDARD"):
    return calculation.Register(band=band, readings=readings, installed=OPEN)


def _account(*, agreements, registers=()):
    return calculation.Account(
        currency="GBP",
        meter_points=(
            calculation.MeterPoint(
                identifier="1900000000001",
                utility_type="ELECTRICITY",
                agreements=tuple(agreements),
                registers=tuple(registers),
            ),
        ),
    )


def _at(month, day, hour=0, minute=0):
    return dt.datetime(2024, month, day, hour, minute, tzinfo=LONDON)


def _summary(draft):
    return [(line.kind, line.band, line.quantity, line.amount, line.is_estimated) for line in draft.lines]


class TestGoldenBills:
    def test_a_simple_month_with_vat_rounded_half_up(self):
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("24.5")]))],
            registers=[_register(_reads((_at(1, 1), 1000), (_at(2, 1), 1310)))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # 31 days x 45p = 1395; 310 kWh x 24.5p = 7595; VAT 5% of 8990 = 449.5 -> 450 (half up).
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("31.0000"), 1395, False),
            ("CONSUMPTION", "STANDARD", Decimal("310.0000"), 7595, False),
            ("TAX", "", Decimal("8990"), 450, False),
        ]
        assert (draft.subtotal, draft.tax, draft.total) == (8990, 450, 9440)

    def test_a_rate_change_mid_period_is_pro_rated_by_day(self):
        rates = [
            _rate("20", active=ranges.Period(OPEN.start, _at(1, 11))),
            _rate("30", active=ranges.Period(_at(1, 11))),
        ]
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=rates))],
            registers=[_register(_reads((_at(1, 1), 1000), (_at(2, 1), 1100)))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # 100 kWh: 10/31 -> 32.2581 kWh x 20p = 645.162 -> 645; the rest 67.7419 x 30p = 2032.257 -> 2032.
        # Subtotal 1395 + 645 + 2032 = 4072; VAT 203.6 -> 204.
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("31.0000"), 1395, False),
            ("CONSUMPTION", "STANDARD", Decimal("32.2581"), 645, False),
            ("CONSUMPTION", "STANDARD", Decimal("67.7419"), 2032, False),
            ("TAX", "", Decimal("4072"), 204, False),
        ]
        assert draft.total == 4276

    def test_a_tariff_switch_mid_period_splits_standing_charge_and_consumption_by_day(self):
        switch = _at(1, 16)
        account = _account(
            agreements=[
                calculation.Agreement(
                    id=1,
                    active=ranges.Period(OPEN.start, switch),
                    tariff=_tariff(rates=[_rate("20")], standing="40", code="OLD"),
                ),
                calculation.Agreement(
                    id=2, active=ranges.Period(switch), tariff=_tariff(rates=[_rate("30")], standing="50")
                ),
            ],
            registers=[_register(_reads((_at(1, 1), 1000), (_at(2, 1), 1310)))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # 15 days x 40p = 600, 16 days x 50p = 800; 150 kWh x 20p = 3000, 160 kWh x 30p = 4800; VAT 460.
        assert [(line.agreement_id, line.quantity, line.amount) for line in draft.lines] == [
            (1, Decimal("15.0000"), 600),
            (2, Decimal("16.0000"), 800),
            (1, Decimal("150.0000"), 3000),
            (2, Decimal("160.0000"), 4800),
            (None, Decimal("9200"), 460),
        ]
        assert draft.total == 9660

    def test_time_of_use_registers_are_priced_at_their_bands(self):
        rates = [
            _rate("30", band="DAY", window=(dt.time(7, 30), dt.time(0, 30))),
            _rate("10", band="NIGHT", window=(dt.time(0, 30), dt.time(7, 30))),
        ]
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=rates))],
            registers=[
                _register(_reads((_at(1, 1), 500), (_at(2, 1), 700)), band="DAY"),
                _register(_reads((_at(1, 1), 300), (_at(2, 1), 400)), band="NIGHT"),
            ],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # DAY 200 x 30 = 6000, NIGHT 100 x 10 = 1000, standing 1395; VAT 419.75 -> 420.
        assert _summary(draft)[1:] == [
            ("CONSUMPTION", "DAY", Decimal("200.0000"), 6000, False),
            ("CONSUMPTION", "NIGHT", Decimal("100.0000"), 1000, False),
            ("TAX", "", Decimal("8395"), 420, False),
        ]
        assert draft.total == 8815

    def test_a_single_register_on_time_of_use_is_split_by_window_hours(self):
        rates = [
            _rate("30", band="DAY", window=(dt.time(7, 30), dt.time(0, 30))),
            _rate("10", band="NIGHT", window=(dt.time(0, 30), dt.time(7, 30))),
        ]
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=rates))],
            registers=[_register(_reads((_at(1, 1), 1000), (_at(2, 1), 1240)))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # 240 kWh: 17/24 day = 170 x 30 = 5100; 7/24 night = 70 x 10 = 700; VAT 359.75 -> 360.
        assert _summary(draft)[1:] == [
            ("CONSUMPTION", "DAY", Decimal("170.0000"), 5100, False),
            ("CONSUMPTION", "NIGHT", Decimal("70.0000"), 700, False),
            ("TAX", "", Decimal("7195"), 360, False),
        ]
        assert draft.total == 7555

    def test_a_missing_end_read_is_extrapolated_from_the_last_two_and_flagged(self):
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("24.5")]))],
            registers=[_register(_reads((dt.datetime(2023, 12, 1, tzinfo=LONDON), 1000), (_at(1, 1), 1248)))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # 248 kWh over December = 8 kWh/day; 31 days -> 248 kWh x 24.5 = 6076 (estimated); VAT 373.55 -> 374.
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("31.0000"), 1395, False),
            ("CONSUMPTION", "STANDARD", Decimal("248.0000"), 6076, True),
            ("TAX", "", Decimal("7471"), 374, False),
        ]
        assert draft.total == 7845
        assert draft.is_estimated

    def test_a_missing_end_read_between_two_reads_is_interpolated(self):
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("24.5")]))],
            registers=[_register(_reads((_at(1, 1), 1000), (_at(2, 11), 1410)))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        assert _summary(draft)[1] == ("CONSUMPTION", "STANDARD", Decimal("310.0000"), 7595, True)

    def test_a_meter_point_without_reads_is_estimated_at_typical_consumption(self):
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("24.5")]))],
        )

        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        # 2700 kWh a year / 365 x 31 days = 229.3151 kWh x 24.5p = 5618.22 -> 5618.
        assert _summary(draft)[1] == ("CONSUMPTION", "STANDARD", Decimal("229.3151"), 5618, True)

    def test_a_month_across_the_clocks_going_forward_has_31_days(self):
        march = ranges.Period(_at(3, 1), _at(4, 1))
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("24.5")]))],
            registers=[_register(_reads((_at(3, 1), 0), (_at(4, 1), 0)))],
        )

        draft = calculation.calculate_bill(account=account, period=march, tz=LONDON)

        assert draft.lines[0].quantity == Decimal("31.0000")
        assert draft.lines[0].amount == 1395


class TestRoundAmount:
    def test_rounds_a_half_up_not_to_even(self):
        assert calculation.round_amount(Decimal("0.5")) == 1
        assert calculation.round_amount(Decimal("2.5")) == 3
        assert calculation.round_amount(Decimal("2.4999")) == 2


class TestCalculateBillRefusals:
    def test_refuses_a_period_with_no_agreement(self):
        later = ranges.Period(_at(6, 1))
        account = _account(
            agreements=[calculation.Agreement(id=1, active=later, tariff=_tariff(rates=[_rate("1")]))]
        )

        with pytest.raises(calculation.NothingToBill):
            calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

    def test_refuses_a_tariff_in_another_currency(self):
        account = _account(
            agreements=[
                calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("1")], currency="EUR"))
            ]
        )

        with pytest.raises(calculation.CurrencyMismatch):
            calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

    def test_refuses_a_gap_in_the_rates(self):
        rates = [_rate("20", active=ranges.Period(OPEN.start, _at(1, 11)))]
        account = _account(agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=rates))])

        with pytest.raises(calculation.MissingRate):
            calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

    def test_refuses_readings_that_go_backwards(self):
        account = _account(
            agreements=[calculation.Agreement(id=1, active=OPEN, tariff=_tariff(rates=[_rate("1")]))],
            registers=[_register(_reads((_at(1, 1), 1000), (_at(2, 1), 900)))],
        )

        with pytest.raises(calculation.InvalidReadings):
            calculation.calculate_bill(account=account, period=JAN, tz=LONDON)


money = st.decimals(min_value=0, max_value=100, places=4)
day_offsets = st.integers(min_value=1, max_value=30)


@st.composite
def accounts(draw):
    switch_days = sorted(set(draw(st.lists(day_offsets, max_size=2))))
    bounds = [OPEN.start, *(_at(1, 1) + dt.timedelta(days=day) for day in switch_days), None]
    agreements = [
        calculation.Agreement(
            id=index,
            active=ranges.Period(start, end),
            tariff=_tariff(
                rates=[_rate(draw(money))],
                standing=draw(money),
                tax=draw(st.sampled_from(["0", "0.05", "0.2"])),
            ),
        )
        for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]
    read_days = sorted(set(draw(st.lists(st.integers(min_value=-40, max_value=70), max_size=4))))
    values, value = [], Decimal(draw(st.integers(min_value=0, max_value=10_000)))
    for _ in read_days:
        value += draw(st.decimals(min_value=0, max_value=500, places=3))
        values.append(value)
    readings = _reads(
        *((_at(1, 1) + dt.timedelta(days=day), v) for day, v in zip(read_days, values, strict=True))
    )
    return _account(agreements=agreements, registers=[_register(readings)] if readings else [])


class TestCalculateBillProperties:
    @settings(max_examples=200, deadline=None)
    @given(account=accounts())
    def test_lines_sum_to_the_total_and_each_is_rounded_once(self, account):
        draft = calculation.calculate_bill(account=account, period=JAN, tz=LONDON)

        assert sum(line.amount for line in draft.lines) == draft.total == draft.subtotal + draft.tax
        for line in draft.lines:
            exact = line.quantity * line.unit_rate
            assert line.amount == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert sum(line.quantity for line in draft.lines if line.kind == "STANDING_CHARGE") == Decimal(31)
