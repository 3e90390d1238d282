"""Half-hourly billing through the database: rates published day by day, interval data recorded by
metering, dispatches from devices, calorific values from configuration; the ledger moves by the bill."""

import datetime as dt
import itertools
import random
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import queries as accounts_queries
from billing import calculation, models, operations, queries
from devices import models as devices_models
from kernel import ranges
from metering import models as metering_models
from metering import operations as metering_operations
from tests.accounts.factories import AddressFactory
from tests.billing.factories import AgreementFactory, ProductFactory, TariffFactory, TariffRateFactory
from tests.devices.factories import DispatchFactory
from tests.metering.factories import MeterFactory, ReadingFactory, RegisterFactory

LONDON = ZoneInfo("Europe/London")
MPRNS = itertools.count(7_100_000)
HALF_HOUR = dt.timedelta(minutes=30)
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
FEBRUARY = ranges.Period(dt.datetime(2025, 2, 1, tzinfo=LONDON), dt.datetime(2025, 3, 1, tzinfo=LONDON))
ISSUED_AT = dt.datetime(2025, 3, 2, 9, tzinfo=dt.UTC)


def _half_hours(period):
    moment, moments = period.start.astimezone(dt.UTC), []
    while moment < period.end:
        moments.append(moment)
        moment += HALF_HOUR
    return moments


def _smart_agreement(tariff, **meter_point):
    agreement = AgreementFactory(tariff=tariff, active_from=EPOCH, **meter_point)
    meter = MeterFactory(meter_point=agreement.meter_point, is_smart=True, installed_from=EPOCH)
    RegisterFactory(meter=meter)
    return agreement, meter


def _record(meter, usage, period):
    metering_operations.record_interval_readings(
        meter=meter,
        values=[
            metering_operations.IntervalValue(moment, usage(moment))
            for moment in _half_hours(period)
            if usage(moment) is not None
        ],
        source=metering_models.ReadingSource.SMART,
        recorded_at=period.end,
    )


@pytest.mark.django_db
class TestPublishHalfHourlyRates:
    def _tariff(self):
        return TariffFactory(product=ProductFactory(rates_per_half_hour=True))

    def test_writes_one_rate_per_half_hour_of_each_local_day_clock_changes_included(self):
        tariff = self._tariff()
        days = {dt.date(2025, 3, 30): 46, dt.date(2025, 3, 31): 48, dt.date(2025, 10, 26): 50}

        written = operations.publish_half_hourly_rates(
            tariff=tariff,
            days={day: [Decimal("12.3456")] * count for day, count in days.items()},
            tz=LONDON,
            published_at=ISSUED_AT,
        )

        assert written == 144
        first = models.TariffRate.objects.filter(tariff=tariff).order_by("active_from").first()
        assert (first.active_from, first.active_to) == (
            dt.datetime(2025, 3, 30, 0, tzinfo=dt.UTC),
            dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC),
        )

    def test_refuses_a_day_with_the_wrong_number_of_prices_and_writes_nothing(self):
        tariff = self._tariff()

        with pytest.raises(operations.InvalidRates):
            operations.publish_half_hourly_rates(
                tariff=tariff,
                days={dt.date(2025, 3, 29): [Decimal(1)] * 48, dt.date(2025, 3, 30): [Decimal(1)] * 48},
                tz=LONDON,
                published_at=ISSUED_AT,
            )

        assert not models.TariffRate.objects.filter(tariff=tariff).exists()

    def test_publishing_a_day_again_changes_nothing_and_other_prices_are_refused(self):
        tariff = self._tariff()
        day = {dt.date(2025, 1, 6): [Decimal("-1.5"), *[Decimal("20")] * 47]}
        operations.publish_half_hourly_rates(tariff=tariff, days=day, tz=LONDON, published_at=ISSUED_AT)

        again = operations.publish_half_hourly_rates(
            tariff=tariff, days=day, tz=LONDON, published_at=ISSUED_AT
        )

        assert again == 0
        with pytest.raises(operations.RatesAlreadyPublished):
            operations.publish_half_hourly_rates(
                tariff=tariff,
                days={dt.date(2025, 1, 6): [Decimal("21")] * 48},
                tz=LONDON,
                published_at=ISSUED_AT,
            )

    def test_refuses_a_product_not_priced_per_half_hour(self):
        with pytest.raises(operations.InvalidRates):
            operations.publish_half_hourly_rates(
                tariff=TariffFactory(),
                days={dt.date(2025, 1, 6): [Decimal(1)] * 48},
                tz=LONDON,
                published_at=ISSUED_AT,
            )


