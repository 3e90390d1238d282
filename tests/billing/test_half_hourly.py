"""Golden half-hourly bills computed by hand, the fixes that came with them, and the property that a
bill prices every half hour at its rate, grouped as its lines say (pure calculation, no database)."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing import calculation
from kernel import ranges

LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
HALF_HOUR = dt.timedelta(minutes=30)
EVER = ranges.Period(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


def _local(year, month, day, hour=0, minute=0, tz=LONDON):
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


def _month(year, month, tz=LONDON):
    end = _local(year + month // 12, month % 12 + 1, 1, tz=tz)
    return ranges.Period(_local(year, month, 1, tz=tz), end)


def _half_hours(period):
    """The period's half hours, stepped in UTC (Python adds to a London time on the wall clock)."""
    moment, moments = period.start.astimezone(dt.UTC), []
    while moment < period.end:
        moments.append(moment)
        moment += HALF_HOUR
    return moments


def _tariff(rates, *, per_half_hour=False, dispatches=False, standing="47.85", code="E-1R-TEST"):
    return calculation.Tariff(
        code=code,
        currency="GBP",
        standing_charge=Decimal(standing),
        tax_rate=Decimal("0.05"),
        rates=tuple(rates),
        rates_per_half_hour=per_half_hour,
        dispatches_at_off_peak=dispatches,
    )


def _rate(unit_rate, band="STANDARD", window=None, active=EVER):
    return calculation.Rate(band=band, unit_rate=Decimal(unit_rate), active=active, window=window)


def _account(tariff, *, intervals=None, registers=(), dispatches=(), utility="ELECTRICITY", **point):
    return calculation.Account(
        currency="GBP",
        meter_points=(
            calculation.MeterPoint(
                identifier="1900000000001",
                utility_type=utility,
                agreements=(calculation.Agreement(id=1, active=EVER, tariff=tariff),),
                registers=tuple(registers),
                intervals=intervals,
                dispatches=tuple(dispatches),
                **point,
            ),
        ),
    )


def _register(period, first, last, **fields):
    """A register read at the start and the end of `period`."""
    return calculation.Register(
        band="STANDARD",
        readings=(
            calculation.ReadingPoint(read_at=period.start, value=Decimal(first)),
            calculation.ReadingPoint(read_at=period.end, value=Decimal(last)),
        ),
        installed=EVER,
        **fields,
    )


def _series(period, kwh_at):
    moments = _half_hours(period)
    return calculation.IntervalSeries.from_consumption(
        start=period.start, values=[kwh_at(moment) for moment in moments]
    )


def _summary(draft):
    return [
        (line.kind, line.band, line.quantity, line.unit_rate, line.amount, line.is_estimated, line.half_hours)
        for line in draft.lines
    ]


GO_RATES = [
    _rate("8.5000", band="OFF_PEAK", window=(dt.time(0, 30), dt.time(5, 30))),
    _rate("24.8700"),  # the day rate has no window: every other half hour
]