@pytest.mark.django_db
class TestIssueHalfHourlyBill:
    def test_an_intelligent_month_from_the_database_matches_the_golden_bill(self):
        tariff = TariffFactory(
            product=ProductFactory(dispatches_at_off_peak=True), standing_charge=Decimal("47.85")
        )
        TariffRateFactory(
            tariff=tariff,
            band="OFF_PEAK",
            unit_rate=Decimal("7"),
            start_time=dt.time(23, 30),
            end_time=dt.time(5, 30),
        )
        TariffRateFactory(
            tariff=tariff,
            band="PEAK",
            unit_rate=Decimal("27"),
            start_time=dt.time(5, 30),
            end_time=dt.time(23, 30),
        )
        agreement, meter = _smart_agreement(tariff)
        account = agreement.account
        windows = [
            (dt.datetime(2025, 2, 10, 14, tzinfo=LONDON), dt.datetime(2025, 2, 10, 15, 30, tzinfo=LONDON)),
            (
                dt.datetime(2025, 2, 20, 22, 45, tzinfo=LONDON),
                dt.datetime(2025, 2, 20, 23, 45, tzinfo=LONDON),
            ),
            (dt.datetime(2025, 2, 5, 1, tzinfo=LONDON), dt.datetime(2025, 2, 5, 3, tzinfo=LONDON)),
        ]
        for start, end in windows:
            DispatchFactory(
                device__account=account,
                start_at=start,
                end_at=end,
                status=devices_models.DispatchStatus.COMPLETED,
            )
        # Neither a boost nor a dispatch that did not happen moves a half hour.
        DispatchFactory(
            device__account=account,
            start_at=dt.datetime(2025, 2, 12, 12, tzinfo=LONDON),
            source=devices_models.DispatchSource.BOOST,
            status=devices_models.DispatchStatus.COMPLETED,
        )
        DispatchFactory(
            device__account=account,
            start_at=dt.datetime(2025, 2, 13, 12, tzinfo=LONDON),
            status=devices_models.DispatchStatus.CANCELLED,
        )

        def usage(moment):
            busy = any(start < moment + HALF_HOUR and moment < end for start, end in windows)
            return Decimal("3.6") if busy else Decimal("0.4")

        _record(meter, usage, FEBRUARY)

        bill = operations.issue_bill(account=account, period=FEBRUARY, issued_at=ISSUED_AT)

        lines = list(
            bill.lines.order_by("id").values_list("kind", "band", "quantity", "amount", "half_hours")
        )
        assert lines == [
            ("STANDING_CHARGE", "", Decimal("28.0000"), 1340, 0),
            ("CONSUMPTION", "OFF_PEAK", Decimal("168.4000"), 1179, 341),
            ("CONSUMPTION", "PEAK", Decimal("401.2000"), 10832, 1003),
            ("TAX", "", Decimal("13351"), 668, 0),
        ]
        assert bill.total == 14019
        assert accounts_queries.account_balance(account=account) == -14019

    def test_an_agile_month_with_the_clocks_going_back_from_the_database_matches_the_golden_bill(self):
        tariff = TariffFactory(
            product=ProductFactory(rates_per_half_hour=True), standing_charge=Decimal("47.85")
        )
        october = ranges.Period(
            dt.datetime(2024, 10, 1, tzinfo=LONDON), dt.datetime(2024, 11, 1, tzinfo=LONDON)
        )
        negative = {
            dt.datetime(2024, 10, 15, 13, tzinfo=LONDON),
            dt.datetime(2024, 10, 15, 13, 30, tzinfo=LONDON),
        }

        def price(moment):
            hour = moment.astimezone(LONDON).hour
            if moment in negative:
                return Decimal("-2.5")
            return Decimal("8.25") if hour < 6 else Decimal("35.5") if 16 <= hour < 19 else Decimal("20.1234")

        operations.publish_half_hourly_rates(
            tariff=tariff,
            days={
                day: [price(m) for m in operations.half_hours_of_day(day, LONDON)]
                for day in (dt.date(2024, 10, d) for d in range(1, 32))
            },
            tz=LONDON,
            published_at=ISSUED_AT,
        )
        agreement, meter = _smart_agreement(tariff)
        _record(
            meter,
            lambda m: Decimal("1.2") if 16 <= m.astimezone(LONDON).hour < 19 else Decimal("0.25"),
            october,
        )

        bill = operations.issue_bill(account=agreement.account, period=october, issued_at=ISSUED_AT)

        # As the pure golden bill: 1,490 half hours, 549.2 kWh for 13,362p; 31 days; total 15,587p.
        line = bill.lines.get(kind="CONSUMPTION")
        assert (line.quantity, line.amount, line.half_hours) == (Decimal("549.2000"), 13362, 1490)
        assert bill.total == 15587

    def test_half_hours_recorded_after_the_bill_was_issued_do_not_change_it_when_recomputed(self):
        tariff = TariffFactory(product=ProductFactory(rates_per_half_hour=True))
        operations.publish_half_hourly_rates(
            tariff=tariff,
            days={dt.date(2025, 2, day): [Decimal("20")] * 48 for day in range(1, 29)},
            tz=LONDON,
            published_at=ISSUED_AT,
        )
        agreement, meter = _smart_agreement(tariff)
        _record(meter, lambda moment: Decimal("0.5"), FEBRUARY)
        bill = operations.issue_bill(account=agreement.account, period=FEBRUARY, issued_at=ISSUED_AT)
        metering_operations.record_interval_readings(
            meter=meter,
            values=[metering_operations.IntervalValue(FEBRUARY.start, Decimal("9.000"))],
            source=metering_models.ReadingSource.SMART,
            recorded_at=ISSUED_AT + dt.timedelta(days=3),
        )

        again = queries.preview_bill(account=agreement.account, period=FEBRUARY, as_of=ISSUED_AT)
        later = queries.preview_bill(
            account=agreement.account, period=FEBRUARY, as_of=ISSUED_AT + dt.timedelta(days=4)
        )

        assert again.total == bill.total
        assert later.total != bill.total

    def test_a_smart_meter_without_half_hours_is_billed_from_its_register_and_flagged(self):
        tariff = TariffFactory()
        TariffRateFactory(
            tariff=tariff,
            band="OFF_PEAK",
            unit_rate=Decimal("8.5"),
            start_time=dt.time(0, 30),
            end_time=dt.time(5, 30),
        )
        TariffRateFactory(tariff=tariff, band="STANDARD", unit_rate=Decimal("24.87"))
        agreement, meter = _smart_agreement(tariff)
        register = meter.registers.get()
        ReadingFactory(register=register, read_at=FEBRUARY.start, value=1000)
        ReadingFactory(register=register, read_at=FEBRUARY.end, value=1672)

        draft = queries.preview_bill(account=agreement.account, period=FEBRUARY, as_of=ISSUED_AT)

        # 672 kWh spread evenly over 1,344 half hours: 0.5 kWh each; 280 off-peak = 140 kWh.
        consumption = [
            (line.band, line.quantity, line.is_estimated)
            for line in draft.lines
            if line.kind == "CONSUMPTION"
        ]
        assert consumption == [
            ("OFF_PEAK", Decimal("140.0000"), True),
            ("STANDARD", Decimal("532.0000"), True),
        ]


@pytest.mark.django_db
class TestGasCalorificValues:
    def _gas_account(self, ldz):
        tariff = TariffFactory(utility_type="GAS", standing_charge=Decimal("31.43"))
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("6.24"))
        agreement = AgreementFactory(
            tariff=tariff,
            meter_point__utility_type="GAS",
            meter_point__identifier=str(next(MPRNS)),
            meter_point__ldz=ldz,
        )
        register = RegisterFactory(
            meter__meter_point=agreement.meter_point, unit=metering_models.RegisterUnit.CUBIC_METRES
        )
        ReadingFactory(register=register, read_at=FEBRUARY.start, value=5000)
        ReadingFactory(register=register, read_at=FEBRUARY.end, value=5100)
        return agreement.account

    def test_converts_at_its_ldz_value_and_falls_back_to_the_national_one(self):
        middle = dt.datetime(2025, 2, 15, tzinfo=LONDON)
        operations.record_calorific_values(
            rows=[
                operations.CalorificValueRow("EA", EPOCH, middle, Decimal("39.2")),
                operations.CalorificValueRow("", EPOCH, None, Decimal("39.6")),
            ],
            recorded_at=ISSUED_AT,
        )
        east = self._gas_account("EA")
        unknown = self._gas_account("")

        east_draft = queries.preview_bill(account=east, period=FEBRUARY, as_of=ISSUED_AT)
        unknown_draft = queries.preview_bill(account=unknown, period=FEBRUARY, as_of=ISSUED_AT)

        # EA: 14 days at 39.2, then 14 at the national 39.6: mean 39.4 -> 100 m3 = 1,119.2227 kWh.
        assert east_draft.lines[1].quantity == Decimal("1119.2227")
        # National only: 100 x 1.02264 x 39.6 / 3.6 = 1,124.904 kWh.
        assert unknown_draft.lines[1].quantity == Decimal("1124.9040")

    def test_recording_the_same_values_again_writes_nothing_and_overlaps_are_refused(self):
        row = operations.CalorificValueRow("NW", EPOCH, None, Decimal("39.3"))
        operations.record_calorific_values(rows=[row], recorded_at=ISSUED_AT)

        again = operations.record_calorific_values(rows=[row], recorded_at=ISSUED_AT)

        assert again == 0
        with pytest.raises(IntegrityError):
            operations.record_calorific_values(
                rows=[operations.CalorificValueRow("NW", EPOCH, None, Decimal("39.1"))], recorded_at=ISSUED_AT
            )

    def test_a_run_fails_a_gas_account_without_a_calorific_value_with_its_code(self):
        account = self._gas_account("SC")

        with pytest.raises(calculation.MissingCalorificValue) as error:
            queries.preview_bill(account=account, period=FEBRUARY, as_of=ISSUED_AT)

        assert error.value.code == "MISSING_CALORIFIC_VALUE"