class TestGoldenHalfHourlyBills:
    def test_an_agile_month_with_the_clocks_going_back_prices_each_of_its_1490_half_hours(self):
        october = _month(2024, 10)
        negative = {_local(2024, 10, 15, 13), _local(2024, 10, 15, 13, 30)}

        def price(moment):
            local = moment.astimezone(LONDON)
            if moment in negative:
                return "-2.5000"
            if local.hour < 6:
                return "8.2500"
            if 16 <= local.hour < 19:
                return "35.5000"
            return "20.1234"

        rates = [
            _rate(price(moment), active=ranges.Period(moment, moment + HALF_HOUR))
            for moment in _half_hours(october)
        ]
        usage = _series(
            october, lambda m: Decimal("1.2") if 16 <= m.astimezone(LONDON).hour < 19 else Decimal("0.25")
        )

        draft = calculation.calculate_bill(
            account=_account(_tariff(rates, per_half_hour=True), intervals=usage), period=october, tz=LONDON
        )

        # 31 local days, 1,490 half hours (27 October has 50: 01:00-02:00 twice).
        # 00:00-06:00: 31 x 12 + 2 = 374 half hours x 0.25 kWh = 93.5 kWh x 8.25p = 771.375
        # 16:00-19:00: 31 x 6 = 186 x 1.2 kWh = 223.2 kWh x 35.5p = 7,923.6
        # the other 930: 928 x 0.25 = 232 kWh x 20.1234p = 4,668.6288; 2 x 0.25 = 0.5 kWh x -2.5p = -1.25
        # 549.2 kWh for 13,362.3538p -> 13,362 (rounded once); mean rate 24.33058... -> 24.3306.
        # Standing charge 31 days x 47.85p = 1,483.35 -> 1,483. VAT 5% of 14,845 = 742.25 -> 742.
        assert len(rates) == 1490
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("31.0000"), Decimal("47.85"), 1483, False, 0),
            ("CONSUMPTION", "STANDARD", Decimal("549.2000"), Decimal("24.3306"), 13362, False, 1490),
            ("TAX", "", Decimal("14845"), Decimal("0.05"), 742, False, 0),
        ]
        assert draft.total == 15587

    def test_a_go_month_prices_the_off_peak_window_and_the_window_less_day_rate(self):
        january = _month(2025, 1)

        def usage(moment):
            local = moment.astimezone(LONDON).time()
            return Decimal("1.5") if dt.time(0, 30) <= local < dt.time(5, 30) else Decimal("0.3")

        draft = calculation.calculate_bill(
            account=_account(_tariff(GO_RATES), intervals=_series(january, usage)), period=january, tz=LONDON
        )

        # 1,488 half hours: 31 x 10 off-peak (00:30-05:30) x 1.5 kWh = 465 kWh x 8.5p = 3,952.5 -> 3,953
        # (half up); 1,178 x 0.3 kWh = 353.4 kWh x 24.87p = 8,789.058 -> 8,789.
        # Standing 1,483; subtotal 14,225; VAT 711.25 -> 711.
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("31.0000"), Decimal("47.85"), 1483, False, 0),
            ("CONSUMPTION", "OFF_PEAK", Decimal("465.0000"), Decimal("8.5000"), 3953, False, 310),
            ("CONSUMPTION", "STANDARD", Decimal("353.4000"), Decimal("24.8700"), 8789, False, 1178),
            ("TAX", "", Decimal("14225"), Decimal("0.05"), 711, False, 0),
        ]
        assert draft.total == 14936

    def test_an_intelligent_month_bills_dispatches_outside_the_window_at_the_off_peak_rate(self):
        february = _month(2025, 2)
        rates = [
            _rate("7.0000", band="OFF_PEAK", window=(dt.time(23, 30), dt.time(5, 30))),
            _rate("27.0000", band="PEAK", window=(dt.time(5, 30), dt.time(23, 30))),
        ]
        dispatches = [
            ranges.Period(_local(2025, 2, 10, 14), _local(2025, 2, 10, 15, 30)),  # 3 half hours outside
            ranges.Period(_local(2025, 2, 20, 22, 45), _local(2025, 2, 20, 23, 45)),  # 22:30, 23:00 outside
            ranges.Period(_local(2025, 2, 5, 1), _local(2025, 2, 5, 3)),  # inside the window already
        ]

        def usage(moment):
            busy = any(d.start < moment + HALF_HOUR and moment < d.end for d in dispatches)
            return Decimal("3.6") if busy else Decimal("0.4")

        draft = calculation.calculate_bill(
            account=_account(
                _tariff(rates, dispatches=True), intervals=_series(february, usage), dispatches=dispatches
            ),
            period=february,
            tz=LONDON,
        )

        # 1,344 half hours; the window holds 28 x 12 = 336, the dispatches move 5 more: 341 off-peak.
        # The 10 dispatched half hours used 3.6 kWh, all now off-peak: 10 x 3.6 + 331 x 0.4 = 168.4 kWh
        # x 7p = 1,178.8 -> 1,179. Peak: 1,003 x 0.4 = 401.2 kWh x 27p = 10,832.4 -> 10,832.
        # Standing 28 x 47.85 = 1,339.8 -> 1,340; subtotal 13,351; VAT 667.55 -> 668.
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("28.0000"), Decimal("47.85"), 1340, False, 0),
            ("CONSUMPTION", "OFF_PEAK", Decimal("168.4000"), Decimal("7.0000"), 1179, False, 341),
            ("CONSUMPTION", "PEAK", Decimal("401.2000"), Decimal("27.0000"), 10832, False, 1003),
            ("TAX", "", Decimal("13351"), Decimal("0.05"), 668, False, 0),
        ]
        assert draft.total == 14019

    def test_a_month_with_missing_half_hours_fills_them_from_the_register_and_flags_the_lines(self):
        april = _month(2025, 4)
        missing = {m for m in _half_hours(april) if m.astimezone(LONDON).date() == dt.date(2025, 4, 10)}
        missing |= {_local(2025, 4, 20, 6).astimezone(dt.UTC) + i * HALF_HOUR for i in range(4)}
        register = _register(april, "10000.000", "10720.400")

        draft = calculation.calculate_bill(
            account=_account(
                _tariff(GO_RATES),
                intervals=_series(april, lambda m: None if m in missing else Decimal("0.5")),
                registers=[register],
            ),
            period=april,
            tz=LONDON,
        )

        # 1,440 half hours, 52 missing; the 1,388 known add up to 694 kWh, the register to 720.4 kWh,
        # so the 52 share 26.4 kWh: 26,400 Wh / 52 with cumulative half-up rounding (507s and 508s).
        # Off-peak: 300 half hours, 290 known (145 kWh); the 10 missing on 10 April are the 2nd to
        # 11th missing: round(26,400 x 11/52) - round(26,400/52) = 5,585 - 508 = 5,077 Wh.
        # 150.077 kWh x 8.5p = 1,275.6545 -> 1,276. Day rate: 720.4 - 150.077 = 570.323 kWh x 24.87p
        # = 14,183.93301 -> 14,184. Both lines hold filled half hours: estimated.
        # Standing 30 x 47.85 = 1,435.5 -> 1,436; subtotal 16,896; VAT 844.8 -> 845.
        assert _summary(draft) == [
            ("STANDING_CHARGE", "", Decimal("30.0000"), Decimal("47.85"), 1436, False, 0),
            ("CONSUMPTION", "OFF_PEAK", Decimal("150.0770"), Decimal("8.5000"), 1276, True, 300),
            ("CONSUMPTION", "STANDARD", Decimal("570.3230"), Decimal("24.8700"), 14184, True, 1140),
            ("TAX", "", Decimal("16896"), Decimal("0.05"), 845, False, 0),
        ]
        assert draft.total == 17741


class TestFixesOnTheWay:
    def test_a_single_register_on_time_of_use_is_shared_over_all_24_hours_window_less_bands_included(self):
        rates = [
            _rate("18.2", band="OFF_PEAK", window=(dt.time(22), dt.time(7))),
            _rate("45.1", band="PEAK", window=(dt.time(14), dt.time(20))),
            _rate("27.3", band="SHOULDER", window=(dt.time(7), dt.time(14))),
            _rate("27.3"),  # STANDARD: 20:00-22:00, the hours no window holds
        ]
        january = _month(2025, 1)
        register = _register(january, 1000, 1240)

        draft = calculation.calculate_bill(
            account=_account(_tariff(rates), registers=[register]), period=january, tz=LONDON
        )

        # A traditional meter: 240 kWh shared 9/24 off-peak, 6/24 peak, 7/24 shoulder, 2/24 standard.
        assert [(line.band, line.quantity) for line in draft.lines if line.kind == "CONSUMPTION"] == [
            ("OFF_PEAK", Decimal("90.0000")),
            ("PEAK", Decimal("60.0000")),
            ("SHOULDER", Decimal("70.0000")),
            ("STANDARD", Decimal("20.0000")),
        ]

    def test_a_supply_starting_mid_day_pays_the_standing_charge_for_that_day(self):
        january = _month(2025, 1)
        tariff = _tariff([_rate("24.5")])
        account = calculation.Account(
            currency="GBP",
            meter_points=(
                calculation.MeterPoint(
                    identifier="1900000000001",
                    utility_type="ELECTRICITY",
                    agreements=(
                        calculation.Agreement(
                            id=1, active=ranges.Period(_local(2025, 1, 10, 14)), tariff=tariff
                        ),
                    ),
                ),
            ),
        )

        draft = calculation.calculate_bill(account=account, period=january, tz=LONDON)

        # 10 to 31 January: 22 days of supply x 47.85p = 1,052.7 -> 1,053.
        assert (draft.lines[0].quantity, draft.lines[0].amount) == (Decimal("22.0000"), 1053)

    def test_a_day_is_charged_once_across_a_tariff_switch_and_across_back_to_back_bills(self):
        switch = _local(2025, 1, 10, 14)
        first, second = _tariff([_rate("20")], code="OLD"), _tariff([_rate("30")], standing="50")
        account = calculation.Account(
            currency="GBP",
            meter_points=(
                calculation.MeterPoint(
                    identifier="1900000000001",
                    utility_type="ELECTRICITY",
                    agreements=(
                        calculation.Agreement(id=1, active=ranges.Period(EVER.start, switch), tariff=first),
                        calculation.Agreement(id=2, active=ranges.Period(switch), tariff=second),
                    ),
                ),
            ),
        )
        january = _month(2025, 1)
        halves = [ranges.Period(january.start, switch), ranges.Period(switch, january.end)]

        whole = calculation.calculate_bill(account=account, period=january, tz=LONDON)
        parts = [calculation.calculate_bill(account=account, period=half, tz=LONDON) for half in halves]

        standing = [
            (line.agreement_id, line.quantity) for line in whole.lines if line.kind == "STANDING_CHARGE"
        ]
        assert standing == [(1, Decimal("10.0000")), (2, Decimal("21.0000"))]
        split = [line.quantity for draft in parts for line in draft.lines if line.kind == "STANDING_CHARGE"]
        assert sum(split) == Decimal(31)

    def test_gas_in_cubic_metres_converts_at_the_mean_calorific_value_of_its_ldz(self):
        january = _month(2025, 1)
        mid = _local(2025, 1, 16, 12)
        register = _register(january, 5000, 5100, unit="M3")
        values = (
            calculation.CalorificValue(active=ranges.Period(EVER.start, mid), value=Decimal("39.2")),
            calculation.CalorificValue(active=ranges.Period(mid), value=Decimal("39.6")),
        )

        draft = calculation.calculate_bill(
            account=_account(
                _tariff([_rate("6.24")], standing="31.43"),
                registers=[register],
                utility="GAS",
                calorific_values=values,
            ),
            period=january,
            tz=LONDON,
        )

        # Mean CV: half the month at 39.2, half at 39.6 = 39.4. 100 m3 x 1.02264 x 39.4 / 3.6
        # = 1,119.2227 kWh x 6.24p = 6,983.95 -> 6,984.
        assert (draft.lines[1].quantity, draft.lines[1].amount) == (Decimal("1119.2227"), 6984)

    def test_gas_without_a_calorific_value_is_refused(self):
        register = calculation.Register(
            band="STANDARD",
            unit="M3",
            readings=(calculation.ReadingPoint(read_at=EVER.start, value=Decimal(5000)),),
            installed=EVER,
        )

        with pytest.raises(calculation.MissingCalorificValue):
            calculation.calculate_bill(
                account=_account(_tariff([_rate("6.24")]), registers=[register], utility="GAS"),
                period=_month(2025, 1),
                tz=LONDON,
            )

    def test_an_au_account_counts_days_in_its_own_zone_and_estimates_from_au_typical_usage(self):
        sydney_july = _month(2025, 7, tz=SYDNEY)
        account = calculation.Account(
            currency="GBP",
            time_zone="Australia/Sydney",
            meter_points=(
                calculation.MeterPoint(
                    identifier="4102000001",
                    utility_type="ELECTRICITY",
                    market="AU",
                    agreements=(calculation.Agreement(id=1, active=EVER, tariff=_tariff([_rate("29.45")])),),
                ),
            ),
        )

        draft = calculation.calculate_bill(account=account, period=sydney_july, tz=LONDON)

        # July in Sydney: 31 local days (in London's zone the period would start and end at 15:00).
        # No readings: 3,900 kWh a year / 365 x 31 = 331.2329 kWh (AU reference usage).
        assert draft.lines[0].quantity == Decimal("31.0000")
        assert draft.lines[1].quantity == Decimal("331.2329")
        assert draft.lines[1].is_estimated