@pytest.mark.django_db
class TestAustralianAccounts:
    def test_are_billed_in_the_zone_of_their_state(self):
        sydney = ZoneInfo("Australia/Sydney")
        tariff = TariffFactory(currency="AUD")
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("29.45"))
        agreement = AgreementFactory(
            account__currency="AUD",
            tariff=tariff,
            meter_point__market=metering_models.Market.AU,
            meter_point__identifier="4102000099",
            meter_point__property__address=AddressFactory(country="AU", administrative_area="NSW"),
        )
        july = ranges.Period(dt.datetime(2025, 7, 1, tzinfo=sydney), dt.datetime(2025, 8, 1, tzinfo=sydney))

        inputs = queries.billing_inputs(account_ids=[agreement.account_id], period=july, as_of=ISSUED_AT)
        draft = queries.preview_bill(account=agreement.account, period=july, as_of=ISSUED_AT)

        assert inputs[agreement.account_id].time_zone == "Australia/Sydney"
        assert draft.lines[0].quantity == Decimal("31.0000")
        assert draft.lines[1].quantity == Decimal("331.2329")


# --- property: the ledger moves by exactly what the half hours cost -------------------------------

JANUARY = ranges.Period(dt.datetime(2025, 1, 1, tzinfo=LONDON), dt.datetime(2025, 2, 1, tzinfo=LONDON))


@pytest.mark.django_db
class TestHalfHourlyLedgerProperty:
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        seed=st.integers(min_value=0, max_value=2**32),
        day_prices=st.lists(st.decimals(min_value=-5, max_value=60, places=4), min_size=48, max_size=48),
    )
    def test_the_bill_is_its_half_hours_at_their_rates_and_the_ledger_moves_by_it(self, seed, day_prices):
        rng = random.Random(seed)
        tariff = TariffFactory(product=ProductFactory(rates_per_half_hour=True))
        operations.publish_half_hourly_rates(
            tariff=tariff,
            days={dt.date(2025, 1, day): day_prices for day in range(1, 32)},
            tz=LONDON,
            published_at=ISSUED_AT,
        )
        agreement, meter = _smart_agreement(tariff)
        usage = {moment: Decimal(rng.randrange(0, 4000)) / 1000 for moment in _half_hours(JANUARY)}
        _record(meter, usage.get, JANUARY)
        before = accounts_queries.account_balance(account=agreement.account)

        bill = operations.issue_bill(account=agreement.account, period=JANUARY, issued_at=ISSUED_AT)

        cost = sum(kwh * day_prices[index % 48] for index, kwh in enumerate(usage.values()))
        line = bill.lines.get(kind="CONSUMPTION")
        assert line.amount == int(cost.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert line.quantity == sum(usage.values())
        assert sum(bill.lines.values_list("amount", flat=True)) == bill.total
        assert accounts_queries.account_balance(account=agreement.account) - before == -bill.total