# --- property: every half hour at its rate, grouped as the lines say ---------------------------------

MARCH = _month(2025, 3)  # the clocks go forward: 1,486 half hours
MOMENTS = _half_hours(MARCH)
prices = st.decimals(min_value=-10, max_value=100, places=4)
usages = st.one_of(st.none(), st.decimals(min_value=0, max_value=5, places=3))
times = st.sampled_from([dt.time(hour, minute) for hour in range(24) for minute in (0, 30)])


@st.composite
def tariffs(draw):
    if draw(st.booleans()):
        day_prices = draw(st.lists(prices, min_size=48, max_size=48))
        rates = [
            _rate(
                day_prices[(m.astimezone(LONDON).hour * 2 + m.astimezone(LONDON).minute // 30)],
                active=ranges.Period(m, m + HALF_HOUR),
            )
            for m in MOMENTS
        ]
        return _tariff(rates, per_half_hour=True)
    start, end = draw(times), draw(times)
    change = MARCH.start + dt.timedelta(days=draw(st.integers(min_value=1, max_value=30)))
    rates = [
        _rate(draw(prices), band="OFF_PEAK", window=(start, end), active=ranges.Period(EVER.start, change)),
        _rate(draw(prices), band="OFF_PEAK", window=(start, end), active=ranges.Period(change)),
        _rate(draw(prices)),
    ]
    return _tariff(rates, dispatches=draw(st.booleans()))


@st.composite
def meter_data(draw):
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    gaps = draw(st.sampled_from([0, 0, 0.01, 0.2]))
    values = [None if rng.random() < gaps else Decimal(rng.randrange(0, 5000)) / 1000 for _ in MOMENTS]
    if all(value is None for value in values):
        values[0] = Decimal("1.000")
    starts = draw(st.lists(st.integers(min_value=0, max_value=len(MOMENTS) - 1), max_size=4))
    dispatches = [
        ranges.Period(MOMENTS[i] + dt.timedelta(minutes=10), MOMENTS[i] + dt.timedelta(minutes=100))
        for i in starts
    ]
    return values, dispatches


def _oracle(tariff, values, dispatches):
    """Each half hour's band, rate and kWh worked out directly, one at a time: per line,
    (kWh, exact cost, whether a missing half hour was filled in)."""
    known = [value for value in values if value is not None]
    mean = (sum(known) / len(known)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    groups = {}
    by_start = {rate.active.start: rate for rate in tariff.rates}
    for moment, value in zip(MOMENTS, values, strict=True):
        local = moment.astimezone(LONDON).time()
        if tariff.rates_per_half_hour:
            active = [by_start[moment]]
        else:
            active = [rate for rate in tariff.rates if moment in rate.active]
        windowed = [r for r in active if r.window and _inside(local, r.window)]
        rate = windowed[0] if windowed else next(r for r in active if r.window is None)
        if tariff.dispatches_at_off_peak and any(
            d.start < moment + HALF_HOUR and moment < d.end for d in dispatches
        ):
            rate = next(r for r in active if r.band == "OFF_PEAK")
        if tariff.rates_per_half_hour:
            key = rate.band
        else:
            key = (rate.band, rate.unit_rate, max(rate.active.start, MARCH.start))
        kwh, cost, estimated = groups.get(key, (Decimal(0), Decimal(0), False))
        usage = mean if value is None else value
        groups[key] = (kwh + usage, cost + usage * rate.unit_rate, estimated or value is None)
    return groups


def _inside(local, window):
    start, end = window
    if start == end:
        return True
    return start <= local < end if start < end else (local >= start or local < end)


class TestHalfHourProperties:
    @settings(max_examples=60, deadline=None)
    @given(tariff=tariffs(), data=meter_data())
    def test_each_line_is_its_half_hours_at_their_rates_rounded_once(self, tariff, data):
        values, dispatches = data
        series = calculation.IntervalSeries.from_consumption(start=MARCH.start, values=values)

        draft = calculation.calculate_bill(
            account=_account(tariff, intervals=series, dispatches=dispatches), period=MARCH, tz=LONDON
        )

        expected = _oracle(tariff, values, dispatches)
        consumption = [line for line in draft.lines if line.kind == "CONSUMPTION"]
        assert sum(line.half_hours for line in consumption) == len(MOMENTS) == 1486
        for line in consumption:
            key = line.band if tariff.rates_per_half_hour else (line.band, line.unit_rate, line.period.start)
            kwh, cost, estimated = expected.pop(key)
            assert line.quantity == kwh
            assert line.amount == int(cost.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            assert line.is_estimated == estimated
        assert not expected
        assert draft.total == sum(line.amount for line in draft.lines) == draft.subtotal + draft.tax
